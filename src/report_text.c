/* report_text.c - the report a person reads: per connection a block with
 * the handshake and the teardown in the notation engineers learn them in
 * (SYN seq=J, SYN-ACK seq=K ack=J+1, ACK ack=K+1; FIN seq=u, ACK ack=u+1,
 * FIN seq=W, ACK ack=W+1), the final endpoint states, and each anomaly with
 * what was expected, what was seen and the RFC section; with --ladder, the
 * packet ladder with both endpoints' states. Then the summary. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "seq.h"

#define C_RED "\033[1;31m"
#define C_YEL "\033[33m"
#define C_GRN "\033[32m"
#define C_BLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *
col(const struct report *r, const char *c)
{
	return r->color ? c : "";
}

/*
 * A record's lines but its anomalies and --ladder are written at a cursor
 * into TEXT_ROOM reserved at once (src/wbuf.h): the longest line is under
 * 300 bytes with colours (each name under 40, each number under 21, a
 * time REPORT_WALL_LEN, a step REPORT_DELTA_MAX), and a record has at
 * most 14 of them. A rare line written by printf takes the buffer and
 * leaves room again (text_printf()).
 */
#define TEXT_ROOM 8192

static char *
text_printf(struct wbuf *w, char *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *
text_printf(struct wbuf *w, char *o, const char *fmt, ...)
{
	va_list ap;

	wb_done(w, o);
	va_start(ap, fmt);
	wb_vprintf(w, fmt, ap);
	va_end(ap);
	wb_reserve(w, TEXT_ROOM);
	return wb_at(w);
}

/* s, not quoted.  A byte at a time: most are names or colours (or
 * none, ""), and strlen() and a memcpy() of unknown length were two calls
 * each (wc_qname()). */
static inline char *
put_s(char *o, const char *s)
{
	while (*s)
		*o++ = *s++;
	return o;
}

/* report_side(): "client" or "server", six letters in one move. */
static inline char *
put_side(char *o, const struct conn *c, int idx)
{
	memcpy(o, report_side(c, idx), 6);
	return o + 6;
}

/* s of any length (an anomaly's detail). */
static char *
put_long(char *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

/* x in the notation of the exchange (seq_rel_str()). */
static char *
put_rel(char *o, char letter, uint32_t base, uint32_t x)
{
	int32_t d = seq_diff(x, base);

	*o++ = letter;
	if (d == 0)
		return o;
	*o++ = d < 0 ? '-' : '+';
	return wc_u64(o, d < 0 ? (uint64_t)-(int64_t)d : (uint64_t)d);
}

/* s, then spaces to n columns: printf's "%-ns". */
static char *
put_pad(char *o, const char *s, size_t n)
{
	size_t l = strlen(s);

	memcpy(o, s, l);
	for (; l < n; l++)
		o[l] = ' ';
	return o + l;
}

/* The address and port of endpoint idx: "10.0.0.1:80", "[2001:db8::1]:80". */
static char *
put_endpoint(char *o, const struct conn *c, int idx)
{
	if (c->key.af == 6) {
		*o++ = '[';
		o = wc_addr(o, c->key.af, conn_addr(c, idx));
		WC_LIT(o, "]:");
	} else {
		o = wc_addr(o, c->key.af, conn_addr(c, idx));
		*o++ = ':';
	}
	return wc_u64(o, c->key.port[idx]);
}

/* The same's room, terminated (the ladder's header). */
#define ENDPOINT_MAX (1 + WC_ADDR_MAX + 2 + 5 + 1)

/* "ok" in green, or what was wanted in red. */
static char *
put_verdict(char *o, const struct report *r, bool ok, const char *wrong)
{
	o = put_s(o, ok ? col(r, C_GRN) : col(r, C_RED));
	o = put_s(o, ok ? "ok" : wrong);
	return put_s(o, col(r, C_OFF));
}

static enum anom_sev
worst(const struct conn *c, bool *any)
{
	enum anom_sev w = SEV_INFO;

	*any = c->nanoms > 0;
	for (unsigned i = 0; i < c->nanoms; i++)
		if (anomaly_severity(c->anoms[i].id) > w)
			w = anomaly_severity(c->anoms[i].id);
	return w;
}

static const char *
sev_col(const struct report *r, enum anom_sev s)
{
	return s == SEV_ERR ? col(r, C_RED) : s == SEV_WARN ? col(r, C_YEL) : "";
}

static void
text_begin(struct report *r, struct wbuf *o)
{
	(void)r;
	(void)o;
}

static char *
handshake_lines(struct report *r, struct wbuf *w, char *o,
    const struct conn *c, int cl, int sv, enum hs_outcome hs)
{
	const struct tcp_peer *pc = &c->peer[cl], *ps = &c->peer[sv];

	WC_LIT(o, "  handshake  ");
	o = put_s(o, col(r, C_BLD));
	o = wc_name(o, &report_names()->hs[hs]);
	o = put_s(o, col(r, C_OFF));
	if (hs == HS_MIDSTREAM)
		return text_printf(w, o, ": no SYN seen, the capture began "
		    "inside the connection%s\n", c->synack_dir >= 0 ?
		    " (a SYN-ACK was seen)" : "");
	if (hs == HS_SIMULTANEOUS)
		return text_printf(w, o, ": both sent SYN (J=%u, K=%u), each "
		    "acked the other\n", pc->isn, ps->isn);
	WC_LIT(o, "\n             SYN      seq=J (");
	o = wc_u64(o, pc->isn);
	*o++ = ')';
	if (c->syn_count > 1) {
		WC_LIT(o, ", sent ");
		o = wc_u64(o, c->syn_count);
		WC_LIT(o, " times");
	}
	*o++ = '\n';
	if (c->synack_dir >= 0) {
		/* The judgement is the analysis's (it knows the TFO range
		 * J+1..J+1+n), not a second one here; a bad ack of an
		 * incarnation before an RST is not the one shown. */
		bool ok = !conn_has_anom(c, ANOM_SYNACK_BAD_ACK) ||
		    (c->hs & HSF_SYNACK_NEW);
		WC_LIT(o, "             SYN-ACK  seq=K (");
		o = wc_u64(o, ps->isn);
		WC_LIT(o, ") ack=");
		o = put_rel(o, 'J', pc->isn, c->synack_ack);
		*o++ = ' ';
		o = put_verdict(o, r, ok, "WRONG, want J+1");
		WC_LIT(o, "  ");
		o = report_delta_at(o, conn_time(c, CT_SYN),
		    conn_time(c, CT_SYNACK));
		*o++ = '\n';
	} else if (hs == HS_REFUSED) {
		WC_LIT(o, "             RST      from the server: refused  ");
		o = report_delta_at(o, conn_time(c, CT_SYN), conn_rst_ts(c));
		*o++ = '\n';
		return o;
	} else if (c->hs & HSF_ASYM) {
		WC_LIT(o, "             SYN-ACK  not captured; the client's ACK "
		    "shows K (");
		o = wc_u64(o, ps->isn);
		WC_LIT(o, ")\n");
	} else {
		WC_LIT(o, "             SYN-ACK  none\n");
		return o;
	}
	bool asym = c->synack_dir < 0;
	if (conn_third_seen(c)) {
		bool aok = !conn_has_anom(c, ANOM_HS_ACK_BAD_ACK);
		bool sok = !conn_has_anom(c, ANOM_HS_ACK_BAD_SEQ);
		bool nosyn = !c->third_syn;
		WC_LIT(o, "             ");
		o = put_pad(o, nosyn ? "ACK" : "SYN-ACK", 8);
		WC_LIT(o, " seq=");
		o = put_rel(o, 'J', pc->isn, c->third_seq);
		*o++ = ' ';
		o = put_verdict(o, r, sok, "WRONG, want J+1");
		WC_LIT(o, " ack=");
		o = put_rel(o, 'K', ps->isn, c->third_ack);
		if (!asym) {	/* (else K is known from this ack) */
			*o++ = ' ';
			o = put_verdict(o, r, aok, "WRONG, want K+1");
		}
		if (!nosyn) {
			*o++ = ' ';
			o = put_s(o, col(r, C_RED));
			WC_LIT(o, "SYN=1, want SYN=0");
			o = put_s(o, col(r, C_OFF));
		}
		WC_LIT(o, "  ");
		o = report_delta_at(o, conn_time(c, asym ? CT_SYN : CT_SYNACK),
		    conn_time(c, CT_ACK));
		*o++ = '\n';
	} else if (hs == HS_RESET) {
		WC_LIT(o, "             RST      from the ");
		o = put_side(o, c, c->rst_dir);
		*o++ = '\n';
	} else {
		WC_LIT(o, "             ACK      none\n");
	}
	return o;
}

/* One FIN and its acknowledgment. */
static char *
fin_lines(struct report *r, struct wbuf *w, char *o, const struct conn *c,
    int i, const char *L, int64_t prev_ts)
{
	const struct tcp_peer *p = &c->peer[i], *q = &c->peer[!i];
	/* A FIN that fin_bad_seq says is not at u: its numbers relative to
	 * its sender's ISN (J+n, K+n), so that u means one thing in the
	 * report, fin_bad_seq's one past the last data byte. */
	char fl[24], al[24];
	const char *A = NULL;	/* the ack of it, when not L+1 */
	const char *J = i == conn_client(c) ? "J" : "K";
	if (conn_has_anom_from(c, ANOM_FIN_BAD_SEQ, i) &&
	    conn_isn_known(c, i)) {
		seq_rel_str(fl, sizeof(fl), J, p->isn, p->fin_seq);
		seq_rel_str(al, sizeof(al), J, p->isn, p->fin_seq + 1);
		L = fl;
		A = al;
	}

	WC_LIT(o, "             FIN      seq=");
	o = put_s(o, L);
	WC_LIT(o, " (");
	o = wc_u64(o, p->fin_seq);
	WC_LIT(o, ") from the ");
	o = put_side(o, c, i);
	WC_LIT(o, "  ");
	o = report_delta_at(o, prev_ts, conn_side_time(c, i, CT_FIN));
	*o++ = '\n';
	if (p->flags & PEER_FIN_ACKED) {
		WC_LIT(o, "             ACK      ack=");
		o = put_s(o, A ? A : L);
		o = put_s(o, A ? " " : "+1 ");
		o = put_s(o, col(r, C_GRN));
		WC_LIT(o, "ok");
		o = put_s(o, col(r, C_OFF));
		WC_LIT(o, "  ");
		o = report_delta_at(o, conn_side_time(c, i, CT_FIN),
		    conn_side_time(c, i, CT_FIN_ACK));
		*o++ = '\n';
	} else if (q->flags & PEER_ACK_SENT) {
		char a[32];
		o = text_printf(w, o, "             ACK      %snone reached "
		    "%s%s%s (highest ack from the %s: %s)\n", col(r, C_RED),
		    A ? A : L, A ? "" : "+1", col(r, C_OFF),
		    report_side(c, !i), A ? seq_rel_str(a, sizeof(a), J,
		    p->isn, q->ack) : seq_rel_str(a, sizeof(a), L, p->fin_seq,
		    q->ack));
	} else {
		WC_LIT(o, "             ACK      ");
		o = put_s(o, col(r, C_RED));
		WC_LIT(o, "none");
		o = put_s(o, col(r, C_OFF));
		*o++ = '\n';
	}
	return o;
}

static char *
teardown_lines(struct report *r, struct wbuf *w, char *o,
    const struct conn *c, int cl, enum td_outcome td)
{
	int first = c->fin_first;

	WC_LIT(o, "  teardown   ");
	o = put_s(o, col(r, C_BLD));
	o = wc_name(o, &report_names()->td[td]);
	o = put_s(o, col(r, C_OFF));
	if (first >= 0) {
		WC_LIT(o, ", closed first by the ");
		o = put_side(o, c, first);
	}
	if (conn_reset_by(c) >= 0 && td != TD_NONE) {
		WC_LIT(o, ", reset by the ");
		o = put_side(o, c, conn_reset_by(c));
	}
	if (td == TD_NONE) {
		WC_LIT(o, ": the handshake never completed\n");
		return o;
	}
	if (td == TD_OPEN) {
		WC_LIT(o, ": no FIN and no RST by the end\n");
		return o;
	}
	*o++ = '\n';
	if (first >= 0) {
		o = fin_lines(r, w, o, c, first, "u", c->first_ts);
		if (c->peer[!first].flags & PEER_FIN_SEEN) {
			o = fin_lines(r, w, o, c, !first, "W",
			    conn_side_time(c, first, CT_FIN));
		} else if (td != TD_RESET) {
			WC_LIT(o, "             FIN      none from the ");
			o = put_side(o, c, !first);
			*o++ = '\n';
		}
	}
	/* (Only an RST that ended something: not one from SYN_SENT that
	 * answered an old connection's ACK, 3.5.1 figure 10, nor one after
	 * both closed; the ladder draws those.) */
	if (conn_reset_by(c) >= 0) {
		WC_LIT(o, "             RST      from the ");
		o = put_side(o, c, c->rst_dir);
		WC_LIT(o, " at ");
		o = report_wall_at(w, o, conn_rst_ts(c));
		*o++ = '\n';
	}
	for (int i = 0; i < 2; i++) {
		int idx = i == 0 ? cl : !cl;
		if (c->peer[idx].st != TCP_ST_TIME_WAIT)
			continue;
		WC_LIT(o, "             TIME_WAIT: the ");
		o = put_side(o, c, idx);
		WC_LIT(o, " holds it until ");
		o = report_wall_at(w, o, conn_side_time(c, idx, CT_TW) +
		    r->ccfg.two_msl_ns);
		/* whole seconds as an integer; others as %g. 2MSL runs
		 * from its last ACK, or from the peer's FIN sent again that
		 * restarted it since (tw_ack_ts: the final ACK's time kept) */
		const char *from = c->ext && c->ext->tw_ack_ts[idx] ?
		    " s after the peer's FIN sent again)\n" :
		    " s after its last ACK)\n";
		if (r->ccfg.two_msl_ns % 1000000000 == 0) {
			WC_LIT(o, " (2MSL = ");
			o = wc_u64(o, (uint64_t)(r->ccfg.two_msl_ns /
			    1000000000));
			o = put_s(o, from);
		} else {
			o = text_printf(w, o, " (2MSL = %g%s",
			    (double)r->ccfg.two_msl_ns / 1e9, from);
		}
	}
	return o;
}

/* ---- ladder ------------------------------------------------------------ */

#define ARROW 46

/* "1,234": the count of a fold, readable at a glance. */
static char *
put_thousands(char *o, uint32_t v)
{
	char d[WC_U64_MAX];
	int n = (int)(wc_u64(d, v) - d);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			*o++ = ',';
		*o++ = d[i];
	}
	return o;
}

/* The flags' names, "SYN,ACK", or "none". */
static char *
put_flags(char *o, uint16_t f)
{
	static const struct { uint16_t bit; char name[4]; } names[] = {
		{ TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" },
		{ TH_PSH, "PSH" }, { TH_ACK, "ACK" }, { TH_URG, "URG" },
		{ TH_ECE, "ECE" }, { TH_CWR, "CWR" }, { TH_AE, "AE" },
	};
	char *s = o;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (f & names[i].bit) {
			if (o != s)
				*o++ = ',';
			o = put_s(o, names[i].name);
		}
	if (o == s)
		WC_LIT(o, "none");
	return o;
}

/* The ladder's names, written once for all records: each flag set's
 * (put_flags(); the 9 bits of TH_*) and each state's, padded to 12
 * columns (printf's "%-12s"), each copied in one fixed-size move. */
#define LADDER_FLAGS 512
#define LADDER_FLAGS_ROOM 40	/* "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR,AE" */
#define LADDER_ST_ROOM 16
struct ladder_names {
	char fl[LADDER_FLAGS][LADDER_FLAGS_ROOM];
	uint8_t fl_len[LADDER_FLAGS];
	char st[TCP_ST_MAX][LADDER_ST_ROOM];	/* padded with spaces */
	uint8_t st_len[TCP_ST_MAX], st_pad[TCP_ST_MAX];
};

static const struct ladder_names *
ladder_names(void)
{
	static struct ladder_names n;
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (unsigned f = 0; f < LADDER_FLAGS; f++) {
			char b[2 * LADDER_FLAGS_ROOM];
			size_t l = (size_t)(put_flags(b, (uint16_t)f) - b);
			g_assert(l <= LADDER_FLAGS_ROOM);
			memcpy(n.fl[f], b, l);
			n.fl_len[f] = (uint8_t)l;
		}
		for (int i = 0; i < TCP_ST_MAX; i++) {
			size_t l = strlen(tcp_state_name[i]);
			g_assert(l <= LADDER_ST_ROOM);
			memset(n.st[i], ' ', LADDER_ST_ROOM);
			memcpy(n.st[i], tcp_state_name[i], l);
			n.st_len[i] = (uint8_t)l;
			n.st_pad[i] = (uint8_t)(l > 12 ? l : 12);
		}
		g_once_init_leave(&done, 1);
	}
	return &n;
}

/* seq relative to the sender's ISN (J or K), absolute when unknown; cl
 * the client (conn_client()). */
static char *
put_rel_num(char *o, const struct conn *c, int cl, int idx, uint32_t x)
{
	const struct tcp_peer *p = &c->peer[idx];

	if (conn_isn_known(c, idx))
		return put_rel(o, idx == cl ? 'J' : 'K', p->isn, x);
	return wc_u64(o, x);
}

/* The text at s (n bytes, in a buffer of PUT_RIGHT_ROOM), spaces before
 * it to w (<= PUT_RIGHT_ROOM) columns: printf's "%ws". Fixed-size moves:
 * what is written past the end is written over next. */
#define PUT_RIGHT_ROOM 32
static char *
put_right(char *o, const char s[PUT_RIGHT_ROOM], size_t n, size_t w)
{
	memset(o, ' ', PUT_RIGHT_ROOM);
	o += n < w ? w - n : 0;
	memcpy(o, s, PUT_RIGHT_ROOM);
	return o + n;
}

/* n spaces */
static char *
put_spaces(char *o, size_t n)
{
	memset(o, ' ', n);
	return o + n;
}

/* A step's room: its line (the label under 100 bytes, each name under 40,
 * each number under 21) and its anomaly's, with colours. */
#define LADDER_ROOM 1024

static void
ladder(struct report *r, struct wbuf *w, const struct conn *c, int cl)
{
	GArray *a = conn_ladder(c);
	char ea[ENDPOINT_MAX];
	const struct ladder_names *nm = ladder_names();

	if (!a || !a->len)
		return;
	uint64_t shown[2] = { 0, 0 };	/* anomalies drawn (nanoms < 128) */
	G_STATIC_ASSERT(CONN_MAX_ANOMS <= 128);
	wb_reserve(w, LADDER_ROOM);
	char *o = wb_at(w);
	WC_LIT(o, "  ladder");
	o = put_s(o, col(r, C_DIM));
	WC_LIT(o, "\n     frame       time  client ");
	*put_endpoint(ea, c, cl) = '\0';
	o = put_pad(o, ea, ARROW - 1);
	WC_LIT(o, " server ");
	o = put_endpoint(o, c, !cl);
	o = put_s(o, col(r, C_OFF));
	*o++ = '\n';
	wb_done(w, o);
	for (guint i = 0; i < a->len; i++) {
		const struct ladder_step *l = &g_array_index(a,
		    struct ladder_step, i);
		char fr[PUT_RIGHT_ROOM], t[PUT_RIGHT_ROOM];
		size_t nfr = (size_t)(wc_u64(fr, l->frame) - fr);
		size_t nt = (size_t)(wc_dur(t, l->ts - c->first_ts) - t);

		wb_reserve(w, LADDER_ROOM);
		o = wb_at(w);
		WC_LIT(o, "    ");
		o = put_right(o, fr, nfr, 6);
		*o++ = ' ';
		o = put_right(o, t, nt, 10);
		WC_LIT(o, "  ");
		if (l->folded > 1) {
			o = put_spaces(o, 12 + 1 + 10);
			WC_LIT(o, "... ");
			o = put_thousands(o, l->folded);
			WC_LIT(o, " data segments ...\n");
			wb_done(w, o);
			continue;
		}
		char lab[128], *e = lab;
		if (l->icmp) {
			/* An ICMP error about the other side's segment. */
			WC_LIT(e, "ICMP");
			if (c->key.af == 6)
				WC_LIT(e, "v6");
			*e++ = ' ';
			e = wc_u64(e, l->win >> 8);
			*e++ = '/';
			e = wc_u64(e, l->win & 0xff);
			WC_LIT(e, " about seq=");
			e = put_rel_num(e, c, cl, !l->dir, l->seq);
		} else {
			unsigned f = l->flags & (LADDER_FLAGS - 1);
			memcpy(e, nm->fl[f], LADDER_FLAGS_ROOM);
			e += nm->fl_len[f];
			WC_LIT(e, " seq=");
			/* An RST from the server before its first SYN-ACK (a
			 * closed port's answer, seq 0 or the SYN's ack,
			 * 3.10.7.1) is no number of K's space: as it is. */
			if ((l->flags & TH_RST) && l->dir == c->synack_dir &&
			    l->ts < conn_time(c, CT_SYNACK))
				e = wc_u64(e, l->seq);
			else
				e = put_rel_num(e, c, cl, l->dir, l->seq);
		}
		if (l->flags & TH_ACK) {
			WC_LIT(e, " ack=");
			e = put_rel_num(e, c, cl, !l->dir, l->ack);
		}
		if (l->len) {
			WC_LIT(e, " len=");
			e = wc_u64(e, l->len);
		}
		unsigned s0 = l->st[cl], s1 = l->st[!cl];
		memcpy(o, nm->st[s0], LADDER_ST_ROOM);
		o += nm->st_pad[s0];
		*o++ = ' ';
		/* Arrow of ARROW columns: "LABEL ---->" or "<---- LABEL". */
		size_t ll = (size_t)(e - lab);
		size_t dashes = ll + 4 <= ARROW ? ARROW - ll - 2 : 2;
		char *s = o;
		G_STATIC_ASSERT(ARROW - 2 <= 48);
		/* Fixed-size moves: the dashes (at most ARROW - 2) and the
		 * label, what goes past them written over next. */
		if (l->dir == cl) {
			memcpy(o, lab, sizeof(lab));
			o[ll] = ' ';
			o += ll + 1;
			memset(o, '-', 48);
			o += dashes;
			*o++ = '>';
		} else {
			*o++ = '<';
			memset(o, '-', 48);
			o += dashes;
			*o++ = ' ';
			memcpy(o, lab, sizeof(lab));
			o += ll;
		}
		if (o - s < ARROW)
			o = put_spaces(o, (size_t)(ARROW - (o - s)));
		*o++ = ' ';
		memcpy(o, nm->st[s1], LADDER_ST_ROOM);
		o += nm->st_len[s1];
		*o++ = '\n';
		wb_done(w, o);
		/* Under it, every anomaly its frame showed, in the order they
		 * were found: those decided later (at the end, as
		 * fin_unacked, or by the next segment, as a held ack's
		 * fin_ack_bad_ack) and a second one of the same segment too;
		 * each once, should a frame have two rows. */
		for (unsigned k = 0; k < c->nanoms; k++) {
			const struct anom_rec *an = &c->anoms[k];
			if (an->frame != l->frame || (shown[k / 64] >> k % 64 & 1))
				continue;
			shown[k / 64] |= 1ull << k % 64;
			enum anom_sev sv = anomaly_severity(an->id);
			wb_reserve(w, LADDER_ROOM);
			o = wb_at(w);
			WC_LIT(o, "    ");
			o = put_spaces(o, 6 + 1 + 10 + 2 + 12 + 1);
			o = put_s(o, sev_col(r, sv));
			WC_LIT(o, "^ ");
			o = put_s(o, anomaly_sev_name(sv));
			*o++ = ' ';
			o = put_s(o, anomaly_name(an->id));
			o = put_s(o, col(r, C_OFF));
			*o++ = '\n';
			wb_done(w, o);
		}
	}
}

static void
text_conn_as(struct report *r, const struct conn *c, struct wbuf *w,
    enum hs_outcome hs, enum td_outcome td)
{
	int cl = conn_client(c), sv = !cl;
	bool any;
	enum anom_sev worst_sev = worst(c, &any);
	const char *verdict = !any ? "OK" : worst_sev == SEV_ERR ? "ERROR" :
	    worst_sev == SEV_WARN ? "WARNING" : "NOTE";

	wb_reserve(w, TEXT_ROOM);
	char *o = wb_at(w);
	o = put_s(o, col(r, C_BLD));
	*o++ = '#';
	o = wc_u64(o, c->id);
	o = put_s(o, col(r, C_OFF));
	WC_LIT(o, "  ");
	o = put_endpoint(o, c, cl);
	WC_LIT(o, " -> ");
	o = put_endpoint(o, c, sv);
	WC_LIT(o, "  ");
	o = report_wall_at(w, o, c->first_ts);
	WC_LIT(o, "  ");
	o = wc_dur(o, conn_time(c, CT_LAST) - c->first_ts);
	WC_LIT(o, " s  ");
	const char *vc = !any ? col(r, C_GRN) : sev_col(r, worst_sev);
	o = put_s(o, vc);
	o = put_s(o, verdict);
	if (*vc)	/* (NOTE has no colour: nothing to end) */
		o = put_s(o, col(r, C_OFF));
	*o++ = '\n';
	o = handshake_lines(r, w, o, c, cl, sv, hs);
	o = teardown_lines(r, w, o, c, cl, td);
	WC_LIT(o, "  states     client ");
	o = wc_name(o, &report_names()->st[c->peer[cl].st]);
	WC_LIT(o, ", server ");
	o = wc_name(o, &report_names()->st[c->peer[sv].st]);
	WC_LIT(o, "\n  traffic    client ");
	o = wc_u64(o, conn_pkts(c, cl));
	WC_LIT(o, " packets ");
	o = wc_u64(o, conn_bytes(c, cl));
	WC_LIT(o, " bytes, server ");
	o = wc_u64(o, conn_pkts(c, sv));
	WC_LIT(o, " packets ");
	o = wc_u64(o, conn_bytes(c, sv));
	WC_LIT(o, " bytes; retransmissions ");
	o = wc_u64(o, c->side[cl].retrans);
	*o++ = '/';
	o = wc_u64(o, c->side[sv].retrans);
	WC_LIT(o, "; zeek ");
	o = put_s(o, zeek_conn_state(&c->zeek));
	*o++ = ' ';
	o = report_history_at(w, o, &c->zeek);
	*o++ = '\n';
	for (unsigned i = 0; i < c->nanoms; i++) {
		const struct anom_rec *an = &c->anoms[i];
		enum anom_sev s = anomaly_severity(an->id);
		const char *detail = an->detail && *an->detail ? an->detail :
		    anomaly_description(an->id);
		/* a detail is ours but of any length: room for it too */
		wb_done(w, o);
		wb_reserve(w, TEXT_ROOM + strlen(detail));
		o = wb_at(w);
		WC_LIT(o, "  ");
		o = put_s(o, sev_col(r, s));
		o = put_pad(o, anomaly_sev_name(s), 9);
		o = put_s(o, col(r, C_OFF));
		WC_LIT(o, "  ");
		o = put_s(o, anomaly_name(an->id));
		WC_LIT(o, ", frame ");
		o = wc_u64(o, an->frame);
		WC_LIT(o, " from the ");
		o = put_side(o, c, an->dir);
		WC_LIT(o, ": ");
		o = put_long(o, detail);
		WC_LIT(o, " [");
		o = put_s(o, anomaly_reference(an->id));
		WC_LIT(o, "]\n");
	}
	wb_done(w, o);
	if (conn_anoms_dropped(c))
		wb_printf(w, "  (%u more anomalies not listed)\n",
		    conn_anoms_dropped(c));
	if (r->cfg->ladder)
		ladder(r, w, c, cl);
	wb_putc(w, '\n');
}

static void
counts(struct wbuf *o, const char *title, const uint64_t *v, size_t n,
    const char *const *names)
{
	bool any = false;

	wb_printf(o, "  %-15s", title);
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		wb_printf(o, "%s%s %" PRIu64, any ? ", " : "", names[i], v[i]);
		any = true;
	}
	wb_printf(o, "%s\n", any ? "" : "none");
}

