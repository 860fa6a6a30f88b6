/* fuzz_fsm.c - the flow table and the state machine on forged segments.
 *
 * No bytes and no decoder: the input is a short header and a list of
 * 12-byte records, each turned straight into a struct pkt whose sequence
 * and acknowledgment numbers are taken relative to what the connection
 * knows (the sender's next seq, its ISN or FIN, the peer's next seq, ...),
 * so the fuzzer walks handshakes and teardowns instead of guessing 32-bit
 * numbers. The segments go through the steps of pipeline_frame():
 * capture-clock sweep -> flow_lookup() -> conn_input() -> flow_update(),
 * then flow_flush() at the end.
 *
 * Header (2 bytes):
 *   h0 bits 0-1  --max-flows 0 (unbounded), 1, 2 or 8
 *   h0 bit  2    --ladder (records every segment; also renders text)
 *   h0 bits 3-4  --msl 30, 1, 0 or 120 s
 *   h0 bits 5-6  --idle-timeout 300, 5, 1 or 0 s
 * Record (12 bytes):
 *   r0  bit 0 direction (0: client -> server), bits 1-3 seq mode,
 *       bits 4-6 ack mode, bit 7 time delta in seconds (else microseconds)
 *   r1  TCP flags
 *   r2-3  seq delta (signed, big-endian)   r4-5  ack delta (signed)
 *   r6  payload length
 *   r7  options: bit 0 MSS, bit 1 window scale (shift = bits 4-7), bit 2
 *       SACK-permitted, bit 3 timestamps
 *   r8-9  time delta
 *   r10 decode quirks: bits 0+1 both set = bad TCP checksum, bit 2 bad
 *       option length, bit 3 duplicate option, bit 4 payload cut by the
 *       snaplen, bit 5 TFO option, bit 6 time runs backwards
 *   r11 bits 0-1 which 4-tuple (0, 1 IPv4; 2 IPv6; 3 a self-connection,
 *       same address and port on both ends), bits 2-7 window / 1024
 *
 * With FUZZ_TRACE set in the environment, each segment is printed with
 * both endpoints' states before and after it (to read a crasher). With
 * FUZZ_LAX set, the rules marked "strict" below relax to what conn.c did
 * when they were written, and the graceful-close check is skipped, so
 * that fuzzing goes on past those known findings to new ones.
 *
 * Invariants (abort() on violation):
 *  - each endpoint's state moves only along the edges below: RFC 9293
 *    figure 5 as an observer sees it (the sender moves by sending, the
 *    receiver as the segment reaches it), plus the documented observer
 *    rules of tcp_fsm.c and conn.c, composed in the order conn_input()
 *    applies them; LISTEN never appears; a bad-checksum segment or an
 *    impossible flag combination moves nobody;
 *  - a live record's states do not change between its segments; on
 *    release only TIME_WAIT -> CLOSED (2MSL over, or 4-tuple reuse);
 *  - the sender's packet counter goes up by exactly one per counted
 *    segment, no counter ever goes down, and a released record's packet
 *    counts equal the segments fed to it;
 *  - every record is released exactly once, finished, with outcomes in
 *    range (teardown "none" exactly when the handshake never completed),
 *    teardown facts that agree with the FINs counted (graceful, unacked
 *    and simultaneous need both FINs, half_closed one, the initiator sent
 *    one; in a graceful close the passive closer never was in CLOSING or
 *    TIME_WAIT), a well-formed anomaly log, and a JSON record that parses
 *    and carries every SPEC key.
 */
#include "config.h"

#include <glib.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conn.h"
#include "decode.h"
#include "flow.h"
#include "fuzz_util.h"
#include "report.h"
#include "tcp_fsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS 1000000000LL
#define HDR_LEN 2
#define REC_LEN 12
#define MAX_RECS 2048

#define CL TCP_ST_CLOSED
#define LI TCP_ST_LISTEN
#define SS TCP_ST_SYN_SENT
#define SR TCP_ST_SYN_RECEIVED
#define ES TCP_ST_ESTABLISHED
#define F1 TCP_ST_FIN_WAIT_1
#define F2 TCP_ST_FIN_WAIT_2
#define CW TCP_ST_CLOSE_WAIT
#define CG TCP_ST_CLOSING
#define LA TCP_ST_LAST_ACK
#define TW TCP_ST_TIME_WAIT
#define B(s) (1u << (s))

/* ---- the allowed edges ---------------------------------------------------
 *
 * One segment may move an endpoint through several of these phases, in
 * this order (conn_input() then tcp_fsm_step()); each phase may or may not
 * apply, so the allowed end states are those reachable from the start by
 * taking at most one edge per phase.
 */
struct edge {
	uint8_t from, to;
};

