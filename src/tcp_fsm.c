/* tcp_fsm.c - the transition table and its few special cases.
 *
 * How to read the table: an observer on the path sees a segment when it is
 * sent. The sender (ROLE_SND) changes state by sending it; the receiver
 * (ROLE_RCV) changes state as if it had received it at that moment (SPEC:
 * "a state changes when the endpoint sends or when the segment it receives
 * was seen going to it"). LISTEN is never inferred: a server that has not
 * answered is shown CLOSED, and becomes SYN_RECEIVED by sending its SYN-ACK.
 *
 * Two 1-D tables apply to the receiver before the main lookup, for any
 * segment carrying ACK: tcp_fsm_syn_acked[] (the ACK covers its SYN) and
 * tcp_fsm_fin_acked[] (the ACK covers its FIN). They keep the main table
 * 3-D and make FIN+ACK in one segment work (FIN_WAIT_1 -> FIN_WAIT_2 ->
 * TIME_WAIT).
 *
 * The step that reads them, tcp_fsm_step_ev(), is inline in tcp_fsm.h.
 */
#include "config.h"

#include "tcp_fsm.h"

#include "anomaly.h"
#include "seq.h"

#define sCL TCP_ST_CLOSED
#define sLI TCP_ST_LISTEN
#define sSS TCP_ST_SYN_SENT
#define sSR TCP_ST_SYN_RECEIVED
#define sES TCP_ST_ESTABLISHED
#define sF1 TCP_ST_FIN_WAIT_1
#define sF2 TCP_ST_FIN_WAIT_2
#define sCW TCP_ST_CLOSE_WAIT
#define sCG TCP_ST_CLOSING
#define sLA TCP_ST_LAST_ACK
#define sTW TCP_ST_TIME_WAIT

#define C(s) { (s), ANOM_NONE }
#define X(s, a) { (s), ANOM_##a }	/* invalid: keep state, flag */

const char *const tcp_state_name[TCP_ST_MAX] = {
	[TCP_ST_CLOSED] = "CLOSED",
	[TCP_ST_LISTEN] = "LISTEN",
	[TCP_ST_SYN_SENT] = "SYN_SENT",
	[TCP_ST_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCP_ST_ESTABLISHED] = "ESTABLISHED",
	[TCP_ST_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCP_ST_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCP_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_ST_CLOSING] = "CLOSING",
	[TCP_ST_LAST_ACK] = "LAST_ACK",
	[TCP_ST_TIME_WAIT] = "TIME_WAIT",
};

const char *const tcp_ev_name[EV_MAX] = {
	[EV_SYN] = "SYN", [EV_SYNACK] = "SYN-ACK", [EV_FIN] = "FIN",
	[EV_ACK] = "ACK", [EV_RST] = "RST", [EV_NONE] = "NONE",
};

