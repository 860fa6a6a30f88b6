/* report_csv.c - one row per connection, RFC 4180 quoting. */
#include "config.h"

#include <string.h>

#include "report.h"

static void
csv_field(struct wbuf *w, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		wb_putc(w, '"');
		for (; *s; s++) {
			if (*s == '"')
				wb_putc(w, '"');
			wb_putc(w, *s);
		}
		wb_putc(w, '"');
	} else {
		wb_puts(w, s);
	}
	if (last)
		WB_LIT(w, "\r\n");
	else
		wb_putc(w, ',');
}

/*
 * A record but its anomalies is written at a cursor into room reserved at
 * once (src/wbuf.h), as the JSON writer does: CSV_CONN_ROOM is more than
 * twice its longest (27 commas, 2 addresses of WC_ADDR_MAX, a time of
 * WC_TS_MAX, 3 durations of WB_DUR_MAX, 15 numbers of at most 20 digits,
 * 7 names of at most 24, a history of ZEEK_HIST_MAX letters: under 700).
 * Numbers, addresses, times and the history need no quoting.
 */
#define CSV_CONN_ROOM 2048

/* A name of ours (an outcome, a side, a state: [a-z_A-Z0-9]), which
 * needs no quoting either, and its comma.  A byte at a time: names are
 * short (wc_qname()). */
static char *
csv_name(char *o, const char *s)
{
	while (*s)
		*o++ = *s++;
	*o++ = ',';
	return o;
}

/* csv_name() of a name made beforehand (report_names()): one move */
static inline char *
csv_pre(char *o, const struct report_name *n)
{
	o = wc_name(o, n);
	*o++ = ',';
	return o;
}

/* report_side() of idx, client (cl) or server, or nothing when idx < 0,
 * and its comma */
static inline char *
csv_side(char *o, int cl, int idx)
{
	if (idx >= 0) {
		memcpy(o, idx == cl ? "client" : "server", 6);
		o += 6;
	}
	*o++ = ',';
	return o;
}

static char *
csv_u64(char *o, uint64_t v)
{
	o = wc_u64(o, v);
	*o++ = ',';
	return o;
}

static char *
csv_dur(char *o, int64_t ns, bool present)
{
	if (present)
		o = wc_dur(o, ns);
	*o++ = ',';
	return o;
}

static const char *const csv_cols[] = {
	"id", "ts", "duration", "client_addr", "client_port", "server_addr",
	"server_port", "handshake", "teardown", "initiator", "reset_by",
	"client_state", "server_state", "client_isn", "server_isn",
	"syn_count", "synack_count", "rtt_syn_synack", "rtt_synack_ack",
	"client_packets", "server_packets", "client_payload_bytes",
	"server_payload_bytes", "client_retransmissions",
	"server_retransmissions", "zeek_conn_state", "zeek_history",
	"anomalies",
};

static void
csv_begin(struct report *r, struct wbuf *w)
{
	(void)r;
	for (size_t i = 0; i < G_N_ELEMENTS(csv_cols); i++)
		csv_field(w, csv_cols[i], i + 1 == G_N_ELEMENTS(csv_cols));
}

static void
csv_conn_as(struct report *r, const struct conn *c, struct wbuf *w,
    enum hs_outcome hs, enum td_outcome td)
{
	int cl = conn_client(c), sv = !cl, reset_by = conn_reset_by(c);

	(void)r;
	wb_reserve(w, CSV_CONN_ROOM);
	char *o = wb_at(w);
	o = csv_u64(o, c->id);
	o = wc_ts(w, o, c->first_ts);
	*o++ = ',';
	o = csv_dur(o, conn_time(c, CT_LAST) - c->first_ts, true);
	o = wc_addr(o, c->key.af, conn_addr(c, cl));
	*o++ = ',';
	o = csv_u64(o, c->key.port[cl]);
	o = wc_addr(o, c->key.af, conn_addr(c, sv));
	*o++ = ',';
	o = csv_u64(o, c->key.port[sv]);
	const struct report_names *nm = report_names();
	o = csv_pre(o, &nm->hs[hs]);
	o = csv_pre(o, &nm->td[td]);
	o = csv_side(o, cl, c->fin_first);
	o = csv_side(o, cl, reset_by);
	o = csv_pre(o, &nm->st[c->peer[cl].st]);
	o = csv_pre(o, &nm->st[c->peer[sv].st]);
	for (int i = 0; i < 2; i++) {
		const struct tcp_peer *p = &c->peer[i ? sv : cl];
		if (p->flags & PEER_SYN_SEEN)
			o = wc_u64(o, p->isn);
		*o++ = ',';
	}
	o = csv_u64(o, c->syn_count);
	o = csv_u64(o, c->synack_count);
	int64_t rtt;
	bool present = conn_rtt(c, CT_SYNACK, &rtt);
	o = csv_dur(o, rtt, present);
	present = conn_rtt(c, CT_ACK, &rtt);
	o = csv_dur(o, rtt, present);
	o = csv_u64(o, conn_pkts(c, cl));
	o = csv_u64(o, conn_pkts(c, sv));
	o = csv_u64(o, conn_bytes(c, cl));
	o = csv_u64(o, conn_bytes(c, sv));
	o = csv_u64(o, c->side[cl].retrans);
	o = csv_u64(o, c->side[sv].retrans);
	o = csv_name(o, zeek_conn_state(&c->zeek));
	o = report_history_at(w, o, &c->zeek);
	*o++ = ',';
	wb_done(w, o);
	/* Anomaly names are snake_case: no quoting needed. */
	for (unsigned i = 0; i < c->nanoms; i++) {
		if (i)
			wb_putc(w, ';');
		wb_puts(w, anomaly_name(c->anoms[i].id));
	}
	WB_LIT(w, "\r\n");
}

static void
csv_end(struct report *r, const struct stats *st, struct wbuf *w)
{
	(void)r;
	(void)w;
	(void)st;	/* CSV is one table: the summary goes to text/JSON */
}

/* The record alone (tests): its outcomes asked here. */
static void
csv_conn(struct report *r, const struct conn *c, struct wbuf *w)
{
	csv_conn_as(r, c, w, conn_hs_outcome(c), conn_td_outcome(c));
}

const struct report_ops report_csv_ops = {
	.begin = csv_begin, .conn = csv_conn, .conn_as = csv_conn_as, .end = csv_end,
};