/* Figure 5 as an observer applies it to the SENDER of a segment. */
static const struct edge snd_syn[] = {
	{ CL, SS },		/* active OPEN: SYN J */
	{ LI, SS },		/* SEND in LISTEN */
	{ CL, SR },		/* crossing SYNs: its SYN crossed the peer's,
				 * which reaches it at once (figure 7,
				 * simultaneous open; tcp_fsm.c EV_SYN) */
};
static const struct edge snd_synack[] = {
	{ CL, SR },		/* (LISTEN) rcv SYN, snd SYN,ACK */
	{ LI, SR },
	{ SS, SR },		/* simultaneous open: rcv SYN, snd SYN,ACK */
};
static const struct edge snd_fin[] = {
	{ SR, F1 },		/* CLOSE, snd FIN */
	{ ES, F1 },		/* CLOSE, snd FIN (active close) */
	{ CW, LA },		/* CLOSE, snd FIN (passive close) */
	{ CW, CG },		/* crossing FINs: it was ESTABLISHED when it sent
				 * its FIN, and the peer's FIN in flight makes
				 * it CLOSING (figure 13, tcp_fsm.c EV_FIN) */
};
static const struct edge snd_rst[] = {
	/* ABORT: send RST, delete the TCB (3.10.5) */
	{ SR, CL }, { ES, CL }, { F1, CL }, { F2, CL }, { CW, CL },
	{ CG, CL }, { LA, CL }, { TW, CL },
	/* SYN_SENT at J+1: after a SYN-ACK that acked its SYN, which the
	 * capture missed (tcp_fsm.c) */
	{ SS, CL },
};

/* ... and to its RECEIVER, as the segment reaches it. */
static const struct edge rcv_syn[] = {
	{ SS, SR },		/* simultaneous open: rcv SYN */
};
static const struct edge rcv_synack[] = {
	{ SS, ES },		/* rcv SYN,ACK, snd ACK */
	{ SR, ES },		/* simultaneous open: its SYN acked */
};
static const struct edge rcv_fin[] = {
	{ SR, CW },		/* rcv FIN (3.10.7.4 eighth check) */
	{ ES, CW },		/* rcv FIN, snd ACK */
	{ F1, CG },		/* rcv FIN: simultaneous close */
	{ F2, TW },		/* rcv FIN, snd ACK */
};
static const struct edge rcv_rst[] = {
	/* RST reaches it: aborted (3.10.7.3, 3.10.7.4 second check) */
	{ SS, CL }, { SR, CL }, { ES, CL }, { F1, CL }, { F2, CL },
	{ CW, CL }, { CG, CL }, { LA, CL }, { TW, CL },
};

/* Receiver pre-steps, for a segment carrying ACK (tcp_fsm.c). */
static const struct edge syn_acked[] = {
	{ SR, ES },		/* rcv ACK of SYN */
};
static const struct edge fin_acked[] = {
	{ F1, F2 },		/* rcv ACK of FIN */
	{ CG, TW },		/* rcv ACK of FIN */
	{ LA, CL },		/* rcv ACK of FIN */
};
/* Sender pre-step: an ACK from SYN_SENT proves the SYN-ACK arrived. */
static const struct edge snd_ack_from_ss[] = {
	{ SS, ES },
};
/* conn.c, before the step: a SYN_RECEIVED sender whose ack is beyond
 * the one it sent before had the peer's third segment and data. */
static const struct edge snd_acks_more[] = {
	{ SR, ES },
};
/* conn.c, after the step: the FIN that the peer's FIN, captured before
 * it, acked (the peer had received it): the sender, CLOSE_WAIT by that
 * FIN and LAST_ACK or CLOSING by its own, closed first and is in
 * TIME_WAIT; the receiver, FIN_WAIT_1 then CLOSING, was the passive
 * closer in LAST_ACK. */
static const struct edge snd_fin_first_late[] = {
	{ LA, TW }, { CG, TW },
};
static const struct edge rcv_fin_first_late[] = {
	{ CG, LA },
};
/* conn.c, after the step: a FIN that an ACK captured before it acked
 * (the capture showed the answer first): its sender took that ACK. */
static const struct edge snd_fin_acked_early[] = {
	{ F1, F2 }, { CG, TW }, { LA, CL },
};

/* conn.c special cases before the step. */
static const struct edge pickup[] = {
	{ CL, ES },		/* mid-stream pickup: both ESTABLISHED */
};
static const struct edge synack_again[] = {
	{ ES, SR },		/* the same SYN-ACK again from a server that
				 * sent nothing else: still SYN_RECEIVED */
};
static const struct edge syn_again[] = {
	{ ES, SS },		/* the same SYN again before the third
				 * segment: still SYN_SENT */
	{ CW, SS },		/* ... from a client that sent no ACK, which
				 * a FIN seen going to it had made CLOSE_WAIT
				 * (a TCP Fast Open server's) */
};
static const struct edge fin_from_closed[] = {
	{ CL, LA },		/* a passive closer retransmitting its FIN had
				 * not got the final ACK: LAST_ACK */
	{ F2, F1 },		/* an active closer retransmitting its FIN had
				 * not got the ACK of u+1: FIN_WAIT_1 */
};
static const struct edge acks_peer_fin[] = {
	{ SS, CW },		/* it acks the peer's FIN: it had received it
				 * (3.10.7.4 eighth check), whatever the */
	{ ES, CW },		/* capture order showed (conn.c) */
	{ F1, CG },		/* ... a FIN it held out of order (conn.c */
	{ F2, TW },		/* fin_held()), taken after it closed */
};
/* conn.c, an ACK short of the peer's FIN well after it: that FIN waits
 * out of order behind a hole, not taken (fin_held()). */
