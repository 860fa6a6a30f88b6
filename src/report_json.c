/* report_json.c - JSON Lines exactly as SPEC.md: every key always present,
 * absent values null. Hand-rolled: no dependency for a fixed schema, and no
 * printf on the way (src/wbuf.h). */
#include "config.h"

#include <string.h>

#include "report.h"
#include "seq.h"

static void
json_null(struct wbuf *w)
{
	WB_LIT(w, "null");
}

static void
json_ts(struct wbuf *w, int64_t ns, bool present)
{
	if (present)
		wb_ts(w, ns);
	else
		json_null(w);
}

static void
json_dur(struct wbuf *w, int64_t a, int64_t b, bool present)
{
	if (present)
		wb_dur(w, b - a);
	else
		json_null(w);
}

static void
json_u32(struct wbuf *w, uint32_t v, bool present)
{
	if (present)
		wb_u64(w, v);
	else
		json_null(w);
}

static void
json_bool(struct wbuf *w, bool v)
{
	if (v)
		WB_LIT(w, "true");
	else
		WB_LIT(w, "false");
}

static void
json_endpoint(struct wbuf *w, const struct conn *c, int idx)
{
	WB_LIT(w, "{\"addr\":\"");
	wb_addr(w, c->key.af, conn_addr(c, idx));
	WB_LIT(w, "\",\"port\":");
	wb_u64(w, c->key.port[idx]);
	wb_putc(w, '}');
}

static void
json_options(struct wbuf *w, const struct tcp_peer *p)
{
	if (!(p->flags & PEER_SYN_SEEN)) {
		json_null(w);
		return;
	}
	WB_LIT(w, "{\"mss\":");
	json_u32(w, p->mss, p->mss != 0);
	WB_LIT(w, ",\"wscale\":");
	json_u32(w, p->wscale, p->flags & PEER_WS_OK);
	WB_LIT(w, ",\"sack_ok\":");
	json_bool(w, p->flags & PEER_SACK_OK);
	WB_LIT(w, ",\"timestamps\":");
	json_bool(w, p->flags & PEER_TS_OK);
	wb_putc(w, '}');
}

static void
json_side_or_null(struct wbuf *w, const struct conn *c, int idx)
{
	if (idx < 0)
		json_null(w);
	else
		wb_qname(w, report_side(c, idx));
}

static void
json_begin(struct report *r, struct wbuf *w)
{
	(void)r;
	(void)w;
}

