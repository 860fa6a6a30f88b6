/* check_conn.c - whole conversations through the real pipeline.
 *
 * Every case is a forged capture (the forge's .scn text, tests/forge.c)
 * run end to end by tu_run() (tests/testutil.h), and the expectation is
 * written by hand from RFC 9293 and SPEC.md, with the reasoning next to
 * it; none of it was copied from synfin's output.
 *
 * Unless a case says otherwise: client 10.0.0.1:40000, server
 * 10.0.0.2:80 (the forge's defaults), client ISN J = 1000, server ISN
 * K = 5000, 10 ms between frames. Frame numbers are 1-based (SPEC).
 *
 * Three tables, each a loop test (mc's parameterized style):
 *   anomaly_cases  one capture per SPEC anomaly, with the frame and side
 *   outcome_cases  every handshake and teardown outcome, final states
 *   clean_cases    conversations on which no warning or error is due
 * then a few cases that need more than one record or their own checks.
 */
#include "config.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "tcp_fsm.h"
#include "testutil.h"

/* Table fields use 0 for "not checked", so values are stored plus one. */
#define HS(x) (HS_##x + 1)
#define TD(x) (TD_##x + 1)
#define ST(x) (TCP_ST_##x + 1)

/* Frames 1-3: the three-way handshake (RFC 9293 3.5 figure 6).
 *   1 client SYN      seq=J=1000
 *   2 server SYN,ACK  seq=K=5000 ack=J+1
 *   3 client ACK      seq=J+1    ack=K+1      (SYN=0: SPEC notation) */
#define HANDSHAKE \
	"0.000  > S  1000 0\n" \
	"+0.010 < SA 5000 1001\n" \
	"+0.010 > A  1001 5001\n"

/* Frames 4-5: 100 bytes from the client (1001..1100, next 1101), acked. */
#define DATA \
	"+0.010 > PA 1001 5001 len=100\n" \
	"+0.010 < A  5001 1101\n"

/* Frames 6-9 after DATA: the textbook active close by the client (SPEC
 * notation): FIN u=1101; ACK u+1; FIN W=5001 (V = W, no data);
 * ACK W+1. */
#define CLIENT_CLOSE_AFTER_DATA \
	"+0.010 > FA 1101 5001\n" \
	"+0.010 < A  5001 1102\n" \
	"+0.010 < FA 5001 1102\n" \
	"+0.010 > A  1102 5002\n"

/* Frames 4-7 right after HANDSHAKE: the same close with u=1001, W=5001. */
#define CLIENT_CLOSE \
	"+0.010 > FA 1001 5001\n" \
	"+0.010 < A  5001 1002\n" \
	"+0.010 < FA 5001 1002\n" \
	"+0.010 > A  1002 5002\n"

/* ==== one capture per SPEC anomaly ===================================== */

struct acase {
	const char *name;
	const char *scn;
	const char *anom;	/* expected anomaly */
	uint64_t frame;		/* its frame */
	const char *from;	/* its sender */
	const char *also;	/* a second anomaly expected (any frame) */
	uint64_t also_frame;
	const char *also_from;
	const char *absent;	/* an anomaly that must not be reported */
	unsigned conn;		/* record index the anomaly is on */
	unsigned nconns;	/* records expected (0: not checked) */
	int hs, td;		/* outcomes + 1 (0: not checked) */
	int cst, sst;		/* client, server final state + 1 */
};

static const struct acase anomaly_cases[] = {
{
	/* 3.5 figure 6 line 3: the SYN-ACK must ack J+1 = 1001; 1005 is an
	 * unacceptable ACK (3.10.7.3: SND.UNA < SEG.ACK =< SND.NXT fails),
	 * so the client stays SYN_SENT; the server went SYN_RECEIVED by
	 * sending it. SYN-ACK and no third ACK, no RST: incomplete. */
	.name = "synack_bad_ack",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1005\n",
	.anom = "synack_bad_ack", .frame = 2, .from = "server",
	/* the client sent only its SYN: a bad ack, not unseen data */
	.absent = "ack_unseen_data",
	.hs = HS(INCOMPLETE), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(SYN_RECEIVED),
}, {
	/* Both ISNs 2^32-1, so J+1 and K+1 wrap to 0 (3.4: modulo 2^32).
	 * The SYN-ACK acks 1, J+2: synack_bad_ack. The client's ACK of 0
	 * is K+1 all the same (3.10.7.3 fifth step: it had a SYN-ACK): it is
	 * ESTABLISHED, its data comes after its handshake step, no
	 * data_before_established; it closes first, as the capture shows. */
	.name = "synack_bad_ack, K+1 wrapped to 0",
	.scn = "0.000  > S  4294967295 0\n"
	       "+0.010 < SA 4294967295 1\n"
	       "+0.010 > A  0 0\n"
	       "+0.010 > PA 0 0 len=100\n"
	       "+0.010 < A  0 100\n"
	       "+0.010 > FA 100 0\n"
	       "+0.010 < A  0 101\n"
	       "+0.010 < FA 0 101\n"
	       "+0.010 > A  101 1\n",
	.anom = "synack_bad_ack", .frame = 2, .from = "server",
	.absent = "data_before_established",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The third segment acks K = 5000 instead of K+1 = 5001 (the SYN's
	 * sequence number not counted). The server's SYN is not acked, so
	 * it stays SYN_RECEIVED (3.10.7.4 fifth check); the client had the
	 * SYN-ACK and is ESTABLISHED. SYN, SYN-ACK and the client's first
	 * ACK after it were seen: complete (SPEC), with the error. */
	.name = "handshake_ack_bad_ack",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5000\n",
	.anom = "handshake_ack_bad_ack", .frame = 3, .from = "client",
	.hs = HS(COMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(SYN_RECEIVED),
}, {
	/* The third segment acks K+3 = 5003, past the server's SND.NXT
	 * (K+1: a SYN_RECEIVED server without SYN data to answer sends
	 * nothing more): an unacceptable ACK (3.10.7.4 fifth check), so the
	 * server stays SYN_RECEIVED; the bad ack, not bytes the capture
	 * missed (no ack_unseen_data). */
	.name = "handshake_ack_bad_ack, past K+1",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5003\n",
	.anom = "handshake_ack_bad_ack", .frame = 3, .from = "client",
	.absent = "ack_unseen_data",
	.hs = HS(COMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(SYN_RECEIVED),
}, {
	/* The capture misses the client's third segment and its 100 bytes
	 * (asymmetric): the server's data acks 1101, so it had them and
	 * was ESTABLISHED when it sent (no data_before_established); the
	 * ack covers bytes never shown: ack_unseen_data. SYN-ACK, no third
	 * segment: incomplete. */
	.name = "ack_unseen_data, asymmetric",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.020 < PA 5001 1101 len=200\n",
	.anom = "ack_unseen_data", .frame = 3, .from = "server",
	.absent = "data_before_established",
	.hs = HS(INCOMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The third segment's seq is J = 1000, not J+1 = 1001. */
	.name = "handshake_ack_bad_seq",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1000 5001\n",
	.anom = "handshake_ack_bad_seq", .frame = 3, .from = "client",
}, {
	/* The widely copied wrong explanation: third segment SYN=1, ACK=1.
	 * The correct third step is SYN=0, ACK=1 (SPEC notation). */
	.name = "handshake_ack_has_syn",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > SA 1001 5001\n",
	.anom = "handshake_ack_has_syn", .frame = 3, .from = "client",
}, {
	/* The SYN J=1000 again 1 s later (RTO, RFC 6298): info. The
	 * handshake then completes normally. */
	.name = "syn_retransmitted",
	.scn = "0.000  > S  1000 0\n"
	       "+1.000 > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "syn_retransmitted", .frame = 2, .from = "client",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The SYN-ACK K=5000 again (the third segment was slow): info. */
	.name = "synack_retransmitted",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+1.000 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "synack_retransmitted", .frame = 3, .from = "server",
	.hs = HS(COMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* A second SYN with ISN 7000 while the first (1000) is pending:
	 * still only the client's SYNs seen, so unanswered. */
	.name = "syn_isn_changed",
	.scn = "0.000  > S  1000 0\n"
	       "+1.000 > S  7000 0\n",
	.anom = "syn_isn_changed", .frame = 2, .from = "client",
	.hs = HS(UNANSWERED), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(CLOSED),
}, {
	/* The server sends 100 bytes in SYN_RECEIVED, before the client's
	 * third segment (no TFO: the SYN carried no data). 3.10.7.4: data
	 * queued in SYN-RECEIVED is sent after ESTABLISHED. */
	.name = "data_before_established",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 < PA 5001 1001 len=100\n",
	.anom = "data_before_established", .frame = 3, .from = "server",
}, {
	/* TCP Fast Open (RFC 7413): 20 bytes in the SYN with a cookie.
	 * syn_with_data is info. */
	.name = "syn_with_data",
	.scn = "0.000  > S  1000 0 mss=1460 tfo=0102030405060708 len=20\n"
	       "+0.010 < SA 5000 1021 mss=1460\n"
	       "+0.010 > A  1021 5001\n",
	.anom = "syn_with_data", .frame = 1, .from = "client",
	.hs = HS(COMPLETE),
}, {
	/* The capture starts with the SYN-ACK (the SYN was missed). No SYN
	 * seen: midstream. The SYN-ACK's receiver is the client (SPEC),
	 * here the lower port, so the side is decided by the SYN-ACK. */
	.name = "synack_without_syn",
	.scn = "client 10.0.0.5:1000\n"
	       "server 10.0.0.2:2000\n"
	       "0.000  < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "synack_without_syn", .frame = 1, .from = "server",
	.hs = HS(MIDSTREAM),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* Capture starts inside the connection; the first packet is the
	 * server's (port 80 < 40000: the higher port is the client). */
	.name = "ack_without_handshake",
	.scn = "0.000  < PA 5001 1001 len=100\n"
	       "+0.010 > A  1001 5101\n",
	.anom = "ack_without_handshake", .frame = 1, .from = "server",
	.hs = HS(MIDSTREAM), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* A midstream capture of a bulk transfer: no SYN seen, so no window
	 * scale is known (RFC 7323 2.2: it is in the SYNs). The client's
	 * 502 may be 502 << 7: two 1448-byte segments past 5001 + 502 are
	 * no proof of data beyond the window. */
	.name = "ack_without_handshake, window scale unknown",
	.scn = "0.000  > A  1001 5001 win=502\n"
	       "+0.001 < A  5001 1001 win=509 len=1448\n"
	       "+0.001 < A  6449 1001 win=509 len=1448\n"
	       "+0.001 > A  1001 7897 win=502\n",
	.anom = "ack_without_handshake", .frame = 1, .from = "client",
	.absent = "seq_beyond_window",
	.hs = HS(MIDSTREAM), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The same after a SYN with ws=7 whose SYN-ACK was not captured:
	 * whether the server agreed to scale is unknown. */
	.name = "ack_without_handshake, SYN-ACK missed, scale unknown",
	.scn = "0.000  > S  1000 0 mss=1460 ws=7\n"
	       "+0.020 > A  1001 5001 win=502\n"
	       "+0.001 < A  5001 1001 win=509 len=1448\n"
	       "+0.001 < A  6449 1001 win=509 len=1448\n",
	.anom = "ack_without_handshake", .frame = 2, .from = "client",
	.absent = "seq_beyond_window",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* A client-only capture (asymmetric routing): SYN J=1000, then the
	 * client's ACK of K+1=5001, 100 bytes and its FIN u=1101. An ACK
	 * from SYN_SENT means the SYN-ACK arrived (3.10.7.3): the handshake
	 * completed. The server, which got that ACK and the FIN, is
	 * CLOSE_WAIT; the client's FIN is never seen acked: half_closed. */
	.name = "ack_without_handshake, client-only capture",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 > A  1001 5001\n"
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.010 > FA 1101 5001\n",
	.anom = "ack_without_handshake", .frame = 2, .from = "client",
	.absent = "handshake_ack_bad_seq",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_1), .sst = ST(CLOSE_WAIT),
}, {
	/* Only the SYN-ACK is missing: the server's ACK, FIN and the rest
	 * are seen. A graceful close by the client, not a server FIN
	 * "from CLOSED". */
	.name = "ack_without_handshake, SYN-ACK not captured",
	.scn = "0.000  > S  1000 0\n"
	       "+0.020 > A  1001 5001\n"
	       DATA CLIENT_CLOSE_AFTER_DATA,
	.anom = "ack_without_handshake", .frame = 2, .from = "client",
	.absent = "fin_before_established",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The SYN-ACK captured after the third segment (both directions
	 * on different queues): the same close; the SYN-ACK acks J+1. */
	.name = "ack_without_handshake, SYN-ACK captured late",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 > A  1001 5001\n"
	       "+0.00001 < SA 5000 1001\n"
	       DATA CLIENT_CLOSE_AFTER_DATA,
	.anom = "ack_without_handshake", .frame = 2, .from = "client",
	.absent = "synack_bad_ack",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The server's ACK of the client's FIN (u+1 = 1002) captured
	 * before the FIN, and the server never closes: the FIN was acked
	 * (the client is FIN_WAIT_2), no fin_unacked. */
	.name = "half_closed, the ACK of the FIN captured before it",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1002\n"
	       "+0.00001 > FA 1001 5001\n",
	.anom = "half_closed", .frame = 5, .from = "client",
	.absent = "fin_unacked",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_2), .sst = ST(CLOSE_WAIT),
}, {
	/* After the SYN, a segment with ACK set that acks 0: no SYN-ACK
	 * it could answer (K+1 = 0 once in 2^32), a forged or broken
	 * segment. The client stays SYN_SENT, nothing completed. */
	.name = "an ACK of 0 from SYN_SENT shows no SYN-ACK",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 > PA 1001 0 len=10\n",
	.anom = "data_before_established", .frame = 2, .from = "client",
	.absent = "ack_without_handshake",
	.hs = HS(UNANSWERED), .cst = ST(SYN_SENT), .sst = ST(CLOSED),
}, {
	/* A connection to itself: every segment goes one way, its own
	 * SYN-ACK too (which answers no SYN of a peer). Its ACK is no
	 * sign of a SYN-ACK the capture missed. */
	.name = "synack_from_client, a connection to itself",
	.scn = "client 127.0.0.1:5000\n"
	       "server 127.0.0.1:5000\n"
	       "0.000  > S  1000 0\n"
	       "+0.010 > SA 1000 1001\n"
	       "+0.010 > A  1001 1001\n",
	.anom = "synack_from_client", .frame = 2, .from = "client",
	.absent = "ack_without_handshake",
	.hs = HS(UNANSWERED),
}, {
	/* u = 1101 (one past the last data byte 1100); the FIN says 1099. */
	.name = "fin_bad_seq behind",
	.scn = HANDSHAKE DATA
	       "+0.010 > FA 1099 5001\n",
	.anom = "fin_bad_seq", .frame = 6, .from = "client",
}, {
	/* The FIN says 1201, skipping 100 bytes (1101..1200) that never
	 * appear and that the server never acks (it keeps acking 1101). */
	.name = "fin_bad_seq ahead",
	.scn = HANDSHAKE DATA
	       "+0.010 > FA 1201 5001\n"
	       "+0.010 < A  5001 1101\n",
	.anom = "fin_bad_seq", .frame = 6, .from = "client",
	.absent = "capture_gap",
}, {
	/* The same FIN 100 bytes ahead, but the server acks it (1202) and
	 * closes: the bytes were on the wire and the capture lost them.
	 * A capture gap at the FIN's frame, not a bad FIN. */
	.name = "capture_gap before a FIN",
	.scn = HANDSHAKE DATA
	       "+0.010 > FA 1201 5001\n"
	       "+0.010 < A  5001 1202\n"
	       "+0.010 < FA 5001 1202\n"
	       "+0.010 > A  1202 5002\n",
	.anom = "capture_gap", .frame = 6, .from = "client",
	.absent = "fin_bad_seq",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* FIN u=1101 (frame 6). The server answers with a pure ACK of 1101
	 * (frame 7), repeating the ack it already sent: an answer to the
	 * FIN that stops at u, short of u+1 = 1102; then its own FIN with
	 * ack u. The error is the answer, frame 7. */
	.name = "fin_ack_bad_ack answer",
	.scn = HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.010 < FA 5001 1101\n"
	       "+0.010 > A  1102 5002\n",
	.anom = "fin_ack_bad_ack", .frame = 7, .from = "server",
}, {
	/* FIN u=1101, retransmitted (frame 7: so it had time to arrive);
	 * the server answers ack 1101 = u (frame 8). */
	.name = "fin_ack_bad_ack after retransmission",
	.scn = HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.200 > FA 1101 5001\n"
	       "+0.010 < A  5001 1101\n",
	.anom = "fin_ack_bad_ack", .frame = 8, .from = "server",
	.also = "fin_retransmitted", .also_frame = 7, .also_from = "client",
}, {
	/* The server acks u+2 = 1003, one past the client's FIN: bytes
	 * never sent, an unacceptable ACK that acks nothing (3.10.7.4 fifth
	 * check: the client's FIN stays unacked, fin_unacked), but the server
	 * counted the FIN, so it was CLOSE_WAIT and its FIN takes it to
	 * LAST_ACK, not CLOSING (no crossing); the client's ACK of W+1 =
	 * 5002 closes it. The client, its FIN unacked, got the server's FIN:
	 * CLOSING. */
	.name = "ack_unseen_data, the FIN over-acked",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1003\n"
	       "+0.010 < FA 5001 1003\n"
	       "+0.010 > A  1002 5002\n",
	.anom = "ack_unseen_data", .frame = 5, .from = "server",
	.also = "fin_unacked", .also_frame = 4, .also_from = "client",
	.hs = HS(COMPLETE), .td = TD(UNACKED),
	.cst = ST(CLOSING), .sst = ST(CLOSED),
}, {
	/* Crossing FINs (the server's FIN acks only u = 1001, so it had not
	 * got the client's FIN): both go to CLOSING. The client acks the
	 * server's FIN (W+1 = 5002): server CLOSING -> TIME_WAIT. The
	 * server never acks u+1 = 1002: the client's FIN is unacked, the
	 * client stays CLOSING. Both FINs, one unacked: unacked. */
	.name = "fin_unacked",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > A  1002 5002\n",
	.anom = "fin_unacked", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(UNACKED),
	.cst = ST(CLOSING), .sst = ST(TIME_WAIT),
}, {
	/* The FIN u=1001 sent twice, 300 ms apart: info. Then the close
	 * completes: graceful, client TIME_WAIT, server CLOSED. */
	.name = "fin_retransmitted",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.300 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 < FA 5001 1002\n"
	       "+0.010 > A  1002 5002\n",
	.anom = "fin_retransmitted", .frame = 5, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* FIN at 1001 (acked), then 10 new bytes at 1002 from the client. */
	.name = "data_after_fin",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 > PA 1002 5001 len=10\n",
	.anom = "data_after_fin", .frame = 6, .from = "client",
}, {
	/* The server's FIN W=5001 (frame 6) is never acked with W+1: the
	 * passive closer stays LAST_ACK; the client got the FIN in
	 * FIN_WAIT_2 and is in TIME_WAIT. Both FINs, one unacked. */
	.name = "final_ack_missing",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 < FA 5001 1002\n",
	.anom = "final_ack_missing", .frame = 6, .from = "server",
	.hs = HS(COMPLETE), .td = TD(UNACKED),
	.cst = ST(TIME_WAIT), .sst = ST(LAST_ACK),
}, {
	/* The client closes (acked), the server goes on sending and never
	 * closes: client FIN_WAIT_2, server CLOSE_WAIT, at the end. The
	 * packet that showed it is the lone FIN. */
	.name = "half_closed",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 < PA 5001 1002 len=50\n"
	       "+0.010 > A  1002 5051\n",
	.anom = "half_closed", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_2), .sst = ST(CLOSE_WAIT),
}, {
	/* Textbook client close, the final ACK at frame 7; 1 s later
	 * (well inside 2MSL = 60 s) the client reuses the 4-tuple with a
	 * new SYN (frame 8): it left TIME_WAIT early. The old record gets
	 * the anomaly; the SYN starts a second record. The client's
	 * final state in the old record is CLOSED (it visibly left). */
	.name = "missing_time_wait reuse",
	.scn = HANDSHAKE CLIENT_CLOSE
	       "+1.000 > S  9000 0\n",
	.anom = "missing_time_wait", .frame = 8, .from = "client",
	.conn = 0, .nconns = 2,
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(CLOSED), .sst = ST(CLOSED),
}, {
	/* Textbook client close; the server's FIN is retransmitted 200 ms
	 * later (frame 8: the final ACK was lost), and the client answers
	 * with an RST (frame 9) instead of a new ACK: it is no longer in
	 * TIME_WAIT. The server was in LAST_ACK, so the RST also falls in
	 * rst_during_close. */
	.name = "missing_time_wait rst",
	.scn = HANDSHAKE CLIENT_CLOSE
	       "+0.200 < FA 5001 1002\n"
	       "+0.001 > R  1002 0\n",
	.anom = "missing_time_wait", .frame = 9, .from = "client",
	.also = "rst_during_close", .also_frame = 9, .also_from = "client",
	.nconns = 1,
}, {
	/* The same, answered with new data instead of an ACK. */
	.name = "missing_time_wait data",
	.scn = HANDSHAKE CLIENT_CLOSE
	       "+0.200 < FA 5001 1002\n"
	       "+0.001 > PA 1002 5002 len=10\n",
	.anom = "missing_time_wait", .frame = 9, .from = "client",
	.also = "data_after_fin", .also_frame = 9, .also_from = "client",
}, {
	/* The client's FIN is acked (client FIN_WAIT_2, server
	 * CLOSE_WAIT), then the server resets (seq 5001, its next): an RST
	 * during the close. It ends the connection: teardown reset by the
	 * server, both CLOSED. */
	.name = "rst_during_close",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 < R  5001 0\n",
	.anom = "rst_during_close", .frame = 6, .from = "server",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED),
}, {
	/* The client's FIN_WAIT_2 timed out (Linux tcp_fin_timeout) before
	 * the server's FIN, 3.5 s later, which it answers with RST (seq
	 * 1002: SEG.ACK, RFC 9293 3.10.7.1, no TCB). It never acked that
	 * FIN, so it never held TIME_WAIT: rst_during_close (the server in
	 * LAST_ACK), not missing_time_wait (SPEC: within 2MSL of its final
	 * ACK). Reset by the client, both CLOSED. */
	.name = "rst_during_close, FIN_WAIT_2 timed out",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+3.500 < FA 5001 1002\n"
	       "+0.001 > R  1002 0\n",
	.anom = "rst_during_close", .frame = 7, .from = "client",
	.absent = "missing_time_wait",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED),
}, {
	/* After its FIN (acked), the client aborts with an RST carrying 10
	 * bytes: diagnostic text (RFC 9293 3.5.3), not stream data, so no
	 * data_after_fin; the RST during the close is the finding. */
	.name = "rst_during_close, RST with diagnostic data",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 > RA 1002 5001 win=0 len=10\n",
	.anom = "rst_during_close", .frame = 6, .from = "client",
	.absent = "data_after_fin",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED),
}, {
	/* An RST "from the server" with seq 105001, 100000 past the
	 * server's next seq 5001 and far beyond the client's 65535-byte
	 * window: RFC 5961 3.2, ignored. The conversation goes on: both
	 * still ESTABLISHED, no RST ended it (open). */
	.name = "rst_out_of_window",
	.scn = HANDSHAKE
	       "+0.010 < R  105001 0\n"
	       "+0.010 > PA 1001 5001 len=10\n"
	       "+0.010 < A  5001 1011\n",
	.anom = "rst_out_of_window", .frame = 4, .from = "server",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* SPEC fin_ack_bad_ack, "sent its own FIN afterwards with ack u":
	 * the client sends 100 bytes and its FIN u = 1101 (frame 5); the
	 * server acks 1101 = u (frame 6: it acks the data, which may have
	 * been sent before the FIN arrived), then sends its FIN with ack u
	 * again (frame 7). Having sent a segment since the client's FIN, its
	 * FIN is no crossing one: the FIN had reached it, and u+1 = 1102 is
	 * owed. The client's FIN stays unacked: the client, in FIN_WAIT_1,
	 * gets the server's FIN and is left in CLOSING (3.10.7.4). */
	.name = "fin_ack_bad_ack, own FIN afterwards",
	.scn = HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.001 > FA 1101 5001\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.010 < FA 5001 1101\n"
	       "+0.010 > A  1102 5002\n",
	.anom = "fin_ack_bad_ack", .frame = 7, .from = "server",
	.hs = HS(COMPLETE), .td = TD(UNACKED),
	.cst = ST(CLOSING), .sst = ST(CLOSED),
}, {
	/* A FIN, with ACK, from the server before it ever sent its SYN-ACK
	 * (frame 2): the server is CLOSED/LISTEN, which discards a FIN
	 * (RFC 9293 3.10.7.1-2), so it closes nothing: flagged, then the
	 * real handshake and a clean client close, W = 5001 = K+1. */
	.name = "fin_before_established",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < FA 0 1001\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n"
	       CLIENT_CLOSE,
	.anom = "fin_before_established", .frame = 2, .from = "server",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* An RST "from the server" at exactly its next seq 5001 (frame 4)
	 * is acceptable and closes both; but the client goes on sending
	 * in its own sequence space (frame 5, seq 1001 = its next; 30 ms
	 * later, more than the handshake's 20 ms round trip, so sent after
	 * the RST arrived) and the server acks it: that RST never took
	 * (rejected or injected). Undone: the close that follows is
	 * graceful, u = 1101, W = 5001. */
	.name = "rst_ignored",
	.scn = HANDSHAKE
	       "+0.010 < R  5001 0\n"
	       "+0.030 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n"
	       CLIENT_CLOSE_AFTER_DATA,
	.anom = "rst_ignored", .frame = 5, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The server's RST at 5001 (frame 5, acceptable) meets the client's
	 * FIN u = 1101 (frame 6, 4 ms later: within the client's round trip
	 * of 10 ms plus a quarter, so sent before the RST arrived; it
	 * crossed it and moves nobody). 295 ms later the client sends its
	 * FIN again (frame 7): it still had its connection, so the RST was
	 * not taken. Undone, the crossing FIN counts: client FIN_WAIT_1,
	 * server CLOSE_WAIT, the FIN never acked and no FIN from the
	 * server: half_closed. (The server sends nothing since: no RST of
	 * a closed host's that would show it did send the first.) */
	.name = "rst_ignored after a FIN that crossed the RST",
	.scn = HANDSHAKE
	       "+0.080 > PA 1001 5001 len=100\n"
	       "+0.001 < R  5001 0\n"
	       "+0.004 > FA 1101 5001\n"
	       "+0.295 > FA 1101 5001\n",
	.anom = "rst_ignored", .frame = 7, .from = "client",
	.also = "fin_retransmitted", .also_frame = 7, .also_from = "client",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_1), .sst = ST(CLOSE_WAIT),
}, {
	/* The same; then the server acks the FIN sent again (frame 8, ack
	 * u+1 = 1102): it still had its connection too, so the RST was not
	 * its own (injected): the states given back stand, server
	 * CLOSE_WAIT, the FIN acked and no FIN from the server,
	 * half_closed; no second rst_ignored. */
	.name = "rst_ignored, then the RST's sender shows it was not its",
	.scn = HANDSHAKE
	       "+0.080 > PA 1001 5001 len=100\n"
	       "+0.001 < R  5001 0\n"
	       "+0.004 > FA 1101 5001\n"
	       "+0.295 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n",
	.anom = "rst_ignored", .frame = 7, .from = "client",
	.absent = "fin_ack_bad_ack",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_2), .sst = ST(CLOSE_WAIT),
}, {
	/* The same crossing FIN; then the server acks it (frame 7, ack u+1
	 * = 1102, 195 ms after its RST: the RST did not end the
	 * connection), sends its FIN W = 5001 and the client acks W+1: a
	 * graceful close by the client, which holds TIME_WAIT. */
	.name = "rst_ignored: the RST's sender acks the crossing FIN",
	.scn = HANDSHAKE
	       "+0.080 > PA 1001 5001 len=100\n"
	       "+0.001 < R  5001 0\n"
	       "+0.004 > FA 1101 5001\n"
	       "+0.195 < A  5001 1102\n"
	       "+0.100 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n",
	.anom = "rst_ignored", .frame = 7, .from = "server",
	.absent = "fin_before_established",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* SPEC bad_flags: SYN+FIN. Moves nobody: the close that follows is
	 * graceful, client TIME_WAIT, server CLOSED. */
	.name = "bad_flags SYN+FIN",
	.scn = HANDSHAKE
	       "+0.010 > SF 1001 5001\n"
	       CLIENT_CLOSE,
	.anom = "bad_flags", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	.name = "bad_flags SYN+RST",
	.scn = HANDSHAKE
	       "+0.010 > SR 1001 5001\n"
	       CLIENT_CLOSE,
	.anom = "bad_flags", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* No flags at all (a null scan). */
	.name = "bad_flags none",
	.scn = HANDSHAKE
	       "+0.010 > . 1001 5001\n"
	       CLIENT_CLOSE,
	.anom = "bad_flags", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* All flags (a "Christmas tree"); its RST bit must not end it. */
	.name = "bad_flags all",
	.scn = HANDSHAKE
	       "+0.010 > FSRPAUEC 1001 5001\n"
	       CLIENT_CLOSE,
	.anom = "bad_flags", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The client acks 5101: 100 server bytes the capture never showed
	 * (the server's next seq seen is 5001). */
	.name = "ack_unseen_data",
	.scn = HANDSHAKE
	       "+0.010 > A  1001 5101\n",
	.anom = "ack_unseen_data", .frame = 4, .from = "client",
}, {
	/* Server bytes 5001..5100 (frame 4), then 5201..5300 (frame 5):
	 * frame 5 starts 100 past the server's next seq 5101. The client
	 * acks all of it, so the bytes were sent and the capture lost
	 * them; they never appear. */
	.name = "capture_gap",
	.scn = HANDSHAKE
	       "+0.010 < PA 5001 1001 len=100\n"
	       "+0.010 < PA 5201 1001 len=100\n"
	       "+0.010 > A  1001 5101\n"
	       "+0.010 > A  1001 5301\n",
	.anom = "capture_gap", .frame = 5, .from = "server",
	.absent = "ack_unseen_data",
},
/* ---- the catalogue beyond SPEC's minimum (src/anomaly.def) ---------- */
{
	/* The client, SYN_SENT, sends a SYN-ACK though the server sent no
	 * SYN: it answers nothing (3.10.7.3; a SYN-ACK from SYN_SENT is a
	 * simultaneous open only after the peer's SYN, 3.5 figure 7). Not
	 * the handshake's SYN-ACK, nor a retransmission of the client's
	 * SYN (same seq): only the client's segments were seen, so
	 * unanswered, the client still SYN_SENT. */
	.name = "synack_from_client",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 > SA 1000 5001\n",
	.anom = "synack_from_client", .frame = 2, .from = "client",
	.absent = "synack_retransmitted",
	.hs = HS(UNANSWERED), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(CLOSED),
}, {
	/* A SYN on a synchronized connection with a new seq (3000): the
	 * server answers with a challenge ACK (3.10.7.4; RFC 5961 4) and
	 * both stay ESTABLISHED. */
	.name = "unexpected_syn",
	.scn = HANDSHAKE
	       "+1.000 > S  3000 0\n"
	       "+0.001 < A  5001 1001\n",
	.anom = "unexpected_syn", .frame = 4, .from = "client",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The server's SYN-ACK again 1 s later with another ISN, 6000
	 * instead of K = 5000 (3.4.1: a new ISN is a new incarnation); the
	 * client acks the second, 6001. */
	.name = "synack_isn_changed",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+1.000 < SA 6000 1001\n"
	       "+0.010 > A  1001 6001\n",
	.anom = "synack_isn_changed", .frame = 3, .from = "server",
	.absent = "synack_retransmitted",
	.hs = HS(COMPLETE),
}, {
	/* RST,ACK to the client's SYN acking 1005, not J+1 = 1001: in
	 * SYN_SENT an RST is acceptable only if its ACK acks the SYN
	 * (3.10.7.3), so it is dropped; the SYN is sent again and the
	 * handshake completes. Not refused. */
	.name = "rst_bad_ack",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < RA 0    1005\n"
	       "+1.000 > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "rst_bad_ack", .frame = 2, .from = "server",
	.also = "syn_retransmitted", .also_frame = 3, .also_from = "client",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The server offers a window of 1000 (a SYN-ACK's window is never
	 * scaled, RFC 7323 2.2): RCV.NXT 1001 + 1000 = 2001 is the right
	 * edge, and the client sends 1001..2500, 500 bytes past it
	 * (3.10.7.4 first check: only the part in the window is taken). */
	.name = "seq_beyond_window",
	.scn = "0.000  > S  1000 0 win=64240\n"
	       "+0.010 < SA 5000 1001 win=1000\n"
	       "+0.010 > A  1001 5001 win=64240\n"
	       "+0.010 > PA 1001 5001 win=64240 len=1500\n",
	.anom = "seq_beyond_window", .frame = 4, .from = "client",
}, {
	/* An MSS option of length 3 (kind 2 is 4 bytes long, 3.2). */
	.name = "bad_tcp_option",
	.scn = "0.000  > S  1000 0 opt=020300\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "bad_tcp_option", .frame = 1, .from = "client",
	.hs = HS(COMPLETE),
}, {
	/* Window scale 15: above 14, used as 14 (RFC 7323 2.3). */
	.name = "wscale_clamped",
	.scn = "0.000  > S  1000 0 ws=15\n"
	       "+0.010 < SA 5000 1001 ws=7\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "wscale_clamped", .frame = 1, .from = "client",
	.hs = HS(COMPLETE),
}, {
	/* The snaplen (caplen 60: Ethernet 14, IP 20, TCP 20 and 6 of the
	 * SYN's 20 option bytes) cut the SYN's options: MSS and SACK
	 * permitted whole, the timestamps cut (no bad_tcp_option for the
	 * cut one). The fixed header is whole, so the handshake is judged
	 * as usual: SYN, SYN-ACK, third ACK, complete. */
	.name = "truncated_segment",
	.scn = "0.000  > S  1000 0 mss=1460 sackok ts=1,0 nop ws=7 caplen=60\n"
	       "+0.010 < SA 5000 1001 mss=1460\n"
	       "+0.010 > A  1001 5001\n",
	.anom = "truncated_segment", .frame = 1, .from = "client",
	.absent = "bad_tcp_option",
	.hs = HS(COMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* Cut before the window (caplen 48: 14 bytes of TCP, as tcpdump -s
	 * 68 leaves of IPv6): ports, numbers and flags are there, so the
	 * SYN counts. Its window scale unknown, no window is checked: the
	 * 100 bytes past the SYN-ACK's zero window are seq_beyond_window
	 * without the cut (by hand: edge 1001 + 0, data to 1101), not with
	 * it. */
	.name = "truncated_segment, window cut",
	.scn = "0.000  > S  1000 0 mss=1460 caplen=48\n"
	       "+0.010 < SA 5000 1001 win=0\n"
	       "+0.010 > A  1001 5001\n"
	       "+0.010 > PA 1001 5001 len=100\n",
	.anom = "truncated_segment", .frame = 1, .from = "client",
	.absent = "seq_beyond_window",
	.hs = HS(COMPLETE),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
}, {
	/* The SYN answered by an ICMP port unreachable from the server's
	 * address (a firewall's REJECT, or a host with no listener and no
	 * RST): icmp_unreachable at its frame, from the server's side. The
	 * ICMP is no segment: the client stays SYN_SENT (3.10.7.3 names
	 * only segments; Linux gives up on the socket, others retry), the
	 * outcome is SPEC's unanswered. */
	.name = "icmp_unreachable",
	.scn = "0.000  > S  1000 0\n"
	       "+0.001 > S  1000 0 icmp=3/3\n",
	.anom = "icmp_unreachable", .frame = 2, .from = "server",
	.absent = "syn_retransmitted",
	.nconns = 1, .hs = HS(UNANSWERED), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(CLOSED),
}, {
	/* ICMPv6 administratively prohibited from a router (2001:db8::fe)
	 * about the client's data on an established connection. */
	.name = "icmp_unreachable from a router, IPv6",
	.scn = "client [2001:db8::1]:40000\n"
	       "server [2001:db8::2]:80\n"
	       HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.001 > PA 1001 5001 len=100 icmp=1/1 icmpfrom=router\n",
	.anom = "icmp_unreachable", .frame = 5, .from = "server",
	.nconns = 1, .hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED),
},
};

