/* report_json.c - JSON Lines exactly as SPEC.md: every key always present,
 * absent values null. Hand-rolled: no dependency for a fixed schema, and no
 * printf on the way (src/wbuf.h). */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "report.h"
#include "seq.h"

/*
 * A record but its anomalies is written at a cursor into room reserved at
 * once (src/wbuf.h): JSON_CONN_ROOM is more than twice its longest (630
 * bytes of keys and punctuation, 7 times of WC_TS_MAX, 3 durations of
 * WB_DUR_MAX, 2 addresses of WC_ADDR_MAX, 19 numbers of at most 20
 * digits, 4 booleans, 9 names of at most 24, a history of ZEEK_HIST_MAX
 * letters: under 2,000).
 */
#define JSON_CONN_ROOM 4096
#define JSON_TS_AGAIN 24	/* a positive time's text moved at once */

static char *
json_null(char *o)
{
	return WC_LIT(o, "null");
}

static char *
json_dur(char *o, int64_t a, int64_t b, bool present)
{
	return present ? wc_dur(o, b - a) : json_null(o);
}

static char *
json_u32(char *o, uint32_t v, bool present)
{
	return present ? wc_u64(o, v) : json_null(o);
}

/* An endpoint's ISN: most have ten digits, nearly all the rest nine
 * (random over 2^32: 77 % and 21 %), those inline. */
static inline char *
json_isn(char *o, const struct tcp_peer *p)
{
	if (!(p->flags & PEER_SYN_SEEN))
		return json_null(o);
	if (p->isn >= 1000000000)
		return wc_ten(o, p->isn);
	return p->isn >= 100000000 ? wc_nine(o, p->isn) : wc_u64(o, p->isn);
}

static char *
json_bool(char *o, bool v)
{
	return v ? WC_LIT(o, "true") : WC_LIT(o, "false");
}

/* An endpoint's address and port, after its "{\"addr\":\"" (the caller's
 * literal, merged with the key before it) and before its '}'. */
static inline char *
json_endpoint(char *o, const struct conn *c, int idx)
{
	o = wc_addr(o, c->key.af, conn_addr(c, idx));
	WC_LIT(o, "\",\"port\":");
	return wc_u64(o, c->key.port[idx]);
}

/* Whether the SYN carried the option of flag bit: null when the snaplen
 * cut its options and this one was not among those captured (unknown,
 * not absent). */
static char *
json_option_seen(char *o, const struct tcp_peer *p, uint16_t bit)
{
	if ((p->flags & (PEER_OPTS_CUT | bit)) == PEER_OPTS_CUT)
		return json_null(o);
	return json_bool(o, p->flags & bit);
}

/* The options of a SYN whose options the snaplen did not cut: its two
 * booleans and the object's end as one literal, as it ends each key. */
static char *
json_options_tail(char *o, uint16_t flags)
{
	switch (flags & (PEER_SACK_OK | PEER_TS_OK)) {
	case PEER_SACK_OK | PEER_TS_OK:
		return WC_LIT(o, ",\"sack_ok\":true,\"timestamps\":true}");
	case PEER_SACK_OK:
		return WC_LIT(o, ",\"sack_ok\":true,\"timestamps\":false}");
	case PEER_TS_OK:
		return WC_LIT(o, ",\"sack_ok\":false,\"timestamps\":true}");
	default:
		return WC_LIT(o, ",\"sack_ok\":false,\"timestamps\":false}");
	}
}

/* json_options() but its usual case */
static char *
json_options_rare(char *o, const struct tcp_peer *p)
{
	if (!(p->flags & PEER_SYN_SEEN))
		return json_null(o);
	WC_LIT(o, "{\"mss\":");
	o = json_u32(o, p->mss, p->mss != 0);
	WC_LIT(o, ",\"wscale\":");
	o = json_u32(o, p->wscale, p->flags & PEER_WS_OK);
	if (!(p->flags & PEER_OPTS_CUT))
		return json_options_tail(o, p->flags);
	WC_LIT(o, ",\"sack_ok\":");
	o = json_option_seen(o, p, PEER_SACK_OK);
	WC_LIT(o, ",\"timestamps\":");
	o = json_option_seen(o, p, PEER_TS_OK);
	*o++ = '}';
	return o;
}

