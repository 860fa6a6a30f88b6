/* check_tcp_fsm.c - the transition table against RFC 9293, cell by cell.
 *
 * The expectation below is written from RFC 9293 figure 5 (the state
 * diagram), section 3.10 (event processing; 3.10.7.x for arriving
 * segments), 3.5 figures 6, 7 and 9, and the observer rules of SPEC.md
 * ("Endpoint states"): an observer sees a segment when it is sent, so the
 * sender (ROLE_SND) moves by sending it and the receiver (ROLE_RCV) moves
 * as if it received it then; LISTEN is never inferred, so a server shown
 * CLOSED becomes SYN_RECEIVED by sending its SYN-ACK.
 *
 * It is deliberately not a copy of src/tcp_fsm.c's table: it is a default
 * rule ("the state does not change, nothing is flagged") plus the list of
 * transitions the RFC names, each with its reason. The loop test walks
 * every [role][event][state] cell, 2 x 6 x 11 = 132, and compares.
 *
 * What the table leaves to code (tcp_fsm_step): the two 1-D "ACK covers my
 * SYN / my FIN" tables, the SYN_SENT sender pre-step, crossing FINs and
 * RST acceptability; they are tested here through tcp_fsm_step() and
 * tcp_rst_is_acceptable().
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "decode.h"
#include "tcp_fsm.h"

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

#define SND ROLE_SND
#define RCV ROLE_RCV

/* A cell that is not "unchanged, no anomaly". */
struct rule {
	int role, ev, from, to;
	int anom;		/* enum anom_id or ANOM_NONE */
	const char *why;
};

