/* tcp_fsm.h - RFC 9293 endpoint states inferred by an observer.
 *
 * A connection has no single state: each endpoint has its own, so a
 * connection carries two struct tcp_peer (pf's src/dst, conntrack's
 * seen[dir]). A segment moves the peer that sent it (ROLE_SND) and the peer
 * it goes to (ROLE_RCV) through one table,
 * tcp_fsm_table[role][event][state].
 */
#ifndef SYNFIN_TCP_FSM_H
#define SYNFIN_TCP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "decode.h"
#include "seq.h"

enum tcp_state {
	TCP_ST_CLOSED,
	TCP_ST_LISTEN,		/* never inferred: an observer cannot see it */
	TCP_ST_SYN_SENT,
	TCP_ST_SYN_RECEIVED,
	TCP_ST_ESTABLISHED,
	TCP_ST_FIN_WAIT_1,
	TCP_ST_FIN_WAIT_2,
	TCP_ST_CLOSE_WAIT,
	TCP_ST_CLOSING,
	TCP_ST_LAST_ACK,
	TCP_ST_TIME_WAIT,
	TCP_ST_MAX
};

/* One event per segment, by priority RST > SYN(+ACK) > FIN > ACK
 * (conntrack's get_conntrack_index). EV_NONE: an impossible combination. */
enum tcp_ev { EV_SYN, EV_SYNACK, EV_FIN, EV_ACK, EV_RST, EV_NONE, EV_MAX };

enum tcp_role { ROLE_SND, ROLE_RCV, ROLE_MAX };

enum {
	PEER_SYN_SEEN = 1u << 0,	/* sent a SYN (isn valid) */
	PEER_FIN_SEEN = 1u << 1,	/* sent a FIN (fin_seq valid) */
	PEER_SEQ_KNOWN = 1u << 2,	/* snd_nxt valid (SYN or pickup) */
	PEER_ACK_SENT = 1u << 3,	/* sent an ACK (ack valid) */
	PEER_WIN_KNOWN = 1u << 4,	/* rcv_end valid */
	PEER_WS_OK = 1u << 5,		/* its SYN carried window scale */
	PEER_SACK_OK = 1u << 6,		/* its SYN carried SACK-permitted */
	PEER_TS_OK = 1u << 7,		/* its SYN carried timestamps */
	PEER_GOT_FIN = 1u << 8,		/* showed it received the peer's FIN */
	PEER_PASSED_CLOSING = 1u << 9,	/* went through CLOSING */
	PEER_FIN_ACKED = 1u << 10,	/* its FIN was acknowledged */
	PEER_SENT_ANY = 1u << 11,	/* sent at least one segment */
	PEER_RST_SENT = 1u << 12,	/* sent an accepted RST */
	PEER_SYN_ACKED = 1u << 13,	/* its SYN was acknowledged */
	PEER_PASSED_TW = 1u << 14,	/* went through TIME_WAIT */
	PEER_OPTS_CUT = 1u << 15,	/* the snaplen cut its SYN's options
					   or a window: windows unknown */
};

struct tcp_peer {
	uint32_t isn;		/* seq of its SYN: J (client) or K (server) */
	uint32_t snd_nxt;	/* one past the highest seq it sent (SYN, FIN count) */
	uint32_t ack;		/* highest ack it sent */
	uint32_t fin_seq;	/* seq of its FIN: u (closer) or W (peer) */
	uint32_t rcv_end;	/* right window edge it advertised (ack + win) */
	/* The newest TSval it sent (ts_seen; conn.c note_tsval()). */
	uint32_t ts_max;
	uint16_t mss;		/* MSS option of its SYN */
	uint16_t flags;		/* PEER_* */
	uint8_t st;		/* enum tcp_state */
	uint8_t wscale;		/* window scale shift of its SYN */
	/* Not the state machine's: conn.c's bits for this endpoint, here in
	 * what would be the struct's padding (a tracked connection embeds
	 * two). tcp_fsm.c leaves them alone. */
	uint8_t once;		/* one-shot anomaly guards (conn.c ONCE_*) */
	uint8_t nholes : 1;	/* it has unfilled sequence holes (how many:
				   conn_ext.nhole, the holes: conn_ext.holes) */
	/* Whether the peer's FIN had been seen when this endpoint's latest
	 * segment came (bit 0, FIN_BEFORE_LAST), and the one before it
	 * (bit 1, FIN_BEFORE_PREV): fin_ack_bad_ack's "afterwards". Two
	 * bits of one field, so that a segment shifts them at once. */
	unsigned fin_before : 2;
	/* Its FIN carried timestamps (conn.fin_tsval), a TSval newer than
	 * any segment of its before had, and came a quarter of the peer's
	 * round trip or more after the packet before it (conn.c
	 * teardown_fin_ack()). */
	bool fin_ts : 1, fin_ts_new : 1, fin_spaced : 1;
	bool ts_seen : 1;	/* ts_max holds one */
	/* conn.c: until its SYN, isn holds the seq its ISN must pass (the
	 * TIME_WAIT a new SYN reopened within 2MSL, conn_tw_floor()). */
	bool tw_floor : 1;
};

