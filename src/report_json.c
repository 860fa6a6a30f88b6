/* report_json.c - JSON Lines exactly as SPEC.md: every key always present,
 * absent values null. Hand-rolled: no dependency for a fixed schema. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "seq.h"

static void
json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", o); break;
		case '\\': fputs("\\\\", o); break;
		case '\n': fputs("\\n", o); break;
		case '\r': fputs("\\r", o); break;
		case '\t': fputs("\\t", o); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(o, "\\u%04x", *p);
			else
				fputc(*p, o);
		}
	}
	fputc('"', o);
}

static void
json_ts(FILE *o, int64_t ns, bool present)
{
	char b[40];

	if (!present) {
		fputs("null", o);
		return;
	}
	report_ts(b, sizeof(b), ns);
	fputs(b, o);
}

static void
json_dur(FILE *o, int64_t a, int64_t b, bool present)
{
	char buf[40];

	if (!present) {
		fputs("null", o);
		return;
	}
	report_dur(buf, sizeof(buf), b - a);
	fputs(buf, o);
}

static void
json_endpoint(FILE *o, const struct conn *c, int idx)
{
	char a[64];

	report_addr(c, idx, a, sizeof(a));
	fputs("{\"addr\":", o);
	json_str(o, a);
	fprintf(o, ",\"port\":%u}", c->key.port[idx]);
}

static void
json_options(FILE *o, const struct tcp_peer *p)
{
	if (!(p->flags & PEER_SYN_SEEN)) {
		fputs("null", o);
		return;
	}
	fputs("{\"mss\":", o);
	if (p->mss)
		fprintf(o, "%u", p->mss);
	else
		fputs("null", o);
	fputs(",\"wscale\":", o);
	if (p->flags & PEER_WS_OK)
		fprintf(o, "%u", p->wscale);
	else
		fputs("null", o);
	fprintf(o, ",\"sack_ok\":%s,\"timestamps\":%s}",
	    p->flags & PEER_SACK_OK ? "true" : "false",
	    p->flags & PEER_TS_OK ? "true" : "false");
}

static void
json_side_or_null(FILE *o, const struct conn *c, int idx)
{
	if (idx < 0)
		fputs("null", o);
	else
		json_str(o, report_side(c, idx));
}

static void
json_begin(struct report *r)
{
	(void)r;
}

static void
json_conn(struct report *r, const struct conn *c)
{
	FILE *o = r->out;
	int cl = conn_client(c), sv = !cl;
	const struct tcp_peer *pc = &c->peer[cl], *ps = &c->peer[sv];
	char b[40];

	fprintf(o, "{\"type\":\"conn\",\"id\":%" PRIu64 ",\"ts\":", c->id);
	json_ts(o, c->first_ts, true);
	fputs(",\"duration\":", o);
	json_dur(o, c->first_ts, c->last_ts, true);
	fputs(",\"client\":", o);
	json_endpoint(o, c, cl);
	fputs(",\"server\":", o);
	json_endpoint(o, c, sv);

	/* handshake */
	bool syn = c->syn_ts && c->syn_dir == cl, sa = c->synack_dir >= 0,
	    ack = (c->hs & HSF_THIRD) != 0;
	fputs(",\"handshake\":{\"outcome\":", o);
	json_str(o, hs_outcome_name[conn_hs_outcome(c)]);
	fputs(",\"syn_ts\":", o);
	json_ts(o, c->syn_ts, syn);
	fputs(",\"synack_ts\":", o);
	json_ts(o, c->synack_ts, sa);
	fputs(",\"ack_ts\":", o);
	json_ts(o, c->ack_ts, ack);
	fputs(",\"client_isn\":", o);
	if (pc->flags & PEER_SYN_SEEN)
		fprintf(o, "%u", pc->isn);
	else
		fputs("null", o);
	fputs(",\"server_isn\":", o);
	if (ps->flags & PEER_SYN_SEEN)
		fprintf(o, "%u", ps->isn);
	else
		fputs("null", o);
	fprintf(o, ",\"syn_count\":%u,\"synack_count\":%u", c->syn_count,
	    c->synack_count);
	fputs(",\"rtt\":{\"syn_synack\":", o);
	json_dur(o, c->syn_ts, c->synack_ts, syn && sa &&
	    c->synack_ts >= c->syn_ts);
	fputs(",\"synack_ack\":", o);
	json_dur(o, c->synack_ts, c->ack_ts, sa && ack);
	fputs("},\"client_options\":", o);
	json_options(o, pc);
	fputs(",\"server_options\":", o);
	json_options(o, ps);

	/* teardown */
	const struct conn_side *sc = &c->side[cl], *ss = &c->side[sv];
	bool both_acked = (pc->flags & PEER_FIN_ACKED) &&
	    (ps->flags & PEER_FIN_ACKED);
	fputs("},\"teardown\":{\"outcome\":", o);
	json_str(o, td_outcome_name[conn_td_outcome(c)]);
	fputs(",\"initiator\":", o);
	json_side_or_null(o, c, c->fin_first);
	fputs(",\"reset_by\":", o);
	json_side_or_null(o, c, conn_reset_by(c));
	fputs(",\"client_fin_ts\":", o);
	json_ts(o, sc->fin_ts, pc->flags & PEER_FIN_SEEN);
	fputs(",\"server_fin_ts\":", o);
	json_ts(o, ss->fin_ts, ps->flags & PEER_FIN_SEEN);
	fputs(",\"last_ack_ts\":", o);
	json_ts(o, sc->fin_ack_ts > ss->fin_ack_ts ? sc->fin_ack_ts :
	    ss->fin_ack_ts, both_acked);

	fputs("},\"states\":{\"client\":", o);
	json_str(o, tcp_state_name[pc->st]);
	fputs(",\"server\":", o);
	json_str(o, tcp_state_name[ps->st]);
	fprintf(o, "},\"packets\":{\"client\":%" PRIu64 ",\"server\":%" PRIu64
	    "},\"payload_bytes\":{\"client\":%" PRIu64 ",\"server\":%" PRIu64
	    "},\"retransmissions\":{\"client\":%u,\"server\":%u}",
	    sc->pkts, ss->pkts, sc->bytes, ss->bytes, sc->retrans, ss->retrans);
	fputs(",\"zeek\":{\"conn_state\":", o);
	json_str(o, zeek_conn_state(&c->zeek));
	fputs(",\"history\":", o);
	json_str(o, zeek_conn_history(&c->zeek));
	fputs("},\"anomalies\":[", o);
	for (unsigned i = 0; i < c->nanoms; i++) {
		const struct anom_rec *a = &c->anoms[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", o);
		json_str(o, anomaly_name(a->id));
		fputs(",\"severity\":", o);
		json_str(o, anomaly_sev_name(anomaly_severity(a->id)));
		fprintf(o, ",\"frame\":%" PRIu64 ",\"ts\":", a->frame);
		report_ts(b, sizeof(b), a->ts_ns);
		fputs(b, o);
		fputs(",\"from\":", o);
		json_str(o, report_side(c, a->dir));
		fputs(",\"detail\":", o);
		json_str(o, a->detail ? a->detail : "");
		fputc('}', o);
	}
	fputs("]}\n", o);
}