/* Most: a SYN seen with a window scale, its options not cut (the three
 * flags tested at once), a four-digit MSS and a window scale below 10;
 * the rest in json_options_rare(). Inline for the client's SYN; the
 * server's, mostly the same text (json_options_again()), calls
 * json_options_server() (inline at both places, it cost the record more
 * than the call). */
static inline __attribute__((always_inline)) char *
json_options(char *o, const struct tcp_peer *p)
{
	const unsigned mask = PEER_SYN_SEEN | PEER_WS_OK | PEER_OPTS_CUT;
	const unsigned linux_syn = PEER_SYN_SEEN | PEER_WS_OK | PEER_SACK_OK |
	    PEER_TS_OK;

	/* The commonest of all, Linux's SYN over Ethernet: one literal */
	if ((p->flags & (mask | linux_syn)) == linux_syn && p->mss == 1460 &&
	    p->wscale == 7)
		return WC_LIT(o, "{\"mss\":1460,\"wscale\":7,\"sack_ok\":true,"
		    "\"timestamps\":true}");
	if ((p->flags & mask) != (PEER_SYN_SEEN | PEER_WS_OK) ||
	    p->mss < 1000 || p->mss > 9999 || p->wscale >= 10)
		return json_options_rare(o, p);
	WC_LIT(o, "{\"mss\":");
	o = wc_four(o, p->mss);
	WC_LIT(o, ",\"wscale\":");
	*o++ = (char)('0' + p->wscale);
	return json_options_tail(o, p->flags);
}

/* json_options() out of line */
static __attribute__((noinline)) char *
json_options_server(char *o, const struct tcp_peer *p)
{
	return json_options(o, p);
}

/* Whether p's and q's options objects are the same text, not null: what
 * json_options() reads of each is the same. */
static inline bool
json_same_options(const struct tcp_peer *p, const struct tcp_peer *q)
{
	const unsigned read = PEER_SYN_SEEN | PEER_WS_OK | PEER_SACK_OK |
	    PEER_TS_OK | PEER_OPTS_CUT;

	return (p->flags & PEER_SYN_SEEN) && p->mss == q->mss &&
	    p->wscale == q->wscale && ((p->flags ^ q->flags) & read) == 0;
}

/* The options object written at prev (json_options(), not null), again
 * at o: most connections' two SYNs carry the same options. One move of
 * JSON_OPTIONS_ROOM bytes: an object is at most 61 ("{\"mss\":65535,
 * \"wscale\":255,\"sack_ok\":false,\"timestamps\":false}"), and at least
 * 53, so prev, the object and the ",\"server_options\":" (18) after it,
 * starts 71 bytes or more before o: the moves' two ranges do not overlap.
 * The bytes moved past the object are overwritten by what follows it. */
#define JSON_OPTIONS_ROOM 64
static inline char *
json_options_again(char *o, const char *prev)
{
	size_t n = (size_t)(o - prev) - (sizeof(",\"server_options\":") - 1);

	memcpy(o, prev, JSON_OPTIONS_ROOM);
	return o + n;
}

/* report_side() quoted: idx is the client's (cl) or the server's. */
static char *
json_side_or_null(char *o, int cl, int idx)
{
	if (idx < 0)
		return json_null(o);
	memcpy(o, idx == cl ? "\"client\"" : "\"server\"", 8);
	return o + 8;
}

/*
 * A record's times at the cursor. conn_time_decode() and wc_ts() test,
 * for each time, what is the same for all of a record's: the unit of its
 * t[] and that its first time is after 1970 (and far from overflow). A
 * json_clock makes those tests once. With mul, a time v (!= 0) of t[] is
 * first_ts + (v - 1) * mul, and f0 + (v - 1) * mul (mod 2^64) its
 * distance from the start of the seconds wc_ts() keeps as text: below
 * 10^9, the time is in them (wc_ts()'s own test, the same sum). Any other
 * is written by wc_ts(), which may keep other seconds: f0 is redone.
 * Without mul, f0 is JSON_F0_NONE, 2^63, which the sum (f0 + less than
 * 2^32 * 1000) never brings below 10^9: json_time() tests no mul. So too
 * when the seconds kept are not of ten digits (JSON_SLEN, from 2001 to
 * 2286: every capture's but made-up ones and old ones), so that
 * json_time() need not read how long they are.
 */