/* The first rst_during_close's detail of conn 0 holds want. */
static void
assert_rst_detail(const struct tu_result *r, const char *want)
{
	const struct tu_conn *t = &r->conns[0];

	for (unsigned i = 0; i < t->nanoms; i++)
		if (strcmp(t->anoms[i].name, "rst_during_close") == 0) {
			ck_assert_msg(strstr(t->anoms[i].detail, want) != NULL,
			    "detail: %s", t->anoms[i].detail);
			return;
		}
	ck_abort_msg("no rst_during_close");
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_anomaly)
{
	const struct acase *c = &anomaly_cases[_i];
	struct tu_result r;

	tu_run(c->scn, &r);
	if (c->nconns)
		ck_assert_msg(r.nconns == c->nconns, "%s: %u records, want %u",
		    c->name, r.nconns, c->nconns);
	ck_assert_msg(c->conn < r.nconns, "%s: no record %u", c->name,
	    c->conn);
	ck_assert_msg(tu_has_anom(&r, c->conn, c->anom, c->frame, c->from),
	    "%s: want %s at frame %llu from %s; got %s", c->name, c->anom,
	    (unsigned long long)c->frame, c->from, tu_dump(&r, c->conn));
	if (c->also)
		ck_assert_msg(tu_has_anom(&r, c->conn, c->also, c->also_frame,
		    c->also_from), "%s: want also %s at frame %llu from %s; "
		    "got %s", c->name, c->also,
		    (unsigned long long)c->also_frame, c->also_from,
		    tu_dump(&r, c->conn));
	if (c->absent)
		ck_assert_msg(tu_count_anom(&r, c->conn, c->absent) == 0,
		    "%s: %s not due; got %s", c->name, c->absent,
		    tu_dump(&r, c->conn));
	const struct tu_conn *t = &r.conns[c->conn];
	if (c->hs)
		ck_assert_msg(t->hs == c->hs - 1, "%s: handshake %s, want %s; "
		    "%s", c->name, hs_outcome_name[t->hs],
		    hs_outcome_name[c->hs - 1], tu_dump(&r, c->conn));
	if (c->td)
		ck_assert_msg(t->td == c->td - 1, "%s: teardown %s, want %s; "
		    "%s", c->name, td_outcome_name[t->td],
		    td_outcome_name[c->td - 1], tu_dump(&r, c->conn));
	if (c->cst)
		ck_assert_msg(t->st[TU_CLIENT] == c->cst - 1, "%s: client %s, "
		    "want %s; %s", c->name, tu_state(t->st[TU_CLIENT]),
		    tu_state(c->cst - 1), tu_dump(&r, c->conn));
	if (c->sst)
		ck_assert_msg(t->st[TU_SERVER] == c->sst - 1, "%s: server %s, "
		    "want %s; %s", c->name, tu_state(t->st[TU_SERVER]),
		    tu_state(c->sst - 1), tu_dump(&r, c->conn));
}
END_TEST

/* Every anomaly SPEC.md names has a row above (the table cannot drift
 * from the list): SPEC's minimum set. */
START_TEST(test_every_spec_anomaly_has_a_case)
{
	static const char *const spec[] = {
		"synack_bad_ack", "handshake_ack_bad_ack",
		"handshake_ack_bad_seq", "handshake_ack_has_syn",
		"syn_retransmitted", "synack_retransmitted",
		"syn_isn_changed", "data_before_established",
		"syn_with_data", "synack_without_syn",
		"ack_without_handshake", "fin_bad_seq", "fin_ack_bad_ack",
		"fin_unacked", "fin_retransmitted", "data_after_fin",
		"final_ack_missing", "half_closed", "missing_time_wait",
		"rst_during_close", "rst_out_of_window", "bad_flags",
		"ack_unseen_data", "capture_gap", "truncated_segment",
	};
	for (size_t i = 0; i < N(spec); i++) {
		bool found = false;
		for (size_t k = 0; k < N(anomaly_cases) && !found; k++)
			found = strcmp(anomaly_cases[k].anom, spec[i]) == 0;
		ck_assert_msg(found, "no case for %s", spec[i]);
	}
}
END_TEST

/* Every anomaly of the catalogue has a row above: an anomaly added to
 * src/anomaly.def needs a case here. */
START_TEST(test_every_anomaly_has_a_case)
{
	for (int id = ANOM_NONE + 1; id < ANOM_MAX; id++) {
		const char *name = anomaly_name((enum anom_id)id);
		bool found = false;
		for (size_t k = 0; k < N(anomaly_cases) && !found; k++)
			found = strcmp(anomaly_cases[k].anom, name) == 0;
		ck_assert_msg(found, "no case for %s", name);
	}
}
END_TEST

/* ==== handshake and teardown outcomes ================================= */

struct ocase {
	const char *name;
	const char *scn;
	int hs, td;		/* + 1 */
	int cst, sst;		/* + 1 */
	int initiator;		/* TU_CLIENT + 1, TU_SERVER + 1, 0 unchecked */
	int reset_by;		/* idem */
	bool both_closing;	/* both passed CLOSING */
	bool clean;		/* no warning or error is due */
};

#define CLIENT (TU_CLIENT + 1)
#define SERVER (TU_SERVER + 1)

static const struct ocase outcome_cases[] = {
{
	/* SPEC's notation, start to end: SYN, SYN-ACK, ACK; data; the
	 * client closes (u=1101, V=W=5001). Client TIME_WAIT (the last
	 * packet is its final ACK, 2MSL not over), server CLOSED. */
	.name = "complete + graceful, client closes",
	.scn = HANDSHAKE DATA CLIENT_CLOSE_AFTER_DATA,
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .initiator = CLIENT,
	.clean = true,
}, {
	/* The letters follow the closer: the server sends FIN u=5001,
	 * the client acks u+1, sends FIN W=1001, the server acks W+1. */
	.name = "graceful, server closes",
	.scn = HANDSHAKE
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > A  1001 5002\n"
	       "+0.010 > FA 1001 5002\n"
	       "+0.010 < A  5002 1002\n",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(CLOSED), .sst = ST(TIME_WAIT), .initiator = SERVER,
	.clean = true,
}, {
	/* Three-segment close: the server acks u+1 and sends its FIN in
	 * one segment (FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT, figure 5). */
	.name = "graceful, FIN+ACK in one",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < FA 5001 1002\n"
	       "+0.010 > A  1002 5002\n",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .initiator = CLIENT,
	.clean = true,
}, {
	/* RFC 9293 3.5 figure 7: both send SYN without ACK (the server's
	 * SYN does not ack J: they crossed), then each answers with
	 * SYN,ACK acking the other's ISN+1: both ESTABLISHED. The client
	 * is the first SYN's sender. */
	.name = "simultaneous open",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < S  5000 0\n"
	       "+0.010 > SA 1000 5001\n"
	       "+0.010 < SA 5000 1001\n",
	.hs = HS(SIMULTANEOUS), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED), .clean = true,
}, {
	/* The SYN answered by RST,ACK ack J+1 (3.10.7.1: closed port).
	 * Refused is a normal answer, not an anomaly. Nobody was
	 * established: teardown none. Both CLOSED. */
	.name = "refused",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < RA 0 1001\n",
	.hs = HS(REFUSED), .td = TD(NONE),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = SERVER,
	.clean = true,
}, {
	/* Three SYNs (1 s, 2 s backoff), nothing back: the client waits
	 * in SYN_SENT; the server is never seen (CLOSED; LISTEN is not
	 * inferred). Retransmissions are info. */
	.name = "unanswered",
	.scn = "0.000  > S  1000 0\n"
	       "+1.000 > S  1000 0\n"
	       "+2.000 > S  1000 0\n",
	.hs = HS(UNANSWERED), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(CLOSED), .clean = true,
}, {
	/* SYN, SYN-ACK, and nothing more. The SYN-ACK was seen going to
	 * the client, which is then ESTABLISHED (SPEC observer rule); the
	 * server waits in SYN_RECEIVED. */
	.name = "incomplete",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n",
	.hs = HS(INCOMPLETE), .td = TD(NONE),
	.cst = ST(ESTABLISHED), .sst = ST(SYN_RECEIVED),
}, {
	/* SYN, SYN-ACK, then the client resets (seq J+1, its next) instead
	 * of the third ACK: the RST ended the handshake after the SYN-ACK.
	 * Both CLOSED. */
	.name = "handshake reset",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > R  1001 0\n",
	.hs = HS(RESET), .td = TD(NONE),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = CLIENT,
}, {
	/* No SYN seen: midstream; both taken as ESTABLISHED; no FIN, no
	 * RST: open. ack_without_handshake is info. */
	.name = "midstream",
	.scn = "0.000  > PA 1001 5001 len=10\n"
	       "+0.010 < A  5001 1011\n",
	.hs = HS(MIDSTREAM), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED), .clean = true,
}, {
	/* Midstream, then a textbook close by the client: the teardown is
	 * judged although the handshake was not seen. */
	.name = "midstream + graceful",
	.scn = "0.000  > PA 1001 5001 len=10\n"
	       "+0.010 < A  5001 1011\n"
	       "+0.010 > FA 1011 5001\n"
	       "+0.010 < A  5001 1012\n"
	       "+0.010 < FA 5001 1012\n"
	       "+0.010 > A  1012 5002\n",
	.hs = HS(MIDSTREAM), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .initiator = CLIENT,
	.clean = true,
}, {
	/* 3.6 figure 13, simultaneous close: the FINs cross (the server's
	 * FIN acks 1001 = u, not u+1, so it had not got the client's FIN
	 * when it sent its own); both pass CLOSING; each then acks the
	 * other's FIN and both end in TIME_WAIT. The initiator is the
	 * first FIN's sender. */
	.name = "simultaneous close",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > A  1002 5002\n"
	       "+0.010 < A  5002 1002\n",
	.hs = HS(COMPLETE), .td = TD(SIMULTANEOUS),
	.cst = ST(TIME_WAIT), .sst = ST(TIME_WAIT), .initiator = CLIENT,
	.both_closing = true, .clean = true,
}, {
	/* Client FIN acked, the server never closes. */
	.name = "half_closed",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_2), .sst = ST(CLOSE_WAIT), .initiator = CLIENT,
}, {
	/* Both FINs, the server's never acked: unacked. */
	.name = "unacked",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < FA 5001 1002\n",
	.hs = HS(COMPLETE), .td = TD(UNACKED),
	.cst = ST(TIME_WAIT), .sst = ST(LAST_ACK), .initiator = CLIENT,
}, {
	/* Established, data, then the client aborts (RST seq 1101, its
	 * next): reset by the client, both CLOSED. */
	.name = "teardown reset",
	.scn = HANDSHAKE DATA
	       "+0.010 > RA 1101 5001\n",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = CLIENT,
}, {
	/* An RST after a FIN also ends it by reset (SPEC: "before, during
	 * or after a FIN"). */
	.name = "teardown reset after FIN",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < RA 5001 1002\n",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = SERVER,
	.initiator = CLIENT,
}, {
	/* The server's ack 9999 is beyond anything the client sent (its FIN
	 * u = 1001 ends its stream: SND.NXT = 1002): it acknowledges nothing
	 * (RFC 9293 3.10.7.4, "acks something not yet sent"), so the client
	 * stays in FIN_WAIT_1. Found by fuzz_fsm (a garbage ack had taken a
	 * FIN for acked and left the wrong side in TIME_WAIT). */
	.name = "an ack beyond the FIN acks nothing",
	.scn = HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 9999\n",
	.hs = HS(COMPLETE), .td = TD(HALF_CLOSED),
	.cst = ST(FIN_WAIT_1), .sst = ST(CLOSE_WAIT), .initiator = CLIENT,
}, {
	/* The SYN-ACK captured after the third segment that acks it
	 * (the two directions on different queues), then the server's
	 * banner: the server had the third segment and was ESTABLISHED
	 * when it sent data, no data_before_established. */
	.name = "complete, SYN-ACK captured after the third segment",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 > A  1001 5001\n"
	       "+0.00001 < SA 5000 1001\n"
	       "+0.010 < PA 5001 1001 len=100\n"
	       "+0.010 > A  1001 5101\n",
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED), .clean = true,
}, {
	/* The server closes; its ACK of the client's FIN (W+1 = 1002) is
	 * captured before that FIN. The FIN was acked: graceful, the
	 * client CLOSED from LAST_ACK, not final_ack_missing. */
	.name = "graceful, the final ACK captured before the FIN it acks",
	.scn = HANDSHAKE
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > A  1001 5002\n"
	       "+0.010 < A  5002 1002\n"
	       "+0.00001 > FA 1001 5002\n",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(CLOSED), .sst = ST(TIME_WAIT), .initiator = SERVER,
	.clean = true,
}, {
	/* The client's FIN (u=1101) captured after the server's ACK of it
	 * (u+1) and the server's FIN, which acks u+1 too: the server had
	 * the client's FIN before it sent its own (CLOSE_WAIT, LAST_ACK;
	 * 3.6 figure 12), no simultaneous close: the client closed first. */
	.name = "graceful, the first FIN captured after its ACK and the "
	    "peer's FIN",
	.scn = HANDSHAKE DATA
	       "+0.010 < A  5001 1102\n"
	       "+0.001 < FA 5001 1102\n"
	       "+0.001 > FA 1101 5001\n"
	       "+0.008 > A  1102 5002\n",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .initiator = CLIENT,
	.clean = true,
}, {
	/* Every server segment captured before the client's: the server
	 * acks J+101 and J+102 and sends its FIN (ack J+102), then the
	 * client's data, its FIN (ack K+1: sent before the server's FIN
	 * existed, no fin_ack_bad_ack) and its final ACK. */
	.name = "graceful, all the server's segments captured first",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1101\n"
	       "+0.001 < A  5001 1102\n"
	       "+0.001 < FA 5001 1102\n"
	       "+0.001 > PA 1001 5001 len=100\n"
	       "+0.001 > FA 1101 5001\n"
	       "+0.001 > A  1102 5002\n",
	.hs = HS(COMPLETE), .td = TD(GRACEFUL),
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .initiator = CLIENT,
	.clean = true,
}, {
	/* The client aborts a download (RST at the server's RCV.NXT, 1101,
	 * acceptable: 3.10.7.4) while the server's segments are in flight:
	 * captured 0.1 ms after the RST, less than the handshake's 20 ms
	 * round trip, they were sent before the RST arrived and crossed
	 * it. The reset stands (client and server CLOSED); the server's
	 * FIN among them is counted, and was sent from ESTABLISHED. */
	.name = "reset, the peer's segments crossing the RST",
	.scn = HANDSHAKE DATA
	       "+0.010 > RA 1101 5001\n"
	       "+0.0001 < PA 5001 1101 len=100\n"
	       "+0.0001 < FA 5101 1101\n",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = CLIENT,
	.clean = true,
}, {
	/* The server resets 1 ms after its SYN-ACK (RST at K+1, in window:
	 * both CLOSED). The client's ACK of that SYN-ACK, captured 9 ms
	 * after the RST, went out when the SYN-ACK arrived, before the RST
	 * behind it on the same path: it crossed the RST, whenever it is
	 * captured. The handshake was seen whole (SPEC complete), the
	 * client was ESTABLISHED when the RST ended it: teardown reset, by
	 * the server; no rst_ignored. */
	.name = "reset, the third segment crossing the server's RST",
	.scn = "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.001 < R  5001 0\n"
	       "+0.009 > A  1001 5001\n",
	.hs = HS(COMPLETE), .td = TD(RESET),
	.cst = ST(CLOSED), .sst = ST(CLOSED), .reset_by = SERVER,
	.clean = true,
}, {
	/* No FIN, no RST by the end. */
	.name = "open",
	.scn = HANDSHAKE DATA,
	.hs = HS(COMPLETE), .td = TD(OPEN),
	.cst = ST(ESTABLISHED), .sst = ST(ESTABLISHED), .clean = true,
}, {
	/* The handshake never completed: teardown none. */
	.name = "none",
	.scn = "0.000  > S  1000 0\n",
	.hs = HS(UNANSWERED), .td = TD(NONE),
	.cst = ST(SYN_SENT), .sst = ST(CLOSED), .clean = true,
},
};

