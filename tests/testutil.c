/* testutil.c - see testutil.h. */
#include "config.h"

#include "testutil.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "anomaly.h"
#include "capture.h"
#include "cli.h"
#include "decode.h"
#include "flow.h"
#include "forge.h"
#include "pipeline.h"
#include "report.h"

#define NS 1000000000LL

const char *
tu_state(int st)
{
	if (st < 0 || st >= TCP_ST_MAX)
		return "?";
	return tcp_state_name[st];
}

const char *
tu_or_any(const char *side)
{
	return side ? side : "any";
}

static void
endpoint_str(const struct conn *c, int idx, char *buf, size_t len)
{
	char a[64];

	decode_addr_str(c->key.af, conn_addr(c, idx), a, sizeof(a));
	if (c->key.af == 6)
		snprintf(buf, len, "[%s]:%u", a, c->key.port[idx]);
	else
		snprintf(buf, len, "%s:%u", a, c->key.port[idx]);
}

/* The first and last frame fed to each record, by id: the driver keeps
 * them, the records do not. */
struct tu_frames {
	uint64_t first, last;
};
static GHashTable *frames_by_id;

static void
note_frame(const struct conn *c, uint64_t frame)
{
	struct tu_frames *f = g_hash_table_lookup(frames_by_id, &c->id);

	if (!f) {
		uint64_t *id = g_new(uint64_t, 1);
		*id = c->id;
		f = g_new(struct tu_frames, 1);
		f->first = frame;
		g_hash_table_insert(frames_by_id, id, f);
	}
	f->last = frame;
}

void
tu_check_pack(const struct conn *c, const struct flow_key *k)
{
	_Alignas(struct conn) uint8_t buf[CONN_PACKED_MAX];
	const struct conn *p = (const struct conn *)buf;
	size_t v6 = c->key.af == 6 ? 32 : 0;
	struct conn *u = g_malloc(sizeof(*u) + v6);

	/* conn_pack() leaves its record's body changed: a copy of c's */
	struct conn *w = g_malloc(sizeof(*w) + v6);
	memcpy(w, c, sizeof(*c) + v6);
	size_t n = conn_pack(w, buf);
	ck_assert_uint_le(n, CONN_PACKED_MAX);
	ck_assert_uint_eq(conn_packed_size(p), n);
	ck_assert(p->packed);
	/* The table finds it by its key as it is. */
	for (int i = 0; i < 2; i++)
		ck_assert(memcmp(conn_addr(p, i), conn_addr(c, i),
		    v6 ? 16 : 4) == 0);
	if (k)
		ck_assert(conn_key_equal(p, k));
	ck_assert_uint_eq(conn_unpack(p, u, 0), n);
	ck_assert(memcmp(u, c, sizeof(*c) + v6) == 0);
	/* Read where it lies, the 16 bytes after it in buf (flow.c's pool) */
	ck_assert_uint_le(n + 16, CONN_PACKED_MAX);
	memset(u, 0xa5, sizeof(*u) + v6);
	ck_assert_uint_eq(conn_unpack(p, u, 16), n);
	ck_assert(memcmp(u, c, sizeof(*c) + v6) == 0);
	/* Without the SSSE3 shuffles: the same bytes, both ways. */
	_Alignas(struct conn) uint8_t sbuf[CONN_PACKED_MAX];
	bool was = conn_pack_scalar;
	conn_pack_scalar = !was;
	memcpy(w, c, sizeof(*c) + v6);
	ck_assert_uint_eq(conn_pack(w, sbuf), n);
	ck_assert(memcmp(sbuf, buf, n) == 0);
	memset(u, 0xa5, sizeof(*u) + v6);
	ck_assert_uint_eq(conn_unpack(p, u, 0), n);
	ck_assert(memcmp(u, c, sizeof(*c) + v6) == 0);
	conn_pack_scalar = was;
	g_free(w);
	g_free(u);
}