static const struct edge fin_held_out[] = {
	{ CW, ES },
};
static const struct edge synack_without_syn[] = {
	{ CL, SS },		/* its SYN was missed: it was SYN_SENT (only
				 * for an endpoint never seen out of CLOSED) */
};
static const struct edge asym_third[] = {
	{ CL, ES },		/* the client acks from SYN_SENT a SYN-ACK the
				 * capture missed: the server had sent it and
				 * gets this ACK (only for an endpoint never
				 * seen out of CLOSED) */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned
phase(unsigned set, const struct edge *e, size_t n)
{
	unsigned out = set;

	for (size_t i = 0; i < n; i++)
		if (set & B(e[i].from))
			out |= B(e[i].to);
	return out;
}

/* CLOSED -> what it had before an RST (rst_ignored: that RST did not
 * take). restore is the set of states it had just before the RSTs seen
 * since it last was out of CLOSED. */
static unsigned
phase_restore(unsigned set, unsigned restore)
{
	return (set & B(CL)) ? set | restore : set;
}

/* The states an endpoint may end in after one segment. */
static unsigned
reachable(uint8_t start, bool sender, enum tcp_ev ev, bool has_ack,
    unsigned restore, unsigned ever, bool both_new, bool lax)
{
	unsigned s = B(start);

	/* conn_input(): mid-stream pickup (of a record whose endpoints
	 * were never out of CLOSED: one that closed is not picked up
	 * again), then RST undo. */
	if ((ev == EV_FIN || ev == EV_ACK || ev == EV_RST) &&
	    (both_new || lax))		/* strict */
		s = phase(s, pickup, N(pickup));
	if (ev == EV_FIN || ev == EV_ACK)
		s = phase_restore(s, restore);
	/* conn_input(): the special cases before the step. */
	if (sender) {
		if (ev == EV_SYNACK)
			s = phase(s, synack_again, N(synack_again));
		if (ev == EV_SYN)
			s = phase(s, syn_again, N(syn_again));
		if (ev == EV_FIN)
			s = phase(s, fin_from_closed, N(fin_from_closed));
		if (has_ack && ev == EV_ACK)
			s = phase(s, fin_held_out, N(fin_held_out));
		if (has_ack && (ev == EV_ACK || ev == EV_FIN))
			s = phase(s, acks_peer_fin, N(acks_peer_fin));
	} else if (ev == EV_SYNACK && (ever == B(CL) || lax)) {	/* strict */
		/* A SYN-ACK answers a SYN: one to an endpoint that was
		 * never anything but CLOSED shows a SYN the capture missed.
		 * One to an endpoint that closed answers nothing (a late
		 * duplicate) and must not reopen it. */
		s = phase(s, synack_without_syn, N(synack_without_syn));
	}
	if (!sender && has_ack && (ev == EV_ACK || ev == EV_FIN) &&
	    (ever == B(CL) || lax))		/* strict */
		s = phase(s, asym_third, N(asym_third));
	/* tcp_fsm_step(): pre-steps, then the table. */
	if (sender) {
		if (has_ack && (ev == EV_ACK || ev == EV_FIN)) {
			s = phase(s, snd_acks_more, N(snd_acks_more));
			s = phase(s, snd_ack_from_ss, N(snd_ack_from_ss));
		}
		switch (ev) {
		case EV_SYN: s = phase(s, snd_syn, N(snd_syn)); break;
		case EV_SYNACK: s = phase(s, snd_synack, N(snd_synack)); break;
		case EV_FIN:
			s = phase(s, snd_fin, N(snd_fin));
			s = phase(s, snd_fin_first_late,
			    N(snd_fin_first_late));
			s = phase(s, snd_fin_acked_early,
			    N(snd_fin_acked_early));
			break;
		case EV_RST: s = phase(s, snd_rst, N(snd_rst)); break;
		default: break;
		}
	} else {
		if (has_ack && ev != EV_RST && ev != EV_NONE) {
			if (ev != EV_SYNACK)
				s = phase(s, syn_acked, N(syn_acked));
			s = phase(s, fin_acked, N(fin_acked));
		}
		switch (ev) {
		case EV_SYN: s = phase(s, rcv_syn, N(rcv_syn)); break;
		case EV_SYNACK: s = phase(s, rcv_synack, N(rcv_synack)); break;
		case EV_FIN:
			s = phase(s, rcv_fin, N(rcv_fin));
			s = phase(s, rcv_fin_first_late,
			    N(rcv_fin_first_late));
			break;
		case EV_RST: s = phase(s, rcv_rst, N(rcv_rst)); break;
		default: break;
		}
	}
	return s;
}

/* ---- shadow records --------------------------------------------------- */

/* What the harness remembers of each record, by id. */
struct shadow {
	bool live, released;
	uint8_t st[2];		/* states after its last segment */
	uint64_t fed[2];	/* segments counted, by canonical side */
	unsigned restore[2];	/* states it had just before an RST, while
				 * it stayed CLOSED since (rst_ignored may
				 * give them back) */
	unsigned ever[2];	/* every state it was seen in (B() bits) */
};

struct fz {
	struct flow_table t;
	struct synfin_config cfg;
	struct conn_cfg ccfg;
	struct shadow *sh;	/* indexed by conn id */
	size_t nsh;
	uint64_t frame;
	int64_t clock;		/* the capture clock: latest time seen */
	int64_t last_sweep;
	bool trace;		/* FUZZ_TRACE set: print each segment */
	bool lax;		/* FUZZ_LAX set: known findings pass */
};

static struct shadow *
shadow_of(struct fz *z, const struct conn *c)
{
	FUZZ_CHECK(c->id >= 1 && c->id < z->nsh, "conn id %llu out of range",
	    (unsigned long long)c->id);
	return &z->sh[c->id];
}

static void
check_anoms(const struct fz *z, const struct conn *c)
{
	FUZZ_CHECK(c->nanoms <= CONN_MAX_ANOMS, "%u anomalies", c->nanoms);
	FUZZ_CHECK(c->nanoms <= c->anom_cap, "nanoms %u > cap %u", c->nanoms,
	    c->anom_cap);
	FUZZ_CHECK(c->nanoms == CONN_MAX_ANOMS || conn_anoms_dropped(c) == 0,
	    "%u dropped with room left", conn_anoms_dropped(c));
	for (unsigned i = 0; i < c->nanoms; i++) {
		const struct anom_rec *a = &c->anoms[i];
		FUZZ_CHECK(a->id > ANOM_NONE && a->id < ANOM_MAX,
		    "anomaly id %u", a->id);
		FUZZ_CHECK(a->dir <= 1, "anomaly dir %u", a->dir);
		FUZZ_CHECK(a->frame >= 1 && a->frame <= z->frame,
		    "anomaly %s at frame %llu of %llu", anomaly_name(a->id),
		    (unsigned long long)a->frame,
		    (unsigned long long)z->frame);
		FUZZ_CHECK(a->detail != NULL, "anomaly without detail");
	}
}

/* A record the table releases: finished, consistent, and renderable. */
static bool
emit_cb(struct conn *c, void *user)
{
	struct fz *z = user;
	struct shadow *sh = shadow_of(z, c);

	FUZZ_CHECK(sh->live && !sh->released, "conn %llu released twice or "
	    "never seen", (unsigned long long)c->id);
	sh->live = false;
	sh->released = true;
	FUZZ_CHECK(c->finished, "released before conn_finish()");
	FUZZ_CHECK(c->end > END_NONE && c->end < END_MAX, "end %u", c->end);
	for (int i = 0; i < 2; i++) {
		uint8_t was = sh->st[i], now = c->peer[i].st;
		FUZZ_CHECK(now < TCP_ST_MAX && now != TCP_ST_LISTEN,
		    "state %u", now);
		FUZZ_CHECK(now == was || (was == TW && now == CL),
		    "conn %llu side %d: %s -> %s on release (%s)",
		    (unsigned long long)c->id, i, tcp_state_name[was],
		    tcp_state_name[now], conn_end_name[c->end]);
		FUZZ_CHECK(c->side[i].pkts == sh->fed[i], "conn %llu side %d: "
		    "%llu packets counted, %llu fed", (unsigned long long)c->id,
		    i, (unsigned long long)conn_pkts(c, i),
		    (unsigned long long)sh->fed[i]);
	}
	enum hs_outcome hs = conn_hs_outcome(c);
	enum td_outcome td = conn_td_outcome(c);
	FUZZ_CHECK((unsigned)hs < HS_MAX && (unsigned)td < TD_MAX,
	    "outcomes %d/%d", (int)hs, (int)td);
	/* SPEC: teardown "none" = the handshake never completed. */
	FUZZ_CHECK((td == TD_NONE) == !(hs == HS_COMPLETE ||
	    hs == HS_SIMULTANEOUS || hs == HS_MIDSTREAM),
	    "handshake %s with teardown %s", hs_outcome_name[hs],
	    td_outcome_name[td]);
	FUZZ_CHECK(hs == HS_MIDSTREAM || c->syn_count >= 1,
	    "handshake %s with syn_count 0", hs_outcome_name[hs]);
	/* (Or the client's ACK showed the SYN-ACK the capture missed.) */
	FUZZ_CHECK(hs != HS_COMPLETE || (c->syn_count >= 1 &&
	    (c->synack_count >= 1 || (c->hs & HSF_ASYM))), "complete "
	    "handshake with %u SYN, %u SYN-ACK", c->syn_count,
	    c->synack_count);
	int cl = conn_client(c);
	FUZZ_CHECK(cl == 0 || cl == 1, "client %d", cl);

	/* Teardown facts agree with the FINs counted (SPEC teardown). */
	int nfin = 0;
	for (int i = 0; i < 2; i++) {
		bool fin = c->peer[i].flags & PEER_FIN_SEEN;
		FUZZ_CHECK(fin == (c->side[i].fin_count >= 1), "side %d: FIN "
		    "seen %d, %u FINs counted", i, fin, c->side[i].fin_count);
		nfin += fin;
	}
	int ini = conn_td_initiator(c);
	FUZZ_CHECK((ini >= 0) == (nfin > 0), "initiator %d with %d FINs",
	    ini, nfin);
	FUZZ_CHECK(ini < 0 || (c->peer[ini].flags & PEER_FIN_SEEN),
	    "initiator %d sent no FIN", ini);
	if (td == TD_GRACEFUL || td == TD_SIMULTANEOUS || td == TD_UNACKED)
		FUZZ_CHECK(nfin == 2, "teardown %s with %d FINs",
		    td_outcome_name[td], nfin);
	if (td == TD_HALF_CLOSED)
		FUZZ_CHECK(nfin == 1, "half_closed with %d FINs", nfin);
	/* Graceful: one FIN after the other, so the passive closer goes
	 * CLOSE_WAIT -> LAST_ACK -> CLOSED and never owes TIME_WAIT; only
	 * the active closer (the initiator) does (SPEC, RFC 9293 3.6). */
	if (td == TD_GRACEFUL && !z->lax)
		FUZZ_CHECK(!(sh->ever[!ini] & (B(TW) | B(CG))),
		    "conn %llu: graceful teardown initiated by side %d, but "
		    "the passive closer (side %d) was in%s%s",
		    (unsigned long long)c->id, ini, !ini,
		    (sh->ever[!ini] & B(TW)) ? " TIME_WAIT" : "",
		    (sh->ever[!ini] & B(CG)) ? " CLOSING" : "");
	int rb = conn_reset_by(c), ti = conn_td_initiator(c);
	FUZZ_CHECK(rb >= -1 && rb <= 1 && ti >= -1 && ti <= 1,
	    "reset_by %d initiator %d", rb, ti);
	check_anoms(z, c);

	/* The JSON record parses and has every SPEC key. */
	struct wbuf w = { 0 };
	struct report rep;
	report_init(&rep, &z->cfg, &z->ccfg, NULL);
	report_json_ops.conn(&rep, c, &w);
	fz_check_conn_json(w.p, w.len, c->nanoms);

	if (z->ccfg.ladder) {
		struct synfin_config tcfg = z->cfg;
		tcfg.format = FMT_TEXT;
		report_init(&rep, &tcfg, &z->ccfg, NULL);
		report_text_ops.conn(&rep, c, &w);
		tcfg.format = FMT_CSV;
		report_init(&rep, &tcfg, &z->ccfg, NULL);
		report_csv_ops.conn(&rep, c, &w);
	}
	wb_free(&w);
	return false;
}

/* ---- building segments ------------------------------------------------ */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const uint8_t payload_bytes[256];

static void
make_endpoints(struct pkt *p, unsigned flow, bool to_client)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	uint16_t pa, pb;

	switch (flow) {
	case 0:
	case 1:
		p->af = 4;
		a[0] = 10, a[3] = 1;
		b[0] = 10, b[3] = 2;
		pa = (uint16_t)(40000 + flow);
		pb = 80;
		break;
	case 2:
		p->af = 6;
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[15] = 1;
		memcpy(b, a, 16);
		b[15] = 2;
		pa = 40002;
		pb = 443;
		break;
	default:		/* a self-connection: one endpoint */
		p->af = 4;
		a[0] = 127, a[3] = 1;
		memcpy(b, a, 16);
		pa = pb = 5000;
		break;
	}
	memcpy(p->src, to_client ? b : a, 16);
	memcpy(p->dst, to_client ? a : b, 16);
	p->tcp.sport = to_client ? pb : pa;
	p->tcp.dport = to_client ? pa : pb;
}