static const struct rule rules[] = {
	/* ---- the sender, by the segment it sends ---------------------- */
	/* SYN without ACK. */
	{ SND, EV_SYN, CL, SS, 0, "active OPEN sends SYN (fig. 5; 3.5 fig. 6 line 2)" },
	{ SND, EV_SYN, LI, SS, 0, "SEND in LISTEN: passive becomes active, SYN, SYN-SENT (3.10.2; fig. 5)" },
	/* SS -> SS, SR -> SR: retransmitted SYN (3.8.1), default rule */
	{ SND, EV_SYN, ES, ES, ANOM_UNEXPECTED_SYN, "SYN in a synchronized state (3.10.7.4; RFC 5961 4)" },
	{ SND, EV_SYN, F1, F1, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYN, F2, F2, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYN, CW, CW, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYN, CG, CG, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYN, LA, LA, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYN, TW, TW, ANOM_UNEXPECTED_SYN, "idem (reuse is the flow layer's)" },
	/* SYN-ACK. */
	{ SND, EV_SYNACK, CL, SR, 0, "SPEC: LISTEN not inferred; the server becomes SYN_RECEIVED by sending its SYN-ACK" },
	{ SND, EV_SYNACK, LI, SR, 0, "rcv SYN / snd SYN,ACK (fig. 5)" },
	{ SND, EV_SYNACK, SS, SR, 0, "simultaneous open: SYN-SENT answers the peer's SYN (3.5 fig. 7 line 5)" },
	/* SR -> SR retransmitted SYN-ACK; ES -> ES a SYN-ACK retransmitted
	 * after the third segment was lost: default rule */
	{ SND, EV_SYNACK, F1, F1, ANOM_UNEXPECTED_SYN, "SYN bit on a closing connection (3.10.7.4)" },
	{ SND, EV_SYNACK, F2, F2, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYNACK, CW, CW, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYNACK, CG, CG, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYNACK, LA, LA, ANOM_UNEXPECTED_SYN, "idem" },
	{ SND, EV_SYNACK, TW, TW, ANOM_UNEXPECTED_SYN, "idem" },
	/* FIN. CLOSED, LISTEN and SYN-SENT send no FIN (3.10.4 CLOSE), so
	 * a FIN from them changes nothing; FIN_WAIT_*, CLOSING, LAST_ACK,
	 * TIME_WAIT: retransmitted FIN, unchanged. */
	{ SND, EV_FIN, SR, F1, 0, "CLOSE in SYN-RECEIVED sends FIN, FIN-WAIT-1 (3.10.4; fig. 5)" },
	{ SND, EV_FIN, ES, F1, 0, "CLOSE / snd FIN: active close (3.6; fig. 5)" },
	{ SND, EV_FIN, CW, LA, 0, "CLOSE / snd FIN: passive close (3.6; fig. 5)" },
	/* ACK: sending an ACK moves nobody (default rule). */
	/* RST. */
	{ SND, EV_RST, SR, CL, 0, "ABORT sends RST, CLOSED (3.10.5)" },
	{ SND, EV_RST, ES, CL, 0, "ABORT sends RST, CLOSED (3.10.5)" },
	{ SND, EV_RST, F1, CL, 0, "idem" },
	{ SND, EV_RST, F2, CL, 0, "idem" },
	{ SND, EV_RST, CW, CL, 0, "idem" },
	{ SND, EV_RST, CG, CL, 0, "ABORT in CLOSING: delete the TCB (3.10.5)" },
	{ SND, EV_RST, LA, CL, 0, "idem" },
	{ SND, EV_RST, TW, CL, 0, "a TIME-WAIT that resets has left TIME-WAIT (SPEC missing_time_wait)" },
	{ SND, EV_RST, CL, CL, 0, "a closed port answers with RST (3.10.7.1)" },
	{ SND, EV_RST, LI, LI, 0, "LISTEN answers an ACK with RST and stays (3.10.7.2)" },
	{ SND, EV_RST, SS, SS, 0, "SYN-SENT answers an unacceptable ACK with RST and stays (3.10.7.3; 3.5 fig. 9 line 5); ABORT in SYN-SENT sends nothing (3.10.5)" },
	/* No valid flag combination: nobody moves, the sender's cell flags it. */
	{ SND, EV_NONE, CL, CL, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, LI, LI, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, SS, SS, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, SR, SR, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, ES, ES, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, F1, F1, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, F2, F2, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, CW, CW, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, CG, CG, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, LA, LA, ANOM_BAD_FLAGS, "3.1" },
	{ SND, EV_NONE, TW, TW, ANOM_BAD_FLAGS, "3.1" },

	/* ---- the receiver, by the segment going to it ----------------- */
	/* SYN: CL stays CL and LI stays LI (SPEC: becomes SYN_RECEIVED by
	 * sending the SYN-ACK); synchronized states answer with an ACK
	 * (3.10.7.4 fourth check) and stay. */
	{ RCV, EV_SYN, SS, SR, 0, "SYN in SYN-SENT without ACK: SYN-RECEIVED (3.10.7.3 fourth; fig. 7 line 3)" },
	/* SYN-ACK. */
	{ RCV, EV_SYNACK, SS, ES, 0, "SYN-ACK acking ISS+1 in SYN-SENT: ESTABLISHED (3.10.7.3; fig. 6 line 3)" },
	{ RCV, EV_SYNACK, SR, ES, 0, "SYN-RECEIVED, SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED (3.10.7.4 fifth; fig. 7 line 6)" },
	/* FIN (3.10.7.4 eighth check). */
	{ RCV, EV_FIN, SR, CW, 0, "SYN-RECEIVED / ESTABLISHED: enter CLOSE-WAIT" },
	{ RCV, EV_FIN, ES, CW, 0, "rcv FIN / snd ACK (fig. 5)" },
	{ RCV, EV_FIN, F1, CG, 0, "FIN not acking ours: CLOSING (fig. 5; 3.6 fig. 13)" },
	{ RCV, EV_FIN, F2, TW, 0, "FIN-WAIT-2: enter TIME-WAIT (fig. 5)" },
	/* CW, CG, LA: stay; TW: stay, restart 2MSL; SS: dropped without
	 * SYN or RST (3.10.7.3 fifth); CL, LI: no connection. */
	/* ACK: the work is done by the ACK-covers-SYN/FIN tables. */
	/* RST (acceptable ones only reach the table). */
	{ RCV, EV_RST, SS, CL, 0, "RST with an acceptable ACK in SYN-SENT: CLOSED (3.10.7.3)" },
	{ RCV, EV_RST, SR, CL, 0, "passive SYN-RECEIVED returns to LISTEN, shown CLOSED (3.10.7.4 second; SPEC)" },
	{ RCV, EV_RST, ES, CL, 0, "connection reset, CLOSED (3.10.7.4 second)" },
	{ RCV, EV_RST, F1, CL, 0, "idem" },
	{ RCV, EV_RST, F2, CL, 0, "idem" },
	{ RCV, EV_RST, CW, CL, 0, "idem" },
	{ RCV, EV_RST, CG, CL, 0, "CLOSING/LAST-ACK/TIME-WAIT: enter CLOSED (3.10.7.4 second)" },
	{ RCV, EV_RST, LA, CL, 0, "idem" },
	{ RCV, EV_RST, TW, CL, 0, "idem" },
	{ RCV, EV_RST, LI, LI, 0, "an incoming RST is ignored in LISTEN (3.10.7.2)" },
	/* EV_NONE: the sender's cell raised bad_flags; nothing here. */
};