START_TEST(test_outcome)
{
	const struct ocase *c = &outcome_cases[_i];
	struct tu_result r;

	tu_run(c->scn, &r);
	tu_assert_nconns(&r, 1);
	const struct tu_conn *t = &r.conns[0];
	ck_assert_msg(t->hs == c->hs - 1 && t->td == c->td - 1,
	    "%s: want %s/%s; got %s", c->name, hs_outcome_name[c->hs - 1],
	    td_outcome_name[c->td - 1], tu_dump(&r, 0));
	ck_assert_msg(t->st[TU_CLIENT] == c->cst - 1 &&
	    t->st[TU_SERVER] == c->sst - 1, "%s: want client %s, server "
	    "%s; got %s", c->name, tu_state(c->cst - 1), tu_state(c->sst - 1),
	    tu_dump(&r, 0));
	if (c->initiator)
		ck_assert_msg(t->initiator == c->initiator - 1,
		    "%s: initiator; got %s", c->name, tu_dump(&r, 0));
	if (c->reset_by)
		ck_assert_msg(t->reset_by == c->reset_by - 1,
		    "%s: reset_by; got %s", c->name, tu_dump(&r, 0));
	if (c->both_closing)
		ck_assert_msg(t->passed_closing[TU_CLIENT] &&
		    t->passed_closing[TU_SERVER], "%s: both should pass "
		    "CLOSING; got %s", c->name, tu_dump(&r, 0));
	if (c->clean)
		ck_assert_msg(tu_no_warnings(&r, 0), "%s: no warning due; "
		    "got %s", c->name, tu_dump(&r, 0));
}
END_TEST

/* ==== clean conversations ============================================== */

/* The handshake with timestamps (client TSval 1, 2; server 7), and a
 * client close at u = 1201 after 200 bytes, for the hole fillers below. */
#define TS_HANDSHAKE \
	"0.000  > S  1000 0 ts=1,0\n" \
	"+0.010 < SA 5000 1001 ts=7,1\n" \
	"+0.010 > A  1001 5001 ts=2,7\n"
#define TS_CLOSE_1201 \
	"+0.010 > FA 1201 5001 ts=500,9\n" \
	"+0.010 < A  5001 1202 ts=10,500\n" \
	"+0.010 < FA 5001 1202 ts=10,500\n" \
	"+0.010 > A  1202 5002 ts=501,10\n"

struct ccase {
	const char *name;
	const char *scn;
	int cst, sst;		/* + 1 (0: not checked) */
	const char *info;	/* the one info anomaly allowed, or NULL */
	int retrans_client;	/* expected client retransmissions + 1 */
	uint64_t bytes_client;	/* expected client payload bytes (0: -) */
};

static const struct ccase clean_cases[] = {
{
	.name = "normal close by the client",
	.scn = HANDSHAKE DATA CLIENT_CLOSE_AFTER_DATA,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* Server sends 200 bytes (5001..5200), then closes: u=5201. */
	.name = "normal close by the server",
	.scn = HANDSHAKE DATA
	       "+0.010 < PA 5001 1101 len=200\n"
	       "+0.010 > A  1101 5201\n"
	       "+0.010 < FA 5201 1101\n"
	       "+0.010 > A  1101 5202\n"
	       "+0.010 > FA 1101 5202\n"
	       "+0.010 < A  5202 1102\n",
	.cst = ST(CLOSED), .sst = ST(TIME_WAIT),
}, {
	/* The FIN rides on the last 100 data bytes: data 1001..1100, FIN
	 * at u = 1101 (seq + len), acked with 1102. */
	.name = "FIN carrying data",
	.scn = HANDSHAKE
	       "+0.010 > FPA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* The server's ACK of the first 50 bytes (1051) captured before the
	 * 100-byte segment it partly acks (the directions reordered by the
	 * capture): each of the 100 bytes is counted once. */
	.name = "data partly acked before it was captured",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1051\n"
	       "+0.0001 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n"
	       CLIENT_CLOSE_AFTER_DATA,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* The ACK of the data (1101) but not of the FIN captured before
	 * the FIN that carries that data: 100 bytes, then the close. */
	.name = "FIN with data, its data acked before it was captured",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1101\n"
	       "+0.0001 > FPA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* Keep-alives (RFC 9293 3.8.4): seq = next-1 = 1100 with no data,
	 * and with one garbage byte; each answered by an ACK of 1101.
	 * Neither is a retransmission nor new data. */
	.name = "keep-alives",
	.scn = HANDSHAKE DATA
	       "+10.0  > A  1100 5001\n"
	       "+0.010 < A  5001 1101\n"
	       "+10.0  > A  1100 5001 len=1\n"
	       "+0.010 < A  5001 1101\n"
	       CLIENT_CLOSE_AFTER_DATA,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 1,
	.bytes_client = 100,
}, {
	/* The 100 bytes sent twice (RTO 300 ms), then acked: one
	 * retransmission, counted, not an anomaly. */
	.name = "retransmitted data",
	.scn = HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.300 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n"
	       CLIENT_CLOSE_AFTER_DATA,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 2,
	.bytes_client = 100,
}, {
	/* 1101..1200 overtakes 1001..1100: the server dup-acks 1001 with a
	 * SACK block, the missing segment arrives, the server acks 1201.
	 * The hole was filled: no capture gap, 200 bytes, no
	 * retransmission (the late segment is new data). */
	.name = "out-of-order data later filled",
	.scn = HANDSHAKE
	       "+0.010 > PA 1101 5001 len=100\n"
	       "+0.010 < A  5001 1001 sack=1101-1201\n"
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1201\n"
	       "+0.010 > FA 1201 5001\n"
	       "+0.010 < A  5001 1202\n"
	       "+0.010 < FA 5001 1202\n"
	       "+0.010 > A  1202 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 1,
	.bytes_client = 200,
}, {
	/* The same hole, filled 210 ms after the segment that jumped over it,
	 * far more than the handshake's round trip (20 ms): the client sent
	 * 1001..1100 again, its first copy lost before the capture point.
	 * Every byte was seen once: 200 bytes, no capture_gap; one
	 * retransmission. */
	.name = "data lost before the capture point, sent again",
	.scn = HANDSHAKE
	       "+0.010 > PA 1101 5001 len=100\n"
	       "+0.010 < A  5001 1001 sack=1101-1201\n"
	       "+0.200 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1201\n"
	       "+0.010 > FA 1201 5001\n"
	       "+0.010 < A  5001 1202\n"
	       "+0.010 < FA 5001 1202\n"
	       "+0.010 > A  1202 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 2,
	.bytes_client = 200,
}, {
	/* The same hole filled 210 ms after the jump, but the late segment's
	 * TSval (100) is older than the jumper's (300): it was sent before
	 * the jumper, the first copy, reordered on the way (a receiving
	 * host's queues do this by far more than a LAN's round trip). No
	 * retransmission. */
	.name = "late hole filler with an older TSval: reordered",
	.scn = TS_HANDSHAKE
	       "+0.010 > PA 1101 5001 len=100 ts=300,7\n"
	       "+0.010 < A  5001 1001 ts=8,300\n"
	       "+0.200 > PA 1001 5001 len=100 ts=100,7\n"
	       "+0.010 < A  5001 1201 ts=9,300\n"
	       TS_CLOSE_1201,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 1,
	.bytes_client = 200,
}, {
	/* A filler 5 ms after the jump, less than the handshake's 20 ms
	 * round trip (reordering, by time alone); but its TSval (301) is
	 * newer than the jumper's (300): sent after it, so sent again. One
	 * retransmission. */
	.name = "hole filler with a newer TSval: sent again",
	.scn = TS_HANDSHAKE
	       "+0.010 > PA 1101 5001 len=100 ts=300,7\n"
	       "+0.002 < A  5001 1001 ts=8,300\n"
	       "+0.003 > PA 1001 5001 len=100 ts=301,8\n"
	       "+0.010 < A  5001 1201 ts=9,301\n"
	       TS_CLOSE_1201,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 2,
	.bytes_client = 200,
}, {
	/* A handshake 100 us round (a LAN), the filler 300 us after the
	 * jumper with the same TSval (300): sent in the same millisecond
	 * tick as the jumper, so not after a round trip of its own; a
	 * receiving host's queues reordered it. Without timestamps the
	 * 100 us round trip would make it a retransmission. */
	.name = "hole filler in the jumper's clock tick: reordered",
	.scn = "0.000  > S  1000 0 ts=1,0\n"
	       "+0.00005 < SA 5000 1001 ts=7,1\n"
	       "+0.00005 > A  1001 5001 ts=2,7\n"
	       "+0.010 > PA 1101 5001 len=100 ts=300,7\n"
	       "+0.0003 > PA 1001 5001 len=100 ts=300,7\n"
	       "+0.0001 < A  5001 1201 ts=9,300\n"
	       TS_CLOSE_1201,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 1,
	.bytes_client = 200,
}, {
	/* The same without timestamps: 300 us is more than the 100 us
	 * round trip, so time says sent again (as before). */
	.name = "hole filler after a LAN round trip, no timestamps",
	.scn = "0.000  > S  1000 0\n"
	       "+0.00005 < SA 5000 1001\n"
	       "+0.00005 > A  1001 5001\n"
	       "+0.010 > PA 1101 5001 len=100\n"
	       "+0.0003 > PA 1001 5001 len=100\n"
	       "+0.0001 < A  5001 1201\n"
	       "+0.010 > FA 1201 5001\n"
	       "+0.010 < A  5001 1202\n"
	       "+0.010 < FA 5001 1202\n"
	       "+0.010 > A  1202 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 2,
	.bytes_client = 200,
}, {
	/* Sequence numbers wrap past 2^32 (RFC 9293 3.4), both ways.
	 * 2^32 = 4294967296.
	 * Client J = 4294967000: data 4294967001 + 500 -> 205 (wrapped),
	 *   then 205 + 500 -> 705; FIN u = 705; ack 706.
	 * Server K = 4294967195: data 4294967196 + 300 -> 200 (wrapped);
	 *   FIN W = 200; ack 201. */
	.name = "sequence wrap past 2^32",
	.scn = "0.000  > S  4294967000 0\n"
	       "+0.010 < SA 4294967195 4294967001\n"
	       "+0.010 > A  4294967001 4294967196\n"
	       "+0.010 > PA 4294967001 4294967196 len=500\n"
	       "+0.010 < A  4294967196 205\n"
	       "+0.010 > PA 205 4294967196 len=500\n"
	       "+0.010 < A  4294967196 705\n"
	       "+0.010 < PA 4294967196 705 len=300\n"
	       "+0.010 > A  705 200\n"
	       "+0.010 > FA 705 200\n"
	       "+0.010 < A  200 706\n"
	       "+0.010 < FA 200 706\n"
	       "+0.010 > A  706 201\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .retrans_client = 1,
	.bytes_client = 1000,
}, {
	.name = "IPv6",
	.scn = "client [2001:db8::1]:40000\n"
	       "server [2001:db8::2]:443\n"
	       HANDSHAKE DATA CLIENT_CLOSE_AFTER_DATA,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* Window scale 7 both ways (RFC 7323 2): after the handshake the
	 * client's raw window 502 means 502 << 7 = 64256 bytes. The server
	 * sends 3 x 1448 = 4344 bytes unacked, far above 502 and inside
	 * 64256: in the window. */
	.name = "window scaling",
	.scn = "0.000  > S  1000 0 win=64240 mss=1460 sackok nop ws=7\n"
	       "+0.010 < SA 5000 1001 win=65160 mss=1460 sackok nop ws=7\n"
	       "+0.010 > A  1001 5001 win=502\n"
	       "+0.010 > PA 1001 5001 win=502 len=100\n"
	       "+0.010 < A  5001 1101 win=509\n"
	       "+0.010 < PA 5001 1101 win=509 len=1448\n"
	       "+0.001 < PA 6449 1101 win=509 len=1448\n"
	       "+0.001 < PA 7897 1101 win=509 len=1448\n"
	       "+0.010 > A  1101 9345 win=502\n"
	       "+0.010 > FA 1101 9345 win=502\n"
	       "+0.010 < A  9345 1102 win=509\n"
	       "+0.010 < FA 9345 1102 win=509\n"
	       "+0.010 > A  1102 9346 win=502\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* TCP Fast Open (RFC 7413): 20 bytes and a cookie in the SYN
	 * (J+1..J+20); the SYN-ACK acks them (J+21 = 1021); the server
	 * sends its 100-byte answer before the third segment (7413 3:
	 * allowed), which then acks K+1+100 = 5101. syn_with_data is the
	 * only finding, and it is info. */
	.name = "TCP Fast Open",
	.scn = "0.000  > S  1000 0 mss=1460 tfo=0102030405060708 len=20\n"
	       "+0.010 < SA 5000 1021 mss=1460\n"
	       "+0.001 < PA 5001 1021 len=100\n"
	       "+0.010 > A  1021 5101\n"
	       "+0.010 > FA 1021 5101\n"
	       "+0.010 < A  5101 1022\n"
	       "+0.010 < FA 5101 1022\n"
	       "+0.010 > A  1022 5102\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .info = "syn_with_data",
	.bytes_client = 20,
}, {
	/* TFO with the cookie rejected (RFC 7413 4.2.2): the SYN-ACK acks
	 * only J+1; the client sends the 20 bytes again from J+1 in its
	 * third segment, which the server then acks (1021). Nothing is
	 * wrong; the data is counted once, its second sending is a
	 * retransmission. */
	.name = "TCP Fast Open, cookie rejected",
	.scn = "0.000  > S  1000 0 mss=1460 tfo=0102030405060708 len=20\n"
	       "+0.010 < SA 5000 1001 mss=1460\n"
	       "+0.010 > PA 1001 5001 len=20\n"
	       "+0.010 < A  5001 1021\n"
	       "+0.010 > FA 1021 5001\n"
	       "+0.010 < FA 5001 1022\n"
	       "+0.010 > A  1022 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .info = "syn_with_data",
	.retrans_client = 2, .bytes_client = 20,
}, {
	/* Six segments lost upstream of the capture point at once (a bulk
	 * transfer with loss): six holes open together, then the
	 * retransmissions fill every one. Every byte was seen: no
	 * capture_gap, 13 segments of 10 bytes counted once each (130),
	 * and no retransmission (each fill is the first copy seen). */
	.name = "six holes, all filled",
	.scn = HANDSHAKE
	       "+0.010 > PA 1001 5001 len=10\n"
	       "+0.001 > PA 1021 5001 len=10\n"
	       "+0.001 > PA 1041 5001 len=10\n"
	       "+0.001 > PA 1061 5001 len=10\n"
	       "+0.001 > PA 1081 5001 len=10\n"
	       "+0.001 > PA 1101 5001 len=10\n"
	       "+0.001 > PA 1121 5001 len=10\n"
	       "+0.010 < A  5001 1011\n"
	       "+0.001 > PA 1011 5001 len=10\n"
	       "+0.001 > PA 1031 5001 len=10\n"
	       "+0.001 > PA 1051 5001 len=10\n"
	       "+0.001 > PA 1071 5001 len=10\n"
	       "+0.001 > PA 1091 5001 len=10\n"
	       "+0.001 > PA 1111 5001 len=10\n"
	       "+0.010 < A  5001 1131\n"
	       "+0.010 > FA 1131 5001\n"
	       "+0.010 < FA 5001 1132\n"
	       "+0.010 > A  1132 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
	.retrans_client = 1, .bytes_client = 130,
}, {
	/* One segment lost upstream of four (a hole of 40 bytes, [1011,
	 * 1051)), its retransmissions reordered: the middle of the hole
	 * first ([1031, 1041)), then its right end, then its left. The
	 * hole becomes two, both filled: every byte seen once (60), no
	 * retransmission (each is the first copy seen, within the
	 * handshake's round trip of 20 ms), no capture_gap. (Before, the
	 * right piece was forgotten: 50 bytes, 1 retransmission.) */
	.name = "a hole filled in its middle first",
	.scn = HANDSHAKE
	       "+0.010 > PA 1001 5001 len=10\n"
	       "+0.001 > PA 1051 5001 len=10\n"
	       "+0.001 > PA 1031 5001 len=10\n"
	       "+0.001 > PA 1041 5001 len=10\n"
	       "+0.001 > PA 1011 5001 len=10\n"
	       "+0.001 > PA 1021 5001 len=10\n"
	       "+0.010 < A  5001 1061\n"
	       "+0.010 > FA 1061 5001\n"
	       "+0.010 < FA 5001 1062\n"
	       "+0.010 > A  1062 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
	.retrans_client = 1, .bytes_client = 60,
}, {
	/* The server's window update (ack 1101 again, window 1000 to
	 * 65160) crosses the client's FIN: sent before the FIN arrived, it
	 * answers nothing, and the next ACK reaches u+1 = 1102. No
	 * fin_ack_bad_ack (SPEC: only when the FIN had reached it). */
	.name = "window update crossing the FIN",
	.scn = "0.000  > S  1000 0 win=64240 mss=1460\n"
	       "+0.010 < SA 5000 1001 win=65160 mss=1460\n"
	       "+0.010 > A  1001 5001 win=64240\n"
	       "+0.010 > PA 1001 5001 win=64240 len=100\n"
	       "+0.010 < A  5001 1101 win=1000\n"
	       "+0.010 > FA 1101 5001 win=64240\n"
	       "+0.0001 < A 5001 1101 win=65160\n"
	       "+0.010 < A  5001 1102 win=65160\n"
	       "+0.010 < FA 5001 1102 win=65160\n"
	       "+0.010 > A  1102 5002 win=64240\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .bytes_client = 100,
}, {
	/* The capture shows the server's ACK of the client's 100 bytes 10
	 * us before the bytes (two directions reordered by the capture, as
	 * on a multi-queue NIC or a span port). The bytes were seen: no
	 * ack_unseen_data, 100 bytes counted once, no retransmission. */
	.name = "ACK captured before the data it acks",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1101\n"
	       "+0.00001 > PA 1001 5001 len=100\n"
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
	.retrans_client = 1, .bytes_client = 100,
}, {
	/* The server's ACK of the client's FIN (ack u+1 = 1002, the client
	 * sent no data: u = J+1 = 1001) captured 1 ms before the FIN: the
	 * FIN is at u, no fin_bad_seq; a graceful close by the client. */
	.name = "ACK captured before the FIN it acks",
	.scn = HANDSHAKE
	       "+0.010 < A  5001 1002\n"
	       "+0.001 > FA 1001 5001\n"
	       "+0.010 < FA 5001 1002\n"
	       "+0.010 > A  1002 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
}, {
	/* The server's FIN, acking the client's FIN (1002 = u+1), captured
	 * 1 ms before that FIN (whose ack 5001 does not ack the server's):
	 * the server had received the client's FIN (SPEC, Endpoint states:
	 * whatever the capture order), so the client closed first and the
	 * server's FIN acked it (3.6 figure 12): graceful, initiated by the
	 * client, which holds TIME_WAIT; no fin_bad_seq, no crossing. */
	.name = "FIN captured after the peer's FIN that acks it",
	.scn = HANDSHAKE
	       "+0.010 < FA 5001 1002\n"
	       "+0.001 > FA 1001 5001\n"
	       "+0.010 > A  1002 5002\n",
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED),
},
};

START_TEST(test_clean)
{
	const struct ccase *c = &clean_cases[_i];
	struct tu_result r;

	tu_run(c->scn, &r);
	tu_assert_nconns(&r, 1);
	const struct tu_conn *t = &r.conns[0];
	/* Nothing at all is due but the one info finding allowed. */
	for (unsigned k = 0; k < t->nanoms; k++)
		ck_assert_msg(c->info && strcmp(t->anoms[k].name, c->info) == 0,
		    "%s: nothing due; got %s", c->name, tu_dump(&r, 0));
	if (c->info)
		ck_assert_msg(tu_count_anom(&r, 0, c->info) == 1,
		    "%s: want %s once; got %s", c->name, c->info,
		    tu_dump(&r, 0));
	tu_assert_no_warnings(&r, 0);
	/* Every clean case here completes its handshake and closes. */
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	if (c->cst)
		tu_assert_states(&r, 0, c->cst - 1, c->sst - 1);
	if (c->retrans_client)
		ck_assert_msg(t->retrans[TU_CLIENT] ==
		    (uint32_t)(c->retrans_client - 1),
		    "%s: client retransmissions %u, want %d", c->name,
		    t->retrans[TU_CLIENT], c->retrans_client - 1);
	if (c->bytes_client)
		ck_assert_msg(t->bytes[TU_CLIENT] == c->bytes_client,
		    "%s: client bytes %llu, want %llu", c->name,
		    (unsigned long long)t->bytes[TU_CLIENT],
		    (unsigned long long)c->bytes_client);
}
END_TEST

/* ==== who is client and server (SPEC) =================================== */

START_TEST(test_orientation_syn)
{
	struct tu_result r;

	/* The SYN's sender is the client, although its port is the lower
	 * one and its address the higher. */
	tu_run("client 10.0.0.9:1234\n"
	       "server 10.0.0.2:50000\n"
	       "0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.9:1234");
	ck_assert_str_eq(r.conns[0].saddr, "10.0.0.2:50000");
}
END_TEST

START_TEST(test_orientation_synack)
{
	struct tu_result r;

	/* No SYN: the SYN-ACK's receiver is the client, although it has
	 * the lower port (the port rule would pick the other side). */
	tu_run("client 10.0.0.5:1000\n"
	       "server 10.0.0.2:2000\n"
	       "0.000  < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.5:1000");
	ck_assert_str_eq(r.conns[0].saddr, "10.0.0.2:2000");
}
END_TEST

START_TEST(test_orientation_port)
{
	struct tu_result r;

	/* No SYN, no SYN-ACK: the higher port is the client, whoever
	 * speaks first. Here the first packet comes from 10.0.0.2:80 to
	 * 10.0.0.1:40000, which is still the client. */
	tu_run("client 10.0.0.1:40000\n"
	       "server 10.0.0.2:80\n"
	       "0.000  < PA 5001 1001 len=10\n"
	       "+0.010 > A  1001 5011\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40000");

	/* The same with the roles of the ports swapped. */
	tu_run("client 10.0.0.1:80\n"
	       "server 10.0.0.2:40000\n"
	       "0.000  > PA 1001 5001 len=10\n"
	       "+0.010 < A  5001 1011\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.2:40000");
}
END_TEST