static void
json_conn(struct report *r, const struct conn *c, struct wbuf *w)
{
	int cl = conn_client(c), sv = !cl;
	const struct tcp_peer *pc = &c->peer[cl], *ps = &c->peer[sv];

	(void)r;
	WB_LIT(w, "{\"type\":\"conn\",\"id\":");
	wb_u64(w, c->id);
	WB_LIT(w, ",\"ts\":");
	wb_ts(w, c->first_ts);
	WB_LIT(w, ",\"duration\":");
	wb_dur(w, conn_time(c, CT_LAST) - c->first_ts);
	WB_LIT(w, ",\"client\":");
	json_endpoint(w, c, cl);
	WB_LIT(w, ",\"server\":");
	json_endpoint(w, c, sv);

	/* handshake */
	int64_t syn_ts = conn_time(c, CT_SYN);
	int64_t synack_ts = conn_time(c, CT_SYNACK);
	int64_t ack_ts = conn_time(c, CT_ACK);
	bool syn = syn_ts && c->syn_dir == cl, sa = c->synack_dir >= 0,
	    ack = (c->hs & HSF_THIRD) != 0;
	WB_LIT(w, ",\"handshake\":{\"outcome\":");
	wb_qname(w, hs_outcome_name[conn_hs_outcome(c)]);
	WB_LIT(w, ",\"syn_ts\":");
	json_ts(w, syn_ts, syn);
	WB_LIT(w, ",\"synack_ts\":");
	json_ts(w, synack_ts, sa);
	WB_LIT(w, ",\"ack_ts\":");
	json_ts(w, ack_ts, ack);
	WB_LIT(w, ",\"client_isn\":");
	json_u32(w, pc->isn, pc->flags & PEER_SYN_SEEN);
	WB_LIT(w, ",\"server_isn\":");
	json_u32(w, ps->isn, ps->flags & PEER_SYN_SEEN);
	WB_LIT(w, ",\"syn_count\":");
	wb_u64(w, c->syn_count);
	WB_LIT(w, ",\"synack_count\":");
	wb_u64(w, c->synack_count);
	WB_LIT(w, ",\"rtt\":{\"syn_synack\":");
	json_dur(w, syn_ts, synack_ts, syn && sa && synack_ts >= syn_ts);
	WB_LIT(w, ",\"synack_ack\":");
	json_dur(w, synack_ts, ack_ts, sa && ack && ack_ts >= synack_ts);
	WB_LIT(w, "},\"client_options\":");
	json_options(w, pc);
	WB_LIT(w, ",\"server_options\":");
	json_options(w, ps);

	/* teardown */
	const struct conn_side *sc = &c->side[cl], *ss = &c->side[sv];
	int64_t fin_ack_c = conn_side_time(c, cl, CT_FIN_ACK);
	int64_t fin_ack_s = conn_side_time(c, sv, CT_FIN_ACK);
	bool both_acked = (pc->flags & PEER_FIN_ACKED) &&
	    (ps->flags & PEER_FIN_ACKED);
	WB_LIT(w, "},\"teardown\":{\"outcome\":");
	wb_qname(w, td_outcome_name[conn_td_outcome(c)]);
	WB_LIT(w, ",\"initiator\":");
	json_side_or_null(w, c, c->fin_first);
	WB_LIT(w, ",\"reset_by\":");
	json_side_or_null(w, c, conn_reset_by(c));
	WB_LIT(w, ",\"client_fin_ts\":");
	json_ts(w, conn_side_time(c, cl, CT_FIN), pc->flags & PEER_FIN_SEEN);
	WB_LIT(w, ",\"server_fin_ts\":");
	json_ts(w, conn_side_time(c, sv, CT_FIN), ps->flags & PEER_FIN_SEEN);
	WB_LIT(w, ",\"last_ack_ts\":");
	json_ts(w, fin_ack_c > fin_ack_s ? fin_ack_c : fin_ack_s, both_acked);

	WB_LIT(w, "},\"states\":{\"client\":");
	wb_qname(w, tcp_state_name[pc->st]);
	WB_LIT(w, ",\"server\":");
	wb_qname(w, tcp_state_name[ps->st]);
	WB_LIT(w, "},\"packets\":{\"client\":");
	wb_u64(w, conn_pkts(c, cl));
	WB_LIT(w, ",\"server\":");
	wb_u64(w, conn_pkts(c, sv));
	WB_LIT(w, "},\"payload_bytes\":{\"client\":");
	wb_u64(w, conn_bytes(c, cl));
	WB_LIT(w, ",\"server\":");
	wb_u64(w, conn_bytes(c, sv));
	WB_LIT(w, "},\"retransmissions\":{\"client\":");
	wb_u64(w, sc->retrans);
	WB_LIT(w, ",\"server\":");
	wb_u64(w, ss->retrans);
	WB_LIT(w, "},\"zeek\":{\"conn_state\":");
	wb_qname(w, zeek_conn_state(&c->zeek));
	WB_LIT(w, ",\"history\":");
	char hist[ZEEK_HIST_MAX + 1];
	wb_json_str(w, zeek_conn_history(&c->zeek, hist));
	WB_LIT(w, "},\"anomalies\":[");
	for (unsigned i = 0; i < c->nanoms; i++) {
		const struct anom_rec *a = &c->anoms[i];
		if (i)
			wb_putc(w, ',');
		WB_LIT(w, "{\"name\":");
		wb_qname(w, anomaly_name(a->id));
		WB_LIT(w, ",\"severity\":");
		wb_qname(w, anomaly_sev_name(anomaly_severity(a->id)));
		WB_LIT(w, ",\"frame\":");
		wb_u64(w, a->frame);
		WB_LIT(w, ",\"ts\":");
		wb_ts(w, a->ts_ns);
		WB_LIT(w, ",\"from\":");
		wb_qname(w, report_side(c, a->dir));
		WB_LIT(w, ",\"detail\":");
		wb_json_str(w, a->detail ? a->detail : "");
		wb_putc(w, '}');
	}
	WB_LIT(w, "]}\n");
}

static void
json_counts(struct wbuf *w, const char *key, const uint64_t *v, size_t n,
    const char *const *names, bool first)
{
	bool any = false;

	if (!first)
		wb_putc(w, ',');
	wb_json_str(w, key);
	WB_LIT(w, ":{");
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (any)
			wb_putc(w, ',');
		wb_qname(w, names[i]);
		wb_putc(w, ':');
		wb_u64(w, v[i]);
		any = true;
	}
	wb_putc(w, '}');
}

static void
json_end(struct report *r, const struct stats *st, struct wbuf *w)
{
	const char *anames[ANOM_MAX];

	(void)r;
	for (int i = 0; i < ANOM_MAX; i++)
		anames[i] = anomaly_name(i);
	WB_LIT(w, "{\"type\":\"summary\",\"packets\":");
	wb_u64(w, st->packets);
	WB_LIT(w, ",\"tcp_packets\":");
	wb_u64(w, st->tcp_packets);
	WB_LIT(w, ",\"connections\":");
	wb_u64(w, st->connections);
	wb_putc(w, ',');
	json_counts(w, "handshake", st->hs, HS_MAX, hs_outcome_name, true);
	json_counts(w, "teardown", st->td, TD_MAX, td_outcome_name, false);
	json_counts(w, "anomalies", st->anom, ANOM_MAX, anames, false);
	json_counts(w, "decode_errors", st->derr, DERR_MAX, derr_name, false);
	WB_LIT(w, ",\"dropped\":");
	wb_u64(w, st->dropped);
	WB_LIT(w, ",\"evicted\":");
	wb_u64(w, st->evicted);
	WB_LIT(w, "}\n");
}

const struct report_ops report_json_ops = {
	.begin = json_begin, .conn = json_conn, .end = json_end,
};