#define JSON_F0_NONE (UINT64_C(1) << 63)
#define JSON_SLEN 10
struct json_clock {
	uint64_t f0;		/* first_ts - w->sec_ns, mod 2^64 */
	uint32_t mul;		/* ns a unit of t[]; 0: every time slow */
};

/* The record's first time (first_ts) at o, and k made for the others:
 * wc_ts()'s tests and json_clock's, once. */
static inline char *
json_clock_first(struct wbuf *w, char *o, struct json_clock *k,
    const struct conn *c)
{
	int64_t ts = c->first_ts;

	k->f0 = JSON_F0_NONE;
	k->mul = 0;
	/* first_ts > 0 also makes every time from t[] != 0 nonzero */
	if (c->ts_unit == CONN_TS_WIDE || ts <= 0 || ts >= INT64_C(1) << 62)
		return wc_ts(w, o, ts);
	k->mul = c->ts_unit == CONN_TS_US ? 1000 : 1;
	uint64_t f = (uint64_t)ts - w->sec_ns;
	if (w->slen == JSON_SLEN && f < 1000000000) {	/* most */
		k->f0 = f;
		memcpy(o, w->stext, WB_STEXT_MOVE);	/* as wc_ts() */
		return wc_frac6(o + JSON_SLEN, (uint32_t)f);
	}
	o = wc_ts(w, o, ts);	/* keeps ts's seconds (ts > 0) */
	if (w->slen == JSON_SLEN)
		k->f0 = (uint64_t)ts - w->sec_ns;
	return o;
}

/* The time of slot, whose t[] value is v, as conn_time_decode() has it.
 * Inline at each of its six places, the last too, where GCC called it
 * (0.58 M more on s320k; its wc_ts() apart, out of line, 0.33 M). */
static inline __attribute__((always_inline)) char *
json_time(struct wbuf *w, char *o, struct json_clock *k,
    const struct conn *c, unsigned slot, uint32_t v)
{
	if (v) {
		uint64_t f = k->f0 + (uint64_t)(v - 1) * k->mul;
		if (f < 1000000000) {
			memcpy(o, w->stext, WB_STEXT_MOVE);	/* as wc_ts() */
			return wc_frac6(o + JSON_SLEN, (uint32_t)f);
		}
	}
	o = wc_ts(w, o, conn_time_decode(c, slot, v));
	if (k->mul)
		k->f0 = w->slen == JSON_SLEN ?
		    (uint64_t)c->first_ts - w->sec_ns : JSON_F0_NONE;
	return o;
}

/*
 * The handshake's round trip that to ended (conn_rtt()), or null. With
 * k->mul, a time v (!= 0) of t[] is first_ts + (v - 1) * mul: a round
 * trip from v0 to v1, both nonzero, is (v1 - v0) * mul, and v1 >= v0
 * when the later time is not before the earlier; a time 0 (none) after
 * a base that is not is before it. A base of 0 (none) is conn_rtt()'s.
 */
static inline char *
json_rtt(char *o, const struct json_clock *k, const struct conn *c,
    enum conn_time to)
{
	int64_t rtt = 0;
	bool present;

	if (k->mul) {
		uint32_t rtx = c->t[to == CT_SYNACK ? CT_SYN_RTX :
		    CT_SYNACK_RTX];
		uint32_t v0 = rtx ? rtx : c->t[to == CT_SYNACK ? CT_SYN :
		    CT_SYNACK], v1 = c->t[to];

		if (v0) {
			bool seen = c->synack_dir >= 0 && (to == CT_SYNACK ?
			    c->t[CT_SYN] != 0 : (c->hs & HSF_THIRD) != 0);
			if (!seen || v1 < v0)
				return json_null(o);
			return wc_dur(o, (int64_t)(v1 - v0) * k->mul);
		}
	}
	/* conn_rtt() is called before json_dur() reads rtt: the order in
	 * which a call's arguments are evaluated is unspecified (C11
	 * 6.5.2.2p10), and clang evaluates them left to right. */
	present = conn_rtt(c, to, &rtt);
	return json_dur(o, 0, rtt, present);
}