const struct fsm_cell tcp_fsm_table[ROLE_MAX][EV_MAX][TCP_ST_MAX] = {
[ROLE_SND] = {
/*
 * SYN (no ACK) sent.
 *	sCL -> sSS	active OPEN: the SYN is J (3.5, figure 6 step 2)
 *	sLI -> sSS	SEND in LISTEN turns the passive open active (3.10.2,
 *			figure 5); unreachable, LISTEN is never inferred
 *	sSS -> sSS	retransmitted SYN, or a new ISN (decided by the caller)
 *	sSR -> sSR	simultaneous open: its SYN again
 *	sES..sLA	a SYN on a synchronized connection: RFC 9293 3.10.7.4
 *			and RFC 5961 4 answer it with a challenge ACK
 *	sTW -> sTW	only when the flow layer did not reopen (it reopens)
 */
/*	        sCL     sLI     sSS     sSR     sES                     sF1                     sF2                     sCW                     sCG                     sLA                     sTW */
[EV_SYN] = { C(sSS), C(sSS), C(sSS), C(sSR), X(sES, UNEXPECTED_SYN), X(sF1, UNEXPECTED_SYN), X(sF2, UNEXPECTED_SYN), X(sCW, UNEXPECTED_SYN), X(sCG, UNEXPECTED_SYN), X(sLA, UNEXPECTED_SYN), X(sTW, UNEXPECTED_SYN) },
/*
 * SYN-ACK sent.
 *	sCL -> sSR	passive open: it was LISTEN, got the SYN, answers K
 *	sLI -> sSR	the same from an explicit LISTEN (figure 5)
 *	sSS -> sSR	simultaneous open: answers the peer's SYN (3.5,
 *			figure 7); without a peer SYN the caller flags it
 *	sSR -> sSR	retransmitted SYN-ACK
 *	sES -> sES	retransmitted SYN-ACK after its ACK was lost, or a
 *			third segment that still carries SYN (caller flags it)
 *	sF1..sTW	a SYN on a closing connection
 */
[EV_SYNACK] = { C(sSR), C(sSR), C(sSR), C(sSR), C(sES), X(sF1, UNEXPECTED_SYN), X(sF2, UNEXPECTED_SYN), X(sCW, UNEXPECTED_SYN), X(sCG, UNEXPECTED_SYN), X(sLA, UNEXPECTED_SYN), X(sTW, UNEXPECTED_SYN) },
/*
 * FIN sent (3.6, 3.10.4 CLOSE).
 *	sCL -> sCL	nothing to close (after a reset): left alone
 *	sSS -> sSS	CLOSE in SYN_SENT sends no FIN; a FIN with ACK was
 *			already moved to ESTABLISHED by the caller's pre-step
 *	sSR -> sF1	CLOSE in SYN_RECEIVED sends FIN (3.10.4)
 *	sES -> sF1	active close: the FIN is u
 *	sF1 -> sF1	retransmitted FIN
 *	sF2 -> sF2	retransmitted FIN (its ACK did not arrive after all)
 *	sCW -> sLA	passive close: the FIN is W (crossing FINs: caller)
 *	sCG, sLA, sTW	retransmitted FIN
 * (No cell raises an anomaly, which tcp_fsm_step_acks() takes for
 * granted.)
 */
[EV_FIN] = { C(sCL), C(sLI), C(sSS), C(sF1), C(sF1), C(sF1), C(sF2), C(sLA), C(sCG), C(sLA), C(sTW) },
/*
 * ACK (with or without data, no SYN/FIN/RST) sent: sending an ACK moves
 * nobody, except SYN_SENT -> ESTABLISHED, done by the caller's pre-step
 * because the ACK proves the SYN-ACK arrived even if it was not captured.
 * (This row and the receiver's are the identity without anomaly, which
 * tcp_fsm_step_acks() takes for granted: it looks neither up.)
 */
[EV_ACK] = { C(sCL), C(sLI), C(sSS), C(sSR), C(sES), C(sF1), C(sF2), C(sCW), C(sCG), C(sLA), C(sTW) },
/*
 * RST sent (only acceptable RSTs reach the table): the sender aborts
 * (ABORT, 3.10.5), except
 *	sLI -> sLI	LISTEN answers an ACK with RST and stays (3.10.7.2)
 *	sSS -> sSS	SYN-SENT answers an unacceptable ACK (an old
 *			duplicate's SYN-ACK) with RST and stays, then its own
 *			SYN goes on (3.10.7.3; 3.5 figure 9 line 5). ABORT in
 *			SYN-SENT sends nothing (3.10.5), so this is the only
 *			RST a SYN-SENT endpoint sends.
 */
[EV_RST] = { C(sCL), C(sLI), C(sSS), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL) },
/*
 * An impossible flag combination moves nobody.
 */
[EV_NONE] = { X(sCL, BAD_FLAGS), X(sLI, BAD_FLAGS), X(sSS, BAD_FLAGS), X(sSR, BAD_FLAGS), X(sES, BAD_FLAGS), X(sF1, BAD_FLAGS), X(sF2, BAD_FLAGS), X(sCW, BAD_FLAGS), X(sCG, BAD_FLAGS), X(sLA, BAD_FLAGS), X(sTW, BAD_FLAGS) },
},
[ROLE_RCV] = {
/* (No cell of the receiver's raises an anomaly, which tcp_fsm_step_acks()
 * takes for granted: it adds none of theirs.) */
/*
 * SYN (no ACK) going to it.
 *	sCL -> sCL	LISTEN (or no listener) is not inferred; it becomes
 *			SYN_RECEIVED by answering with a SYN-ACK
 *	sSS -> sSR	simultaneous open: SYN_SENT gets a SYN (3.10.7.3)
 *	others		unchanged (a challenge ACK may follow)
 */
/*	        sCL     sLI     sSS     sSR     sES     sF1     sF2     sCW     sCG     sLA     sTW */
[EV_SYN] = { C(sCL), C(sLI), C(sSR), C(sSR), C(sES), C(sF1), C(sF2), C(sCW), C(sCG), C(sLA), C(sTW) },
/*
 * SYN-ACK going to it.
 *	sSS -> sES	the client's step: SYN-ACK acks J+1 (3.10.7.3);
 *			the caller keeps sSS when the ack is not J+1
 *	sSR -> sES	simultaneous open: its SYN is acked
 *	others		unchanged (a retransmitted SYN-ACK)
 */
[EV_SYNACK] = { C(sCL), C(sLI), C(sES), C(sES), C(sES), C(sF1), C(sF2), C(sCW), C(sCG), C(sLA), C(sTW) },
/*
 * FIN going to it (3.10.7.4 eighth step), after tcp_fsm_fin_acked[] ran.
 *	sSS -> sSS	a FIN in SYN_SENT is dropped
 *	sSR -> sCW	FIN in SYN_RECEIVED: CLOSE_WAIT
 *	sES -> sCW	passive close begins
 *	sF1 -> sCG	simultaneous close: the peer's FIN did not ack ours
 *	sF2 -> sTW	the peer's FIN after ours was acked
 *	sCW, sCG, sLA	retransmitted FIN
 *	sTW -> sTW	retransmitted FIN: 2MSL restarts
 */
[EV_FIN] = { C(sCL), C(sLI), C(sSS), C(sCW), C(sCW), C(sCG), C(sTW), C(sCW), C(sCG), C(sLA), C(sTW) },
/*
 * ACK going to it: tcp_fsm_syn_acked[] and tcp_fsm_fin_acked[] did the
 * work.
 */
[EV_ACK] = { C(sCL), C(sLI), C(sSS), C(sSR), C(sES), C(sF1), C(sF2), C(sCW), C(sCG), C(sLA), C(sTW) },
/*
 * Acceptable RST going to it: the connection is aborted (3.10.7.4 second
 * step); in TIME_WAIT too (Linux, tcp_rfc1337 = 0). LISTEN ignores an
 * RST (3.10.7.2).
 */
[EV_RST] = { C(sCL), C(sLI), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL), C(sCL) },
[EV_NONE] = { C(sCL), C(sLI), C(sSS), C(sSR), C(sES), C(sF1), C(sF2), C(sCW), C(sCG), C(sLA), C(sTW) },
},
};