START_TEST(test_orientation_tie)
{
	struct tu_result r;

	/* Equal ports: the sender of the first packet is the client. */
	tu_run("client 10.0.0.7:5000\n"
	       "server 10.0.0.2:5000\n"
	       "0.000  > PA 1001 5001 len=10\n"
	       "+0.010 < A  5001 1011\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.7:5000");
	tu_run("client 10.0.0.7:5000\n"
	       "server 10.0.0.2:5000\n"
	       "0.000  < PA 5001 1001 len=10\n"
	       "+0.010 > A  1001 5011\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.2:5000");
}
END_TEST

/* ==== cases with their own checks ======================================= */

START_TEST(test_synack_again_after_dropped_ack)
{
	struct tu_result r;

	/* The server's accept queue is full: it drops the third segment
	 * (frame 3) and retransmits the same SYN-ACK (frame 4), so it never
	 * left SYN_RECEIVED (RFC 9293 3.8.1); the client acks again (frame
	 * 5) and the server takes it: both ESTABLISHED at the end. */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n"
	       "+1.000 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "synack_retransmitted", 4, "server");
	tu_assert_no_anom(&r, 0, "unexpected_syn");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_client_rst_after_synack)
{
	struct tu_result r;

	/* The client answers the SYN-ACK with RST,ACK (frame 3): that is
	 * not the third segment (3.5 step 3 is a plain ACK); the RST sends
	 * the SYN_RECEIVED server back to LISTEN (3.10.7.4): the handshake
	 * was reset, the connection never established (teardown none). */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > RA 1001 5001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_hs(&r, 0, HS_RESET);
	tu_assert_td(&r, 0, TD_NONE);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
}
END_TEST

/* A TCP Fast Open SYN with 32 bytes (RFC 7413); the server takes them
 * and sends 64 at once, but its SYN-ACK is lost before the capture point
 * (so its data comes first). Linux sends the SYN again without the data;
 * the server's SYN-ACK acks J+1+32 = 1033, the data it took from the first
 * SYN (4.2.2): acceptable, no synack_bad_ack. The client's third segment
 * from 1033 is J+1+32, its next seq: no handshake_ack_bad_seq. The server
 * sends the SYN-ACK and its 64 bytes again: retransmissions (2), the bytes
 * counted once (64). By hand: complete, graceful, infos only. */
START_TEST(test_tfo_synack_lost)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 mss=1460 tfo=0102030405060708 len=32\n"
	       "+0.001 < PA 5001 1033 len=64\n"
	       "+1.000 > S  1000 0 mss=1460\n"
	       "+0.001 < SA 5000 1033 mss=1460\n"
	       "+0.001 > A  1033 5001\n"
	       "+0.200 < SA 5000 1033 mss=1460\n"
	       "+0.001 < PA 5001 1033 len=64\n"
	       "+0.001 > A  1033 5065\n"
	       "+0.010 > FA 1033 5065\n"
	       "+0.010 < FA 5065 1034\n"
	       "+0.010 > A  1034 5066\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_warnings(&r, 0);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[0].bytes[TU_CLIENT], 32);
	ck_assert_uint_eq(r.conns[0].bytes[TU_SERVER], 64);
	ck_assert_uint_eq(r.conns[0].retrans[TU_SERVER], 2);
	ck_assert(tu_has_anom(&r, 0, "syn_with_data", 1, "client"));
}
END_TEST

START_TEST(test_syn_again_after_lost_synack)
{
	struct tu_result r;

	/* The SYN-ACK (frame 2) is lost on its way to the client, which
	 * retransmits its SYN with the same ISN (frame 3): it never left
	 * SYN_SENT (RFC 9293 3.8.1), so this is syn_retransmitted, not a SYN
	 * on a synchronized connection. The server retransmits its SYN-ACK
	 * (frame 4), the client completes (frame 5). */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+1.000 > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n"
	       CLIENT_CLOSE, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "syn_retransmitted", 3, "client");
	tu_assert_anom(&r, 0, "synack_retransmitted", 4, "server");
	tu_assert_no_anom(&r, 0, "unexpected_syn");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
}
END_TEST

START_TEST(test_old_duplicate_syn)
{
	struct tu_result r;

	/* RFC 9293 3.5 figure 9, recovery from an old duplicate SYN, seen
	 * near A (the client): A's SYN 100; B answers an old SYN 90 with
	 * SYN-ACK 300 ack 91 (not A's J+1 = 101: synack_bad_ack); A, still
	 * SYN-SENT, resets with seq 91 (the ack it got) and stays SYN-SENT;
	 * B returns to LISTEN; B's SYN-ACK 400 ack 101 for A's own SYN; A
	 * acks 401: both ESTABLISHED. One attempt, one record, handshake
	 * complete; the RST ended nothing established, so the teardown is
	 * open, not reset; B's new ISN after its reset is not a changed
	 * SYN-ACK ISN. */
	tu_run("0.000  > S  100 0\n"
	       "+0.010 < SA 300 91\n"
	       "+0.001 > R  91 0\n"
	       "+0.010 < SA 400 101\n"
	       "+0.010 > A  101 401\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "synack_bad_ack", 2, "server");
	tu_assert_no_anom(&r, 0, "rst_out_of_window");
	tu_assert_no_anom(&r, 0, "synack_isn_changed");
	tu_assert_no_anom(&r, 0, "handshake_ack_bad_ack");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_old_duplicate_syn_retransmitted)
{
	struct tu_result r;

	/* Figure 9 again, but A's own SYN is lost and A retransmits it 6 s
	 * later (Linux backoff 1, 2, 4 s...). A stayed SYN-SENT after its
	 * RST, so the connection is not over: the retransmitted SYN is the
	 * same attempt (same ISN 100), not a reuse, and the handshake then
	 * completes in the same record. */
	tu_run("0.000  > S  100 0\n"
	       "+0.010 < SA 300 91\n"
	       "+0.001 > R  91 0\n"
	       "+6.000 > S  100 0\n"
	       "+0.010 < SA 400 101\n"
	       "+0.010 > A  101 401\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "synack_bad_ack", 2, "server");
	tu_assert_anom(&r, 0, "syn_retransmitted", 4, "client");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
	/* the bad SYN-ACK and the retransmission, nothing else */
	ck_assert_msg(r.conns[0].nanoms == 2, "%s", tu_dump(&r, 0));
}
END_TEST

START_TEST(test_old_duplicate_syn_then_close)
{
	struct tu_result r;

	/* Figure 9, then a textbook close by A: the early RST must not cut
	 * A's TIME_WAIT short; a new SYN from A 10 s after its final ACK
	 * is still inside 2MSL: missing_time_wait. */
	tu_run("0.000  > S  100 0\n"
	       "+0.010 < SA 300 91\n"
	       "+0.001 > R  91 0\n"
	       "+0.010 < SA 400 101\n"
	       "+0.010 > A  101 401\n"
	       "+0.010 > FA 101 401\n"
	       "+0.010 < A  401 102\n"
	       "+0.010 < FA 401 102\n"
	       "+0.010 > A  102 402\n"
	       "+10.00 > S  9000 0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_anom(&r, 0, "missing_time_wait", 10, "client");
}
END_TEST

/* The handshake's round trips start at the last copy of the step they
 * answer (Wireshark's initial RTT from the most recent SYN; RFC 6298 5,
 * Karn: a retransmitted step's first copy times nothing). tu_run() starts
 * the capture at 1700000000 s. */
#define T0 INT64_C(1700000000000000000)
#define MS INT64_C(1000000)

START_TEST(test_rtt_after_syn_retransmitted)
{
	struct tu_result r;

	/* SYN at 0, again at 1.000 (its RTO), SYN-ACK 10 ms after the
	 * second, third segment 10 ms later: 10 ms each, not 1.010 s; the
	 * SYN's time stays the first SYN's. */
	tu_run("0.000  > S  1000 0\n"
	       "+1.000 > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n", &r);
	ck_assert_uint_eq(r.nconns, 1);
	const struct tu_conn *t = &r.conns[0];
	ck_assert_int_eq(t->syn_ts, T0);
	ck_assert_int_eq(t->rtt_syn_base, T0 + 1000 * MS);
	ck_assert_int_eq(t->synack_ts - t->rtt_syn_base, 10 * MS);
	ck_assert_int_eq(t->ack_ts - t->rtt_synack_base, 10 * MS);
}
END_TEST

START_TEST(test_rtt_after_synack_retransmitted)
{
	struct tu_result r;

	/* SYN-ACK at 10 ms, again at 1.010 s, the third segment 5 ms after
	 * the second: 5 ms. A SYN-ACK sent again after the third segment
	 * (its ACK lost further on) moves nothing. */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+1.000 < SA 5000 1001\n"
	       "+0.005 > A  1001 5001\n"
	       "+1.000 < SA 5000 1001\n"
	       "+0.005 > A  1001 5001\n", &r);
	ck_assert_uint_eq(r.nconns, 1);
	const struct tu_conn *t = &r.conns[0];
	ck_assert_int_eq(t->synack_ts, T0 + 10 * MS);
	ck_assert_int_eq(t->synack_ts - t->rtt_syn_base, 10 * MS);
	ck_assert_int_eq(t->rtt_synack_base, T0 + 1010 * MS);
	ck_assert_int_eq(t->ack_ts - t->rtt_synack_base, 5 * MS);
}
END_TEST

START_TEST(test_rtt_no_retransmission)
{
	struct tu_result r;

	/* Nothing sent again: from the first (and only) copies. */
	tu_run(HANDSHAKE, &r);
	const struct tu_conn *t = &r.conns[0];
	ck_assert_int_eq(t->rtt_syn_base, t->syn_ts);
	ck_assert_int_eq(t->rtt_synack_base, t->synack_ts);
	ck_assert_int_eq(t->synack_ts - t->syn_ts, 10 * MS);
	ck_assert_int_eq(t->ack_ts - t->synack_ts, 10 * MS);
}
END_TEST

START_TEST(test_time_wait_expires)
{
	struct tu_result r;

	/* The same textbook close, then the capture goes on 61 s later on
	 * another connection: 2MSL = 60 s after the client's final ACK
	 * has passed on the capture clock, so the client is CLOSED and the
	 * record was released when TIME_WAIT ended. */
	tu_run(HANDSHAKE CLIENT_CLOSE
	       "client 10.0.0.1:40001\n"
	       "+61.0  > S  7000 0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	ck_assert_int_eq(r.conns[0].end, END_TIME_WAIT);
	tu_assert_no_warnings(&r, 0);
}
END_TEST

/* The client's final ACK lost before the capture point, the server
 * sends its FIN again 10 s later: the client, in TIME_WAIT, acks it and
 * restarts 2MSL (3.10.7.4, TIME-WAIT STATE), whether the capture shows
 * that ACK or not. 61 s after the first FIN (51 s after the second) it
 * is still in TIME_WAIT: the record is held to the end of the capture. */
START_TEST(test_time_wait_restarts_on_fin_again)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+10.0  < FA 5001 1102\n"
	       "client 10.0.0.1:40001\n"
	       "+51.0  > S  7000 0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_LAST_ACK);
	ck_assert_int_ne(r.conns[0].end, END_TIME_WAIT);
}
END_TEST

START_TEST(test_syn_count_without_unexpected_syn)
{
	struct tu_result r;

	/* A half-open connection: the client comes back with ISN 90000
	 * while the server is ESTABLISHED (unexpected_syn, 3.10.7.4); the
	 * server's challenge ACK, the client's RST at its seq (acceptable),
	 * then the new attempt is a record of its own. J = 1000 was sent
	 * once: syn_count 1, not 2. */
	tu_run(HANDSHAKE DATA
	       "+10.0  > S  90000 0\n"
	       "+0.001 < A  5001 1101\n"
	       "+0.001 > R  1101 0\n"
	       "+1.0   > S  90000 0\n"
	       "+0.010 < SA 70000 90001\n"
	       "+0.010 > A  90001 70001\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_anom(&r, 0, "unexpected_syn", 6, "client");
	ck_assert_uint_eq(r.conns[0].syn_count, 1);
	tu_assert_no_anom(&r, 0, "syn_retransmitted");
	tu_assert_hs(&r, 1, HS_COMPLETE);
}
END_TEST

/* The client answered the SYN-ACK (frame 3), so it was ESTABLISHED: the
 * same SYN again 80 ms later is a late duplicate of the network, which
 * a synchronized endpoint answers with a challenge ACK (3.10.7.4, RFC
 * 5961 4; frame 5). It opens nothing and was not sent again by the
 * client: unexpected_syn only, not syn_retransmitted, syn_count 1, no
 * retransmission. */
START_TEST(test_syn_duplicate_after_third)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.080 > S  1000 0\n"
	       "+0.001 < A  5001 1001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "unexpected_syn", 4, "client");
	tu_assert_no_anom(&r, 0, "syn_retransmitted");
	ck_assert_uint_eq(r.conns[0].syn_count, 1);
	ck_assert_uint_eq(r.conns[0].retrans[TU_CLIENT], 0);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_ESTABLISHED);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_ESTABLISHED);
}
END_TEST

/* The server closes first (u = 5001, acked 5002 at frame 9: server
 * TIME_WAIT, client CLOSED), and the client, without timestamps, opens
 * again on the same 4-tuple 200 ms later with a lower ISN, J' = 900, not
 * beyond its old next seq 1102. The server's TIME_WAIT does not take it
 * (RFC 9293 3.6.1 MAY-2 asks for a higher ISN, RFC 6191 for a newer
 * TSval): it answers with the old ACK, seq 5002 ack 1102 (frame 11). The
 * client, SYN_SENT, answers that unacceptable ACK with <SEQ=SEG.ACK><RST>
 * = RST 1102 (3.10.7.3, frame 12), which ends the TIME_WAIT (3.10.7.4;
 * RFC 1337), and sends its SYN again (frame 13), now taken: SYN-ACK 7000
 * ack 901 = J'+1, ACK 901/7001.
 * Record 1: the old connection, with the old ACK and the RST (client 6
 * packets: S A PA A FA R; server 5: SA A FA A A), graceful, the server
 * CLOSED by the RST. Record 2: the new one from frame 10, its SYN sent
 * twice (syn_retransmitted at 13, syn_count 2), complete. */
#define SERVER_CLOSE_TW \
	HANDSHAKE DATA \
	"+0.010 < FA 5001 1101\n" \
	"+0.010 > A  1101 5002\n" \
	"+0.010 > FA 1101 5002\n" \
	"+0.010 < A  5002 1102\n"
START_TEST(test_tw_refuses_syn)
{
	struct tu_result r;

	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  900 0\n"
	       "+0.0001 < A 5002 1102\n"
	       "+0.0001 > R 1102 0\n"
	       "+1.000 > S  900 0\n"
	       "+0.010 < SA 7000 901\n"
	       "+0.010 > A  901 7001\n", &r);
	tu_assert_nconns(&r, 2);
	const struct tu_conn *a = &r.conns[0], *b = &r.conns[1];
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	ck_assert_int_eq(a->st[TU_CLIENT], TCP_ST_CLOSED);
	ck_assert_int_eq(a->st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(a->pkts[TU_CLIENT], 6);
	ck_assert_uint_eq(a->pkts[TU_SERVER], 5);
	ck_assert_uint_eq(a->last_frame, 12);
	ck_assert(tu_no_warnings(&r, 0));
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(b->first_frame, 10);
	ck_assert_uint_eq(b->syn_count, 2);
	tu_assert_anom(&r, 1, "syn_retransmitted", 13, "client");
	ck_assert_uint_eq(b->nanoms, 1);
	ck_assert_uint_eq(b->pkts[TU_CLIENT], 3);
	ck_assert_uint_eq(b->pkts[TU_SERVER], 1);
	ck_assert_int_eq(b->st[TU_CLIENT], TCP_ST_ESTABLISHED);
	ck_assert_int_eq(b->st[TU_SERVER], TCP_ST_ESTABLISHED);

	/* The server takes the SYN from TIME_WAIT after all: its SYN-ACK
	 * acks J'+1 = 901 (frame 11). It left TIME_WAIT: record 1 shows it
	 * CLOSED; record 2 begins with the SYN (frame 10), syn_count 1.
	 * And with nothing after the SYN, record 1 keeps the server in
	 * TIME_WAIT (test_time_wait_reopened_by_timestamp). */
	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  900 0\n"
	       "+0.010 < SA 7000 901\n"
	       "+0.010 > A  901 7001\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[0].last_frame, 9);
	ck_assert(tu_no_warnings(&r, 0));
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].first_frame, 10);
	ck_assert_uint_eq(r.conns[1].syn_count, 1);
	ck_assert_uint_eq(r.conns[1].nanoms, 0);

	/* A SYN beyond the old next seq (J' = 5000 > 1102) reopens the
	 * TIME_WAIT at once (MAY-2): a new record from it, as before. */
	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  5000 0\n"
	       "+0.010 < SA 9000 5001\n"
	       "+0.010 > A  5001 9001\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[1].first_frame, 10);
	tu_assert_hs(&r, 1, HS_COMPLETE);

	/* Data from the client after the refused SYN and the old ACK (a
	 * capture that missed the RST and the SYN again): the new record's,
	 * which began with the SYN. */
	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  900 0\n"
	       "+0.0001 < A 5002 1102\n"
	       "+1.000 > A  901 7001\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_uint_eq(r.conns[0].last_frame, 11);
	ck_assert_uint_eq(r.conns[1].first_frame, 10);
	ck_assert_uint_eq(r.conns[1].syn_count, 1);
}
END_TEST

/* ICMP errors about segments (decode_icmp(), conn_icmp_error()). */
START_TEST(test_icmp_errors)
{
	struct tu_result r;

	/* Its detail names the code and who sent it: a router (192.0.2.254)
	 * with host unreachable (3/1), about the client's SYN at J. */
	tu_run("0.000  > S  1000 0\n"
	       "+0.001 > S  1000 0 icmp=3/1 icmpfrom=router\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 1);
	ck_assert_str_eq(r.conns[0].anoms[0].detail, "ICMP destination "
	    "unreachable, host unreachable (type 3 code 1), for the client's "
	    "SYN seq=J (1000), from a router or firewall on the path");
	ck_assert_uint_eq(r.conns[0].pkts[TU_CLIENT], 1);
	ck_assert_uint_eq(r.conns[0].pkts[TU_SERVER], 0);

	/* Fragmentation needed (3/4) is path MTU discovery at work, not an
	 * error: nothing. */
	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.001 > PA 1001 5001 len=100 icmp=3/4\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);

	/* No segment of the endpoints': the record's timers run on from
	 * its last segment. An RST at 0.030 s ends the connection, which
	 * lingers 5 s: an ICMP at 4 s is its (frame 5), one at 8 s finds
	 * no record (the linger ended at 5.03 s, not 9 s). */
	tu_run(HANDSHAKE
	       "+0.010 > R  1001 5001\n"
	       "4.000  > A  1001 5001 icmp=3/1 icmpfrom=router\n"
	       "8.000  > A  1001 5001 icmp=3/1 icmpfrom=router\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 1);
	tu_assert_anom(&r, 0, "icmp_unreachable", 5, "server");
	ck_assert_uint_eq(r.conns[0].last_frame, 5);

	/* About a 4-tuple with no record: it begins none. */
	tu_run("0.000  > S  1000 0 icmp=3/3\n", &r);
	tu_assert_nconns(&r, 0);
	ck_assert_uint_eq(r.frames, 1);
}
END_TEST

/* The passive closer's FIN (W = 5001) never acked, the server still in
 * LAST_ACK at the end: final_ack_missing and fin_unacked both (SPEC's
 * two definitions hold), at the FIN's frame (6). */
START_TEST(test_final_ack_missing_and_fin_unacked)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.010 < FA 5001 1002\n", &r);
	tu_assert_anom(&r, 0, "final_ack_missing", 6, "server");
	tu_assert_anom(&r, 0, "fin_unacked", 6, "server");
	ck_assert_uint_eq(r.conns[0].nanoms, 2);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_LAST_ACK);
}
END_TEST

/* data_after_fin's count: the bytes from the FIN's slot on, or from the
 * segment's start when it starts past the FIN. FIN at u = J+101 (1101);
 * 10 bytes at J+102: all 10 beyond it (not 11); 20 bytes at J+91
 * (1091..1110) in a second run: those at 1101..1110, 10. */
START_TEST(test_data_after_fin_count)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 > PA 1102 5001 len=10\n", &r);
	tu_assert_anom(&r, 0, "data_after_fin", 7, "client");
	ck_assert_str_eq(tu_anom_detail(&r, 0, "data_after_fin"),
	    "10 bytes at seq J+102 "
	    "(1102), 10 of them beyond its FIN at J+101 (1101)");
	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 > PA 1091 5001 len=20\n", &r);
	tu_assert_anom(&r, 0, "data_after_fin", 7, "client");
	ck_assert_str_eq(tu_anom_detail(&r, 0, "data_after_fin"),
	    "20 bytes at seq J+91 "
	    "(1091), 10 of them beyond its FIN at J+101 (1101)");
}
END_TEST

/* More around a SYN the server's TIME_WAIT refuses (SERVER_CLOSE_TW:
 * old next seqs, client 1102, server 5002; frame 9 the server's last ACK). */
/* Half-open connection discovery (RFC 9293 3.5.1, figure 10): the
 * client aborts (RST,ACK at J+101 = 1101, frame 6), its RST lost past the
 * capture point, and opens again from the same port (SYN J' = 9000,
 * frame 7). The server, still ESTABLISHED, answers with an ACK of the
 * old numbers (seq K+1 = 5001, ack J+101, frame 8: 3.10.7.4, RFC 5961
 * 4), which the SYN_SENT client resets at SEG.ACK (RST seq 1101,
 * frame 9: 3.10.7.3), then it sends its SYN again (frame 10). Frames 8
 * and 9 are the old connection's, whose RST did not take (rst_ignored
 * at frame 8); the new one is frames 7, 10, 11, 12. When the server had
 * the RST, its SYN-ACK answers the first SYN and the old record ends as
 * before. */