#define JSON_SIDE_SLOT(side, k)	(CT_MAX + (unsigned)(side) * CT_SIDE_MAX + (k))

/* The outcome and state names a record writes, quoted once for all
 * (wb_qname_make()); -j's workers format records in parallel. */
struct json_names {
	struct wb_qname hs[HS_MAX], td[TD_MAX], st[TCP_ST_MAX];
};

static const struct json_names *
json_names(void)
{
	static struct json_names n;
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (int i = 0; i < HS_MAX; i++)
			wb_qname_make(&n.hs[i], hs_outcome_name[i]);
		for (int i = 0; i < TD_MAX; i++)
			wb_qname_make(&n.td[i], td_outcome_name[i]);
		for (int i = 0; i < TCP_ST_MAX; i++)
			wb_qname_make(&n.st[i], tcp_state_name[i]);
		/* json_conn_as()'s literals spell these */
		g_assert(strcmp(hs_outcome_name[HS_COMPLETE], "complete") == 0);
		g_assert(strcmp(td_outcome_name[TD_GRACEFUL], "graceful") == 0);
		g_assert(strcmp(tcp_state_name[TCP_ST_CLOSED], "CLOSED") == 0);
		g_assert(strcmp(tcp_state_name[TCP_ST_TIME_WAIT],
		    "TIME_WAIT") == 0);
		g_once_init_leave(&done, 1);
	}
	return &n;
}

static void
json_begin(struct report *r, struct wbuf *w)
{
	(void)r;
	(void)w;
}

static void
json_conn_as(struct report *r, const struct conn *c, struct wbuf *w,
    enum hs_outcome hs, enum td_outcome td)
{
	int cl = conn_client(c), sv = !cl;
	const struct tcp_peer *pc = &c->peer[cl], *ps = &c->peer[sv];
	const struct json_names *nm = json_names();

	(void)r;
	wb_reserve(w, JSON_CONN_ROOM);
	char *o = wb_at(w);
	WC_LIT(o, "{\"type\":\"conn\",\"id\":");
	o = wc_u64(o, c->id);
	WC_LIT(o, ",\"ts\":");
	const char *ts_text = o;
	struct json_clock k;
	o = json_clock_first(w, o, &k, c);
	size_t ts_len = (size_t)(o - ts_text);
	WC_LIT(o, ",\"duration\":");
	/* with k.mul, the last time (t[] != 0) less first_ts is the offset
	 * it stored (struct conn's Times) */
	o = wc_dur(o, k.mul && c->t[CT_LAST] ?
	    (int64_t)(c->t[CT_LAST] - 1) * k.mul :
	    conn_time(c, CT_LAST) - c->first_ts);
	WC_LIT(o, ",\"client\":{\"addr\":\"");
	o = json_endpoint(o, c, cl);
	WC_LIT(o, "},\"server\":{\"addr\":\"");
	o = json_endpoint(o, c, sv);