/* Receiver whose SYN the ACK covers: SYN_RECEIVED -> ESTABLISHED (3.5
 * figure 6 step 3; 3.10.7.4 fifth step). */
const uint8_t tcp_fsm_syn_acked[TCP_ST_MAX] = {
	[sCL] = sCL, [sLI] = sLI, [sSS] = sSS, [sSR] = sES, [sES] = sES,
	[sF1] = sF1, [sF2] = sF2, [sCW] = sCW, [sCG] = sCG, [sLA] = sLA,
	[sTW] = sTW,
};

/* Receiver whose FIN the ACK covers (3.10.7.4 fifth step). */
const uint8_t tcp_fsm_fin_acked[TCP_ST_MAX] = {
	[sCL] = sCL, [sLI] = sLI, [sSS] = sSS, [sSR] = sSR, [sES] = sES,
	[sF1] = sF2,	/* FIN_WAIT_1: our FIN is acked */
	[sF2] = sF2, [sCW] = sCW,
	[sCG] = sTW,	/* CLOSING: our FIN is acked */
	[sLA] = sCL,	/* LAST_ACK: our FIN is acked, delete the TCB */
	[sTW] = sTW,
};

uint8_t
tcp_fin_acked_state(uint8_t st)
{
	return st < TCP_ST_MAX ? tcp_fsm_fin_acked[st] : st;
}

_Static_assert(sizeof(tcp_state_name) / sizeof(tcp_state_name[0]) == TCP_ST_MAX,
    "state names");

bool
tcp_flags_are_bad(uint8_t flags)
{
	uint8_t f = flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK);

	if ((f & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN))
		return true;	/* SYN+FIN */
	if ((f & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST))
		return true;	/* SYN+RST */
	if ((flags & 0x3f) == 0)
		return true;	/* no flags (a null scan) */
	return false;
}

/*
 * The event of each combination of the six flags below ECE (FIN, SYN, RST,
 * PSH, ACK, URG), worked out here at compile time so that classifying a
 * segment, twice for each (conn.c and tcp_fsm_step()), is one load:
 * an impossible combination (tcp_flags_are_bad()) is EV_NONE; then RST >
 * SYN(+ACK) > FIN > ACK; PSH or URG alone, with no ACK and no control bit,
 * is EV_NONE too.
 */
#define EV_OF(f) \
	(((f) & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN) ? EV_NONE : \
	((f) & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST) ? EV_NONE : \
	(f) == 0 ? EV_NONE : \
	(f) & TH_RST ? EV_RST : \
	(f) & TH_SYN ? ((f) & TH_ACK ? EV_SYNACK : EV_SYN) : \
	(f) & TH_FIN ? EV_FIN : \
	(f) & TH_ACK ? EV_ACK : EV_NONE)
#define EV_OF4(f) EV_OF(f), EV_OF((f) + 1), EV_OF((f) + 2), EV_OF((f) + 3)
#define EV_OF16(f) EV_OF4(f), EV_OF4((f) + 4), EV_OF4((f) + 8), \
	EV_OF4((f) + 12)