START_TEST(test_half_open_discovery)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > RA 1101 5001\n"
	       "+0.200 > S  9000 0\n"
	       "+0.0001 < A 5001 1101\n"
	       "+0.0001 > R 1101 0\n"
	       "+1.000 > S  9000 0\n"
	       "+0.010 < SA 7000 9001\n"
	       "+0.010 > A  9001 7001\n", &r);
	tu_assert_nconns(&r, 2);
	const struct tu_conn *a = &r.conns[0], *b = &r.conns[1];
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
	ck_assert_int_eq(a->st[TU_CLIENT], TCP_ST_CLOSED);
	ck_assert_int_eq(a->st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(a->pkts[TU_CLIENT], 5);
	ck_assert_uint_eq(a->pkts[TU_SERVER], 3);
	ck_assert_uint_eq(a->last_frame, 9);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(b->first_frame, 7);
	ck_assert_uint_eq(b->syn_count, 2);
	tu_assert_anom(&r, 1, "syn_retransmitted", 10, "client");
	ck_assert_uint_eq(b->nanoms, 1);
	ck_assert_uint_eq(b->pkts[TU_CLIENT], 3);
	ck_assert_uint_eq(b->pkts[TU_SERVER], 1);

	tu_run(HANDSHAKE DATA
	       "+0.010 > RA 1101 5001\n"
	       "+0.200 > S  9000 0\n"
	       "+0.010 < SA 7000 9001\n"
	       "+0.010 > A  9001 7001\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	ck_assert_uint_eq(r.conns[0].last_frame, 6);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].first_frame, 7);
	ck_assert_uint_eq(r.conns[1].syn_count, 1);
	ck_assert_uint_eq(r.conns[1].nanoms, 0);
}
END_TEST

/* An RST in the server's name at the client's RCV.NXT (K+11 = 5011,
 * frame 8), which the server never sent (a firewall's reject with tcp
 * reset): the server goes on (data at K+11, frame 9: rst_ignored), and
 * the client, which took the RST (exact, 3.10.7.4), answers as a closed
 * host does, RST at SEG.ACK = 1101 without ACK (frame 10, 3.10.7.1). The
 * reset is the first RST's, by the server (as Zeek's RSTR says), and
 * the client was CLOSED since. A client that answers with an ACK had
 * not taken it: both go on. */
START_TEST(test_rst_in_senders_name)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 < PA 5001 1101 len=10\n"
	       "+0.010 > A  1101 5011\n"
	       "+0.500 < R  5011 0\n"
	       "+0.500 < PA 5011 1101 len=4\n"
	       "+0.0001 > R 1101 0\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "rst_ignored", 9, "server");
	tu_assert_td(&r, 0, TD_RESET);
	ck_assert_int_eq(r.conns[0].reset_by, TU_SERVER);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);

	tu_run(HANDSHAKE DATA
	       "+0.010 < PA 5001 1101 len=10\n"
	       "+0.010 > A  1101 5011\n"
	       "+0.500 < R  5011 0\n"
	       "+0.500 < PA 5011 1101 len=4\n"
	       "+0.0001 > A 1101 5015\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 9, "server");
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_tw_refuses_syn_more)
{
	struct tu_result r;

	/* With timestamps on both, the TSval decides (RFC 6191 2; Linux
	 * PAWS): J' = 9000 is beyond 1102, but TSval 50 is older than the
	 * client's FIN's (300): refused, answered from TIME_WAIT (frame
	 * 11), reset (12), sent again (13) and taken. Record 1 gets the old
	 * ACK and the RST, its server CLOSED. */
	tu_run("0.000  > S  1000 0 ts=100,0\n"
	       "+0.010 < SA 5000 1001 ts=200,100\n"
	       "+0.010 > A  1001 5001 ts=110,200\n"
	       "+0.010 > PA 1001 5001 len=100 ts=120,200\n"
	       "+0.010 < A  5001 1101 ts=210,120\n"
	       "+0.010 < FA 5001 1101 ts=220,120\n"
	       "+0.010 > A  1101 5002 ts=130,220\n"
	       "+0.010 > FA 1101 5002 ts=300,220\n"
	       "+0.010 < A  5002 1102 ts=230,300\n"
	       "+0.200 > S  9000 0 ts=50,0\n"
	       "+0.0001 < A 5002 1102 ts=231,300\n"
	       "+0.0001 > R 1102 0\n"
	       "+1.000 > S  9000 0 ts=1050,0\n"
	       "+0.010 < SA 7000 9001 ts=240,1050\n"
	       "+0.010 > A  9001 7001 ts=1060,240\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[0].last_frame, 12);
	ck_assert(tu_no_warnings(&r, 0));
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].syn_count, 2);

	/* The server's last ACK (frame 9) missed by the capture: the client
	 * shows LAST_ACK, but its SYN shows it left it. The TIME_WAIT's ACK
	 * of W+1 (frame 10) acks the client's FIN in record 1: graceful,
	 * no final_ack_missing. */
	tu_run(HANDSHAKE DATA
	       "+0.010 < FA 5001 1101\n"
	       "+0.010 > A  1101 5002\n"
	       "+0.010 > FA 1101 5002\n"
	       "+0.200 > S  900 0\n"
	       "+0.0001 < A 5002 1102\n"
	       "+0.0001 > R 1102 0\n"
	       "+1.000 > S  900 0\n"
	       "+0.010 < SA 7000 901\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_no_anom(&r, 0, "final_ack_missing");
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_CLOSED);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[0].last_frame, 11);

	/* A late copy of each side's old FIN between the SYN and the
	 * TIME_WAIT's answer (frames 11, 12): the old connection's numbers,
	 * record 1's (fin_retransmitted there); record 2 is a clean
	 * handshake. */
	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  900 0\n"
	       "+0.0001 > FA 1101 5002\n"
	       "+0.0001 < FA 5001 1101\n"
	       "+0.0001 < A 5002 1102\n"
	       "+0.0001 > R 1102 0\n"
	       "+1.000 > S  900 0\n"
	       "+0.010 < SA 7000 901\n"
	       "+0.010 > A  901 7001\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_anom(&r, 0, "fin_retransmitted", 11, "client");
	tu_assert_anom(&r, 0, "fin_retransmitted", 12, "server");
	ck_assert_uint_eq(r.conns[0].last_frame, 14);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].nanoms, 1);	/* syn_retransmitted */

	/* The SYN-ACK missed, the client's ACK of it (frame 11) shows the
	 * server took the SYN: record 1 ends with its server CLOSED, not
	 * TIME_WAIT. */
	tu_run(SERVER_CLOSE_TW
	       "+0.200 > S  900 0\n"
	       "+0.020 > A  901 7001\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);
	ck_assert_uint_eq(r.conns[0].last_frame, 9);
}
END_TEST

/* J = 1000, the server's SYN-ACK (K = 5000, frame 2) is lost after the
 * capture point: the client never answers it, and tries again a second
 * later with a new ISN, J = 77777 (frame 3). It was still SYN_SENT, the
 * attempt pending: syn_isn_changed, syn_count 2 (SPEC), J = 77777 from
 * then on. The server answers the new SYN with a new SYN-ACK (K = 9000,
 * ack 77778 = J+1: right, and no changed K, it answers another SYN), and
 * the client's ACK 77778/9001 is J+1, K+1. The SYN-ACK round trip is
 * the new SYN's: 12 ms. */
START_TEST(test_syn_new_isn_after_lost_synack)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.990 > S  77777 0\n"
	       "+0.012 < SA 9000 77778\n"
	       "+0.010 > A  77778 9001\n", &r);
	tu_assert_nconns(&r, 1);
	const struct tu_conn *t = &r.conns[0];
	tu_assert_anom(&r, 0, "syn_isn_changed", 3, "client");
	ck_assert_uint_eq(t->nanoms, 1);
	ck_assert_uint_eq(t->syn_count, 2);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	ck_assert_int_eq(t->st[TU_CLIENT], TCP_ST_ESTABLISHED);
	ck_assert_int_eq(t->st[TU_SERVER], TCP_ST_ESTABLISHED);
	ck_assert_int_eq(t->rtt_syn_base, T0 + 1000 * MS);
	ck_assert_int_eq(t->synack_ts - t->rtt_syn_base, 12 * MS);
	ck_assert_int_eq(t->ack_ts - t->rtt_synack_base, 10 * MS);

	/* The same, but the server sends its first SYN-ACK again (frame 4):
	 * it still answers the first SYN, whose J+1 it acks, as it did; no
	 * synack_bad_ack. The client, SYN_SENT with J = 77777, does not take
	 * it (3.10.7.3): incomplete. */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.990 > S  77777 0\n"
	       "+0.010 < SA 5000 1001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "syn_isn_changed", 3, "client");
	tu_assert_anom(&r, 0, "synack_retransmitted", 4, "server");
	tu_assert_no_anom(&r, 0, "synack_bad_ack");
	tu_assert_no_anom(&r, 0, "unexpected_syn");
	ck_assert_uint_eq(r.conns[0].syn_count, 2);
	tu_assert_hs(&r, 0, HS_INCOMPLETE);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_SYN_SENT);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_SYN_RECEIVED);
}
END_TEST

/* The client's ACK (frame 2) acks 5001 with no SYN-ACK captured: it had
 * one with K = 5000 (3.10.7.3), and the server's data at 5001 (frame 5)
 * agrees. The SYN-ACK captured next (frame 3) has K = 7000: not the one
 * the client answered (synack_isn_changed), and K stays 5000. So frame 4
 * is data, not a third segment with a bad ack, the server's 200 bytes at
 * K+1 are new (200 payload bytes, no retransmission), and the server
 * stays ESTABLISHED. */
START_TEST(test_late_synack_other_isn)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.020 > A  1001 5001\n"
	       "+0.001 < SA 7000 1001\n"
	       "+0.009 > PA 1001 5001 len=100\n"
	       "+0.010 < PA 5001 1101 len=200\n"
	       "+0.010 > A  1101 5201\n", &r);
	tu_assert_nconns(&r, 1);
	const struct tu_conn *t = &r.conns[0];
	tu_assert_anom(&r, 0, "synack_isn_changed", 3, "server");
	tu_assert_no_anom(&r, 0, "handshake_ack_bad_ack");
	ck_assert_uint_eq(t->bytes[TU_SERVER], 200);
	ck_assert_uint_eq(t->retrans[TU_SERVER], 0);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	ck_assert_int_eq(t->st[TU_CLIENT], TCP_ST_ESTABLISHED);
	ck_assert_int_eq(t->st[TU_SERVER], TCP_ST_ESTABLISHED);
}
END_TEST

/* A server that speaks first (a banner), with its SYN-ACK and the
 * client's pure ACK missed: the banner's 20 bytes at 5001 (frame 2)
 * began at K+1, so K = 5000, and the client's ack 5021 (frame 3) is
 * K+21, acking the banner, not K+1 of a K of 5020. */
START_TEST(test_asym_after_server_banner)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.030 < PA 5001 1001 len=20\n"
	       "+0.010 > PA 1001 5021 len=10\n"
	       "+0.010 < A  5021 1011\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "ack_without_handshake", 3, "client");
	const struct tu_anom *a = &r.conns[0].anoms[0];
	ck_assert_msg(strstr(a->detail, "ack 5021 (K+21)") != NULL,
	    "detail: %s", a->detail);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[0].bytes[TU_SERVER], 20);
	ck_assert_uint_eq(r.conns[0].retrans[TU_SERVER], 0);
}
END_TEST

/* A capture of the server's direction only (an asymmetric tap): its
 * SYN-ACK K = 5000 acks J+1 = 1001 of a SYN never seen, then its banner
 * of 21 bytes at K+1, acking only J+1, then an ACK of 21 bytes of the
 * client's. A server sends data only once ESTABLISHED (RFC 9293 3.10.2,
 * SEND in SYN-RECEIVED: queued until ESTABLISHED; no SYN data, no TCP
 * Fast Open), so the banner followed the client's third segment, which
 * the capture never had a chance to show: no data_before_established
 * (the server's direction alone cannot show it); the ack of 21 bytes
 * never shown is ack_unseen_data, frame 3. */
START_TEST(test_one_sided_server_banner)
{
	struct tu_result r;

	tu_run("0.000  < SA 5000 1001\n"
	       "+0.100 < PA 5001 1001 len=21\n"
	       "+0.100 < A  5022 1022\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(tu_count_anom(&r, 0, "data_before_established"), 0);
	tu_assert_anom(&r, 0, "ack_unseen_data", 3, "server");
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_ESTABLISHED);
}
END_TEST

/* The SYN seen (TSval 1), the SYN-ACK echoing it (TSecr 1), then the
 * server's banner at K+1 acking only J+1 but echoing TSval 3, newer than
 * any the client was seen to send: TS.Recent is taken from a segment the
 * server received (RFC 7323 4.3), so the client's third segment reached
 * it and the capture missed it. ESTABLISHED, no data_before_established.
 * The same banner echoing TSval 1 (nothing newer received) stays
 * data_before_established, as without timestamps (anomaly_cases). */
START_TEST(test_third_unseen_by_tsecr)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 ts=1,0\n"
	       "+0.010 < SA 5000 1001 ts=7,1\n"
	       "+0.100 < PA 5001 1001 len=21 ts=9,3\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(tu_count_anom(&r, 0, "data_before_established"), 0);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_ESTABLISHED);

	tu_run("0.000  > S  1000 0 ts=1,0\n"
	       "+0.010 < SA 5000 1001 ts=7,1\n"
	       "+0.100 < PA 5001 1001 len=21 ts=9,1\n", &r);
	tu_assert_anom(&r, 0, "data_before_established", 3, "server");
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_SYN_RECEIVED);
}
END_TEST

/* 71 copies of the SYN (70 syn_retransmitted, more than the 64 anomalies
 * a record keeps), then a SYN-ACK acking J+5, not J+1 (synack_bad_ack,
 * an error): the error takes the place of the latest repeated note, so
 * the record still shows it. */
START_TEST(test_anomaly_cap_keeps_errors)
{
	struct tu_result r;
	GString *scn = g_string_new("0.000  > S  1000 0\n");

	for (int i = 0; i < 70; i++)
		g_string_append(scn, "+0.001 > S  1000 0\n");
	g_string_append(scn, "+0.001 < SA 5000 1005\n");
	tu_run(scn->str, &r);
	g_string_free(scn, TRUE);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 64);
	tu_assert_anom(&r, 0, "synack_bad_ack", 72, "server");
	tu_assert_anom(&r, 0, "syn_retransmitted", 2, "client");
	ck_assert_uint_eq(tu_count_anom(&r, 0, "syn_retransmitted"), 63);
}
END_TEST

/* Captured at the server, 20 ms from the client and next to itself (the
 * SYN-ACK to the third segment): its response (frame 5), its FIN u = 5063
 * (frame 6, TSval 222); 18 ms later the client's ACK of the response and
 * its own FIN W = 1047, both acking u only and echoing TSval 220, the
 * response's: TS.Recent takes the TSval of each in-order segment that
 * arrives (RFC 7323 4.3), so they were sent before the server's FIN
 * arrived. The FINs crossed (RFC 9293 3.6 figure 13): a simultaneous
 * close, both through CLOSING to TIME_WAIT, and no fin_ack_bad_ack.
 * Without timestamps the time tells the same: the client's FIN, captured
 * 18.1 ms after the server's, left before the server's FIN could reach
 * it (20 ms there and back): crossed, though the client sent another
 * segment (its ACK of the response) since. Captured 30.1 ms after (the
 * ACK 18 ms after, the FIN 12 ms later), it left after that FIN arrived:
 * its ack of u, not u+1, is fin_ack_bad_ack (SPEC: its own FIN
 * afterwards with ack u). */
#define HS_TS \
	"0.000  > S  1000 0 ts=100,0\n" \
	"+0.010 < SA 5000 1001 ts=200,100\n" \
	"+0.010 > A  1001 5001 ts=110,200\n"