/* The sender's next seq, or a base before it is known. */
static uint32_t
nxt_of(const struct tcp_peer *p, uint8_t dir)
{
	return (p->flags & PEER_SEQ_KNOWN) ? p->snd_nxt :
	    (dir ? 5000u : 1000u);
}

static uint32_t
pick_seq(const struct conn *c, uint8_t dir, unsigned mode, int16_t d)
{
	const struct tcp_peer *s = &c->peer[dir], *r = &c->peer[!dir];
	uint32_t nxt = nxt_of(s, dir);

	switch (mode) {
	case 0: return nxt + (uint32_t)(int32_t)d;
	case 1: return nxt;
	case 2: return ((s->flags & PEER_SYN_SEEN) ? s->isn : nxt - 1) +
		    (uint32_t)(int32_t)d;	/* the SYN again */
	case 3: return nxt - 1;			/* keep-alive */
	case 4: return ((s->flags & PEER_FIN_SEEN) ? s->fin_seq : nxt) +
		    (uint32_t)(int32_t)d;	/* the FIN again */
	case 5: return (uint32_t)(uint16_t)d << 16 | (uint16_t)d;
	case 6: return ((r->flags & PEER_ACK_SENT) ? r->ack : nxt) +
		    (uint32_t)(int32_t)d;	/* what the peer acked */
	default: return nxt + (uint32_t)((int32_t)d * 4096);
	}
}

