/* report_text.c - the human report: one line per connection, anomalies
 * beneath it, then the summary. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "report.h"

#define C_RED "\033[31m"
#define C_YEL "\033[33m"
#define C_GRN "\033[32m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *
col(const struct report *r, const char *c)
{
	return r->color ? c : "";
}

static void
endpoint(const struct conn *c, int idx, char *buf, size_t len)
{
	char a[64];

	report_addr(c, idx, a, sizeof(a));
	if (c->key.af == 6)
		snprintf(buf, len, "[%s]:%u", a, c->key.port[idx]);
	else
		snprintf(buf, len, "%s:%u", a, c->key.port[idx]);
}

static void
text_begin(struct report *r)
{
	fprintf(r->out, "%s%5s  %-17s %10s  %-47s %-12s %-12s %-25s %s%s\n",
	    col(r, C_DIM), "ID", "START", "DURATION", "CLIENT -> SERVER",
	    "HANDSHAKE", "TEARDOWN", "STATES (client/server)", "PKTS c/s",
	    col(r, C_OFF));
}

static void
text_conn(struct report *r, const struct conn *c)
{
	FILE *o = r->out;
	int cl = conn_client(c), sv = !cl;
	char ts[40], dur[40], a[80], b[80], ep[170], states[40];
	enum anom_sev worst = SEV_INFO;

	for (unsigned i = 0; i < c->nanoms; i++)
		if (anomaly_severity(c->anoms[i].id) > worst)
			worst = anomaly_severity(c->anoms[i].id);
	report_ts(ts, sizeof(ts), c->first_ts);
	report_dur(dur, sizeof(dur), c->last_ts - c->first_ts);
	endpoint(c, cl, a, sizeof(a));
	endpoint(c, sv, b, sizeof(b));
	snprintf(ep, sizeof(ep), "%s -> %s", a, b);
	snprintf(states, sizeof(states), "%s/%s",
	    tcp_state_name[c->peer[cl].st], tcp_state_name[c->peer[sv].st]);
	const char *mark = !c->nanoms ? col(r, C_GRN) :
	    worst == SEV_ERR ? col(r, C_RED) :
	    worst == SEV_WARN ? col(r, C_YEL) : "";
	fprintf(o, "%s%5" PRIu64 "%s  %-17s %10s  %-47s %-12s %-12s %-25s "
	    "%" PRIu64 "/%" PRIu64 "\n", mark, c->id, col(r, C_OFF), ts, dur,
	    ep, hs_outcome_name[conn_hs_outcome(c)],
	    td_outcome_name[conn_td_outcome(c)], states, c->side[cl].pkts,
	    c->side[sv].pkts);
	for (unsigned i = 0; i < c->nanoms; i++) {
		const struct anom_rec *an = &c->anoms[i];
		enum anom_sev sev = anomaly_severity(an->id);
		fprintf(o, "       %s%-7s%s %s frame %" PRIu64 " %s: %s (%s)\n",
		    sev == SEV_ERR ? col(r, C_RED) : sev == SEV_WARN ?
		    col(r, C_YEL) : "", anomaly_sev_name(sev), col(r, C_OFF),
		    anomaly_name(an->id), an->frame, report_side(c, an->dir),
		    an->detail && *an->detail ? an->detail :
		    anomaly_description(an->id), anomaly_reference(an->id));
	}
}

static void
counts(FILE *o, const char *title, const uint64_t *v, size_t n,
    const char *const *names)
{
	bool any = false;

	fprintf(o, "  %-14s", title);
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		fprintf(o, "%s%s %" PRIu64, any ? ", " : "", names[i], v[i]);
		any = true;
	}
	fprintf(o, "%s\n", any ? "" : "none");
}

static void
text_end(struct report *r, const struct stats *st)
{
	FILE *o = r->out;
	const char *anames[ANOM_MAX];

	for (int i = 0; i < ANOM_MAX; i++)
		anames[i] = anomaly_name(i);
	fprintf(o, "\nsummary: %" PRIu64 " packets, %" PRIu64 " TCP, %" PRIu64
	    " connections (%" PRIu64 " with anomalies), %" PRIu64
	    " dropped by the capture\n", st->packets, st->tcp_packets,
	    st->connections, st->with_anomalies, st->dropped);
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

const struct report_ops report_text_ops = {
	.begin = text_begin, .conn = text_conn, .end = text_end,
};