/* The flow table's emit callback: copy what the tests look at. */
static bool
snapshot(struct conn *c, void *user)
{
	struct tu_result *r = user;

	tu_check_pack(c, NULL);
	ck_assert_msg(r->nconns < TU_MAX_CONNS, "too many records");
	struct tu_conn *t = &r->conns[r->nconns++];
	int cl = conn_client(c);
	int idx[2] = { [TU_CLIENT] = cl, [TU_SERVER] = !cl };

	memset(t, 0, sizeof(*t));
	t->id = c->id;
	t->end = c->end;
	t->hs = conn_hs_outcome(c);
	t->td = conn_td_outcome(c);
	t->client = cl;
	endpoint_str(c, cl, t->caddr, sizeof(t->caddr));
	endpoint_str(c, !cl, t->saddr, sizeof(t->saddr));
	for (int s = 0; s < 2; s++) {
		t->st[s] = c->peer[idx[s]].st;
		t->passed_closing[s] =
		    (c->peer[idx[s]].flags & PEER_PASSED_CLOSING) != 0;
		t->pkts[s] = conn_pkts(c, idx[s]);
		t->bytes[s] = conn_bytes(c, idx[s]);
		t->retrans[s] = c->side[idx[s]].retrans;
	}
	int ini = conn_td_initiator(c);
	t->initiator = ini < 0 ? -1 : ini == cl ? TU_CLIENT : TU_SERVER;
	t->reset_by = c->rst_dir < 0 ? -1 :
	    c->rst_dir == cl ? TU_CLIENT : TU_SERVER;
	t->syn_count = c->syn_count;
	t->syn_ts = conn_time(c, CT_SYN);
	t->synack_ts = conn_time(c, CT_SYNACK);
	t->ack_ts = conn_time(c, CT_ACK);
	t->rtt_syn_base = conn_rtt_base(c, CT_SYN);
	t->rtt_synack_base = conn_rtt_base(c, CT_SYNACK);
	t->synack_count = c->synack_count;
	const struct tu_frames *fr = g_hash_table_lookup(frames_by_id, &c->id);
	if (fr) {
		t->first_frame = fr->first;
		t->last_frame = fr->last;
	}
	t->nanoms = c->nanoms;
	for (unsigned i = 0; i < c->nanoms && i < TU_MAX_ANOMS; i++) {
		const struct anom_rec *a = &c->anoms[i];
		struct tu_anom *x = &t->anoms[i];
		g_strlcpy(x->name, anomaly_name(a->id), sizeof(x->name));
		x->sev = anomaly_severity(a->id);
		x->frame = a->frame;
		x->ts = a->ts_ns;
		x->from = a->dir == cl ? "client" : "server";
		g_strlcpy(x->detail, a->detail ? a->detail : "",
		    sizeof(x->detail));
	}
	return false;
}

static void
fill_config(struct synfin_config *cfg, const struct tu_opts *o)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = FMT_JSON;
	cfg->msl = o && o->msl > 0 ? o->msl : 30;
	cfg->idle_timeout = o && o->idle_timeout > 0 ? o->idle_timeout : 300;
	cfg->max_flows = o ? o->max_flows : 0;
}

/* The same bytes through the real pipeline: record count and per-name
 * anomaly counts must agree with what the flow-level driver saw, and the
 * JSON Lines output must hold one "conn" line per record. */
static void
cross_check(const struct synfin_config *cfg, const uint8_t *pcap, size_t len,
    const struct tu_result *r)
{
	FILE *in = fmemopen((void *)pcap, len, "rb");
	char *out_buf = NULL;
	size_t out_len = 0;
	FILE *out = open_memstream(&out_buf, &out_len);
	struct stats st;
	uint64_t anom[ANOM_MAX] = { 0 };

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	memset(&st, 0, sizeof(st));
	int rc = pipeline_run_fp(cfg, in, out, &st);
	fclose(out);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(st.connections == r->nconns,
	    "pipeline reported %llu records, the driver %u",
	    (unsigned long long)st.connections, r->nconns);
	for (unsigned i = 0; i < r->nconns; i++)
		for (unsigned k = 0; k < r->conns[i].nanoms; k++)
			anom[anomaly_by_name(r->conns[i].anoms[k].name)]++;
	for (int id = 1; id < ANOM_MAX; id++)
		ck_assert_msg(st.anom[id] == anom[id],
		    "pipeline counted %llu %s, the driver %llu",
		    (unsigned long long)st.anom[id], anomaly_name(id),
		    (unsigned long long)anom[id]);
	unsigned lines = 0;
	for (const char *p = out_buf; (p = strstr(p, "{\"type\":\"conn\""));
	    p++)
		lines++;
	ck_assert_msg(lines == r->nconns, "%u conn lines for %u records",
	    lines, r->nconns);
	free(out_buf);
}