/* tcp_peer.fin_before */
enum { FIN_BEFORE_LAST = 1u << 0, FIN_BEFORE_PREV = 1u << 1 };

struct fsm_cell {
	uint8_t next;		/* next state */
	uint8_t anom;		/* enum anom_id raised by this cell, or 0 */
};

/* What a step did, for the caller's bookkeeping and anomaly details. */
struct fsm_step {
	uint8_t ev;		/* enum tcp_ev */
	uint8_t snd_from, snd_to;	/* sender's states */
	uint8_t rcv_from, rcv_to;	/* receiver's states */
	uint8_t nanom;
	uint16_t anom[4];	/* anom_ids raised */
	bool rst_ignored;	/* an RST that did not end the connection */
	bool crossed_fin;	/* the sender's FIN crossed the peer's */
};

extern const char *const tcp_state_name[TCP_ST_MAX];
extern const char *const tcp_ev_name[EV_MAX];

extern const uint8_t tcp_fsm_ev[64];	/* by flags & 0x3f (tcp_fsm.c) */

/* The segment's event (RST > SYN(+ACK) > FIN > ACK; EV_NONE for an
 * impossible combination, tcp_flags_are_bad(), or PSH or URG alone). */
static inline enum tcp_ev
tcp_fsm_classify(uint8_t flags)
{
	return (enum tcp_ev)tcp_fsm_ev[flags & 0x3f];
}
bool tcp_flags_are_bad(uint8_t flags);
/* The raw table lookup, for tests. */
struct fsm_cell tcp_fsm_cell(enum tcp_role role, enum tcp_ev ev,
    enum tcp_state st);
/* Is an RST acceptable to the receiver (RFC 9293 3.10.7, RFC 5961 3)? */
bool tcp_rst_is_acceptable(const struct tcp_peer *snd,
    const struct tcp_peer *rcv, const struct tcp_seg *seg, uint16_t *why);
/* Does ack acknowledge the FIN that p sent? It must reach the FIN + 1 and
 * not go past what p sent (RFC 9293 3.10.7.4: an ACK of something not yet
 * sent acknowledges nothing; nothing is sent after a FIN). */
static inline bool
tcp_acks_fin(const struct tcp_peer *p, uint32_t ack)
{
	return (p->flags & PEER_FIN_SEEN) && seq_ge(ack, p->fin_seq + 1) &&
	    seq_le(ack, p->snd_nxt);
}

/* Does an ACK-bearing segment to p ack nothing, its ack 0? An ACK flag
 * with a zero ack is a forged or broken segment (a scan's), no answer to
 * a SYN-ACK, unless p's ISN K is 2^32-1, so that K+1 wraps to 0 (RFC 9293
 * 3.4: sequence numbers are modulo 2^32). */
static inline bool
tcp_ack_null(const struct tcp_peer *p, uint32_t ack)
{
	return ack == 0 &&
	    !((p->flags & PEER_SYN_SEEN) && p->isn == UINT32_MAX);
}

/* Are both windows' scales known? A shift applies only when both SYNs
 * carried the option (RFC 7323 2.2): both SYNs seen, or one seen without
 * it; not when a snaplen cut a SYN's options (PEER_OPTS_CUT). Otherwise
 * (a midstream capture, a SYN-ACK not captured) an advertised window is
 * only a lower bound of the real one. */
static inline bool
tcp_scale_known(const struct tcp_peer *a, const struct tcp_peer *b)
{
	uint16_t fa = a->flags, fb = b->flags;

	if ((fa | fb) & PEER_OPTS_CUT)
		return false;
	return (fa & fb & PEER_SYN_SEEN) ||
	    ((fa & (PEER_SYN_SEEN | PEER_WS_OK)) == PEER_SYN_SEEN) ||
	    ((fb & (PEER_SYN_SEEN | PEER_WS_OK)) == PEER_SYN_SEEN);
}

/* The state an endpoint in st goes to when its FIN is acked (RFC 9293
 * 3.10.7.4: FIN_WAIT_1 -> FIN_WAIT_2, CLOSING -> TIME_WAIT, LAST_ACK ->
 * CLOSED; any other state stays). */
uint8_t tcp_fin_acked_state(uint8_t st);