static const char *const st_name[] = {
	"CL", "LI", "SS", "SR", "ES", "F1", "F2", "CW", "CG", "LA", "TW"
};
static const char *const ev_name[] = {
	"SYN", "SYNACK", "FIN", "ACK", "RST", "NONE"
};

#define NCELLS (ROLE_MAX * EV_MAX * TCP_ST_MAX)

START_TEST(test_every_cell)
{
	int role = _i / (EV_MAX * TCP_ST_MAX);
	int ev = (_i / TCP_ST_MAX) % EV_MAX;
	int st = _i % TCP_ST_MAX;
	int to = st, anom = ANOM_NONE;
	const char *why = "unchanged (default rule)";
	int hits = 0;

	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		const struct rule *r = &rules[k];
		if (r->role == role && r->ev == ev && r->from == st) {
			to = r->to;
			anom = r->anom;
			why = r->why;
			hits++;
		}
	}
	ck_assert_msg(hits <= 1, "duplicate expectation");

	struct fsm_cell c = tcp_fsm_cell(role, ev, st);
	ck_assert_msg(c.next == to && c.anom == anom,
	    "[%s][%s][%s]: table says %s/%s, RFC says %s/%s (%s)",
	    role == SND ? "SND" : "RCV", ev_name[ev], st_name[st],
	    st_name[c.next], c.anom ? anomaly_name(c.anom) : "-",
	    st_name[to], anom ? anomaly_name(anom) : "-", why);
}
END_TEST

/* Out-of-range lookups return a harmless zero cell instead of reading
 * past the table. */
START_TEST(test_cell_bounds)
{
	struct fsm_cell c = tcp_fsm_cell(ROLE_MAX, EV_SYN, TCP_ST_CLOSED);
	ck_assert_int_eq(c.next, 0);
	ck_assert_int_eq(c.anom, 0);
	c = tcp_fsm_cell(ROLE_SND, EV_MAX, TCP_ST_CLOSED);
	ck_assert_int_eq(c.anom, 0);
	c = tcp_fsm_cell(ROLE_SND, EV_SYN, TCP_ST_MAX);
	ck_assert_int_eq(c.anom, 0);
}
END_TEST

/* ---- the classifier ------------------------------------------------- */

#define F TH_FIN
#define S TH_SYN
#define R TH_RST
#define P TH_PSH
#define A TH_ACK
#define U TH_URG
#define E TH_ECE
#define W TH_CWR

