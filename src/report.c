/* report.c - writer selection and shared helpers. */
#include "config.h"

#include "report.h"

#include <errno.h>

#include <string.h>

#include "decode.h"

const char *const derr_name[DERR_MAX] = {
	[DERR_TRUNCATED] = "truncated_segment",
	[DERR_MALFORMED] = "malformed_packet",
	[DERR_FRAGMENT] = "ip_fragment",
	[DERR_UNSUPPORTED] = "unsupported_packet",
	[DERR_BAD_CHECKSUM] = "bad_checksum",
	[DERR_COPY] = "interface_copy",
};

void
report_init(struct report *r, const struct synfin_config *cfg,
    const struct conn_cfg *ccfg, FILE *out)
{
	static const struct report_ops *const ops[FMT_MAX] = {
		[FMT_TEXT] = &report_text_ops,
		[FMT_JSON] = &report_json_ops,
		[FMT_CSV] = &report_csv_ops,
	};
	r->ops = ops[cfg->format];
	r->out = out;
	/* Everything goes out through r->wb, a record or 64 KiB at a time:
	 * stdio's own buffer only split each piece in two write()s (the
	 * block it could fill, then the rest). Unbuffered, one each. (Not a
	 * stream in memory, open_memstream()'s: its buffer is the stream.) */
	if (out && fileno(out) >= 0)
		setvbuf(out, NULL, _IONBF, 0);
	r->cfg = cfg;
	r->ccfg = *ccfg;
	r->color = cfg->color;
	r->flush_each = false;
	r->written = 0;
	memset(&r->wb, 0, sizeof(r->wb));
}

bool
report_format(const struct report *r, struct stats *st, const struct conn *c,
    struct wbuf *w)
{
	enum hs_outcome hs = conn_hs_outcome(c);
	enum td_outcome td = conn_td_outcome(c);

	st->connections++;
	st->hs[hs]++;
	st->td[td]++;
	for (unsigned i = 0; i < c->nanoms; i++)
		st->anom[c->anoms[i].id]++;
	if (c->nanoms)
		st->with_anomalies++;
	if (r->cfg->anomalies_only && !c->nanoms)
		return false;
	if (r->cfg->n_conn_ids && !cli_conn_selected(r->cfg, c->id))
		return false;
	r->ops->conn_as((struct report *)r, c, w, hs, td);
	return true;
}

bool
report_write(struct report *r, struct wbuf *w)
{
	bool ok = r->gone || w->len == 0 ||
	    fwrite(w->p, 1, w->len, r->out) == w->len;

	if (!ok && errno == EPIPE)
		r->gone = true;
	w->len = 0;
	return ok;
}

bool
report_flush(struct report *r)
{
	bool ok = report_write(r, &r->wb);

	if (r->gone)
		return false;
	ok = fflush(r->out) == 0 && ok;
	if (!ok && errno == EPIPE)
		r->gone = true;
	return ok;
}

void
report_conn(struct report *r, struct stats *st, const struct conn *c)
{
	if (!report_format(r, st, c, &r->wb))
		return;
	r->written++;
	/* A record is complete when written: in a live capture (or reading
	 * a pipe) flush, so a reader (synfin -i eth0 -F json | jq) sees it
	 * now; reading files, write in 64 KiB pieces. */
	if (r->flush_each)
		report_flush(r);
	else if (r->wb.len >= 65536)
		report_write(r, &r->wb);
}

void
report_begin(struct report *r)
{
	r->ops->begin(r, &r->wb);
	if (r->flush_each)
		report_flush(r);
}

void
report_end(struct report *r, const struct stats *st)
{
	r->ops->end(r, st, &r->wb);
	report_write(r, &r->wb);
}

void
report_destroy(struct report *r)
{
	wb_free(&r->wb);
}

void
report_dur(char *buf, size_t len, int64_t ns)
{
	char b[WB_DUR_MAX];
	size_t n = wb_fmt_dur(b, ns);

	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;	/* cut, as snprintf() would */
	memcpy(buf, b, n);
	buf[n] = '\0';
}

/* Two digits of v (< 100) at b. */
static void
two(char *b, unsigned v)
{
	memcpy(b, wb_pairs + 2 * v, 2);
}

/* "2026-11-24 10:30:37.654903" in UTC, like tcpdump -tttt -u: what
 * gmtime_r(), strftime("%Y-%m-%d %H:%M:%S") and ".%06d" wrote, without
 * them (with printf they were most of the default report's time); the
 * date from the days since 1970 by H. Hinnant's civil_from_days(). Any
 * int64 of nanoseconds is within the years 1677 to 2262, four digits. */
void
report_wall(char b[REPORT_WALL_LEN], int64_t ns)
{
	int64_t s = ns / 1000000000, us = (ns % 1000000000) / 1000;

	if (us < 0) {
		us += 1000000;
		s--;
	}
	int64_t days = s / 86400, sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	unsigned y = (unsigned)((int64_t)yoe + era * 400 + (m <= 2));

	two(b, y / 100);
	two(b + 2, y % 100);
	b[4] = '-';
	two(b + 5, m);
	b[7] = '-';
	two(b + 8, d);
	b[10] = ' ';
	unsigned t = (unsigned)sod;	/* unsigned: no sign to correct */
	two(b + 11, t / 3600);
	b[13] = ':';
	two(b + 14, t / 60 % 60);
	b[16] = ':';
	two(b + 17, t % 60);
	wc_frac6(b + 19, (uint32_t)us * 1000);	/* it takes nanoseconds */
}