	/* handshake; a time decoded (conn_time()) only when written */
	if (hs == HS_COMPLETE) {	/* most: with its keys, one literal */
		WC_LIT(o, "},\"handshake\":{\"outcome\":\"complete\","
		    "\"syn_ts\":");
	} else {
		WC_LIT(o, "},\"handshake\":{\"outcome\":");
		o = wc_qname_pre(o, &nm->hs[hs]);
		WC_LIT(o, ",\"syn_ts\":");
	}
	if (c->syn_dir != cl) {
		o = json_null(o);
	} else if (k.mul && c->t[CT_SYN] == 1) {
		/* Most: the SYN is the first packet (its stored offset 0),
		 * its time first_ts's text again. With k.mul first_ts is
		 * positive: at most 10 digits and 7, in JSON_TS_AGAIN
		 * bytes, from ts_text far behind o. */
		memcpy(o, ts_text, JSON_TS_AGAIN);
		o += ts_len;
	} else if (k.mul) {	/* the time is 0 (null) only when t[] is */
		o = c->t[CT_SYN] ? json_time(w, o, &k, c, CT_SYN,
		    c->t[CT_SYN]) : json_null(o);
	} else {	/* (a SYN seen: its time, 0 at the epoch too) */
		o = wc_ts(w, o, conn_time(c, CT_SYN));
	}
	WC_LIT(o, ",\"synack_ts\":");
	o = c->synack_dir >= 0 ?
	    json_time(w, o, &k, c, CT_SYNACK, c->t[CT_SYNACK]) : json_null(o);
	WC_LIT(o, ",\"ack_ts\":");
	o = conn_third_seen(c) ?
	    json_time(w, o, &k, c, CT_ACK, c->t[CT_ACK]) : json_null(o);
	WC_LIT(o, ",\"client_isn\":");
	o = json_isn(o, pc);
	WC_LIT(o, ",\"server_isn\":");
	o = json_isn(o, ps);
	/* Most connections have one of each: their keys and values, and
	 * the next key, one literal. */
	if (c->syn_count == 1 && c->synack_count == 1) {
		WC_LIT(o, ",\"syn_count\":1,\"synack_count\":1,"
		    "\"rtt\":{\"syn_synack\":");
	} else {
		WC_LIT(o, ",\"syn_count\":");
		o = wc_u64(o, c->syn_count);
		WC_LIT(o, ",\"synack_count\":");
		o = wc_u64(o, c->synack_count);
		WC_LIT(o, ",\"rtt\":{\"syn_synack\":");
	}
	o = json_rtt(o, &k, c, CT_SYNACK);
	WC_LIT(o, ",\"synack_ack\":");
	o = json_rtt(o, &k, c, CT_ACK);
	WC_LIT(o, "},\"client_options\":");
	char *copt = o;
	o = json_options(o, pc);
	WC_LIT(o, ",\"server_options\":");
	o = json_same_options(pc, ps) ? json_options_again(o, copt) :
	    json_options_server(o, ps);

	/* teardown */
	const struct conn_side *sc = &c->side[cl], *ss = &c->side[sv];
	/* Most: a graceful close, a FIN first and no RST, in one literal */
	int rb = conn_reset_by(c);
	if (rb < 0 && c->fin_first >= 0 && td == TD_GRACEFUL) {
		if (c->fin_first == cl)
			WC_LIT(o, "},\"teardown\":{\"outcome\":\"graceful\","
			    "\"initiator\":\"client\",\"reset_by\":null,"
			    "\"client_fin_ts\":");
		else
			WC_LIT(o, "},\"teardown\":{\"outcome\":\"graceful\","
			    "\"initiator\":\"server\",\"reset_by\":null,"
			    "\"client_fin_ts\":");
	} else if (rb < 0 && c->fin_first >= 0) {
		WC_LIT(o, "},\"teardown\":{\"outcome\":");
		o = wc_qname_pre(o, &nm->td[td]);
		if (c->fin_first == cl)
			WC_LIT(o, ",\"initiator\":\"client\",\"reset_by\":null,"
			    "\"client_fin_ts\":");
		else
			WC_LIT(o, ",\"initiator\":\"server\",\"reset_by\":null,"
			    "\"client_fin_ts\":");
	} else {
		WC_LIT(o, "},\"teardown\":{\"outcome\":");
		o = wc_qname_pre(o, &nm->td[td]);
		WC_LIT(o, ",\"initiator\":");
		o = json_side_or_null(o, cl, c->fin_first);
		WC_LIT(o, ",\"reset_by\":");
		o = json_side_or_null(o, cl, rb);
		WC_LIT(o, ",\"client_fin_ts\":");
	}
	o = pc->flags & PEER_FIN_SEEN ? json_time(w, o, &k, c,
	    JSON_SIDE_SLOT(cl, CT_FIN), sc->t[CT_FIN]) : json_null(o);
	WC_LIT(o, ",\"server_fin_ts\":");
	o = ps->flags & PEER_FIN_SEEN ? json_time(w, o, &k, c,
	    JSON_SIDE_SLOT(sv, CT_FIN), ss->t[CT_FIN]) : json_null(o);
	WC_LIT(o, ",\"last_ack_ts\":");
	if (!((pc->flags & PEER_FIN_ACKED) && (ps->flags & PEER_FIN_ACKED))) {
		o = json_null(o);
	} else if (k.mul) {
		/* the later time has the larger t[] (0, none, is 0 ns) */
		uint32_t a = sc->t[CT_FIN_ACK], b = ss->t[CT_FIN_ACK];
		o = json_time(w, o, &k, c, JSON_SIDE_SLOT(cl, CT_FIN_ACK),
		    a > b ? a : b);
	} else {
		int64_t a = conn_side_time(c, cl, CT_FIN_ACK);
		int64_t b = conn_side_time(c, sv, CT_FIN_ACK);
		o = wc_ts(w, o, a > b ? a : b);
	}