static const struct {
	uint8_t flags;
	int ev;
	bool bad;
	const char *why;
} classes[] = {
	/* priority RST > SYN(+ACK) > FIN > ACK (conntrack's index) */
	{ R, EV_RST, false, "RST alone" },
	{ R | A, EV_RST, false, "RST,ACK (refusal, 3.10.7.1)" },
	{ R | F, EV_RST, false, "RST beats FIN" },
	{ R | F | A, EV_RST, false, "RST beats FIN and ACK" },
	{ R | P | A, EV_RST, false, "RST beats ACK" },
	{ S, EV_SYN, false, "SYN" },
	{ S | E | W, EV_SYN, false, "ECN-setup SYN (RFC 3168 6.1.1)" },
	{ S | A, EV_SYNACK, false, "SYN,ACK" },
	{ S | A | E, EV_SYNACK, false, "ECN-setup SYN-ACK" },
	{ S | A | P, EV_SYNACK, false, "SYN beats ACK and PSH" },
	{ F | A, EV_FIN, false, "FIN,ACK" },
	{ F | P | A, EV_FIN, false, "FIN beats ACK" },
	{ F, EV_FIN, false, "FIN (without ACK) is still a FIN" },
	{ A, EV_ACK, false, "ACK" },
	{ P | A, EV_ACK, false, "data" },
	{ U | A, EV_ACK, false, "urgent data" },
	{ A | E | W, EV_ACK, false, "ECN echo" },
	/* SPEC bad_flags: SYN+FIN, SYN+RST, no flags, all flags */
	{ S | F, EV_NONE, true, "SYN+FIN" },
	{ S | F | A, EV_NONE, true, "SYN+FIN+ACK" },
	{ S | R, EV_NONE, true, "SYN+RST" },
	{ S | R | A, EV_NONE, true, "SYN+RST+ACK" },
	{ 0, EV_NONE, true, "no flags (null scan)" },
	{ E | W, EV_NONE, true, "only ECN bits: no TCP control or ACK" },
	{ F | S | R | P | A | U, EV_NONE, true, "all six classic flags" },
	{ 0xff, EV_NONE, true, "all eight flags" },
};

/* conn.c's fast path (fast_ok(), fast_steps()) relies on an ACK leaving two
 * ESTABLISHED endpoints where they are, with no anomaly (RFC 9293 3.10.7.4:
 * ESTABLISHED processes the ACK and stays). */
START_TEST(test_ack_established_stays)
{
	struct fsm_cell s = tcp_fsm_cell(ROLE_SND, EV_ACK, TCP_ST_ESTABLISHED);
	struct fsm_cell r = tcp_fsm_cell(ROLE_RCV, EV_ACK, TCP_ST_ESTABLISHED);

	ck_assert_uint_eq(s.next, TCP_ST_ESTABLISHED);
	ck_assert_uint_eq(s.anom, 0);
	ck_assert_uint_eq(r.next, TCP_ST_ESTABLISHED);
	ck_assert_uint_eq(r.anom, 0);
}
END_TEST

START_TEST(test_classify)
{
	ck_assert_msg((int)tcp_fsm_classify(classes[_i].flags) == classes[_i].ev,
	    "0x%02x (%s): got %d, want %d", classes[_i].flags,
	    classes[_i].why, tcp_fsm_classify(classes[_i].flags),
	    classes[_i].ev);
	ck_assert_msg(tcp_flags_are_bad(classes[_i].flags) == classes[_i].bad,
	    "0x%02x (%s): bad=%d", classes[_i].flags, classes[_i].why,
	    tcp_flags_are_bad(classes[_i].flags));
}
END_TEST

/* ---- RST acceptability (RFC 9293 3.10.7.3 / 3.10.7.4, RFC 5961 3.2) -- */

static void
peers(struct tcp_peer *snd, struct tcp_peer *rcv)
{
	/* An established pair: the sender's next seq is 5001, the receiver
	 * acked 5001 with a 65535-byte window. */
	memset(snd, 0, sizeof(*snd));
	memset(rcv, 0, sizeof(*rcv));
	snd->st = TCP_ST_ESTABLISHED;
	snd->isn = 5000;
	snd->snd_nxt = 5001;
	snd->flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	rcv->st = TCP_ST_ESTABLISHED;
	rcv->isn = 1000;
	rcv->snd_nxt = 1001;
	rcv->ack = 5001;
	rcv->rcv_end = 5001 + 65535;
	rcv->flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN | PEER_ACK_SENT |
	    PEER_WIN_KNOWN;
}