static void
text_end(struct report *r, const struct stats *st, struct wbuf *o)
{
	const char *anames[ANOM_MAX];

	for (int i = 0; i < ANOM_MAX; i++)
		anames[i] = anomaly_name(i);
	wb_printf(o, "%ssummary%s: %" PRIu64 " packets, %" PRIu64 " TCP, %"
	    PRIu64 " connections (%" PRIu64 " with anomalies), %" PRIu64
	    " dropped by the capture\n", col(r, C_BLD), col(r, C_OFF),
	    st->packets, st->tcp_packets, st->connections, st->with_anomalies,
	    st->dropped);
	if (st->evicted)
		wb_printf(o, "  evicted:       %" PRIu64 " records released early "
		    "by --max-flows (each reported)\n", st->evicted);
	if (st->live)
		wb_printf(o, "  capture:       %" PRIu64 " packets received by "
		    "libpcap, %" PRIu64 " dropped (%" PRIu64 " by the "
		    "interface)\n", st->received, st->dropped, st->if_dropped);
	counts(o, "handshake:", st->hs, HS_MAX, hs_outcome_name);
	counts(o, "teardown:", st->td, TD_MAX, td_outcome_name);
	for (int sev = SEV_ERR; sev >= SEV_INFO; sev--) {
		uint64_t v[ANOM_MAX] = { 0 };
		for (int i = 1; i < ANOM_MAX; i++)
			if ((int)anomaly_severity(i) == sev)
				v[i] = st->anom[i];
		char t[32];
		snprintf(t, sizeof(t), "%s:", anomaly_sev_name(sev));
		counts(o, t, v, ANOM_MAX, anames);
	}
	counts(o, "decode errors:", st->derr, DERR_MAX, derr_name);
}

/* The record alone (tests): its outcomes asked here. */
static void
text_conn(struct report *r, const struct conn *c, struct wbuf *w)
{
	text_conn_as(r, c, w, conn_hs_outcome(c), conn_td_outcome(c));
}

const struct report_ops report_text_ops = {
	.begin = text_begin, .conn = text_conn, .conn_as = text_conn_as, .end = text_end,
};