START_TEST(test_fins_crossed_by_timestamps)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 ts=100,0\n"
	       "+0.0001 < SA 5000 1001 ts=200,100\n"
	       "+0.020 > A  1001 5001 ts=110,200\n"
	       "+0.0001 > PA 1001 5001 len=46 ts=120,200\n"
	       "+0.0001 < PA 5001 1047 len=62 ts=220,120\n"
	       "+0.002 < FA 5063 1047 ts=222,120\n"
	       "+0.018 > A  1047 5063 ts=140,220\n"
	       "+0.0001 > FA 1047 5063 ts=140,220\n"
	       "+0.0001 < A  5064 1048 ts=240,140\n"
	       "+0.002 > A  1048 5064 ts=142,222\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_SIMULTANEOUS);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_TIME_WAIT);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_TIME_WAIT);

	tu_run("0.000  > S  1000 0\n"
	       "+0.0001 < SA 5000 1001\n"
	       "+0.020 > A  1001 5001\n"
	       "+0.0001 > PA 1001 5001 len=46\n"
	       "+0.0001 < PA 5001 1047 len=62\n"
	       "+0.002 < FA 5063 1047\n"
	       "+0.018 > A  1047 5063\n"
	       "+0.0001 > FA 1047 5063\n"
	       "+0.0001 < A  5064 1048\n"
	       "+0.002 > A  1048 5064\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_SIMULTANEOUS);

	tu_run("0.000  > S  1000 0\n"
	       "+0.0001 < SA 5000 1001\n"
	       "+0.020 > A  1001 5001\n"
	       "+0.0001 > PA 1001 5001 len=46\n"
	       "+0.0001 < PA 5001 1047 len=62\n"
	       "+0.002 < FA 5063 1047\n"
	       "+0.018 > A  1047 5063\n"
	       "+0.0121 > FA 1047 5063\n"
	       "+0.0001 < A  5064 1048\n"
	       "+0.002 > A  1048 5064\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 8, "client");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
}
END_TEST

/* The client closes (u = 1001), the server acks u+1 and sends its FIN W
 * = 5001 (TSval 230). The client's duplicate ACK of 5001 (frame 7)
 * repeats an ack it had sent, but echoes TSval 210, older than the FIN's:
 * sent before the FIN arrived (a duplicate ACK crossing it), no
 * fin_ack_bad_ack; its ACK of W+1 follows. The same duplicate echoing the
 * FIN's TSval 230 was sent after the FIN arrived: the FIN was not
 * counted, fin_ack_bad_ack. */
START_TEST(test_dup_ack_crossing_fin_by_timestamps)
{
	struct tu_result r;

	tu_run(HS_TS
	       "+0.010 > FA 1001 5001 ts=120,200\n"
	       "+0.010 < A  5001 1002 ts=220,120\n"
	       "+0.010 < FA 5001 1002 ts=230,120\n"
	       "+0.001 > A  1002 5001 ts=121,210\n"
	       "+0.010 > A  1002 5002 ts=125,230\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_TIME_WAIT);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_CLOSED);

	tu_run(HS_TS
	       "+0.010 > FA 1001 5001 ts=120,200\n"
	       "+0.010 < A  5001 1002 ts=220,120\n"
	       "+0.010 < FA 5001 1002 ts=230,120\n"
	       "+0.001 > A  1002 5001 ts=121,230\n"
	       "+0.010 > A  1002 5002 ts=125,230\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 7, "client");
}
END_TEST

/* The server's 100 bytes and its FIN W = 5101 in the same clock tick
 * (TSval 230 both), captured near the server: the client acks the data
 * (5101 = W, echo 230). The FIN is lost past the capture point and sent
 * again (TSval 430, frame 7); the client's duplicate ACK of W 1 ms later
 * (frame 8) echoes 230, older than the copy sent again: it left before
 * any copy arrived, and the first was lost, so the FIN sent again proves
 * nothing; held, it is cleared when the client acks W+1 after a third
 * copy (frame 10). No fin_ack_bad_ack, a graceful close. The same
 * duplicate echoing 430 had the copy sent again and did not count it:
 * fin_ack_bad_ack at frame 8. */
START_TEST(test_fin_resent_lost_past_capture)
{
	struct tu_result r;
	const char *before = HS_TS
	       "+0.010 < PA 5001 1001 len=100 ts=230,110\n"
	       "+0.000 < FA 5101 1001 ts=230,110\n"
	       "+0.010 > A  1001 5101 ts=140,230\n"
	       "+0.200 < FA 5101 1001 ts=430,110\n";
	const char *after =
	       "+0.400 < FA 5101 1001 ts=830,110\n"
	       "+0.010 > A  1001 5102 ts=150,830\n"
	       "+0.010 > FA 1001 5102 ts=151,830\n"
	       "+0.010 < A  5102 1002 ts=840,151\n";
	char *scn = g_strconcat(before, "+0.001 > A  1001 5101 ts=141,230\n",
	    after, NULL);

	tu_run(scn, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_anom(&r, 0, "fin_retransmitted", 7, "server");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_TIME_WAIT);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_CLOSED);
	g_free(scn);

	scn = g_strconcat(before, "+0.001 > A  1001 5101 ts=141,430\n",
	    after, NULL);
	tu_run(scn, &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 8, "client");
	g_free(scn);
}
END_TEST

/* The client's FIN u = 1101 carries TSval 130, newer than any segment of
 * the client's before it, and the server's ACK of u echoes 130: the
 * server took TS.Recent from the FIN (RFC 7323 4.3), so the FIN had
 * arrived, and it acked u: fin_ack_bad_ack at that ACK (frame 7), though
 * the server's FIN acks u+1 right after. Not when the FIN's TSval is the
 * one the data before it carried (120, one clock tick: the echo may be
 * the data's), nor when the echo is older than the FIN's (120). */
START_TEST(test_fin_ack_u_echoes_fin)
{
	struct tu_result r;
	const char *scn = HS_TS
	       "+0.010 > PA 1001 5001 len=100 ts=120,200\n"
	       "+0.010 < A  5001 1101 ts=210,120\n"
	       "+0.010 > FA 1101 5001 ts=%u,210\n"
	       "+0.002 < A  5001 1101 ts=211,%u\n"
	       "+0.001 < FA 5001 1102 ts=212,%u\n"
	       "+0.010 > A  1102 5002 ts=140,212\n";
	char *t;

	t = g_strdup_printf(scn, 130, 130, 130);
	tu_run(t, &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 7, "server");
	g_free(t);

	t = g_strdup_printf(scn, 120, 120, 120);
	tu_run(t, &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
	g_free(t);

	t = g_strdup_printf(scn, 130, 120, 130);
	tu_run(t, &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	g_free(t);
}
END_TEST

/* A queue on the server's way to the capture point (at the client,
 * 10 ms from the server): the client acks all of the server's 2,000 bytes
 * (7001) and closes (u = 1021); 30 ms later come segments the server sent
 * before that FIN arrived, their ack u:
 *   - bytes the client had acked (6001-7001 sent again): the server had
 *     not had that ack, nor the FIN sent after it; its FIN, 15 ms later,
 *     acks u+1: nothing (the old code: fin_ack_bad_ack at frame 9);
 *   - new data at the queue's pace, 1 ms apart, back to back (within a
 *     quarter of the round trip of each other), then data acking u+1:
 *     the burst the first left in, nothing; the same burst never
 *     reaching u+1, still ack u 15 ms after the last, is fin_ack_bad_ack
 *     at its first segment (frame 9); so is data at ack u 5 ms apart, half
 *     the round trip, sent at the server's pace after the FIN arrived,
 *     however it ends (frame 9), and data back to back past four round
 *     trips after the first (frame 9). */
#define QUEUED \
	"0.000   > S  1000 0\n" \
	"+0.010  < SA 5000 1001\n" \
	"+0.0001 > A  1001 5001\n" \
	"+0.001  > PA 1001 5001 len=20\n" \
	"+0.010  < PA 5001 1021 len=1000\n" \
	"+0.0001 < PA 6001 1021 len=1000\n" \
	"+0.0001 > A  1021 7001\n" \
	"+0.0001 > FA 1021 7001\n"
START_TEST(test_fin_ack_u_behind_queued_data)
{
	struct tu_result r;

	tu_run(QUEUED
	       "+0.030  < PA 6001 1021 len=1000\n"
	       "+0.015  < FA 7001 1022\n"
	       "+0.0001 > A  1022 7002\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_td(&r, 0, TD_GRACEFUL);

	tu_run(QUEUED
	       "+0.030  < PA 7001 1021 len=1000\n"
	       "+0.001  < PA 8001 1021 len=1000\n"
	       "+0.001  < PA 9001 1021 len=1000\n"
	       "+0.001  < PA 10001 1022 len=1000\n"
	       "+0.0001 > A  1022 11001\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");

	tu_run(QUEUED
	       "+0.030  < PA 7001 1021 len=1000\n"
	       "+0.001  < PA 8001 1021 len=1000\n"
	       "+0.015  < PA 9001 1021 len=1000\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 9, "server");

	tu_run(QUEUED
	       "+0.030  < PA 7001 1021 len=1000\n"
	       "+0.005  < PA 8001 1021 len=1000\n"
	       "+0.003  < FA 9001 1022\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 9, "server");

	GString *g = g_string_new(QUEUED "+0.030  < PA 7001 1021 len=1000\n");
	for (unsigned i = 1; i <= 45; i++)
		g_string_append_printf(g, "+0.001  < PA %u 1021 len=1000\n",
		    7001 + 1000 * i);
	g_string_append(g, "+0.001  < FA 53001 1022\n");
	tu_run(g->str, &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 9, "server");
	g_string_free(g, TRUE);
}
END_TEST

/* The server closed (LAST_ACK, then CLOSED on the final ACK, frame 10);
 * a copy of the client's old ACK of 5501 (frame 5), delivered late past
 * the capture point, draws the answer of a host with no connection left,
 * <SEQ=SEG.ACK><CTL=RST> (3.10.7.1), at 5501, without ACK (frame 11):
 * outside the TIME_WAIT client's
 * window, rst_out_of_window all the same (SPEC), its detail saying it is
 * no injection. An RST at 200000, beyond anything the server sent, is
 * told as before. */
START_TEST(test_rst_from_closed_endpoint_detail)
{
	struct tu_result r;
	const char *scn = HANDSHAKE
	       "+0.010 < PA 5001 1001 len=1000\n"
	       "+0.010 > A  1001 5501\n"
	       "+0.0001 > A 1001 6001\n"
	       "+0.010 > FA 1001 6001\n"
	       "+0.010 < A  6001 1002\n"
	       "+0.010 < FA 6001 1002\n"
	       "+0.010 > A  1002 6002\n"
	       "+0.010 < R  %u 0\n";
	char *t = g_strdup_printf(scn, 5501);

	tu_run(t, &r);
	tu_assert_anom(&r, 0, "rst_out_of_window", 11, "server");
	ck_assert_msg(strstr(r.conns[0].anoms[0].detail, "not an injection"),
	    "%s", r.conns[0].anoms[0].detail);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
	g_free(t);

	t = g_strdup_printf(scn, 200000);
	tu_run(t, &r);
	tu_assert_anom(&r, 0, "rst_out_of_window", 11, "server");
	ck_assert_msg(!strstr(r.conns[0].anoms[0].detail, "injection"),
	    "%s", r.conns[0].anoms[0].detail);
	g_free(t);
}
END_TEST

/* SACK-style recovery from heavy loss: 70 of the client's 100-byte
 * segments lost before the capture point, every other one, so 70 holes
 * open at once, more than the record keeps (CONN_MAX_HOLES, 64); the
 * server's ack stays at the first hole (1101), it lacks them all; then the
 * client sends each again and the server acks the lot. No capture_gap
 * (every hole filled), 14,100 payload bytes (141 segments' worth), a
 * graceful close; the holes the record gave up are filled by copies taken
 * for retransmissions. Before: 6 capture_gap, 600 bytes short. */
START_TEST(test_holes_beyond_the_record)
{
	struct tu_result r;
	GString *g = g_string_new(HANDSHAKE "+0.010 > PA 1001 5001 len=100\n");

	for (unsigned i = 0; i < 70; i++)
		g_string_append_printf(g, "+0.0001 > PA %u 5001 len=100\n"
		    "+0.0001 < A  5001 1101\n", 1201 + 200 * i);
	for (unsigned i = 0; i < 70; i++)
		g_string_append_printf(g, "+0.0001 > PA %u 5001 len=100\n",
		    1101 + 200 * i);
	g_string_append(g, "+0.001 < A  5001 15101\n"
	    "+0.010 > FA 15101 5001\n"
	    "+0.010 < FA 5001 15102\n"
	    "+0.010 > A  15102 5002\n");
	tu_run(g->str, &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(tu_count_anom(&r, 0, "capture_gap"), 0);
	ck_assert_uint_eq(r.conns[0].bytes[TU_CLIENT], 14100);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	g_string_free(g, TRUE);
}
END_TEST

/* The server's SYN-ACKs never reach the client (dropped after the
 * capture point): it sends its SYN again 1 s and 3 s later, each answered
 * by the SYN-ACK again, and never an ACK. The client is SYN_SENT to the
 * end, not ESTABLISHED by the last SYN-ACK seen going to it: the earlier
 * ones were lost, and one that arrived would have drawn an ACK at once
 * (3.10.7.3); the handshake is incomplete. The server, its attempt
 * expired (tcp_synack_retries), answers a later SYN with a new ISN, 7000,
 * more than a second after its first SYN-ACK: a new attempt, not
 * synack_isn_changed. Switching back to 5000 half a second later (two
 * servers behind one address) is. */
START_TEST(test_synacks_lost_after_capture)
{
	struct tu_result r;
	const char *lost = "0.000  > S  1000 0\n"
	       "+0.001 < SA 5000 1001\n"
	       "+1.000 > S  1000 0\n"
	       "+0.001 < SA 5000 1001\n"
	       "+2.000 > S  1000 0\n"
	       "+0.001 < SA 5000 1001\n";
	char *t;

	tu_run(lost, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_hs(&r, 0, HS_INCOMPLETE);
	tu_assert_states(&r, 0, TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);

	t = g_strconcat(lost, "+4.000 > S  1000 0\n"
	    "+0.001 < SA 7000 1001\n", NULL);
	tu_run(t, &r);
	tu_assert_no_anom(&r, 0, "synack_isn_changed");
	tu_assert_states(&r, 0, TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);
	g_free(t);

	t = g_strconcat(lost, "+4.000 > S  1000 0\n"
	    "+0.001 < SA 7000 1001\n"
	    "+0.500 < SA 5000 1001\n", NULL);
	tu_run(t, &r);
	tu_assert_anom(&r, 0, "synack_isn_changed", 9, "server");
	g_free(t);
}
END_TEST

/* The client aborts a download (RST,ACK at the server's RCV.NXT, frame 6)
 * with 8,000 bytes of window offered (to 14001); no timestamps. A queue
 * before the capture point delivers the server's data on at its own pace:
 * 5 ms after the RST (within the round trip and a quarter, 12.5 ms: it
 * crossed the RST), then every 8 ms, each within that time of the one
 * before, inside the offered window, to 29 ms after the RST: the rest of
 * the burst, no rst_ignored (the old code: rst_ignored at frame 8, 13 ms
 * after the RST). Data 20 ms after the last of them broke the pace: sent
 * after the RST arrived, rst_ignored (frame 11). */
START_TEST(test_rst_crossed_by_queued_burst)
{
	struct tu_result r;
	const char *burst = HANDSHAKE
	       "+0.001  < PA 5001 1001 len=1000\n"
	       "+0.0001 > A  1001 6001 win=8000\n"
	       "+0.0001 > RA 1001 6001\n"
	       "+0.005  < PA 6001 1001 len=1000\n"
	       "+0.008  < PA 7001 1001 len=1000\n"
	       "+0.008  < PA 8001 1001 len=1000\n"
	       "+0.008  < PA 9001 1001 len=1000\n";
	char *t;

	tu_run(burst, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);

	t = g_strconcat(burst, "+0.020  < PA 10001 1001 len=1000\n", NULL);
	tu_run(t, &r);
	tu_assert_anom(&r, 0, "rst_ignored", 11, "server");
	g_free(t);

	/* A bare ACK with nothing new 20 ms after the RST starts no burst:
	 * the server's new data 10 ms after it is rst_ignored (frame 8). */
	tu_run(HANDSHAKE
	       "+0.001  < PA 5001 1001 len=1000\n"
	       "+0.0001 > A  1001 6001 win=8000\n"
	       "+0.0001 > RA 1001 6001\n"
	       "+0.020  < A  6001 1001\n"
	       "+0.010  < PA 6001 1001 len=1000\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
}
END_TEST

/* The client closes first and acks W+1 (frame 7), but drops its
 * TIME_WAIT (Linux with tcp_max_tw_buckets exhausted): the server's FIN
 * sent again 200 ms later (frame 8; the final ACK lost past the capture
 * point) gets an RST from the client (frame 9): missing_time_wait, 0.2 s
 * after the final ACK (not after the FIN it answers, which restarted
 * 2MSL). The server never takes the RST (lost as well) and sends its FIN
 * again (frames 10 and 12), each answered with an RST. The client, with
 * no connection left, stays CLOSED from frame 9 on (it had been put
 * back in TIME_WAIT at each FIN, and each RST was one more
 * missing_time_wait); the server gets LAST_ACK back each time: its FIN
 * sent again shows it never took the RST before (rst_ignored). */
START_TEST(test_rst_ignored_sender_stays_closed)
{
	struct tu_result r;

	tu_run(HANDSHAKE CLIENT_CLOSE
	       "+0.200 < FA 5001 1002\n"
	       "+0.0001 > R  1002 0\n"
	       "+0.200 < FA 5001 1002\n"
	       "+0.0001 > R  1002 0\n"
	       "+0.400 < FA 5001 1002\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "missing_time_wait", 9, "client");
	ck_assert_uint_eq(tu_count_anom(&r, 0, "missing_time_wait"), 1);
	tu_assert_anom(&r, 0, "rst_ignored", 10, "server");
	tu_assert_anom(&r, 0, "rst_ignored", 12, "server");
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_LAST_ACK);
	tu_assert_td(&r, 0, TD_RESET);
	ck_assert_int_eq(r.conns[0].reset_by, TU_CLIENT);
	const char *d = tu_anom_detail(&r, 0, "missing_time_wait");
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, "0.200100s after its final ACK"),
	    "detail: %s", d);
}
END_TEST

/* The server's FIN W = 5101 (frame 7, acking u+1) is lost past the
 * capture point; a loss probe sends its data again, which the client
 * acks with a D-SACK (frames 8, 9); the client, still FIN_WAIT_1, sends
 * its own FIN again 200 ms later by its retransmission timer, still
 * acking W (frame 10), and the server its FIN again (frame 12), which
 * the client acks. A FIN sent again answers nothing: no fin_ack_bad_ack
 * (the old code: at frame 10, taken for the client's own FIN
 * "afterwards", a segment after the D-SACK). Nor an ACK of W
 * captured 2 ms after the server's FIN was sent again, less than the
 * round trip to the client (10 ms), without timestamps: it cannot have
 * had that copy (the old code: the copy sent again proved it). */
START_TEST(test_fin_again_from_fin_wait_1)
{
	struct tu_result r;
	const char *head = HANDSHAKE
	       "+0.010 < PA 5001 1001 len=100\n"
	       "+0.010 > A  1001 5101\n"
	       "+0.010 > FA 1001 5101\n"
	       "+0.001 < FA 5101 1002\n";
	char *t;

	t = g_strconcat(head, "+0.020 < PA 5001 1002 len=100\n"
	    "+0.010 > A  1001 5101 sack=5001-5101\n"
	    "+0.200 > FA 1001 5101\n"
	    "+0.001 < A  5102 1002\n"
	    "+0.050 < FA 5101 1002\n"
	    "+0.010 > A  1002 5102\n", NULL);
	tu_run(t, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_td(&r, 0, TD_GRACEFUL);
	g_free(t);

	t = g_strconcat(head, "+0.200 < FA 5101 1002\n"
	    "+0.002 > A  1002 5101\n"
	    "+0.020 > A  1002 5102\n", NULL);
	tu_run(t, &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	g_free(t);
}
END_TEST

/* TCP Fast Open on a path that reorders, captured at the client: the
 * server's FIN (K+301, frame 2) and its 300 bytes come before its SYN-ACK;
 * the client, SYN_SENT, drops them (3.10.7.3), and the server sends both
 * again. The FIN ignored (fin_before_established, as the capture shows
 * it) takes no slot: its copy sent again at K+301, right after the 300
 * bytes, is no fin_bad_seq (the old code: at frame 8, "u-1"). */
START_TEST(test_tfo_fin_before_synack)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 len=100\n"
	       "+0.010 < FA 5301 1101\n"
	       "+0.001 < A  5001 1101 len=300\n"
	       "+0.001 < SA 5000 1101\n"
	       "+0.001 > A  1101 5001\n"
	       "+0.200 < A  5001 1101 len=300\n"
	       "+0.001 > A  1101 5301\n"
	       "+0.001 < FA 5301 1101\n"
	       "+0.001 > FA 1101 5302\n"
	       "+0.010 < A  5302 1102\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_bad_seq");
	tu_assert_anom(&r, 0, "fin_before_established", 2, "server");
	tu_assert_td(&r, 0, TD_GRACEFUL);
}
END_TEST

/* TCP Fast Open, captured near the server: it answers the SYN's data
 * with its SYN-ACK, 300 bytes and its FIN from SYN_RECEIVED (RFC 7413),
 * all lost past the capture point. The client, still SYN_SENT, sends its
 * SYN again a second later; the server its SYN-ACK again. Neither is an
 * unexpected_syn (the old code: the client's SYN "while CLOSE_WAIT", the
 * server's SYN-ACK "while FIN_WAIT_1"): the client, which had sent no
 * ACK, never had that FIN either, and the server's handshake was not
 * over. Then the client acks, gets the data and the FIN again, closes. */
START_TEST(test_tfo_synack_lost_with_fin)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 len=100\n"
	       "+0.001 < SA 5000 1101\n"
	       "+0.001 < A  5001 1101 len=300\n"
	       "+0.001 < FA 5301 1101\n"
	       "+1.000 > S  1000 0\n"
	       "+0.001 < SA 5000 1101\n"
	       "+0.010 > A  1101 5001\n"
	       "+0.200 < A  5001 1101 len=300\n"
	       "+0.001 < FA 5301 1101\n"
	       "+0.010 > A  1101 5302\n"
	       "+0.001 > FA 1101 5302\n"
	       "+0.010 < A  5302 1102\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "unexpected_syn");
	tu_assert_anom(&r, 0, "syn_retransmitted", 5, "client");
	tu_assert_anom(&r, 0, "synack_retransmitted", 6, "server");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_GRACEFUL);
}
END_TEST

/* A loss probe (RFC 8985 7.3) resends the server's last 100 bytes right
 * before its FIN W = 5201, and a queue on the way back holds the client's
 * answers 30 ms, three handshake round trips: its ACK of the data (an
 * echo older than the FIN's TSval), then its duplicate ACK of W reporting
 * the resent bytes again (a D-SACK, RFC 2883), then, 12 ms later, its ACK
 * of W+1. The D-SACK answers the resent bytes, which it left on, before
 * the FIN behind them arrived: no fin_ack_bad_ack, however late it is
 * captured (a capture of a router's rate-limited queue, as a real Linux
 * pair gave it). Evidence still counts after it: the FIN sent again, and
 * an ACK echoing that copy that stops at W, is fin_ack_bad_ack (frame 10). */
START_TEST(test_fin_ack_u_dsack_behind_queue)
{
	struct tu_result r;
	const char *before = HS_TS
	       "+0.010 < PA 5001 1001 len=200 ts=220,110\n"
	       "+0.005 < PA 5101 1001 len=100 ts=225,110\n"
	       "+0.000 < FA 5201 1001 ts=225,110\n"
	       "+0.030 > A  1001 5201 ts=140,220\n"
	       "+0.000 > A  1001 5201 ts=140,225 sack=5101-5201\n";
	char *scn = g_strconcat(before,
	    "+0.012 > A  1001 5202 ts=141,225\n"
	    "+0.001 > FA 1001 5202 ts=142,225\n"
	    "+0.010 < A  5202 1002 ts=240,142\n", NULL);

	tu_run(scn, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_TIME_WAIT);
	ck_assert_int_eq(r.conns[0].st[TU_CLIENT], TCP_ST_CLOSED);
	g_free(scn);

	scn = g_strconcat(before,
	    "+0.200 < FA 5201 1001 ts=425,110\n"
	    "+0.010 > A  1001 5201 ts=150,425\n", NULL);
	tu_run(scn, &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 10, "client");
	g_free(scn);
}
END_TEST

/* The closer's data (100 bytes), its FIN u = 1101 10 ms later, and the
 * server's ACK of 1101 = u 10 ms after the FIN: a round trip between the
 * capture point and the server (SYN to SYN-ACK, 10 ms) after the FIN,
 * so sent after the FIN arrived, and it stops at u: the FIN was not
 * counted (fin_ack_bad_ack, frame 6). The same with the server closing
 * (u = 5201 after its 200 bytes, the client acking u 10 ms later, the
 * SYN-ACK to third segment time: frame 8), and with every packet at the
 * same instant (round trips of 0). Not
 * when the ACK came sooner than the round trip (2 ms after a FIN right
 * behind its data, 10 ms round trip): sent before the FIN arrived, it
 * acks the data and crossed the FIN, and the next ACK takes u+1. */
START_TEST(test_fin_ack_u_after_round_trip)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 6, "server");

	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.010 < PA 5001 1101 len=200\n"
	       "+0.010 < FA 5201 1101\n"
	       "+0.010 > A  1101 5201\n"
	       "+0.010 > FA 1101 5202\n"
	       "+0.010 < A  5202 1102\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 8, "client");

	tu_run("0.000  > S  1000 0\n"
	       "0.000  < SA 5000 1001\n"
	       "0.000  > A  1001 5001\n"
	       "0.000  > PA 1001 5001 len=100\n"
	       "0.000  > FA 1101 5001\n"
	       "0.000  < A  5001 1101\n"
	       "0.000  < FA 5001 1102\n"
	       "0.000  > A  1102 5002\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 6, "server");

	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.0001 > FA 1101 5001\n"
	       "+0.002 < A  5001 1101\n"
	       "+0.0001 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	ck_assert_int_eq(r.conns[0].td, TD_GRACEFUL);
}
END_TEST

/* A third segment carrying 50 bytes that acks K+2: not acceptable to the
 * server in SYN_RECEIVED (3.10.7.4: SND.UNA < SEG.ACK =< SND.NXT fails,
 * SND.NXT being K+1), which stays there; the wrong number is one finding,
 * handshake_ack_bad_ack, as for a pure ACK, not also unseen data. */
START_TEST(test_third_with_data_bad_ack)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.001 < SA 5000 1001\n"
	       "+0.001 > PA 1001 5002 len=50\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "handshake_ack_bad_ack", 3, "client");
	tu_assert_no_anom(&r, 0, "ack_unseen_data");
	ck_assert_uint_eq(r.conns[0].nanoms, 1);
	ck_assert_int_eq(r.conns[0].st[TU_SERVER], TCP_ST_SYN_RECEIVED);
}
END_TEST

/* The server's 10 bytes at 5001 (frame 2) are captured before its
 * SYN-ACK (K = 5000, frame 3): before the SYN-ACK the server had no ISN
 * to send from (RFC 9293 3.4.1) and was not synchronized (3.10.7.3):
 * data_before_established at frame 2, from the server. The handshake
 * itself is whole: J+1, K+1 (complete). (Without a SYN-ACK after it,
 * test_asym_after_server_banner: a banner after a missed SYN-ACK.) */
START_TEST(test_server_data_before_synack)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.005 < PA 5001 1001 len=10\n"
	       "+0.005 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "data_before_established", 2, "server");
	ck_assert_uint_eq(r.conns[0].nanoms, 1);
	tu_assert_hs(&r, 0, HS_COMPLETE);
}
END_TEST

/* An RST at J+1 from the SYN's sender, no SYN-ACK captured: an RST from
 * SYN-SENT answers an unacceptable ACK, at that ACK's number (3.10.7.3),
 * never J+1. One at J+1 follows a SYN-ACK that acked the SYN (a half-open
 * scan's, whose SYN-ACK the capture missed): the sender is CLOSED, and the
 * attempt unanswered as far as the capture shows. An RST at another
 * number (9999: the ack of an old SYN-ACK the capture missed) leaves it
 * SYN_SENT (3.10.7.3; 3.5 figure 9). */
START_TEST(test_client_rst_after_syn)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "+0.010 > R  1001 0\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
	tu_assert_hs(&r, 0, HS_UNANSWERED);
	tu_assert_td(&r, 0, TD_NONE);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);

	tu_run("0.000  > S  1000 0\n"
	       "+0.010 > R  9999 0\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_states(&r, 0, TCP_ST_SYN_SENT, TCP_ST_CLOSED);
}
END_TEST

/* Window scale 15 (RFC 7323 2.3: above 14, used as 14): the detail
 * names the value sent, which the clamp replaced. */
START_TEST(test_wscale_clamped_detail)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 ws=15\n"
	       "+0.010 < SA 5000 1001 ws=7\n"
	       "+0.010 > A  1001 5001\n", &r);
	tu_assert_anom(&r, 0, "wscale_clamped", 1, "client");
	ck_assert_str_eq(r.conns[0].anoms[0].detail,
	    "window scale 15 above 14, used as 14");
}
END_TEST

/* Captured at the client, 10 ms from the server (the handshake): the
 * client's 100 bytes, its FIN u = 1101 1 ms later (frame 5); the server's
 * ACK of the data (frame 6, 9 ms after the FIN) and its FIN W = 5001 with
 * ack u (frame 7, 9.5 ms after it). Both left the server before the
 * client's FIN could reach it (it takes 5 ms there, and the server's
 * segments 5 ms back): the FINs crossed (RFC 9293 3.6 figure 13), a
 * simultaneous close, both in TIME_WAIT, and no fin_ack_bad_ack, though
 * the server sent a segment between the client's FIN and its own. */
START_TEST(test_fin_crossing_after_data_ack)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "0.010  < SA 5000 1001\n"
	       "0.020  > A  1001 5001\n"
	       "0.030  > PA 1001 5001 len=100\n"
	       "0.031  > FA 1101 5001\n"
	       "0.040  < A  5001 1101\n"
	       "0.0405 < FA 5001 1101\n"
	       "0.0505 > A  1102 5002\n"
	       "0.051  < A  5002 1102\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
	tu_assert_td(&r, 0, TD_SIMULTANEOUS);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_TIME_WAIT);
}
END_TEST

/* SYN J = 1000, its SYN-ACK (K = 5000), then a new SYN J = 2000 a second
 * later (the client never answered: syn_isn_changed), the old SYN-ACK
 * again, which the client, now SYN_SENT for J = 2000, resets (frame 5);
 * then the SYN-ACK to J = 2000 (K = 6000) and the client's ACK. The RST
 * went between two endpoints still in a handshake, ending the first
 * attempt, not an established connection (SPEC teardown "reset"), and
 * the connection opened after it (as in RFC 9293 3.5 figure 9): teardown
 * open, both ESTABLISHED. */
START_TEST(test_rst_between_attempts)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "0.010  < SA 5000 1001\n"
	       "1.000  > S  2000 0\n"
	       "1.010  < SA 5000 1001\n"
	       "1.011  > R  1001 0\n"
	       "1.012  < SA 6000 2001\n"
	       "1.020  > A  2001 6001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "syn_isn_changed", 3, "client");
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

/* Captured at the server, 20 ms from the client (the handshake's ACK
 * came 20 ms after the SYN-ACK): the response and the server's FIN u =
 * 5501 right behind it (0.1 ms). The client's ACK of u comes 26 ms after
 * the FIN, more than the round trip and a quarter, and its FIN, 4 ms
 * later, acks u+1 with no FIN sent again: the ACK of u answered the data,
 * sent just before the FIN arrived on a path slower than during the
 * handshake (a stack that had the FIN and did not count it would not
 * count it 4 ms later, unprompted). No fin_ack_bad_ack; graceful.
 * Variants: the client's next segment acks u again (frame 7 was an
 * answer to the FIN after all: the error at frame 7), or comes later
 * than the round trip (the same); an ack of u captured after the client
 * acked u+1 is an older segment, reordered (nothing). */
#define LOADED \
	"0.000   > S  1000 0\n" \
	"+0.0001 < SA 5000 1001\n" \
	"+0.020  > A  1001 5001\n" \
	"+0.001  > PA 1001 5001 len=20\n" \
	"+0.0001 < PA 5001 1021 len=500\n" \
	"+0.0001 < FA 5501 1021\n" \
	"+0.026  > A  1021 5501\n"