static uint32_t
pick_ack(const struct conn *c, uint8_t dir, unsigned mode, int16_t d)
{
	const struct tcp_peer *s = &c->peer[dir], *r = &c->peer[!dir];
	uint32_t rn = nxt_of(r, (uint8_t)!dir);

	switch (mode) {
	case 0: return rn + (uint32_t)(int32_t)d;
	case 1: return rn;
	case 2: return ((r->flags & PEER_SYN_SEEN) ? r->isn : rn - 1) + 1 +
		    (uint32_t)(int32_t)d;	/* K+1 */
	case 3: return ((r->flags & PEER_FIN_SEEN) ? r->fin_seq : rn) + 1 +
		    (uint32_t)(int32_t)d;	/* u+1 */
	case 4: return (r->flags & PEER_FIN_SEEN) ? r->fin_seq :
		    rn - 1;			/* u: the FIN not counted */
	case 5: return (uint32_t)(uint16_t)d << 16 | (uint16_t)d;
	case 6: return ((s->flags & PEER_ACK_SENT) ? s->ack : rn) +
		    (uint32_t)(int32_t)d;	/* its own last ack */
	default: return rn + (uint32_t)((int32_t)d * 4096);
	}
}

/* ---- the driver ------------------------------------------------------- */

/* "FSA" style flag letters for FUZZ_TRACE. */
static const char *
flag_str(uint8_t f)
{
	static char b[9];
	static const char l[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			b[n++] = l[i];
	if (!n)
		b[n++] = '.';
	b[n] = '\0';
	return b;
}

static void
one_segment(struct fz *z, const uint8_t *r, int64_t *ts)
{
	struct pkt p;
	uint8_t dir;
	unsigned flow = r[11] & 3;
	uint8_t q = r[10];
	int64_t dt = (int64_t)be16(r + 8) * ((r[0] & 0x80) ? NS : 1000);

	*ts += (q & 0x40) ? -dt : dt;
	memset(&p, 0, sizeof(p));
	make_endpoints(&p, flow, r[0] & 1);
	p.tcp.flags = r[1];
	p.tcp.win = (uint16_t)((r[11] >> 2) << 10);
	p.tcp.hlen = 20;
	p.tcp.paylen = r[6];
	p.tcp.paycap = (q & 0x10) ? p.tcp.paylen / 2 : p.tcp.paylen;
	p.tcp.payload = p.tcp.paycap ? payload_bytes : NULL;
	if (p.tcp.paycap < p.tcp.paylen)
		p.quirks |= DEC_TCP_PAYLOAD_CUT;
	if ((q & 3) == 3)
		p.quirks |= DEC_TCP_BAD_CSUM;
	if (q & 4)
		p.quirks |= DEC_TCP_OPT_BAD_LEN;
	if (q & 8)
		p.quirks |= DEC_TCP_OPT_DUP;
	struct tcp_opts *o = &p.tcp.opt;
	if (r[7] & 1) {
		o->has_mss = true;
		o->mss = (uint16_t)(536 + r[7] * 4);
	}
	if (r[7] & 2) {
		o->has_ws = true;
		o->wscale = r[7] >> 4;
		if (o->wscale > 14) {	/* as decode_tcp_options() clamps */
			o->wscale = 14;
			p.quirks |= DEC_TCP_WSCALE_CLAMP;
		}
	}
	o->sack_ok = r[7] & 4;
	if (r[7] & 8) {
		o->has_ts = true;
		o->tsval = (uint32_t)z->frame;
	}
	if (q & 0x20)
		o->has_tfo = true;

	/* pipeline_frame(): the capture clock never runs backwards; sweep
	 * once it moved a second. */
	z->frame++;
	if (*ts > z->clock)
		z->clock = *ts;
	if (z->clock - z->last_sweep >= NS) {
		flow_expire(&z->t, z->clock);
		z->last_sweep = z->clock;
	}

	struct conn *c = flow_lookup(&z->t, &p, *ts, z->frame, &dir);
	FUZZ_CHECK(c != NULL && dir <= 1, "flow_lookup");
	struct shadow *sh = shadow_of(z, c);
	if (!sh->live) {
		FUZZ_CHECK(!sh->released, "conn id %llu reused",
		    (unsigned long long)c->id);
		FUZZ_CHECK(c->peer[0].st == CL && c->peer[1].st == CL &&
		    conn_pkts(c, 0) == 0 && conn_pkts(c, 1) == 0,
		    "a new record not CLOSED/empty");
		memset(sh, 0, sizeof(*sh));
		sh->live = true;
	}
	for (int i = 0; i < 2; i++)
		FUZZ_CHECK(c->peer[i].st == sh->st[i], "conn %llu side %d "
		    "moved %s -> %s between its segments",
		    (unsigned long long)c->id, i, tcp_state_name[sh->st[i]],
		    tcp_state_name[c->peer[i].st]);

	/* Numbers relative to what the record knows. */
	p.tcp.seq = pick_seq(c, dir, (r[0] >> 1) & 7, (int16_t)be16(r + 2));
	p.tcp.ack = pick_ack(c, dir, (r[0] >> 4) & 7, (int16_t)be16(r + 4));

	enum tcp_ev ev = tcp_fsm_classify(p.tcp.flags);
	bool bad = p.quirks & DEC_TCP_BAD_CSUM;
	bool has_ack = p.tcp.flags & TH_ACK;
	uint8_t st0[2] = { c->peer[0].st, c->peer[1].st };
	struct conn_side side0[2];
	uint64_t pkts0[2], bytes0[2];
	memcpy(side0, c->side, sizeof(side0));
	for (int i = 0; i < 2; i++) {
		pkts0[i] = conn_pkts(c, i);
		bytes0[i] = conn_bytes(c, i);
	}
	if (ev == EV_RST && !bad) {
		for (int i = 0; i < 2; i++) {
			sh->restore[i] |= B(st0[i]);
			if ((sh->ever[0] | sh->ever[1] | B(CL)) == B(CL) ||
			    z->lax)			/* strict */
				sh->restore[i] |= B(ES);	/* pickup */
		}
	}

	unsigned nanoms0 = c->nanoms;
	/* A FIN without ACK held back (conn.c, fin_noack_flush()): given to
	 * the record before this segment, which makes this step two
	 * segments' (their states are not checked edge by edge), or this
	 * segment held itself (counted when it is given back). */
	bool held0 = c->ext && c->ext->nafin.pkt;
	uint8_t hd0 = held0 ? c->ext->nafin.dir : 0;
	conn_input(c, &z->t.cfg, dir, &p, *ts, z->frame);
	bool held1 = c->ext && c->ext->nafin.pkt;

	/* The edges each endpoint took. (A self-connection's segments all
	 * come from canonical side 0, whichever way they are written.) */
	for (int i = 0; i < 2; i++) {
		uint8_t now = c->peer[i].st;
		FUZZ_CHECK(now < TCP_ST_MAX && now != TCP_ST_LISTEN,
		    "state %u", now);
		if (held0)
			continue;
		if (bad) {
			FUZZ_CHECK(now == st0[i], "a bad-checksum segment moved "
			    "side %d %s -> %s", i, tcp_state_name[st0[i]],
			    tcp_state_name[now]);
			continue;
		}
		bool sender = i == dir;
		unsigned ok = reachable(st0[i], sender, ev, has_ack,
		    sh->restore[i], sh->ever[i] | B(CL),
		    (sh->ever[0] | sh->ever[1] | B(CL)) == B(CL), z->lax);
		FUZZ_CHECK(ok & B(now), "conn %llu frame %llu: %s %s (flags "
		    "0x%02x seq %u ack %u len %u) moved the %s (side %d) "
		    "%s -> %s; peer %s -> %s", (unsigned long long)c->id,
		    (unsigned long long)z->frame, tcp_ev_name[ev],
		    dir ? "1->0" : "0->1", p.tcp.flags, p.tcp.seq, p.tcp.ack,
		    p.tcp.paylen, sender ? "sender" : "receiver", i,
		    tcp_state_name[st0[i]], tcp_state_name[now],
		    tcp_state_name[st0[!i]], tcp_state_name[c->peer[!i].st]);
	}

	if (z->trace)
		fprintf(stderr, "frame %llu conn %llu %c%s %-5s seq %u ack %u "
		    "len %u t %.6f: %s/%s -> %s/%s %s\n",
		    (unsigned long long)z->frame, (unsigned long long)c->id,
		    dir ? '<' : '>', bad ? " badsum" : "", flag_str(p.tcp.flags),
		    p.tcp.seq, p.tcp.ack, p.tcp.paylen,
		    (double)(*ts % (1000 * NS)) / NS, tcp_state_name[st0[0]],
		    tcp_state_name[st0[1]], tcp_state_name[c->peer[0].st],
		    tcp_state_name[c->peer[1].st],
		    c->nanoms > nanoms0 ? anomaly_name(c->anoms[nanoms0].id) :
		    "");

	/* Counters: one more segment for the sender, none ever lost. */
	for (int i = 0; i < 2; i++) {
		const struct conn_side *a = &side0[i], *b = &c->side[i];
		uint64_t want = pkts0[i] + (!bad && i == dir && !held1) +
		    (held0 && i == hd0);
		FUZZ_CHECK(conn_pkts(c, i) == want, "side %d pkts %llu -> %llu",
		    i, (unsigned long long)pkts0[i],
		    (unsigned long long)conn_pkts(c, i));
		FUZZ_CHECK(conn_bytes(c, i) >= bytes0[i] &&
		    b->retrans >= a->retrans && b->fin_count >= a->fin_count,
		    "side %d counters went down (bytes %llu -> %llu, retrans "
		    "%u -> %u, fins %u -> %u)", i,
		    (unsigned long long)bytes0[i],
		    (unsigned long long)conn_bytes(c, i),
		    a->retrans, b->retrans, a->fin_count, b->fin_count);
		FUZZ_CHECK(c->peer[i].nholes <= CONN_MAX_HOLES, "%u holes",
		    c->peer[i].nholes);
	}
	if (!bad)
		sh->fed[dir]++;
	check_anoms(z, c);

	/* A FIN that crossed the RST (its sender stayed CLOSED, nobody
	 * moved; the RST's sender may be SYN_SENT, which an RST from there
	 * leaves as it was): should that RST be undone, it gives back the
	 * states after this FIN. */
	if (ev == EV_FIN && !bad && st0[dir] == CL &&
	    c->peer[dir].st == CL && c->peer[!dir].st == st0[!dir])
		for (int i = 0; i < 2; i++)
			for (unsigned k = 0; k < TCP_ST_MAX; k++)
				if (sh->restore[i] & B(k))
					sh->restore[i] |= reachable((uint8_t)k,
					    i == dir, ev, has_ack, 0,
					    sh->ever[i] | B(CL), false, false);
	flow_update(&z->t, c);
	for (int i = 0; i < 2; i++) {
		sh->st[i] = c->peer[i].st;
		sh->ever[i] |= B(c->peer[i].st);
		/* Out of CLOSED, it is no longer the RST's doing: a later
		 * CLOSED (a new close) has nothing to give back. */
		if (c->peer[i].st != CL && !z->lax)	/* strict */
			sh->restore[i] = 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t max_flows[] = { 0, 1, 2, 8 };
	static const double msl[] = { 30, 1, 0, 120 };
	static const double idle[] = { 300, 5, 1, 0 };
	struct fz z;

	if (size < HDR_LEN)
		return 0;
	conn_fast_check = true;	/* the fast path against the whole one */
	size_t nrec = (size - HDR_LEN) / REC_LEN;
	if (nrec > MAX_RECS)
		nrec = MAX_RECS;

	memset(&z, 0, sizeof(z));
	z.trace = getenv("FUZZ_TRACE") != NULL;
	z.lax = getenv("FUZZ_LAX") != NULL;
	z.cfg.format = FMT_JSON;
	z.cfg.msl = msl[(data[0] >> 3) & 3];
	z.cfg.idle_timeout = idle[(data[0] >> 5) & 3];
	z.cfg.max_flows = max_flows[data[0] & 3];
	z.cfg.ladder = data[0] & 4;
	z.ccfg.two_msl_ns = (int64_t)(z.cfg.msl * 2 * NS);
	z.ccfg.ladder = z.cfg.ladder;
	/* One id per segment at most, plus the first. */
	z.nsh = nrec + 2;
	z.sh = g_new0(struct shadow, z.nsh);
	flow_table_init(&z.t, &z.ccfg, (int64_t)(z.cfg.idle_timeout * NS),
	    z.cfg.max_flows, emit_cb, &z);
	/* Open records packed when idle 2 s, or at every sweep that finds
	 * them idle at all (SYNFIN_PACK_IDLE=0), besides TIME_WAIT's. */
	z.t.pack_idle_ns = data[0] & 0x80 ? 0 : 2 * NS;

	int64_t ts = 1700000000LL * NS;
	for (size_t i = 0; i < nrec; i++)
		one_segment(&z, data + HDR_LEN + i * REC_LEN, &ts);

	flow_flush(&z.t, z.clock);
	FUZZ_CHECK(flow_count(&z.t) == 0, "%" PRIu64 " records left after the flush",
	    flow_count(&z.t));
	for (size_t i = 1; i < z.nsh; i++)
		FUZZ_CHECK(!z.sh[i].live, "conn %zu never released", i);
	flow_table_destroy(&z.t);
	g_free(z.sh);
	return 0;
}