static void
json_counts(FILE *o, const char *key, const uint64_t *v, size_t n,
    const char *const *names, bool first)
{
	bool any = false;

	fprintf(o, "%s\"%s\":{", first ? "" : ",", key);
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		fprintf(o, "%s", any ? "," : "");
		json_str(o, names[i]);
		fprintf(o, ":%" PRIu64, v[i]);
		any = true;
	}
	fputc('}', o);
}

static void
json_end(struct report *r, const struct stats *st)
{
	FILE *o = r->out;
	const char *anames[ANOM_MAX];

	for (int i = 0; i < ANOM_MAX; i++)
		anames[i] = anomaly_name(i);
	fprintf(o, "{\"type\":\"summary\",\"packets\":%" PRIu64
	    ",\"tcp_packets\":%" PRIu64 ",\"connections\":%" PRIu64 ",",
	    st->packets, st->tcp_packets, st->connections);
	json_counts(o, "handshake", st->hs, HS_MAX, hs_outcome_name, true);
	json_counts(o, "teardown", st->td, TD_MAX, td_outcome_name, false);
	json_counts(o, "anomalies", st->anom, ANOM_MAX, anames, false);
	json_counts(o, "decode_errors", st->derr, DERR_MAX, derr_name, false);
	fprintf(o, ",\"dropped\":%" PRIu64 "}\n", st->dropped);
}

const struct report_ops report_json_ops = {
	.begin = json_begin, .conn = json_conn, .end = json_end,
};