_Static_assert((TH_FIN | TH_SYN | TH_RST | TH_ACK) < 64, "flags index");
const uint8_t tcp_fsm_ev[64] = {
	EV_OF16(0), EV_OF16(16), EV_OF16(32), EV_OF16(48),
};

struct fsm_cell
tcp_fsm_cell(enum tcp_role role, enum tcp_ev ev, enum tcp_state st)
{
	struct fsm_cell none = { 0, 0 };

	if ((unsigned)role >= ROLE_MAX || (unsigned)ev >= EV_MAX ||
	    (unsigned)st >= TCP_ST_MAX)
		return none;
	return tcp_fsm_table[role][ev][st];
}

bool
tcp_rst_is_acceptable(const struct tcp_peer *snd, const struct tcp_peer *rcv,
    const struct tcp_seg *seg, uint16_t *why)
{
	*why = ANOM_NONE;
	/* SYN_SENT (3.10.7.3): acceptable only with an acceptable ACK of
	 * our SYN, SND.UNA < SEG.ACK =< SND.NXT (J+1; more with SYN data).
	 * A SYN the capture did not show cannot be judged. */
	if (rcv->st == TCP_ST_SYN_SENT) {
		if (!(rcv->flags & PEER_SYN_SEEN))
			return true;
		if ((seg->flags & TH_ACK) && seq_gt(seg->ack, rcv->isn) &&
		    seq_le(seg->ack, rcv->snd_nxt))
			return true;
		*why = ANOM_RST_BAD_ACK;
		return false;
	}
	/* Other states (RFC 5961 3.2): seq within the receiver's window.
	 * An observer knows the sender's next sequence number (what the
	 * receiver expects, RCV.NXT) and the window the receiver last
	 * advertised. Exact RCV.NXT resets; the rest of the window draws a
	 * challenge ACK from a 5961 stack but resets older ones, so it is
	 * accepted. Unknown numbers (midstream) are accepted. */
	if (!(snd->flags & PEER_SEQ_KNOWN))
		return true;
	/* A receiver with no connection has no window to miss: CLOSED
	 * discards an RST, LISTEN ignores it (3.10.7.1, 3.10.7.2); the
	 * table moves nobody. */
	if (rcv->st == TCP_ST_CLOSED || rcv->st == TCP_ST_LISTEN)
		return true;
	uint32_t nxt = snd->snd_nxt;
	if (seg->seq == nxt)
		return true;	/* exact */
	/* One below, at the slot of a FIN its sender sent, to a receiver
	 * that got that FIN and has not closed yet (CLOSE_WAIT, CLOSING,
	 * LAST_ACK): taken (Linux tcp_reset_check(); pf's one-off).
	 * Otherwise it lies before the window (3.10.7.4): ignored; so by
	 * TIME_WAIT (Linux tcp_timewait_state_process() takes RCV.NXT
	 * only), where such an RST comes from a peer already CLOSED that
	 * answers a stale segment acking its FIN's slot. */
	if (seg->seq + 1 == nxt && (snd->flags & PEER_FIN_SEEN) &&
	    (rcv->st == TCP_ST_CLOSE_WAIT || rcv->st == TCP_ST_CLOSING ||
	    rcv->st == TCP_ST_LAST_ACK))
		return true;
	uint32_t wnd = (rcv->flags & PEER_WIN_KNOWN) ?
	    rcv->rcv_end - rcv->ack : 0;
	if (!(rcv->flags & PEER_WIN_KNOWN))	/* any, if the scale is */
		wnd = !tcp_scale_known(snd, rcv) ?
		    UINT32_C(65535) << 14 : 65535;
	if (seq_in_range(seg->seq, nxt, nxt + (wnd ? wnd : 1)))
		return true;
	/* RCV.NXT is the receiver's own, and the ack it last sent states it
	 * (RFC 9293 3.10.7.4 first check): an RST at the receiver's
	 * RCV.NXT is acceptable even when the sender's numbers differ, as in
	 * the old-duplicate-SYN recovery of 3.5 figure 9 (line 5), where A
	 * resets with the ack B gave the old SYN. */
	if ((rcv->flags & PEER_ACK_SENT) &&
	    seq_in_range(seg->seq, rcv->ack, rcv->ack + (wnd ? wnd : 1)))
		return true;
	*why = ANOM_RST_OUT_OF_WINDOW;
	return false;
}

void
tcp_fsm_step(struct tcp_peer *snd, struct tcp_peer *rcv,
    const struct tcp_seg *seg, struct fsm_step *out)
{
	tcp_fsm_step_ev(snd, rcv, seg, tcp_fsm_classify(seg->flags), out);
}