/* The tables tcp_fsm_step_ev() reads (tcp_fsm.c): the main one, and the
 * receiver's states when an ACK covers its SYN, and its FIN. */
extern const struct fsm_cell tcp_fsm_table[ROLE_MAX][EV_MAX][TCP_ST_MAX];
extern const uint8_t tcp_fsm_syn_acked[TCP_ST_MAX];
extern const uint8_t tcp_fsm_fin_acked[TCP_ST_MAX];

/* p moves to st, noting CLOSING and TIME_WAIT passed through (the
 * step's, and conn.c's corrections and RST undoing). */
static inline void
tcp_peer_enter(struct tcp_peer *p, uint8_t st)
{
	p->st = st;
	if (st == TCP_ST_CLOSING)
		p->flags |= PEER_PASSED_CLOSING;
	if (st == TCP_ST_TIME_WAIT)
		p->flags |= PEER_PASSED_TW;
}

static inline void
tcp_fsm_add_anom(struct fsm_step *out, uint16_t id)
{
	if (id != ANOM_NONE &&
	    out->nanom < sizeof(out->anom) / sizeof(out->anom[0]))
		out->anom[out->nanom++] = id;
}

/* Advance both peers for one segment. */
void tcp_fsm_step(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, struct fsm_step *out);

/* tcp_fsm_step() for a segment of event ev (tcp_fsm_classify(seg->flags)):
 * inline, so that a caller that knows the event, a constant, has the steps
 * of that event alone (conn.c's plain path). This one for a caller that
 * also knows acks_fin, tcp_acks_fin(rcv, seg->ack) (which the step does
 * not change before it asks), and the states the peers are in, snd_st
 * (snd->st) and rcv_st (rcv->st): a caller that knows one for a constant
 * (the record's first SYN, from CLOSED to CLOSED) has the tests that
 * state decides folded. The states are followed in those two until the
 * peers enter their next ones. */