START_TEST(test_fin_ack_u_on_loaded_path)
{
	struct tu_result r;

	tu_run(LOADED
	       "+0.004  > FA 1021 5502\n"
	       "+0.0001 < A  5502 1022\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_td(&r, 0, TD_GRACEFUL);

	tu_run(LOADED
	       "+0.004  > A  1021 5501\n"
	       "+0.004  > FA 1021 5502\n"
	       "+0.0001 < A  5502 1022\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 7, "client");

	tu_run(LOADED
	       "+0.030  > FA 1021 5502\n"
	       "+0.0001 < A  5502 1022\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 7, "client");

	tu_run("0.000   > S  1000 0\n"
	       "+0.0001 < SA 5000 1001\n"
	       "+0.020  > A  1001 5001\n"
	       "+0.001  > PA 1001 5001 len=20\n"
	       "+0.0001 < PA 5001 1021 len=500\n"
	       "+0.0001 < FA 5501 1021\n"
	       "+0.020  > FA 1021 5502\n"
	       "+0.0001 < A  5502 1022\n"
	       "+0.006  > A  1021 5501\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_td(&r, 0, TD_GRACEFUL);
}
END_TEST

/* The server closes first (FIN W = 5101) and holds TIME_WAIT after the
 * client's FIN (TSval 300) and its final ACK. 5 s later the client's new
 * SYN has a lower ISN (500) but a newer TSval (900): RFC 6191 2 (Linux's
 * TIME_WAIT too) lets it reopen the connection, so the server left
 * TIME_WAIT: the old record shows it CLOSED, and no missing_time_wait
 * (it is not the SYN's sender). With TSval 250, older than the FIN's, it
 * does not: the server stays in TIME_WAIT in the old record. */
START_TEST(test_time_wait_reopened_by_timestamp)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 ts=100,0\n"
	       "0.010  < SA 5000 1001 ts=200,100\n"
	       "0.020  > A  1001 5001 ts=110,200\n"
	       "0.030  < PA 5001 1001 len=100 ts=210,110\n"
	       "0.040  > A  1001 5101 ts=120,210\n"
	       "0.050  < FA 5101 1001 ts=220,120\n"
	       "0.060  > A  1001 5102 ts=130,220\n"
	       "0.070  > FA 1001 5102 ts=300,220\n"
	       "0.080  < A  5102 1002 ts=230,300\n"
	       "5.000  > S  500 0 ts=900,0\n"
	       "5.010  < SA 70000 501 ts=950,900\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_no_anom(&r, 0, "missing_time_wait");

	tu_run("0.000  > S  1000 0 ts=100,0\n"
	       "0.010  < SA 5000 1001 ts=200,100\n"
	       "0.020  > A  1001 5001 ts=110,200\n"
	       "0.030  < PA 5001 1001 len=100 ts=210,110\n"
	       "0.040  > A  1001 5101 ts=120,210\n"
	       "0.050  < FA 5101 1001 ts=220,120\n"
	       "0.060  > A  1001 5102 ts=130,220\n"
	       "0.070  > FA 1001 5102 ts=300,220\n"
	       "0.080  < A  5102 1002 ts=230,300\n"
	       "5.000  > S  500 0 ts=250,0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_TIME_WAIT);
}
END_TEST

/* The rst_during_close detail of an RST from an endpoint the capture
 * put in TIME_WAIT by the peer's FIN it never acked. The client's FIN
 * u = 1101 is acked (frame 7) but sent again (frame 8: that ACK did not
 * reach it), then the server's FIN W = 5001 (frame 10). An RST with the
 * ACK bit and ack W (frame 11) is the client's own abort (SO_LINGER 0),
 * sent before the FIN arrived: an endpoint with no connection answers
 * the FIN's ACK with <SEQ=SEG.ACK><CTL=RST>, no ACK bit (3.10.7.1). It
 * was in FIN_WAIT_1. One without the ACK bit at u+1 is that answer, from
 * an endpoint whose FIN_WAIT_2 timed out: CLOSED. Neither left a
 * TIME_WAIT: no missing_time_wait. */
#define FW1_HEAD \
	HANDSHAKE DATA \
	"+0.010 > FA 1101 5001\n" \
	"+0.040 < A  5001 1102\n" \
	"+0.200 > FA 1101 5001\n" \
	"+0.001 < A  5001 1102\n" \
	"+0.300 < FA 5001 1102\n"
START_TEST(test_rst_abort_crossing_fin)
{
	struct tu_result r;

	tu_run(FW1_HEAD "+0.001 > RA 1102 5001\n", &r);
	tu_assert_anom(&r, 0, "rst_during_close", 11, "client");
	assert_rst_detail(&r, "client is FIN_WAIT_1 (an abort that crossed");
	tu_assert_no_anom(&r, 0, "missing_time_wait");
	tu_assert_td(&r, 0, TD_RESET);

	tu_run(FW1_HEAD "+0.001 > R  1102 0\n", &r);
	assert_rst_detail(&r, "client is CLOSED (the peer's FIN never acked");
	tu_assert_no_anom(&r, 0, "missing_time_wait");
}
END_TEST

/* The client closes first (FIN u = 1101), the server's FIN W = 5001
 * follows; the client's final ACK is lost before the capture point, so
 * the server stays in LAST_ACK. The client, in TIME_WAIT, reuses the
 * 4-tuple at once (Linux tcp_tw_reuse): SYN 9000. The server, still
 * synchronized, answers with a challenge ACK of the old numbers (seq W+1
 * = 5002, ack u+1 = 1102; 3.10.7.4, RFC 5961 4), which the client, in
 * SYN_SENT, resets at its ack (1102; 3.10.7.3): that RST is at the
 * server's RCV.NXT and closes it. Both belong to the old connection: it
 * ends reset by the client (rst_during_close, the server in LAST_ACK),
 * both CLOSED, no final_ack_missing or fin_unacked (an RST ended it);
 * missing_time_wait at the SYN. The SYN sent again is answered and opens
 * the new record: complete, two SYNs, no RST in it. */
START_TEST(test_syn_to_last_ack)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.001 > S  9000 0\n"
	       "+0.001 < A  5002 1102\n"
	       "+0.001 > R  1102 0\n"
	       "+1.000 > S  9000 0\n"
	       "+0.010 < SA 7000 9001\n"
	       "+0.010 > A  9001 7001\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_anom(&r, 0, "missing_time_wait", 9, "client");
	tu_assert_anom(&r, 0, "rst_during_close", 11, "client");
	tu_assert_no_anom(&r, 0, "final_ack_missing");
	tu_assert_no_anom(&r, 0, "fin_unacked");
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].syn_count, 2);
	tu_assert_td(&r, 1, TD_OPEN);
	tu_assert_no_anom(&r, 1, "rst_during_close");
	tu_assert_no_anom(&r, 1, "synack_bad_ack");
}
END_TEST

/* SYN J = 1000, then a new SYN J = 2000 a second later
 * (syn_isn_changed); the server's SYN-ACK to the first SYN (ack 1001,
 * K = 5000) is captured after it: it answers the SYN the server had
 * (3.5), no synack_bad_ack. The client, SYN_SENT for 2000, resets it at
 * its ack (3.10.7.3: <SEQ=SEG.ACK><CTL=RST>) and stays SYN_SENT; the
 * SYN-ACK to 2000 (K = 6000, ack 2001) renews the handshake (no
 * synack_isn_changed) and the client's ACK completes it. */
START_TEST(test_first_synack_after_new_isn)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "1.000  > S  2000 0\n"
	       "1.010  < SA 5000 1001\n"
	       "1.011  > R  1001 0\n"
	       "1.012  < SA 6000 2001\n"
	       "1.020  > A  2001 6001\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "syn_isn_changed", 2, "client");
	ck_assert_uint_eq(r.conns[0].nanoms, 1);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

/* An RST one below the receiver's RCV.NXT: on an ESTABLISHED connection
 * it lies before the window (RFC 9293 3.10.7.4 first check; RFC 5961
 * 3.2): ignored, rst_out_of_window, the connection open. At the slot of
 * the sender's own FIN, which the receiver got (CLOSE_WAIT), it is taken
 * (Linux tcp_reset_check(); pf): reset. The client's next seq is 1101
 * after DATA, 1102 after its FIN u = 1101. A client RST at J (not J+1)
 * right after its SYN, to a server that never answered: no window to
 * miss (3.10.7.2: LISTEN ignores it), no anomaly. */
START_TEST(test_rst_one_below)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > R  1100 0\n", &r);
	tu_assert_anom(&r, 0, "rst_out_of_window", 6, "client");
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 > R  1101 0\n", &r);
	tu_assert_no_anom(&r, 0, "rst_out_of_window");
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);

	tu_run("0.000  > S  1000 0\n"
	       "+0.001 > R  1000 0\n", &r);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
	tu_assert_hs(&r, 0, HS_UNANSWERED);

	/* The client closed first and holds TIME_WAIT (its RCV.NXT 5002
	 * past the server's FIN W = 5001). The server, CLOSED, answers a
	 * stale segment acking 5001 with <SEQ=SEG.ACK><CTL=RST> (3.10.7.1):
	 * seq 5001, one below. TIME_WAIT is none of the states that take
	 * it (Linux: tcp_timewait_state_process() wants RCV.NXT): ignored,
	 * rst_out_of_window, the client still in TIME_WAIT. */
	tu_run(HANDSHAKE DATA CLIENT_CLOSE_AFTER_DATA
	       "+0.040 < R  5001 0\n", &r);
	tu_assert_anom(&r, 0, "rst_out_of_window", 10, "server");
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
}
END_TEST

/* Captured at the server, the path reordering the client's segments:
 * the server's FIN W = 5001 (frame 6), then the client's ACK of W+1
 * (frame 7), then the client's FIN u = 1101 whose ack stops at W (frame
 * 8). Acks never go back: that FIN left before that ACK, before the
 * server's FIN arrived; the FINs crossed (3.6 figure 13; SPEC: a FIN
 * that does not ack the peer's FIN seen before it had not received it,
 * whatever the capture order). The client went ESTABLISHED, FIN_WAIT_1,
 * CLOSING, and TIME_WAIT at the server's ACK of u+1 (frame 9); the
 * server FIN_WAIT_1, FIN_WAIT_2 (frame 7), TIME_WAIT (frame 8). No
 * fin_ack_bad_ack: the FIN's ack of W answers nothing. Without the ACK
 * of W+1 before it, the same FIN is the plain crossing case. */
START_TEST(test_fin_behind_its_own_ack)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 < FA 5001 1101\n"
	       "+0.010 > A  1101 5002\n"
	       "+0.001 > FA 1101 5001\n"
	       "+0.001 < A  5002 1102\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_td(&r, 0, TD_SIMULTANEOUS);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_TIME_WAIT);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
}
END_TEST

/* A simultaneous close (FIN u = 1101 and FIN W = 5001 crossed, RFC 9293
 * 3.6 figure 13): the server passed CLOSING, so it had the client's FIN,
 * and the client's ACK of W+1 puts it in TIME_WAIT. Its RST 1 ms later
 * comes from TIME_WAIT (not from an endpoint whose FIN_WAIT_2 timed out,
 * which never got the peer's FIN): rst_during_close, the client being
 * CLOSING, and missing_time_wait, within 2MSL of its last ACK. */
START_TEST(test_rst_from_time_wait_after_simultaneous_close)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.001 < FA 5001 1101\n"
	       "+0.009 > A  1102 5002\n"
	       "+0.001 < R  5002 0\n", &r);
	tu_assert_anom(&r, 0, "rst_during_close", 9, "server");
	tu_assert_anom(&r, 0, "missing_time_wait", 9, "server");
	assert_rst_detail(&r, "server is TIME_WAIT");
}
END_TEST

/* An ESTABLISHED connection (J = 1000, K = 5000), silent 100 s, then a
 * SYN with a new ISN (777777) from the client. A synchronized server
 * answers it with a challenge ACK (RFC 9293 3.10.7.4, RFC 5961 4: the
 * half-open case, test_syn_count_without_unexpected_syn); this one
 * answers with a SYN-ACK (K = 9000) acking 777778 = J'+1: it had no
 * connection left, so the SYN began a new one on the 4-tuple. Two
 * records: the old one as it was (open, nothing wrong in it), the new
 * one from that SYN (its time, J = 777777, K = 9000), complete. No
 * unexpected_syn, synack_bad_ack or capture_gap. */
START_TEST(test_new_syn_answered_by_synack)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "100.000 > S  777777 0\n"
	       "100.010 < SA 9000 777778\n"
	       "100.020 > A  777778 9001\n"
	       "100.030 > PA 777778 9001 len=10\n"
	       "100.040 < A  9001 777788\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
	tu_assert_td(&r, 0, TD_OPEN);
	ck_assert_uint_eq(r.conns[0].pkts[TU_CLIENT], 3);
	ck_assert_uint_eq(r.conns[0].pkts[TU_SERVER], 2);
	ck_assert_uint_eq(r.conns[1].nanoms, 0);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_int_eq(r.conns[1].syn_ts - r.conns[0].syn_ts,
	    100 * (int64_t)1000000000);
	ck_assert_uint_eq(r.conns[1].syn_count, 1);
	ck_assert_uint_eq(r.conns[1].pkts[TU_CLIENT], 3);
	ck_assert_uint_eq(r.conns[1].bytes[TU_CLIENT], 10);
}
END_TEST

/* Captured at the client, 20 ms from the server (SYN to SYN-ACK): the
 * client aborts a download (RST frame 7, TSval 142); the server's data
 * keeps arriving 30 and 60 ms later, more than the round trip and a
 * quarter (25 ms), but echoing TSecr 142, no newer than the RST's TSval:
 * it may have left before the RST arrived, queued on a path slower than
 * during the handshake. Within four such windows (100 ms) it crossed the
 * RST and moves nobody: reset, both CLOSED, no rst_ignored. 150 ms after
 * the RST it did not: rst_ignored. Without timestamps, 30 ms after is
 * already past the window: rst_ignored (the rule before). */
#define ABORT_HEAD(ts1, ts2, ts3, ts4, ts5, ts6) \
	"0.000   > S  1000 0" ts1 "\n" \
	"+0.020  < SA 5000 1001" ts2 "\n" \
	"+0.0001 > A  1001 5001" ts3 "\n" \
	"+0.001  > PA 1001 5001 len=20" ts3 "\n" \
	"+0.020  < PA 5001 1021 len=1000" ts4 "\n" \
	"+0.001  > A  1021 6001" ts5 "\n" \
	"+0.0001 > RA 1021 6001" ts5 "\n" \
	"+0.030  < PA 6001 1021 len=1000" ts6 "\n"
START_TEST(test_rst_crossed_by_queued_data)
{
	struct tu_result r;

	tu_run(ABORT_HEAD(" ts=100,0", " ts=200,100", " ts=120,200",
	    " ts=220,121", " ts=142,220", " ts=225,142")
	       "+0.030  < PA 7001 1021 len=1000 ts=230,142\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);

	tu_run(ABORT_HEAD(" ts=100,0", " ts=200,100", " ts=120,200",
	    " ts=220,121", " ts=142,220", " ts=225,142")
	       "+0.120  < PA 7001 1021 len=1000 ts=330,142\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 9, "server");

	tu_run(ABORT_HEAD("", "", "", "", "", ""), &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
}
END_TEST

/* The same abort with an RST that carries no timestamps (Linux's), and
 * a server 20 ms away (window 25 ms). (a) A server ACK of 5001 (before
 * its data) captured 200 ms after the RST, far past four windows, but
 * with TSval 225, older than the 230 of its data captured before the
 * RST: it left before that data, so before the RST arrived; it crossed
 * the RST (RFC 7323 5: a TSval clock only goes forward). (b) Data 60 ms
 * after the RST, past one window but within four, echoing 142, the
 * newest TSval the client had sent before its RST: no later segment of
 * the client's was answered, the RST's stand-in; it may have crossed
 * it, as with a stamped RST. (c) The same 200 ms after: rst_ignored. */
#define ABORT_NOTS_HEAD \
	"0.000   > S  1000 0 ts=100,0\n" \
	"+0.020  < SA 5000 1001 ts=200,100\n" \
	"+0.0001 > A  1001 5001 ts=120,200\n" \
	"+0.001  > PA 1001 5001 len=20 ts=120,200\n" \
	"+0.020  < PA 5001 1021 len=1000 ts=230,120\n" \
	"+0.001  > A  1021 6001 ts=142,230\n" \
	"+0.0001 > R  1021 0\n"
START_TEST(test_rst_crossed_by_older_tsval)
{
	struct tu_result r;

	tu_run(ABORT_NOTS_HEAD
	       "+0.200  < A  5001 1021 ts=225,120\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);

	tu_run(ABORT_NOTS_HEAD
	       "+0.060  < PA 6001 1021 len=1000 ts=240,142\n", &r);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);

	tu_run(ABORT_NOTS_HEAD
	       "+0.200  < PA 6001 1021 len=1000 ts=240,142\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
}
END_TEST

/* Acks of the FIN's slot a path that reorders or loses makes look like
 * answers to it, and are not:
 * (a) timestamps: the client's data (1001..1100, TSval 102) is lost, its
 * FIN u = 1101 (TSval 103) follows, the data sent again (TSval 150)
 * overtakes the FIN; the server acks u echoing 150, newer than the FIN's
 * TSval: the FIN, arriving after, failed PAWS and was discarded, rightly
 * (RFC 7323 5.3); the FIN sent again is acked u+1. No fin_ack_bad_ack.
 * (b) no timestamps: the server's FIN W = 5101 right behind its data,
 * the client's ack of W 13 ms later (held: late, not proof), then a
 * duplicate ACK of W with a D-SACK block (5001-5101, at or below the ack:
 * bytes received twice, RFC 2883), then W+1, 4 ms after the held ack,
 * within the client's 10 ms round trip: the FIN arrived just after;
 * nothing. (c) no timestamps: the client's FIN u = 1101, the server's
 * duplicate ACK of u 1 ms later, under half its 10 ms round trip: it
 * cannot answer the FIN; its FIN acks u+1. Nothing. */
START_TEST(test_fin_ack_u_not_an_answer)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0 ts=100,0\n"
	       "+0.010 < SA 5000 1001 ts=200,100\n"
	       "+0.010 > A  1001 5001 ts=101,200\n"
	       "+0.010 > PA 1001 5001 len=100 ts=102,200\n"
	       "+0.001 > FA 1101 5001 ts=103,200\n"
	       "+0.050 > PA 1001 5001 len=100 ts=150,200\n"
	       "+0.010 < A  5001 1101 ts=210,150\n"
	       "+0.200 > FA 1101 5001 ts=350,210\n"
	       "+0.010 < A  5001 1102 ts=360,350\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");

	tu_run(HANDSHAKE
	       "+0.010 < PA 5001 1001 len=100\n"
	       "+0.001 < FA 5101 1001\n"
	       "+0.013 > A  1001 5101\n"
	       "+0.002 > A  1001 5101 sack=5001-5101\n"
	       "+0.002 > A  1001 5102\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.001 < A  5001 1101\n"
	       "+0.030 < FA 5001 1102\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
}
END_TEST

/* The client aborts a download (RST with ACK, seq 1021, ack 7001: its
 * next seq and all it had). Its own earlier segments, delivered after
 * the RST by a path that reorders, left before it: (a) an ACK of 6001,
 * below the RST's ack (acks never go back), 50 ms later; (b) with
 * timestamps, an ACK of 7001 of the RST's own TSval (the same clock
 * tick, the ACK the abort followed) 0.3 ms later, within four of the
 * client's windows. No rst_ignored, reset by the client. (c) New data at seq 1021, the RST's own seq: sent after it,
 * the endpoint goes on (an injected RST): rst_ignored. (d) The server's
 * bare ACK of bytes the client sent before its RST (ack 1021, nothing
 * new) 60 ms later, past the 25 ms window but within four: it may have
 * crossed the RST on a path slower than the handshake's; 150 ms later,
 * past four: rst_ignored. */
#define ABORT_RA_HEAD(ts1, ts2, ts3, ts4, rst) \
	"0.000   > S  1000 0" ts1 "\n" \
	"+0.020  < SA 5000 1001" ts2 "\n" \
	"+0.0001 > A  1001 5001" ts3 "\n" \
	"+0.001  > PA 1001 5001 len=20" ts3 "\n" \
	"+0.020  < PA 5001 1021 len=1000" ts4 "\n" \
	"+0.020  < PA 6001 1021 len=1000" ts4 "\n" \
	"+0.001  > RA 1021 7001" rst "\n"
START_TEST(test_rst_sender_stale)
{
	struct tu_result r;

	tu_run(ABORT_RA_HEAD("", "", "", "", "")
	       "+0.050  > A  1021 6001\n", &r);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);
	ck_assert_int_eq(r.conns[0].reset_by, TU_CLIENT);

	tu_run(ABORT_RA_HEAD(" ts=100,0", " ts=200,100", " ts=120,200",
	    " ts=230,120", " ts=150,230")
	       "+0.0003 > A  1021 7001 ts=150,230\n", &r);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	ck_assert_int_eq(r.conns[0].reset_by, TU_CLIENT);
	/* The same 50 ms later, past four of the client's windows (0.1 ms
	 * round trip): nothing shows it older, and it comes too late for
	 * a reordered one: rst_ignored. So for new data 500 ms after an
	 * RST without the ACK bit at its sender's next seq (an abort's, or
	 * an injected one): the endpoint went on. */
	tu_run(ABORT_RA_HEAD(" ts=100,0", " ts=200,100", " ts=120,200",
	    " ts=230,120", " ts=150,230")
	       "+0.050  > A  1021 7001 ts=150,230\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "client");
	tu_run(HANDSHAKE DATA
	       "+0.010 > R  1101 0\n"
	       "+0.500 > PA 1101 5001 len=100\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 7, "client");

	tu_run(ABORT_RA_HEAD("", "", "", "", "")
	       "+0.050  > PA 1021 7001 len=10\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "client");

	tu_run(ABORT_RA_HEAD("", "", "", "", "")
	       "+0.060  < A  7001 1021\n", &r);
	tu_assert_no_anom(&r, 0, "rst_ignored");
	tu_assert_td(&r, 0, TD_RESET);

	tu_run(ABORT_RA_HEAD("", "", "", "", "")
	       "+0.150  < A  7001 1021\n", &r);
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
}
END_TEST

/* Captured between two hops that reorder: the server's data W-200..W
 * (5001..5200) acked by the client (frame 6, ack 5201 = W, TSval 112),
 * then the server's FIN W = 5201 20 ms later (spaced: a quarter of the
 * round trip or more; its TSval 202 the data's, one clock tick, so an
 * echo of 202 tells nothing), then a client ACK of W with TSval 107,
 * older than frame 6's: it left before frame 6, before the FIN arrived,
 * and repeats no answer to it; then the ACK of W+1. No fin_ack_bad_ack.
 * With TSval 130 (newer) it is a repeated ack sent after the FIN was
 * seen going to the client: fin_ack_bad_ack (SPEC: it answered the FIN
 * with W). */
#define FIN_REORDER_HEAD \
	"0.000  > S  1000 0 ts=100,0\n" \
	"+0.010 < SA 5000 1001 ts=200,100\n" \
	"+0.010 > A  1001 5001 ts=101,200\n" \
	"+0.010 < PA 5001 1001 len=100 ts=202,101\n" \
	"+0.001 < PA 5101 1001 len=100 ts=202,101\n" \
	"+0.010 > A  1001 5201 ts=112,202\n" \
	"+0.020 < FA 5201 1001 ts=202,112\n"
START_TEST(test_fin_ack_older_tsval)
{
	struct tu_result r;

	tu_run(FIN_REORDER_HEAD
	       "+0.001 > A  1001 5201 ts=107,202\n"
	       "+0.050 > A  1001 5202 ts=120,202\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");

	tu_run(FIN_REORDER_HEAD
	       "+0.001 > A  1001 5201 ts=130,202\n"
	       "+0.050 > A  1001 5202 ts=140,202\n", &r);
	tu_assert_anom(&r, 0, "fin_ack_bad_ack", 8, "client");

	/* The same repeated ack, but the ack of W+1 right behind it, 3 ms
	 * later, within the client's 10 ms round trip and no FIN resent:
	 * the FIN arrived just after the repeat was sent (it answered a
	 * data segment), as for a FIN right behind its data. */
	tu_run(FIN_REORDER_HEAD
	       "+0.001 > A  1001 5201 ts=130,202\n"
	       "+0.003 > A  1001 5202 ts=133,202\n", &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
}
END_TEST

/* A FIN past a hole (frame 5: 10 bytes at J+1, then the FIN at J+21, the
 * bytes J+11..J+20 never seen), sent again 300 ms later (frame 6): the end
 * judges it fin_bad_seq (u is J+11), so no detail calls its seq u, not
 * the one of the FIN sent again written before the end either. */
START_TEST(test_fin_past_hole_not_u)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=10\n"
	       "+0.010 > FA 1021 5001\n"
	       "+0.300 > FA 1021 5001\n", &r);
	tu_assert_anom(&r, 0, "fin_bad_seq", 5, "client");
	const char *d = tu_anom_detail(&r, 0, "fin_retransmitted");
	ck_assert_msg(d && strstr(d, "(J+21)") && !strstr(d, "(u)"),
	    "detail: %s", d ? d : "-");
	d = tu_anom_detail(&r, 0, "fin_unacked");
	ck_assert_msg(d && strstr(d, "(J+21)") && !strstr(d, "(u)"),
	    "detail: %s", d ? d : "-");
}
END_TEST

/* missing_time_wait's time counts from the final ACK (frame 9, 0.090 s)
 * when the server's FIN is sent again twice (frames 10, 11: each restarts
 * 2MSL, 3.10.7.4; their ACKs lost) before the client's RST (frame 12):
 * 0.6001 s, not from the second FIN (0.0001 s) nor the first (0.4001 s).
 * And a FIN_WAIT_2 timeout runs from entering FIN_WAIT_2, the ACK of the
 * FIN: an RST 0.1 s after that ACK, 1.05 s after the FIN, is no timeout. */
START_TEST(test_tw_final_ack_time)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n"
	       "+0.200 < FA 5001 1102\n"
	       "+0.400 < FA 5001 1102\n"
	       "+0.0001 > R  1102 0\n", &r);
	tu_assert_anom(&r, 0, "missing_time_wait", 12, "client");
	const char *d = tu_anom_detail(&r, 0, "missing_time_wait");
	ck_assert_msg(d && strstr(d, "0.600100s after its final ACK"),
	    "detail: %s", d ? d : "-");

	tu_run(HANDSHAKE DATA
	       "+0.010 > FA 1101 5001\n"
	       "+0.950 < A  5001 1102\n"
	       "+0.100 < FA 5001 1102\n"
	       "+0.0001 > R  1102 0\n", &r);
	d = tu_anom_detail(&r, 0, "rst_during_close");
	ck_assert_msg(d && strstr(d, "no connection left"), "detail: %s",
	    d ? d : "-");
}
END_TEST

/* The client closes (frame 4), the server acks it and closes 10 ms later
 * (frames 5, 6); the client answers the server's FIN with an RST without
 * ACK at u+1 (frame 7): it had no connection left. Not a FIN_WAIT_2
 * timeout, which takes a second at least (Linux's tcp_fin_timeout counts
 * seconds): the detail says only that. Two seconds later, it says the
 * timeout (tests/expected/fin-wait2-timeout.* has a real one). */
START_TEST(test_rst_no_connection_left_wording)
{
	struct tu_result r;

	for (int slow = 0; slow < 2; slow++) {
		char *t = g_strdup_printf(HANDSHAKE
		       "+0.010 > FA 1001 5001\n"
		       "+0.010 < A  5001 1002\n"
		       "+%s < FA 5001 1002\n"
		       "+0.001 > R  1002 0\n", slow ? "2.000" : "0.010");
		tu_run(t, &r);
		g_free(t);
		tu_assert_anom(&r, 0, "rst_during_close", 7, "client");
		const char *d = tu_anom_detail(&r, 0, "rst_during_close");
		ck_assert_ptr_nonnull(d);
		ck_assert_msg(strstr(d, slow ? "its FIN_WAIT_2 had timed out" :
		    "never acked: no connection left"), "detail: %s", d);
	}
}
END_TEST

/* A FIN without ACK (frame 6) after the client's data, which the server
 * acked: the server, ESTABLISHED, drops it (RFC 9293 3.10.7.4, fifth: the
 * ACK bit off), and acks u = 1101 again (frame 7). That FIN closed
 * nothing: bad_flags, no fin_ack_bad_ack against the server, nobody in
 * FIN_WAIT_1 or CLOSE_WAIT, teardown open. The client's FIN,ACK at the
 * same u after it (frame 8) is the first FIN the server takes, and the
 * same FIN sent again (fin_retransmitted #2, a retransmission, as when
 * the first copy is lost: pcaps/fin-noack.pcap, fin-lost.pcap): the
 * close that follows is graceful (the server acks u+1 and closes). */
START_TEST(test_fin_without_ack_dropped)
{
	struct tu_result r;
	const char *head = HANDSHAKE DATA
	       "+0.010 > F  1101 0\n"
	       "+0.010 < A  5001 1101\n";
	char *t;

	tu_run(head, &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "bad_flags", 6, "client");
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_no_anom(&r, 0, "fin_unacked");
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);

	t = g_strconcat(head,
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", NULL);
	tu_run(t, &r);
	tu_assert_no_anom(&r, 0, "fin_ack_bad_ack");
	tu_assert_anom(&r, 0, "fin_retransmitted", 8, "client");
	ck_assert_uint_eq(r.conns[0].retrans[TU_CLIENT], 1);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
	g_free(t);

	/* The same FIN without ACK a second after an RST from the server
	 * (frame 6, at its next seq: both taken as CLOSED): dropped too, not
	 * a FIN from an endpoint the RST's undoing gives back ESTABLISHED;
	 * the server's ACK (frame 8) shows it never took the RST, and the
	 * client's FIN,ACK (frame 9) is the first FIN taken, that FIN sent
	 * again: graceful. */
	tu_run(HANDSHAKE DATA
	       "+1.000 < R  5001 0\n"
	       "+1.000 > F  1101 0\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.300 > FA 1101 5001\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_anom(&r, 0, "bad_flags", 7, "client");
	tu_assert_anom(&r, 0, "rst_ignored", 8, "server");
	tu_assert_anom(&r, 0, "fin_retransmitted", 9, "client");
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
}
END_TEST

/* The same FIN without ACK (frame 6, u = 1101), but the server's next
 * segment acks it: ack u+1 = 1102 (frame 7). A conformant server drops it
 * (RFC 9293 3.10.7.4, fifth), this one took it (a crafted capture, a stack
 * that does not check): bad_flags still, and the FIN closes, as the
 * server's ack shows. The server then closes (FIN W = 5001, frame 8) and
 * the client acks W+1 = 5002 (frame 9): graceful, the client the
 * initiator in TIME_WAIT (2MSL not over at the end), the server CLOSED;
 * nothing unacked, no half-close, no ack of unseen data. Then both FINs
 * without ACK (each acked u+1 and W+1 by the peer's next segment): the
 * same. Then the FIN without ACK as the record's last segment: nothing
 * shows it was taken, so it closes nothing (teardown open), as before. */
START_TEST(test_fin_without_ack_acked)
{
	struct tu_result r;

	tu_run(HANDSHAKE DATA
	       "+0.010 > F  1101 0\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "bad_flags", 6, "client");
	tu_assert_no_anom(&r, 0, "ack_unseen_data");
	tu_assert_no_anom(&r, 0, "fin_unacked");
	tu_assert_no_anom(&r, 0, "half_closed");
	tu_assert_td(&r, 0, TD_GRACEFUL);
	ck_assert_int_eq(r.conns[0].initiator, 0);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);

	tu_run(HANDSHAKE DATA
	       "+0.010 > F  1101 0\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < F  5001 0\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_anom(&r, 0, "bad_flags", 6, "client");
	tu_assert_anom(&r, 0, "bad_flags", 8, "server");
	tu_assert_no_anom(&r, 0, "ack_unseen_data");
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);

	tu_run(HANDSHAKE DATA
	       "+0.010 > F  1101 0\n", &r);
	tu_assert_anom(&r, 0, "bad_flags", 6, "client");
	tu_assert_no_anom(&r, 0, "fin_unacked");
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

/* A FIN behind a hole (RFC 9293 3.10.7.4: a receiver takes segments in
 * sequence; the FIN's eighth step waits for RCV.NXT to reach it). The
 * client sends 50 bytes at J+1 = 1001 (frame 4), 50 at 1051 (frame 5,
 * lost past the capture point), and its FIN at u = 1101 (frame 6). The
 * server acks 1051 = J+51 8 ms later (frame 7: within the round trip of
 * 10 ms between the capture point and it, SYN to SYN-ACK, it may have
 * crossed the FIN), then again 110 ms later (frame 8): sent after the
 * FIN arrived, RCV.NXT still J+51, so the FIN waits out of order and
 * the server is ESTABLISHED, not CLOSE_WAIT (SPEC: "except where the
 * segments themselves show that it had not yet arrived"). */
#define HOLE_FIN \
	"+0.010 > PA 1001 5001 len=50\n" \
	"+0.001 > PA 1051 5001 len=50\n" \
	"+0.001 > FA 1101 5001\n" \
	"+0.008 < A  5001 1051\n"

START_TEST(test_fin_behind_hole)
{
	struct tu_result r;

	/* Frame 7 alone: no sign; the FIN seen going to it moved it. */
	tu_run(HANDSHAKE HOLE_FIN, &r);
	tu_assert_td(&r, 0, TD_HALF_CLOSED);
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_1, TCP_ST_CLOSE_WAIT);

	/* Frame 8 shows the FIN waiting: the end finds it ESTABLISHED. */
	tu_run(HANDSHAKE HOLE_FIN
	       "+0.110 < A  5001 1051\n", &r);
	tu_assert_td(&r, 0, TD_HALF_CLOSED);
	tu_assert_anom(&r, 0, "fin_unacked", 6, "client");
	tu_assert_anom(&r, 0, "half_closed", 6, "client");
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_1, TCP_ST_ESTABLISHED);

	/* The bytes sent again (frame 9) fill the hole: the server acks
	 * u+1 = 1102 (frame 10, CLOSE_WAIT; the client FIN_WAIT_2), closes
	 * with W = 5001 acking u+1 (frame 11, LAST_ACK; the client
	 * TIME_WAIT), and the client acks W+1 = 5002 (frame 12, CLOSED). A
	 * copy of the FIN sent again before (frame 9 here is data) would
	 * not move it either. */
	tu_run(HANDSHAKE HOLE_FIN
	       "+0.110 < A  5001 1051\n"
	       "+0.100 > PA 1051 5001 len=50\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_no_anom(&r, 0, "fin_unacked");
	ck_assert_uint_eq(r.conns[0].retrans[TU_CLIENT], 1);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);

	/* The FIN sent again (frame 9) while the hole is open: still
	 * ESTABLISHED at the end. */
	tu_run(HANDSHAKE HOLE_FIN
	       "+0.110 < A  5001 1051\n"
	       "+0.200 > FA 1101 5001\n"
	       "+0.010 < A  5001 1051\n", &r);
	tu_assert_anom(&r, 0, "fin_retransmitted", 9, "client");
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_1, TCP_ST_ESTABLISHED);

	/* The server closes while the FIN waits: its FIN W = 5001 acks
	 * only J+51 (frame 9: FIN_WAIT_1; the client, in FIN_WAIT_1,
	 * CLOSING on it), the client acks W+1 (frame 10: FIN_WAIT_2), the
	 * bytes come again (frame 11) and the server acks u+1 (frame 12):
	 * it takes the FIN then, TIME_WAIT, as the client does on that ack.
	 * Both FINs were sent before either arrived: simultaneous (3.6,
	 * figure 13). */
	tu_run(HANDSHAKE HOLE_FIN
	       "+0.110 < A  5001 1051\n"
	       "+0.010 < FA 5001 1051\n"
	       "+0.010 > A  1102 5002\n"
	       "+0.080 > PA 1051 5002 len=50\n"
	       "+0.010 < A  5002 1102\n", &r);
	tu_assert_td(&r, 0, TD_SIMULTANEOUS);
	tu_assert_states(&r, 0, TCP_ST_TIME_WAIT, TCP_ST_TIME_WAIT);
}
END_TEST

/* The client's FIN u = 1001 (frame 4) acked with u+1 (frame 5), then sent
 * again 200 ms later (frame 6): the ACK seen going to it had not arrived
 * (only FIN_WAIT_1 retransmits the FIN, RFC 9293 3.10.7.4), so it is in
 * FIN_WAIT_1 again, not FIN_WAIT_2, until the next ACK of u+1 (frame 7),
 * as a passive closer sending its FIN again from CLOSED is in LAST_ACK. */
START_TEST(test_fin_again_after_its_ack)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.200 > FA 1001 5001\n", &r);
	tu_assert_anom(&r, 0, "fin_retransmitted", 6, "client");
	tu_assert_td(&r, 0, TD_HALF_CLOSED);
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_1, TCP_ST_CLOSE_WAIT);

	tu_run(HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+0.200 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n", &r);
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
}
END_TEST