static struct tcp_seg
rst(uint32_t seq, bool ack, uint32_t ackno)
{
	struct tcp_seg s = { .seq = seq, .ack = ackno,
	    .flags = TH_RST | (ack ? TH_ACK : 0) };
	return s;
}

START_TEST(test_rst_syn_sent)
{
	struct tcp_peer snd, rcv;
	uint16_t why;
	struct tcp_seg s;

	/* The receiver sent SYN J=1000 and waits in SYN-SENT; the sender
	 * (server) has sent nothing. 3.10.7.3: an RST is acceptable only
	 * if its ACK acknowledges the SYN, i.e. ack = J+1. */
	memset(&snd, 0, sizeof(snd));
	memset(&rcv, 0, sizeof(rcv));
	rcv.st = TCP_ST_SYN_SENT;
	rcv.isn = 1000;
	rcv.snd_nxt = 1001;
	rcv.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;

	s = rst(0, true, 1001);
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_NONE);

	s = rst(0, true, 1000);		/* acks J, not J+1 */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_BAD_ACK);

	s = rst(0, true, 1002);		/* acks beyond SND.NXT */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_BAD_ACK);

	s = rst(1001, false, 0);	/* no ACK: "drop the segment" */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_BAD_ACK);

	/* A SYN with 20 bytes (TFO): SND.NXT = J+21, so SND.UNA < SEG.ACK
	 * =< SND.NXT admits J+1..J+21 and nothing beyond. */
	rcv.snd_nxt = 1021;
	s = rst(0, true, 1021);
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(0, true, 1022);
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
}
END_TEST

START_TEST(test_rst_window)
{
	struct tcp_peer snd, rcv;
	uint16_t why;
	struct tcp_seg s;

	/* RFC 5961 3.2 / RFC 9293 3.10.7.4 first check: acceptable when
	 * RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND; RCV.NXT = 5001, RCV.WND =
	 * 65535. */
	peers(&snd, &rcv);
	s = rst(5001, false, 0);		/* exactly RCV.NXT */
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(5001, true, 1001);		/* RST,ACK */
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(5001 + 1000, false, 0);		/* inside the window */
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(5001 + 65534, false, 0);	/* last byte of the window */
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(5001 + 65535, false, 0);	/* one past the window */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_OUT_OF_WINDOW);
	s = rst(5001 + 100000, false, 0);	/* far beyond (injection) */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_OUT_OF_WINDOW);
	s = rst(5001 - 100, false, 0);		/* old: left of RCV.NXT */
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_RST_OUT_OF_WINDOW);

	/* The window edge wraps past 2^32. */
	snd.snd_nxt = 4294967000u;
	rcv.ack = 4294967000u;
	rcv.rcv_end = 4294967000u + 65535;	/* = 64239 mod 2^32 */
	s = rst(100, false, 0);			/* 396 past 2^32 - 1 */
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(4294967000u - 1000, false, 0);
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
}
END_TEST

