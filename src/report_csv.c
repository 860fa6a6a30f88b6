/* report_csv.c - one row per connection, RFC 4180 quoting. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "report.h"

static void
csv_field(FILE *o, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', o);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', o);
			fputc(*s, o);
		}
		fputc('"', o);
	} else {
		fputs(s, o);
	}
	fputs(last ? "\r\n" : ",", o);
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
csv_begin(struct report *r)
{
	for (size_t i = 0; i < G_N_ELEMENTS(csv_cols); i++)
		csv_field(r->out, csv_cols[i], i + 1 == G_N_ELEMENTS(csv_cols));
}

static void
csv_conn(struct report *r, const struct conn *c)
{
	FILE *o = r->out;
	int cl = conn_client(c), sv = !cl;
	char b[96];
	GString *an = g_string_new(NULL);

#define F(...) do { snprintf(b, sizeof(b), __VA_ARGS__); csv_field(o, b, false); } while (0)
	F("%" PRIu64, c->id);
	report_ts(b, sizeof(b), c->first_ts);
	csv_field(o, b, false);
	report_dur(b, sizeof(b), c->last_ts - c->first_ts);
	csv_field(o, b, false);
	report_addr(c, cl, b, sizeof(b));
	csv_field(o, b, false);
	F("%u", c->key.port[cl]);
	report_addr(c, sv, b, sizeof(b));
	csv_field(o, b, false);
	F("%u", c->key.port[sv]);
	csv_field(o, hs_outcome_name[conn_hs_outcome(c)], false);
	csv_field(o, td_outcome_name[conn_td_outcome(c)], false);
	csv_field(o, c->fin_first < 0 ? "" : report_side(c, c->fin_first), false);
	csv_field(o, conn_reset_by(c) < 0 ? "" :
	    report_side(c, conn_reset_by(c)), false);
	csv_field(o, tcp_state_name[c->peer[cl].st], false);
	csv_field(o, tcp_state_name[c->peer[sv].st], false);
	if (c->peer[cl].flags & PEER_SYN_SEEN)
		F("%u", c->peer[cl].isn);
	else
		csv_field(o, "", false);
	if (c->peer[sv].flags & PEER_SYN_SEEN)
		F("%u", c->peer[sv].isn);
	else
		csv_field(o, "", false);
	F("%u", c->syn_count);
	F("%u", c->synack_count);
	if (c->syn_ts && c->synack_dir >= 0 && c->synack_ts >= c->syn_ts) {
		report_dur(b, sizeof(b), c->synack_ts - c->syn_ts);
		csv_field(o, b, false);
	} else {
		csv_field(o, "", false);
	}
	if (c->synack_dir >= 0 && (c->hs & HSF_THIRD)) {
		report_dur(b, sizeof(b), c->ack_ts - c->synack_ts);
		csv_field(o, b, false);
	} else {
		csv_field(o, "", false);
	}
	F("%" PRIu64, c->side[cl].pkts);
	F("%" PRIu64, c->side[sv].pkts);
	F("%" PRIu64, c->side[cl].bytes);
	F("%" PRIu64, c->side[sv].bytes);
	F("%u", c->side[cl].retrans);
	F("%u", c->side[sv].retrans);
	csv_field(o, zeek_conn_state(&c->zeek), false);
	csv_field(o, zeek_conn_history(&c->zeek), false);
#undef F
	for (unsigned i = 0; i < c->nanoms; i++)
		g_string_append_printf(an, "%s%s", i ? ";" : "",
		    anomaly_name(c->anoms[i].id));
	csv_field(o, an->str, true);
	g_string_free(an, TRUE);
}

static void
csv_end(struct report *r, const struct stats *st)
{
	(void)r;
	(void)st;	/* CSV is one table: the summary goes to text/JSON */
}

const struct report_ops report_csv_ops = {
	.begin = csv_begin, .conn = csv_conn, .end = csv_end,
};