G_STATIC_ASSERT(sizeof(((struct wb_wall *)0)->text) + 7 == REPORT_WALL_LEN);

char *
report_wall_at(struct wbuf *w, char *o, int64_t ns)
{
	/* Before 1970 the microseconds are cut toward zero, not down
	 * (report_wall()): none kept. */
	if (ns < 0) {
		report_wall(o, ns);
		return o + REPORT_WALL_LEN;
	}
	/* As wc_ts(): a time within a second kept is a subtraction away
	 * from its start. */
	for (int i = 0; i < 2; i++) {
		struct wb_wall *k = &w->wall[i];
		uint64_t f = (uint64_t)ns - k->ns;

		if (k->ok && f < 1000000000) {
			w->wall_old = (uint8_t)!i;
			memcpy(o, k->text, sizeof(k->text));
			wc_frac6(o + sizeof(k->text), (uint32_t)f);
			return o + REPORT_WALL_LEN;
		}
	}
	struct wb_wall *k = &w->wall[w->wall_old];

	report_wall(o, ns);
	k->ns = (uint64_t)(ns - ns % 1000000000);
	k->ok = true;
	memcpy(k->text, o, sizeof(k->text));
	w->wall_old = (uint8_t)!w->wall_old;
	return o + REPORT_WALL_LEN;
}

/* "+0.052 ms" between two steps: printf's "%+.3f ms" of the double
 * (to - from) / 1e6, or "%+.3f s" of a thousandth of it from 1000 ms on.
 * Below 10^15 ns and off a tie (a nanosecond count ending in 500), the
 * double is too near the count for its rounding to differ from the
 * integer's (its error is under 10^-7 ms, the nearest tie 10^-6 ms away),
 * so the microseconds are written from the integer; the rest as before. */
static void
delta_printf(char *buf, size_t len, int64_t d)
{
	double ms = (double)d / 1e6;

	if (ms < 1000)
		snprintf(buf, len, "%+.3f ms", ms);
	else
		snprintf(buf, len, "%+.3f s", ms / 1000);
}

/* report_delta_at() but a step of a second or more, or a tie: the
 * microseconds from the integer in 64 bits below 10^15 ns, printf's
 * above */
char *
report_delta_slow(char *o, int64_t d)
{
	int64_t tie = d % 1000;

	if (d > -1000000000000000 && d < 1000000000 && tie != 500 &&
	    tie != -500) {
		uint64_t u = d < 0 ? (uint64_t)-d : (uint64_t)d;
		u = (u + 500) / 1000;	/* microseconds, rounded */
		uint64_t ms = u / 1000;
		unsigned us = (unsigned)(u - 1000 * ms);
		*o++ = d < 0 ? '-' : '+';
		o = wc_u64(o, ms);
		o[0] = '.';
		o[1] = (char)('0' + us / 100);
		memcpy(o + 2, wb_pairs + 2 * (us % 100), 2);
		memcpy(o + 4, " ms", 3);
		return o + 7;
	}
	char b[REPORT_DELTA_MAX];
	delta_printf(b, sizeof(b), d);
	size_t n = strlen(b);
	memcpy(o, b, n);
	return o + n;
}

G_STATIC_ASSERT(sizeof(struct report_name) == REPORT_NAME_ROOM);

static void
report_name_make(struct report_name *n, const char *s)
{
	size_t l = strlen(s);

	g_assert(l <= sizeof(n->text));
	memset(n->text, 0, sizeof(n->text));
	memcpy(n->text, s, l);
	n->len = (uint8_t)l;
}

const struct report_names *report_names_made;

const struct report_names *
report_names_make(void)
{
	static struct report_names n;
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (int i = 0; i < HS_MAX; i++)
			report_name_make(&n.hs[i], hs_outcome_name[i]);
		for (int i = 0; i < TD_MAX; i++)
			report_name_make(&n.td[i], td_outcome_name[i]);
		for (int i = 0; i < TCP_ST_MAX; i++)
			report_name_make(&n.st[i], tcp_state_name[i]);
		g_atomic_pointer_set(&report_names_made, &n);
		g_once_init_leave(&done, 1);
	}
	return &n;
}

/* report_history_at() but a history w does not keep: made, and kept */
char *
report_history_new(struct wbuf *w, char *o, const struct zeek_conn *z)
{
	char *e = zeek_conn_history_at(z, o);
	uint64_t a, b;

	report_history_key(z, &a, &b);
	struct wb_hist *h = report_history_slot(w, a, b);
	h->key[0] = a;
	h->key[1] = b;
	h->len = (uint8_t)(e - o);
	memcpy(h->text, o, h->len);
	return e;
}