START_TEST(test_rst_zero_window)
{
	struct tcp_peer snd, rcv;
	uint16_t why;
	struct tcp_seg s;

	/* 3.10.7.4: with RCV.WND = 0 only SEG.SEQ = RCV.NXT is acceptable. */
	peers(&snd, &rcv);
	rcv.rcv_end = rcv.ack;
	s = rst(5001, false, 0);
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	s = rst(5002, false, 0);
	ck_assert(!tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
}
END_TEST

START_TEST(test_rst_unknown_seq)
{
	struct tcp_peer snd, rcv;
	uint16_t why;
	struct tcp_seg s = rst(123456, false, 0);

	/* Midstream, nothing known of the sender's numbers: the observer
	 * cannot judge and accepts. */
	peers(&snd, &rcv);
	snd.flags = 0;
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
	ck_assert_int_eq(why, ANOM_NONE);
}
END_TEST

START_TEST(test_rst_receivers_rcv_nxt)
{
	struct tcp_peer snd, rcv;
	uint16_t why;
	struct tcp_seg s;

	/* RFC 9293 3.5 figure 9 (old duplicate SYN): B acked the old SYN
	 * 90 with ack 91, so B's RCV.NXT is 91; A, in SYN-SENT with SYN
	 * 100 (next 101), resets with <SEQ=91><CTL=RST> and B accepts it
	 * (line 5: B returns to LISTEN). The observer knows RCV.NXT from
	 * the ack B itself sent. */
	memset(&snd, 0, sizeof(snd));
	memset(&rcv, 0, sizeof(rcv));
	snd.st = TCP_ST_SYN_SENT;
	snd.isn = 100;
	snd.snd_nxt = 101;
	snd.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	rcv.st = TCP_ST_SYN_RECEIVED;
	rcv.isn = 300;
	rcv.snd_nxt = 301;
	rcv.ack = 91;
	rcv.rcv_end = 91 + 65535;
	rcv.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN | PEER_ACK_SENT |
	    PEER_WIN_KNOWN;
	s = rst(91, false, 0);
	ck_assert(tcp_rst_is_acceptable(&snd, &rcv, &s, &why));
}
END_TEST

/* ---- tcp_fsm_step: what the table leaves to code --------------------- */

static struct tcp_seg
seg(uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct tcp_seg s = { .flags = flags, .seq = seq, .ack = ack,
	    .win = 65535 };
	return s;
}

START_TEST(test_step_handshake)
{
	struct tcp_peer c = { 0 }, sv = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* fig. 6: SYN J=1000 -> client SYN_SENT, server still CLOSED. */
	s = seg(TH_SYN, 1000, 0);
	c.isn = 1000; c.snd_nxt = 1001;
	c.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	tcp_fsm_step(&c, &sv, &s, &st);
	ck_assert_int_eq(c.st, SS);
	ck_assert_int_eq(sv.st, CL);
	/* SYN-ACK K=5000 ack J+1 -> server SYN_RECEIVED, client ESTABLISHED */
	s = seg(TH_SYN | TH_ACK, 5000, 1001);
	sv.isn = 5000; sv.snd_nxt = 5001;
	sv.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	tcp_fsm_step(&sv, &c, &s, &st);
	ck_assert_int_eq(sv.st, SR);
	ck_assert_int_eq(c.st, ES);
	/* ACK K+1 -> the server's SYN is acked: ESTABLISHED (3.10.7.4) */
	s = seg(TH_ACK, 1001, 5001);
	tcp_fsm_step(&c, &sv, &s, &st);
	ck_assert_int_eq(sv.st, ES);
	ck_assert_int_eq(c.st, ES);
	ck_assert_int_eq(st.nanom, 0);
}
END_TEST

START_TEST(test_step_synack_bad_ack)
{
	struct tcp_peer c = { 0 }, sv = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* 3.10.7.3: a SYN-ACK whose ACK is not J+1 is unacceptable; the
	 * client stays SYN_SENT. */
	c.st = SS; c.isn = 1000; c.snd_nxt = 1001;
	c.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	sv.isn = 5000; sv.snd_nxt = 5001;
	sv.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	s = seg(TH_SYN | TH_ACK, 5000, 1005);
	tcp_fsm_step(&sv, &c, &s, &st);
	ck_assert_int_eq(c.st, SS);
	ck_assert_int_eq(sv.st, SR);
	/* ack J (the SYN not counted) is just as unacceptable */
	s = seg(TH_SYN | TH_ACK, 5000, 1000);
	tcp_fsm_step(&sv, &c, &s, &st);
	ck_assert_int_eq(c.st, SS);
}
END_TEST

START_TEST(test_step_synack_tfo)
{
	struct tcp_peer c = { 0 }, sv = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* TFO (RFC 7413 4.2.2): the SYN carried 20 bytes, SND.NXT = J+21;
	 * a SYN-ACK acking J+21 acks the SYN and its data: ESTABLISHED. */
	c.st = SS; c.isn = 1000; c.snd_nxt = 1021;
	c.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	sv.isn = 5000; sv.snd_nxt = 5001;
	sv.flags = PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	s = seg(TH_SYN | TH_ACK, 5000, 1021);
	tcp_fsm_step(&sv, &c, &s, &st);
	ck_assert_int_eq(c.st, ES);
	ck_assert_int_eq(sv.st, SR);
}
END_TEST

START_TEST(test_step_close)
{
	struct tcp_peer a = { 0 }, b = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	a.st = b.st = ES;
	a.snd_nxt = 1001; b.snd_nxt = 5001;
	a.flags = b.flags = PEER_SEQ_KNOWN | PEER_SYN_SEEN;
	/* FIN u=1001: closer FIN_WAIT_1, peer CLOSE_WAIT */
	s = seg(TH_FIN | TH_ACK, 1001, 5001);
	a.fin_seq = 1001; a.snd_nxt = 1002; a.flags |= PEER_FIN_SEEN;
	tcp_fsm_step(&a, &b, &s, &st);
	ck_assert_int_eq(a.st, F1);
	ck_assert_int_eq(b.st, CW);
	/* ACK u+1: FIN_WAIT_2 */
	s = seg(TH_ACK, 5001, 1002);
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert_int_eq(a.st, F2);
	ck_assert_int_eq(b.st, CW);
	/* FIN W=5001 ack u+1: LAST_ACK; closer TIME_WAIT */
	s = seg(TH_FIN | TH_ACK, 5001, 1002);
	b.fin_seq = 5001; b.snd_nxt = 5002; b.flags |= PEER_FIN_SEEN;
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert_int_eq(b.st, LA);
	ck_assert_int_eq(a.st, TW);
	/* ACK W+1: peer CLOSED */
	s = seg(TH_ACK, 1002, 5002);
	tcp_fsm_step(&a, &b, &s, &st);
	ck_assert_int_eq(b.st, CL);
	ck_assert_int_eq(a.st, TW);
}
END_TEST

START_TEST(test_step_fin_ack_in_one)
{
	struct tcp_peer a = { 0 }, b = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* The peer acks u+1 and sends its FIN in one segment: FIN_WAIT_1
	 * goes through FIN_WAIT_2 to TIME_WAIT (fig. 5, "rcv FIN,ACK"). */
	a.st = F1; b.st = CW;
	a.fin_seq = 1001; a.snd_nxt = 1002;
	a.flags = PEER_SEQ_KNOWN | PEER_SYN_SEEN | PEER_FIN_SEEN;
	b.snd_nxt = 5001; b.flags = PEER_SEQ_KNOWN | PEER_SYN_SEEN;
	s = seg(TH_FIN | TH_ACK, 5001, 1002);
	b.fin_seq = 5001; b.snd_nxt = 5002; b.flags |= PEER_FIN_SEEN;
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert_int_eq(a.st, TW);
	ck_assert_int_eq(b.st, LA);
}
END_TEST

START_TEST(test_step_crossing_fins)
{
	struct tcp_peer a = { 0 }, b = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* 3.6 figure 13: both FINs sent before either arrived. A's FIN
	 * u=1001 is seen first; B's FIN W=5001 acks only 1001 (not u+1),
	 * so B had not received A's FIN: B went ESTABLISHED -> FIN_WAIT_1
	 * -> CLOSING, and A gets B's FIN in FIN_WAIT_1 -> CLOSING. */
	a.st = b.st = ES;
	a.snd_nxt = 1001; b.snd_nxt = 5001;
	a.flags = b.flags = PEER_SEQ_KNOWN | PEER_SYN_SEEN;
	s = seg(TH_FIN | TH_ACK, 1001, 5001);
	a.fin_seq = 1001; a.snd_nxt = 1002; a.flags |= PEER_FIN_SEEN;
	tcp_fsm_step(&a, &b, &s, &st);
	s = seg(TH_FIN | TH_ACK, 5001, 1001);
	b.fin_seq = 5001; b.snd_nxt = 5002; b.flags |= PEER_FIN_SEEN;
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert(st.crossed_fin);
	ck_assert_int_eq(a.st, CG);
	ck_assert_int_eq(b.st, CG);
	/* Each acks the other's FIN: CLOSING -> TIME_WAIT on both. */
	s = seg(TH_ACK, 1002, 5002);
	tcp_fsm_step(&a, &b, &s, &st);
	ck_assert_int_eq(b.st, TW);
	s = seg(TH_ACK, 5002, 1002);
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert_int_eq(a.st, TW);
	ck_assert(a.flags & PEER_PASSED_CLOSING);
	ck_assert(b.flags & PEER_PASSED_CLOSING);
}
END_TEST

START_TEST(test_step_crossing_syns)
{
	struct tcp_peer a = { 0 }, b = { 0 };
	struct fsm_step st;
	struct tcp_seg s;

	/* 3.5 figure 7, simultaneous open: A's SYN J=100 is seen first (B
	 * is CLOSED: LISTEN is not inferred, so B does not move); B's SYN
	 * K=300 carries no ACK, so it crossed A's: A goes SYN_SENT ->
	 * SYN_RECEIVED on getting it, and B, whose SYN was out when A's
	 * arrived, goes SYN_SENT -> SYN_RECEIVED too. Each SYN-ACK then
	 * acks the other's SYN: both ESTABLISHED. */
	s = seg(TH_SYN, 100, 0);
	tcp_fsm_step(&a, &b, &s, &st);
	a.isn = 100; a.snd_nxt = 101; a.flags |= PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	ck_assert_int_eq(a.st, SS);
	ck_assert_int_eq(b.st, CL);
	s = seg(TH_SYN, 300, 0);
	tcp_fsm_step(&b, &a, &s, &st);
	b.isn = 300; b.snd_nxt = 301; b.flags |= PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	ck_assert_int_eq(a.st, SR);
	ck_assert_int_eq(b.st, SR);
	s = seg(TH_SYN | TH_ACK, 100, 301);
	tcp_fsm_step(&a, &b, &s, &st);
	ck_assert_int_eq(b.st, ES);
	s = seg(TH_SYN | TH_ACK, 300, 101);
	tcp_fsm_step(&b, &a, &s, &st);
	ck_assert_int_eq(a.st, ES);
}
END_TEST

START_TEST(test_step_rst_ignored)
{
	struct tcp_peer snd, rcv;
	struct fsm_step st;
	struct tcp_seg s = rst(5001 + 100000, false, 0);

	/* An out-of-window RST drives no transition (RFC 5961 3.2). */
	peers(&snd, &rcv);
	tcp_fsm_step(&snd, &rcv, &s, &st);
	ck_assert(st.rst_ignored);
	ck_assert_int_eq(snd.st, ES);
	ck_assert_int_eq(rcv.st, ES);
	ck_assert_int_eq(st.nanom, 1);
	ck_assert_int_eq(st.anom[0], ANOM_RST_OUT_OF_WINDOW);
}
END_TEST

static Suite *
fsm_suite(void)
{
	Suite *s = suite_create("tcp_fsm");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_every_cell, 0, NCELLS);
	tcase_add_test(tc, test_cell_bounds);
	tcase_add_test(tc, test_ack_established_stays);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_loop_test(tc, test_classify, 0,
	    sizeof(classes) / sizeof(classes[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("rst");
	tcase_add_test(tc, test_rst_syn_sent);
	tcase_add_test(tc, test_rst_window);
	tcase_add_test(tc, test_rst_zero_window);
	tcase_add_test(tc, test_rst_unknown_seq);
	tcase_add_test(tc, test_rst_receivers_rcv_nxt);
	suite_add_tcase(s, tc);

	tc = tcase_create("step");
	tcase_add_test(tc, test_step_handshake);
	tcase_add_test(tc, test_step_synack_bad_ack);
	tcase_add_test(tc, test_step_synack_tfo);
	tcase_add_test(tc, test_step_close);
	tcase_add_test(tc, test_step_fin_ack_in_one);
	tcase_add_test(tc, test_step_crossing_fins);
	tcase_add_test(tc, test_step_rst_ignored);
	tcase_add_test(tc, test_step_crossing_syns);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fsm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