/* The server's SYN-ACK (K = 5000) again after its FIN was acked (frame
 * 6, server in FIN_WAIT_2): a server sends its FIN only ESTABLISHED, its
 * SYN-ACK acked, and never sends that SYN-ACK again: a late duplicate,
 * unexpected_syn (named SYN-ACK), not counted in synack_count nor as a
 * retransmission, as the same SYN after its answer is not. */
START_TEST(test_late_duplicate_synack)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > A  1001 5002\n"
	       "+0.010 < SA 5000 1001\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].synack_count, 1);
	ck_assert_uint_eq(r.conns[0].retrans[TU_SERVER], 0);
	tu_assert_no_anom(&r, 0, "synack_retransmitted");
	tu_assert_anom(&r, 0, "unexpected_syn", 6, "server");
}
END_TEST

/* Data without ACK (flags PSH alone, 100 bytes at J+1 = 1001, frame 4)
 * from the synchronized client. The server's next segment acks its end,
 * 1101 (frame 5): it took it, against 3.10.7.4, so the 100 bytes count
 * (bad_flags, no ack_unseen_data). Then the server acks only 1001, J+1
 * (frame 5), as a conformant stack does, dropping the segment: nothing
 * counted, and the client's data sent again with ACK (frame 6) is its
 * first, no retransmission. */
START_TEST(test_data_without_ack_acked)
{
	struct tu_result r;

	tu_run(HANDSHAKE
	       "+0.010 > P  1001 0 len=100\n"
	       "+0.010 < A  5001 1101\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "bad_flags", 4, "client");
	tu_assert_no_anom(&r, 0, "ack_unseen_data");
	ck_assert_uint_eq(r.conns[0].bytes[TU_CLIENT], 100);
	ck_assert_uint_eq(r.conns[0].pkts[TU_CLIENT], 3);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);

	tu_run(HANDSHAKE
	       "+0.010 > P  1001 0 len=100\n"
	       "+0.010 < A  5001 1001\n"
	       "+0.200 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n", &r);
	tu_assert_anom(&r, 0, "bad_flags", 4, "client");
	tu_assert_no_anom(&r, 0, "ack_unseen_data");
	ck_assert_uint_eq(r.conns[0].bytes[TU_CLIENT], 100);
	ck_assert_uint_eq(r.conns[0].retrans[TU_CLIENT], 0);
}
END_TEST

/* A FIN without ACK as the first segment (a FIN scan, nmap -sF): no
 * segment after a SYN lacks ACK (RFC 9293 3.10.7.4 fifth step: a
 * synchronized receiver drops it), so it is no capture begun inside a
 * connection: nobody is taken as ESTABLISHED, and the FIN from a CLOSED
 * endpoint closes nothing (fin_before_established). No initiator, no
 * half_closed, no fin_unacked, both CLOSED. (Teardown open: SPEC keeps
 * none for a handshake that never completed, and midstream is none of
 * those.) */
START_TEST(test_fin_scan_probe)
{
	struct tu_result r;

	tu_run("0.000  > F  1000 0\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_anom(&r, 0, "fin_before_established", 1, "client");
	tu_assert_no_anom(&r, 0, "half_closed");
	tu_assert_no_anom(&r, 0, "fin_unacked");
	tu_assert_no_anom(&r, 0, "ack_without_handshake");
	tu_assert_td(&r, 0, TD_OPEN);	/* SPEC: none is for handshakes */
	ck_assert_int_eq(r.conns[0].initiator, -1);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
}
END_TEST

/* Captured at the server, the client's second data segment (J+101)
 * overtook its third segment (the pure ACK at J+1) and its first data
 * segment (J+1, 100 bytes): the first segment with ACK after the SYN-ACK
 * starts beyond J+1, but the client's segments at J+1 follow, so its
 * numbers were right (RFC 9293 3.5): no handshake_ack_bad_seq, and the
 * hole is filled (no capture_gap). A third segment at J+5 that nothing
 * at J+1 follows is handshake_ack_bad_seq, at its own frame. */
START_TEST(test_third_overtaken)
{
	struct tu_result r;

	tu_run("0.000  > S  1000 0\n"
	       "0.0001 < SA 5000 1001\n"
	       "0.020  > PA 1101 5001 len=100\n"
	       "0.0201 > A  1001 5001\n"
	       "0.0202 > PA 1001 5001 len=100\n"
	       "0.0203 < A  5001 1201\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].nanoms, 0);
	tu_assert_hs(&r, 0, HS_COMPLETE);

	tu_run("0.000  > S  1000 0\n"
	       "0.0001 < SA 5000 1001\n"
	       "0.020  > A  1005 5001\n", &r);
	tu_assert_anom(&r, 0, "handshake_ack_bad_seq", 3, "client");
}
END_TEST

/* ==== every capture order of a teardown ================================ */

/* A teardown's segments, each direction in its own order; the capture may
 * interleave the two directions in any way (a multi-queue NIC, a span
 * port, mergecap): the outcome, initiator and states must not change.
 * After HANDSHAKE (J=1000, K=5000), 1 ms apart, within the 20 ms round
 * trip, so that no segment reads as a retransmission. */
struct icase {
	const char *name;
	const char *cl[3], *sv[3];	/* NULL-terminated lines */
	int td, initiator, cst, sst;	/* + 1 */
	bool clean;			/* no warning or error */
};

static const struct icase interleave_cases[] = {
{
	/* 100 bytes, FIN u=1101, ACK W+1; the server acks the data, u+1,
	 * then its FIN W=5001 */
	.name = "client closes after data",
	.cl = { "> PA 1001 5001 len=100", "> FA 1101 5001", "> A 1102 5002" },
	.sv = { "< A 5001 1101", "< A 5001 1102", "< FA 5001 1102" },
	.td = TD(GRACEFUL), .initiator = CLIENT,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .clean = true,
}, {
	/* three-segment close: the server's FIN acks u+1 */
	.name = "three-segment close",
	.cl = { "> FA 1001 5001", "> A 1002 5002" },
	.sv = { "< FA 5001 1002" },
	.td = TD(GRACEFUL), .initiator = CLIENT,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .clean = true,
}, {
	/* the server sends 100 bytes after the client's FIN (half-close),
	 * then its FIN W=5101 */
	.name = "client closes, server sends then closes",
	.cl = { "> FA 1001 5001", "> A 1002 5101", "> A 1002 5102" },
	.sv = { "< A 5001 1002", "< PA 5001 1002 len=100", "< FA 5101 1002" },
	.td = TD(GRACEFUL), .initiator = CLIENT,
	.cst = ST(TIME_WAIT), .sst = ST(CLOSED), .clean = true,
}, {
	.name = "server closes",
	.cl = { "> A 1001 5002", "> FA 1001 5002" },
	.sv = { "< FA 5001 1001", "< A 5002 1002" },
	.td = TD(GRACEFUL), .initiator = SERVER,
	.cst = ST(CLOSED), .sst = ST(TIME_WAIT), .clean = true,
}, {
	/* neither FIN acks the other: both were sent before either
	 * arrived (3.6 figure 13); the initiator is the first captured */
	.name = "simultaneous close",
	.cl = { "> FA 1001 5001", "> A 1002 5002" },
	.sv = { "< FA 5001 1001", "< A 5002 1002" },
	.td = TD(SIMULTANEOUS),
	.cst = ST(TIME_WAIT), .sst = ST(TIME_WAIT), .clean = true,
}, {
	/* the client's FIN u=1001, acked; then its RST at u+1 while the
	 * server's 10 bytes are in flight (they cross it) */
	.name = "RST after the client's FIN",
	.cl = { "> FA 1001 5001", "> R 1002 0" },
	.sv = { "< A 5001 1002", "< PA 5001 1002 len=10" },
	.td = TD(RESET), .initiator = CLIENT,
	.cst = ST(CLOSED), .sst = ST(CLOSED),
}, {
	/* the server resets after acking 10 bytes, before the client's
	 * FIN (u=1011), which crosses the RST */
	.name = "server RST crossing the client's FIN",
	.cl = { "> PA 1001 5001 len=10", "> FA 1011 5001" },
	.sv = { "< A 5001 1011", "< RA 5001 1011" },
	.td = TD(RESET), .initiator = CLIENT,
	.cst = ST(CLOSED), .sst = ST(CLOSED),
},
};

START_TEST(test_interleavings)
{
	const struct icase *c = &interleave_cases[_i];
	unsigned nc = 0, ns = 0, n = 0;

	while (nc < 3 && c->cl[nc])
		nc++;
	while (ns < 3 && c->sv[ns])
		ns++;
	/* Every subset of positions for the client's segments: bit k of
	 * m set = position k is the client's next segment. */
	for (unsigned m = 0; m < 1u << (nc + ns); m++) {
		if ((unsigned)__builtin_popcount(m) != nc)
			continue;
		GString *scn = g_string_new(HANDSHAKE);
		unsigned ic = 0, is = 0;
		for (unsigned k = 0; k < nc + ns; k++)
			g_string_append_printf(scn, "+0.001 %s\n", (m >> k & 1) ?
			    c->cl[ic++] : c->sv[is++]);
		struct tu_result r;
		tu_run(scn->str, &r);
		tu_assert_nconns(&r, 1);
		const struct tu_conn *t = &r.conns[0];
		ck_assert_msg(t->td == c->td - 1 && (!c->initiator ||
		    t->initiator == c->initiator - 1) &&
		    t->st[TU_CLIENT] == c->cst - 1 &&
		    t->st[TU_SERVER] == c->sst - 1, "%s, order %u:\n%swant "
		    "%s by %s, client %s, server %s; got %s", c->name, m,
		    scn->str, td_outcome_name[c->td - 1],
		    c->initiator == CLIENT ? "client" : "server",
		    tu_state(c->cst - 1), tu_state(c->sst - 1), tu_dump(&r, 0));
		ck_assert_msg(!c->clean || tu_no_warnings(&r, 0),
		    "%s, order %u:\n%sno warning due; got %s", c->name, m,
		    scn->str, tu_dump(&r, 0));
		ck_assert_msg(tu_count_anom(&r, 0, "rst_ignored") == 0,
		    "%s, order %u: rst_ignored; got %s", c->name, m,
		    tu_dump(&r, 0));
		g_string_free(scn, TRUE);
		n++;
	}
	ck_assert_uint_gt(n, 0);
}
END_TEST

START_TEST(test_msl_option)
{
	struct tu_result r;
	struct tu_opts o = { .msl = 1 };

	/* --msl 1: 2MSL = 2 s. A new SYN 3 s after the final ACK is a
	 * legitimate reuse, no missing_time_wait. */
	tu_run_opts(HANDSHAKE CLIENT_CLOSE
	       "+3.000 > S  9000 0\n", &o, &r);
	tu_assert_nconns(&r, 2);
	tu_assert_no_anom(&r, 0, "missing_time_wait");
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
}
END_TEST

START_TEST(test_frame_numbers_across_records)
{
	struct tu_result r;

	/* Frame numbers count every frame of the capture, not per record:
	 * an anomaly of the second connection carries its capture frame. */
	tu_run("client 10.0.0.1:40001\n"
	       "0.000  > S  1000 0\n"
	       "client 10.0.0.1:40002\n"
	       "+0.010 > S  2000 0\n"
	       "+0.010 < SA 6000 2005\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40002");
	tu_assert_anom(&r, 1, "synack_bad_ack", 3, "server");
	ck_assert_int_eq(r.conns[0].nanoms, 0);
}
END_TEST

static Suite *
conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("anomalies");

	tcase_add_loop_test(tc, test_anomaly, 0, N(anomaly_cases));
	tcase_add_test(tc, test_every_spec_anomaly_has_a_case);
	tcase_add_test(tc, test_every_anomaly_has_a_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("outcomes");
	tcase_add_loop_test(tc, test_outcome, 0, N(outcome_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("interleavings");
	tcase_add_loop_test(tc, test_interleavings, 0, N(interleave_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("clean");
	tcase_add_loop_test(tc, test_clean, 0, N(clean_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("orientation");
	tcase_add_test(tc, test_orientation_syn);
	tcase_add_test(tc, test_orientation_synack);
	tcase_add_test(tc, test_orientation_port);
	tcase_add_test(tc, test_orientation_tie);
	suite_add_tcase(s, tc);

	tc = tcase_create("special");
	tcase_add_test(tc, test_old_duplicate_syn);
	tcase_add_test(tc, test_syn_again_after_lost_synack);
	tcase_add_test(tc, test_client_rst_after_synack);
	tcase_add_test(tc, test_tfo_synack_lost);
	tcase_add_test(tc, test_synack_again_after_dropped_ack);
	tcase_add_test(tc, test_old_duplicate_syn_retransmitted);
	tcase_add_test(tc, test_old_duplicate_syn_then_close);
	tcase_add_test(tc, test_syn_count_without_unexpected_syn);
	tcase_add_test(tc, test_syn_duplicate_after_third);
	tcase_add_test(tc, test_tw_refuses_syn);
	tcase_add_test(tc, test_icmp_errors);
	tcase_add_test(tc, test_data_after_fin_count);
	tcase_add_test(tc, test_final_ack_missing_and_fin_unacked);
	tcase_add_test(tc, test_tw_refuses_syn_more);
	tcase_add_test(tc, test_half_open_discovery);
	tcase_add_test(tc, test_rst_in_senders_name);
	tcase_add_test(tc, test_syn_new_isn_after_lost_synack);
	tcase_add_test(tc, test_late_synack_other_isn);
	tcase_add_test(tc, test_asym_after_server_banner);
	tcase_add_test(tc, test_one_sided_server_banner);
	tcase_add_test(tc, test_third_unseen_by_tsecr);
	tcase_add_test(tc, test_anomaly_cap_keeps_errors);
	tcase_add_test(tc, test_fins_crossed_by_timestamps);
	tcase_add_test(tc, test_dup_ack_crossing_fin_by_timestamps);
	tcase_add_test(tc, test_fin_resent_lost_past_capture);
	tcase_add_test(tc, test_fin_ack_u_dsack_behind_queue);
	tcase_add_test(tc, test_fin_ack_u_echoes_fin);
	tcase_add_test(tc, test_fin_ack_u_behind_queued_data);
	tcase_add_test(tc, test_rst_from_closed_endpoint_detail);
	tcase_add_test(tc, test_holes_beyond_the_record);
	tcase_add_test(tc, test_synacks_lost_after_capture);
	tcase_add_test(tc, test_rst_crossed_by_queued_burst);
	tcase_add_test(tc, test_rst_ignored_sender_stays_closed);
	tcase_add_test(tc, test_fin_without_ack_dropped);
	tcase_add_test(tc, test_fin_without_ack_acked);
	tcase_add_test(tc, test_data_without_ack_acked);
	tcase_add_test(tc, test_fin_behind_hole);
	tcase_add_test(tc, test_fin_again_after_its_ack);
	tcase_add_test(tc, test_late_duplicate_synack);
	tcase_add_test(tc, test_rst_no_connection_left_wording);
	tcase_add_test(tc, test_tw_final_ack_time);
	tcase_add_test(tc, test_fin_past_hole_not_u);
	tcase_add_test(tc, test_fin_again_from_fin_wait_1);
	tcase_add_test(tc, test_tfo_fin_before_synack);
	tcase_add_test(tc, test_tfo_synack_lost_with_fin);
	tcase_add_test(tc, test_fin_ack_u_after_round_trip);
	tcase_add_test(tc, test_third_with_data_bad_ack);
	tcase_add_test(tc, test_server_data_before_synack);
	tcase_add_test(tc, test_client_rst_after_syn);
	tcase_add_test(tc, test_wscale_clamped_detail);
	tcase_add_test(tc, test_fin_crossing_after_data_ack);
	tcase_add_test(tc, test_rst_between_attempts);
	tcase_add_test(tc, test_fin_ack_u_on_loaded_path);
	tcase_add_test(tc, test_time_wait_reopened_by_timestamp);
	tcase_add_test(tc, test_first_synack_after_new_isn);
	tcase_add_test(tc, test_rst_one_below);
	tcase_add_test(tc, test_fin_behind_its_own_ack);
	tcase_add_test(tc, test_syn_to_last_ack);
	tcase_add_test(tc, test_rst_abort_crossing_fin);
	tcase_add_test(tc, test_time_wait_restarts_on_fin_again);
	tcase_add_test(tc, test_rst_crossed_by_older_tsval);
	tcase_add_test(tc, test_rst_sender_stale);
	tcase_add_test(tc, test_fin_ack_u_not_an_answer);
	tcase_add_test(tc, test_fin_ack_older_tsval);
	tcase_add_test(tc, test_rst_from_time_wait_after_simultaneous_close);
	tcase_add_test(tc, test_new_syn_answered_by_synack);
	tcase_add_test(tc, test_rst_crossed_by_queued_data);
	tcase_add_test(tc, test_fin_scan_probe);
	tcase_add_test(tc, test_third_overtaken);
	tcase_add_test(tc, test_rtt_after_syn_retransmitted);
	tcase_add_test(tc, test_rtt_after_synack_retransmitted);
	tcase_add_test(tc, test_rtt_no_retransmission);
	tcase_add_test(tc, test_time_wait_expires);
	tcase_add_test(tc, test_msl_option);
	tcase_add_test(tc, test_frame_numbers_across_records);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	conn_fast_check = true;	/* every conn_input(): both paths */
	SRunner *sr = srunner_create(conn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
