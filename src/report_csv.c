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

/* Numbers and addresses need no quoting. */
static void
csv_u64(struct wbuf *w, uint64_t v)
{
	wb_u64(w, v);
	wb_putc(w, ',');
}

static void
csv_dur(struct wbuf *w, int64_t ns, bool present)
{
	if (present)
		wb_dur(w, ns);
	wb_putc(w, ',');
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
csv_conn(struct report *r, const struct conn *c, struct wbuf *w)
{
	int cl = conn_client(c), sv = !cl;

	(void)r;
	csv_u64(w, c->id);
	wb_ts(w, c->first_ts);
	wb_putc(w, ',');
	csv_dur(w, conn_time(c, CT_LAST) - c->first_ts, true);
	wb_addr(w, c->key.af, conn_addr(c, cl));
	wb_putc(w, ',');
	csv_u64(w, c->key.port[cl]);
	wb_addr(w, c->key.af, conn_addr(c, sv));
	wb_putc(w, ',');
	csv_u64(w, c->key.port[sv]);
	csv_field(w, hs_outcome_name[conn_hs_outcome(c)], false);
	csv_field(w, td_outcome_name[conn_td_outcome(c)], false);
	csv_field(w, c->fin_first < 0 ? "" : report_side(c, c->fin_first), false);
	csv_field(w, conn_reset_by(c) < 0 ? "" :
	    report_side(c, conn_reset_by(c)), false);
	csv_field(w, tcp_state_name[c->peer[cl].st], false);
	csv_field(w, tcp_state_name[c->peer[sv].st], false);
	for (int i = 0; i < 2; i++) {
		const struct tcp_peer *p = &c->peer[i ? sv : cl];
		if (p->flags & PEER_SYN_SEEN)
			wb_u64(w, p->isn);
		wb_putc(w, ',');
	}
	csv_u64(w, c->syn_count);
	csv_u64(w, c->synack_count);
	int64_t rtt;
	bool present = conn_rtt(c, CT_SYNACK, &rtt);
	csv_dur(w, rtt, present);
	present = conn_rtt(c, CT_ACK, &rtt);
	csv_dur(w, rtt, present);
	csv_u64(w, conn_pkts(c, cl));
	csv_u64(w, conn_pkts(c, sv));
	csv_u64(w, conn_bytes(c, cl));
	csv_u64(w, conn_bytes(c, sv));
	csv_u64(w, c->side[cl].retrans);
	csv_u64(w, c->side[sv].retrans);
	csv_field(w, zeek_conn_state(&c->zeek), false);
	char hist[ZEEK_HIST_MAX + 1];
	csv_field(w, zeek_conn_history(&c->zeek, hist), false);
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

const struct report_ops report_csv_ops = {
	.begin = csv_begin, .conn = csv_conn, .end = csv_end,
};