	/* the four counts read before anything is written: c->ext, which
	 * each reads, is read once (a write at o could change it) */
	uint64_t pkc = conn_pkts(c, cl), pks = conn_pkts(c, sv);
	uint64_t byc = conn_bytes(c, cl), bys = conn_bytes(c, sv);
	/* Most: the closer in TIME_WAIT, the other CLOSED, in one literal */
	if (pc->st == TCP_ST_TIME_WAIT && ps->st == TCP_ST_CLOSED) {
		WC_LIT(o, "},\"states\":{\"client\":\"TIME_WAIT\","
		    "\"server\":\"CLOSED\"},\"packets\":{\"client\":");
	} else if (pc->st == TCP_ST_CLOSED && ps->st == TCP_ST_TIME_WAIT) {
		WC_LIT(o, "},\"states\":{\"client\":\"CLOSED\","
		    "\"server\":\"TIME_WAIT\"},\"packets\":{\"client\":");
	} else {
		WC_LIT(o, "},\"states\":{\"client\":");
		o = wc_qname_pre(o, &nm->st[pc->st]);
		WC_LIT(o, ",\"server\":");
		o = wc_qname_pre(o, &nm->st[ps->st]);
		WC_LIT(o, "},\"packets\":{\"client\":");
	}
	o = wc_u64(o, pkc);
	WC_LIT(o, ",\"server\":");
	o = wc_u64(o, pks);
	WC_LIT(o, "},\"payload_bytes\":{\"client\":");
	o = wc_u64(o, byc);
	WC_LIT(o, ",\"server\":");
	o = wc_u64(o, bys);
	if ((sc->retrans | ss->retrans) == 0) {	/* most: one literal */
		WC_LIT(o, "},\"retransmissions\":{\"client\":0,\"server\":0},"
		    "\"zeek\":{\"conn_state\":");
	} else {
		WC_LIT(o, "},\"retransmissions\":{\"client\":");
		o = wc_u64(o, sc->retrans);
		WC_LIT(o, ",\"server\":");
		o = wc_u64(o, ss->retrans);
		WC_LIT(o, "},\"zeek\":{\"conn_state\":");
	}
	const char *zs = zeek_conn_state(&c->zeek);
	/* most: SF (established and closed), with the next key */
	if (zs[0] == 'S' && zs[1] == 'F' && zs[2] == '\0') {
		WC_LIT(o, "\"SF\",\"history\":\"");
	} else {
		o = wc_qname(o, zs);
		WC_LIT(o, ",\"history\":\"");
	}
	o = report_history_at(w, o, &c->zeek);	/* nothing to escape */
	if (c->nanoms == 0) {	/* most: the record's end, at the cursor */
		WC_LIT(o, "\"},\"anomalies\":[]}\n");
		wb_done(w, o);
		return;
	}
	WC_LIT(o, "\"},\"anomalies\":[");
	wb_done(w, o);
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

/* The record alone (tests): its outcomes asked here. */
static void
json_conn(struct report *r, const struct conn *c, struct wbuf *w)
{
	json_conn_as(r, c, w, conn_hs_outcome(c), conn_td_outcome(c));
}

const struct report_ops report_json_ops = {
	.begin = json_begin, .conn = json_conn, .conn_as = json_conn_as, .end = json_end,
};