static inline __attribute__((always_inline)) void
tcp_fsm_step_st(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, enum tcp_ev ev, bool acks_fin, uint8_t snd_st,
    uint8_t rcv_st, struct fsm_step *out)
{
	bool has_ack = (seg->flags & TH_ACK) != 0;

	*out = (struct fsm_step){ .ev = ev, .snd_from = snd_st,
	    .rcv_from = rcv_st };

	if (ev == EV_RST) {
		uint16_t why;
		if (!tcp_rst_is_acceptable(snd, rcv, seg, &why)) {
			tcp_fsm_add_anom(out, why);
			out->rst_ignored = true;
			goto done;
		}
	}

	/* Sender pre-step: an ACK-bearing segment from SYN_SENT proves the
	 * SYN-ACK arrived, captured or not. (Not one that acks 0, but for a
	 * K of 2^32-1: tcp_ack_null().) */
	if (snd_st == TCP_ST_SYN_SENT && has_ack &&
	    !tcp_ack_null(rcv, seg->ack) &&
	    (ev == EV_ACK || ev == EV_FIN))
		snd_st = TCP_ST_ESTABLISHED;

	/* Receiver pre-steps for segments carrying an ACK (not RST). */
	if (has_ack && ev != EV_RST && ev != EV_NONE) {
		if ((rcv->flags & PEER_SYN_SEEN) &&
		    rcv_st == TCP_ST_SYN_RECEIVED && ev != EV_SYNACK &&
		    seq_ge(seg->ack, rcv->isn + 1) &&
		    seq_le(seg->ack, rcv->snd_nxt))
			rcv_st = tcp_fsm_syn_acked[rcv_st];
		if (acks_fin)
			rcv_st = tcp_fsm_fin_acked[rcv_st];
	}

	/* (tcp_fsm_table's ACK rows move nobody and raise nothing: no
	 * lookup for an ACK, whose event is a constant on conn.c's plain
	 * path.) */
	struct fsm_cell sc, rc;
	if (ev == EV_ACK) {
		sc = (struct fsm_cell){ snd_st, ANOM_NONE };
		rc = (struct fsm_cell){ rcv_st, ANOM_NONE };
	} else {
		sc = tcp_fsm_table[ROLE_SND][ev][snd_st];
		rc = tcp_fsm_table[ROLE_RCV][ev][rcv_st];
	}

	/* Special cases after the lookup (conntrack's switch on new state). */
	switch (ev) {
	case EV_SYN:
		/* Crossing SYNs: a SYN (it cannot ack anything) from an
		 * endpoint that had not yet sent one, while the peer's SYN is
		 * out: the peer's SYN arrives after it was sent, so it goes
		 * SYN_SENT -> SYN_RECEIVED at once (3.5 figure 7, simultaneous
		 * open; the SPEC's crossing rule). */
		if (snd_st == TCP_ST_CLOSED && rcv_st == TCP_ST_SYN_SENT &&
		    (rcv->flags & PEER_SYN_SEEN))
			sc.next = TCP_ST_SYN_RECEIVED;
		break;
	case EV_SYNACK:
		/* An endpoint that closed (sent its FIN or RST) and sends a
		 * SYN-ACK: a late duplicate, no new passive open. */
		if (snd_st == TCP_ST_CLOSED &&
		    (snd->flags & (PEER_FIN_SEEN | PEER_RST_SENT)))
			sc = (struct fsm_cell){ TCP_ST_CLOSED,
			    ANOM_UNEXPECTED_SYN };
		/* A SYN-ACK from SYN_SENT is a simultaneous open only if the
		 * peer sent a SYN of its own. */
		if (snd_st == TCP_ST_SYN_SENT && !(rcv->flags & PEER_SYN_SEEN))
			sc = (struct fsm_cell){ TCP_ST_SYN_SENT,
			    ANOM_SYNACK_FROM_CLIENT };
		/* The receiver's SYN must be acked: SND.UNA < SEG.ACK =<
		 * SND.NXT (RFC 9293 3.10.7.3), which is J+1, or up to J+1+n
		 * when the SYN carried n bytes that the SYN-ACK also acks
		 * (TCP Fast Open, RFC 7413 4.2.2). A SYN the capture missed
		 * cannot be judged: the SYN-ACK is taken as its answer. */
		if ((rcv_st == TCP_ST_SYN_SENT ||
		    rcv_st == TCP_ST_SYN_RECEIVED) &&
		    (rcv->flags & PEER_SYN_SEEN) &&
		    !(seq_gt(seg->ack, rcv->isn) &&
		    seq_le(seg->ack, rcv->snd_nxt)))
			rc.next = rcv_st;
		break;
	case EV_RST:
		/* An RST at J+1 (or up to the SYN data's end) from SYN_SENT
		 * answers no unacceptable ACK: that RST's seq is the bad ack
		 * (3.10.7.3). It follows a SYN-ACK that acked the SYN, which
		 * the capture missed: the sender had no connection (a
		 * half-open scan, whose raw SYN the kernel never sent) or
		 * aborted the one it had just opened (3.10.5). Either way
		 * it is CLOSED. */
		if (snd_st == TCP_ST_SYN_SENT && (snd->flags & PEER_SYN_SEEN) &&
		    seq_gt(seg->seq, snd->isn) && seq_le(seg->seq, snd->snd_nxt))
			sc.next = TCP_ST_CLOSED;
		break;
	case EV_FIN:
		/* Crossing FINs: a FIN from CLOSE_WAIT that does not ack the
		 * peer's FIN, from an endpoint that never showed it received
		 * that FIN, was sent before the peer's FIN arrived. It went
		 * ESTABLISHED -> FIN_WAIT_1, then the peer's FIN in flight
		 * makes it CLOSING: a simultaneous close (3.6, figure 13).
		 * (acks_fin first: the plain path's FINs from CLOSE_WAIT ack
		 * that FIN.) */
		if (!(has_ack && acks_fin) && snd_st == TCP_ST_CLOSE_WAIT &&
		    !(snd->flags & PEER_GOT_FIN) &&
		    (rcv->flags & PEER_FIN_SEEN)) {
			sc.next = TCP_ST_CLOSING;
			out->crossed_fin = true;
		}
		break;
	default:
		break;
	}

	tcp_peer_enter(snd, sc.next);
	tcp_peer_enter(rcv, rc.next);
	/* (The receiver's cells raise nothing, nor do the sender's for a FIN
	 * or an ACK: tcp_fsm.c. Said, so that a caller that knows the event
	 * knows there is no anomaly.) */
	if (ev != EV_FIN && ev != EV_ACK)
		tcp_fsm_add_anom(out, sc.anom);
done:
	out->snd_to = snd->st;
	out->rcv_to = rcv->st;
}

/* tcp_fsm_step_st() with the states the peers are in. */
static inline __attribute__((always_inline)) void
tcp_fsm_step_acks(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, enum tcp_ev ev, bool acks_fin,
    struct fsm_step *out)
{
	tcp_fsm_step_st(snd, rcv, seg, ev, acks_fin, snd->st, rcv->st, out);
}

static inline __attribute__((always_inline)) void
tcp_fsm_step_ev(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, enum tcp_ev ev, struct fsm_step *out)
{
	tcp_fsm_step_acks(snd, rcv, seg, ev, tcp_acks_fin(rcv, seg->ack), out);
}

#endif
