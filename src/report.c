/* report.c - writer selection and shared helpers. */
#include "config.h"

#include "report.h"

#include <string.h>

#include "decode.h"

const char *const derr_name[DERR_MAX] = {
	[DERR_TRUNCATED] = "truncated_segment",
	[DERR_MALFORMED] = "malformed_packet",
	[DERR_FRAGMENT] = "ip_fragment",
	[DERR_UNSUPPORTED] = "unsupported_packet",
	[DERR_BAD_CHECKSUM] = "bad_checksum",
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
	st->connections++;
	st->hs[conn_hs_outcome(c)]++;
	st->td[conn_td_outcome(c)]++;
	for (unsigned i = 0; i < c->nanoms; i++)
		st->anom[c->anoms[i].id]++;
	if (c->nanoms)
		st->with_anomalies++;
	if (r->cfg->anomalies_only && !c->nanoms)
		return false;
	if (!cli_conn_selected(r->cfg, c->id))
		return false;
	r->ops->conn((struct report *)r, c, w);
	return true;
}

bool
report_write(struct report *r, struct wbuf *w)
{
	bool ok = w->len == 0 || fwrite(w->p, 1, w->len, r->out) == w->len;

	w->len = 0;
	return ok;
}

bool
report_flush(struct report *r)
{
	bool ok = report_write(r, &r->wb);

	return fflush(r->out) == 0 && ok;
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

void
report_addr(const struct conn *c, int idx, char *buf, size_t len)
{
	decode_addr_str(c->key.af, conn_addr(c, idx), buf, len);
}

const char *
report_side(const struct conn *c, int idx)
{
	return idx == conn_client(c) ? "client" : "server";
}
