/* tcp_fsm.h - RFC 9293 endpoint states inferred by an observer.
 *
 * A connection has no single state: each endpoint has its own, so a
 * connection carries two struct tcp_peer (pf's src/dst, conntrack's
 * seen[dir]). A segment moves the peer that sent it (ROLE_SND) and the peer
 * it goes to (ROLE_RCV) through one table, tcp_fsm[role][event][state].
 */
#ifndef SYNFIN_TCP_FSM_H
#define SYNFIN_TCP_FSM_H

#include <stdbool.h>
#include <stdint.h>

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
	 * segment, and the one before it, came (fin_ack_bad_ack's
	 * "afterwards"). */
	bool fin_before_last : 1, fin_before_prev : 1;
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
/* Advance both peers for one segment. */
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

void tcp_fsm_step(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, struct fsm_step *out);

#endif