void
tu_run_opts(const char *scn, const struct tu_opts *o, struct tu_result *r)
{
	GError *err = NULL;
	size_t len = 0;
	uint8_t *pcap = forge_write_mem(scn, &len, &err);
	struct synfin_config cfg;
	struct flow_table t;
	struct decode_opts dopts = { .verify_checksums = false };

	ck_assert_msg(pcap != NULL, "forge: %s", err ? err->message : "?");
	memset(r, 0, sizeof(*r));
	conn_fast_check = true;	/* the fast path against the whole one */
	fill_config(&cfg, o);

	/* pipeline_init() */
	struct conn_cfg cc = {
		.two_msl_ns = (int64_t)(cfg.msl * 2 * NS),
		.ladder = false,
	};
	flow_table_init(&t, &cc, (int64_t)(cfg.idle_timeout * NS),
	    cfg.max_flows, snapshot, r);
	frames_by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, g_free);

	FILE *in = fmemopen(pcap, len, "rb");
	ck_assert_ptr_nonnull(in);
	struct capture *cap = capture_open_fp(in, "scenario", NULL, &err);
	ck_assert_msg(cap != NULL, "capture: %s", err ? err->message : "?");

	/* pipeline_frame(), frame by frame */
	int64_t clock = 0, last_sweep = 0;
	struct frame f;
	enum capture_status s;
	while ((s = capture_next(cap, &f, &err)) != CAPTURE_EOF) {
		ck_assert_msg(s == CAPTURE_OK, "capture_next: %s",
		    err ? err->message : "?");
		r->frames++;
		if (f.ts_ns > clock)
			clock = f.ts_ns;
		if (clock - last_sweep >= NS) {
			flow_expire(&t, clock);
			last_sweep = clock;
		}
		struct pkt pkt;
		if (decode_frame(f.dlt, f.data, f.caplen, f.wirelen, &dopts,
		    &pkt) != DECODE_OK)
			continue;
		struct conn *c = flow_segment(&t, &pkt, FLOW_NO_HASH, f.ts_ns,
		    r->frames);
		if (c)		/* (an ICMP error with no record: none) */
			note_frame(c, r->frames);
		if (flow_count(&t) > r->max_open)
			r->max_open = flow_count(&t);
	}
	capture_close(cap);
	/* pipeline_finish() */
	flow_flush(&t, clock);
	r->evicted = t.evicted;
	ck_assert_uint_eq(flow_count(&t), 0);
	flow_table_destroy(&t);
	g_hash_table_destroy(frames_by_id);
	frames_by_id = NULL;

	cross_check(&cfg, pcap, len, r);
	g_free(pcap);
	/* TU_VERBOSE=1: show every record (to read a failing case). */
	if (g_getenv("TU_VERBOSE"))
		for (unsigned i = 0; i < r->nconns; i++)
			fprintf(stderr, "%s\n", tu_dump(r, i));
}

void
tu_run(const char *scn, struct tu_result *r)
{
	tu_run_opts(scn, NULL, r);
}

bool
tu_has_anom(const struct tu_result *r, unsigned i, const char *name,
    uint64_t frame, const char *from)
{
	if (i >= r->nconns)
		return false;
	const struct tu_conn *c = &r->conns[i];
	for (unsigned k = 0; k < c->nanoms; k++) {
		const struct tu_anom *a = &c->anoms[k];
		if (strcmp(a->name, name) == 0 &&
		    (frame == 0 || a->frame == frame) &&
		    (!from || strcmp(a->from, from) == 0))
			return true;
	}
	return false;
}

unsigned
tu_count_anom(const struct tu_result *r, unsigned i, const char *name)
{
	unsigned n = 0;

	if (i >= r->nconns)
		return 0;
	for (unsigned k = 0; k < r->conns[i].nanoms; k++)
		n += strcmp(r->conns[i].anoms[k].name, name) == 0;
	return n;
}

const char *
tu_anom_detail(const struct tu_result *r, unsigned i, const char *name)
{
	if (i >= r->nconns)
		return NULL;
	for (unsigned k = 0; k < r->conns[i].nanoms; k++)
		if (strcmp(r->conns[i].anoms[k].name, name) == 0)
			return r->conns[i].anoms[k].detail;
	return NULL;
}

bool
tu_no_warnings(const struct tu_result *r, unsigned i)
{
	if (i >= r->nconns)
		return false;
	for (unsigned k = 0; k < r->conns[i].nanoms; k++)
		if (r->conns[i].anoms[k].sev >= SEV_WARN)
			return false;
	return true;
}

const char *
tu_dump(const struct tu_result *r, unsigned i)
{
	static char buf[4096];
	static const char *side[] = { "client", "server" };

	if (i >= r->nconns) {
		snprintf(buf, sizeof(buf), "(no conn %u of %u)", i, r->nconns);
		return buf;
	}
	const struct tu_conn *c = &r->conns[i];
	int n = snprintf(buf, sizeof(buf),
	    "[#%llu %s -> %s hs=%s td=%s ini=%s rst=%s client=%s server=%s "
	    "end=%s anoms:", (unsigned long long)c->id, c->caddr, c->saddr,
	    hs_outcome_name[c->hs], td_outcome_name[c->td],
	    c->initiator < 0 ? "-" : side[c->initiator],
	    c->reset_by < 0 ? "-" : side[c->reset_by],
	    tu_state(c->st[TU_CLIENT]), tu_state(c->st[TU_SERVER]),
	    conn_end_name[c->end]);
	for (unsigned k = 0; k < c->nanoms && n < (int)sizeof(buf) - 1; k++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    " %s@%llu/%s(%s)", c->anoms[k].name,
		    (unsigned long long)c->anoms[k].frame, c->anoms[k].from,
		    c->anoms[k].detail);
	if (n < (int)sizeof(buf) - 1)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "]");
	return buf;
}
