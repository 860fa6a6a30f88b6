/* check_flow.c - the connection table: 4-tuple -> record, and when a
 * record is released (SPEC.md "Who is client and server", JSON Lines
 * "as each connection ends", --idle-timeout, --max-flows).
 *
 * The key tests call flow_key_make() directly; the rest run forged
 * captures end to end with tu_run() (tests/testutil.h), which also counts
 * the records open after every frame. Default endpoints: client
 * 10.0.0.1:40000, server 10.0.0.2:80; J = 1000, K = 5000.
 */
#include "config.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "flow.h"
#include "hugemem.h"
#include "testutil.h"

#define HANDSHAKE \
	"0.000  > S  1000 0\n" \
	"+0.010 < SA 5000 1001\n" \
	"+0.010 > A  1001 5001\n"

#define CLIENT_CLOSE \
	"+0.010 > FA 1001 5001\n" \
	"+0.010 < A  5001 1002\n" \
	"+0.010 < FA 5001 1002\n" \
	"+0.010 > A  1002 5002\n"

/* The server closes first (it will hold TIME_WAIT). */
#define SERVER_CLOSE \
	"+0.010 < FA 5001 1001\n" \
	"+0.010 > A  1001 5002\n" \
	"+0.010 > FA 1001 5002\n" \
	"+0.010 < A  5002 1002\n"

/* The client opens again 1 s after the last segment (new ISNs). */
#define REOPEN \
	"+1.000 > S  9000 0\n" \
	"+0.010 < SA 7000 9001\n" \
	"+0.010 > A  9001 7001\n"

/* ==== the key ============================================================ */

static struct pkt
pkt4(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pkt p;
	unsigned a[4];

	memset(&p, 0, sizeof(p));
	p.af = 4;
	ck_assert(sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) == 4);
	for (int i = 0; i < 4; i++)
		p.src[i] = (uint8_t)a[i];
	ck_assert(sscanf(dst, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) == 4);
	for (int i = 0; i < 4; i++)
		p.dst[i] = (uint8_t)a[i];
	p.tcp.sport = sport;
	p.tcp.dport = dport;
	return p;
}

static void
assert_one_key(const struct pkt *fwd, const struct pkt *rev)
{
	struct flow_key k1, k2;
	uint8_t d1, d2;

	flow_key_make(fwd, &k1, &d1);
	flow_key_make(rev, &k2, &d2);
	/* Both directions: the same key, byte for byte (it is hashed as
	 * bytes), the same hash, and opposite sender indexes. */
	ck_assert(memcmp(&k1, &k2, sizeof(k1)) == 0);
	ck_assert_uint_eq(flow_key_hash(&k1), flow_key_hash(&k2));
	ck_assert_uint_ne(d1, d2);
	/* -j's hash of the packet itself is the key's */
	ck_assert_uint_eq(flow_pkt_hash(fwd), flow_key_hash(&k1));
	ck_assert_uint_eq(flow_pkt_hash(rev), flow_key_hash(&k1));
}

/* flow_pkt_hash() against flow_key_hash() of flow_key_make(): 200,000
 * packets from a few addresses and ports (so that many tie), both
 * families. */
START_TEST(test_pkt_hash_as_key_hash)
{
	GRand *rng = g_rand_new_with_seed(793);

	for (int i = 0; i < 200000; i++) {
		struct pkt p;
		memset(&p, 0, sizeof(p));
		p.af = g_rand_int_range(rng, 0, 4) ? 4 : 6;
		for (int b = 0; b < (p.af == 4 ? 4 : 16); b++) {
			p.src[b] = (uint8_t)g_rand_int_range(rng, 0, 3);
			p.dst[b] = (uint8_t)g_rand_int_range(rng, 0, 3);
		}
		p.tcp.sport = (uint16_t)g_rand_int_range(rng, 0, 3) * 30000;
		p.tcp.dport = (uint16_t)g_rand_int_range(rng, 0, 3) * 30000;
		struct flow_key k;
		uint8_t d;
		flow_key_make(&p, &k, &d);
		ck_assert_uint_eq(flow_pkt_hash(&p), flow_key_hash(&k));
	}
	g_rand_free(rng);
}
END_TEST

START_TEST(test_key_both_directions_v4)
{
	struct pkt a = pkt4("10.0.0.1", 40000, "10.0.0.2", 80);
	struct pkt b = pkt4("10.0.0.2", 80, "10.0.0.1", 40000);

	assert_one_key(&a, &b);
}
END_TEST

START_TEST(test_key_same_address)
{
	/* Loopback: one address, the ports order the endpoints. */
	struct pkt a = pkt4("127.0.0.1", 5000, "127.0.0.1", 6000);
	struct pkt b = pkt4("127.0.0.1", 6000, "127.0.0.1", 5000);

	assert_one_key(&a, &b);
}
END_TEST

START_TEST(test_key_pairs_not_fields)
{
	/* The endpoints are ordered as (address, port) pairs: swapping
	 * only the ports gives another connection. */
	struct pkt a = pkt4("10.0.0.1", 40000, "10.0.0.2", 80);
	struct pkt b = pkt4("10.0.0.1", 80, "10.0.0.2", 40000);
	struct flow_key k1, k2;
	uint8_t d1, d2;

	flow_key_make(&a, &k1, &d1);
	flow_key_make(&b, &k2, &d2);
	ck_assert(memcmp(&k1, &k2, sizeof(k1)) != 0);
}
END_TEST

START_TEST(test_key_both_directions_v6)
{
	struct pkt a, b;

	memset(&a, 0, sizeof(a));
	a.af = 6;
	a.src[0] = 0x20; a.src[1] = 0x01; a.src[15] = 1;
	a.dst[0] = 0x20; a.dst[1] = 0x01; a.dst[15] = 2;
	a.tcp.sport = 40000;
	a.tcp.dport = 443;
	b = a;
	memcpy(b.src, a.dst, 16);
	memcpy(b.dst, a.src, 16);
	b.tcp.sport = 443;
	b.tcp.dport = 40000;
	assert_one_key(&a, &b);
}
END_TEST

START_TEST(test_one_record_both_directions)
{
	struct tu_result r;

	/* A whole conversation in both directions is one record: client
	 * frames 1, 3, 4, 6, 9 and server frames 2, 5, 7, 8. */
	tu_run(HANDSHAKE
	       "+0.010 > PA 1001 5001 len=100\n"
	       "+0.010 < A  5001 1101\n"
	       "+0.010 > FA 1101 5001\n"
	       "+0.010 < A  5001 1102\n"
	       "+0.010 < FA 5001 1102\n"
	       "+0.010 > A  1102 5002\n", &r);
	tu_assert_nconns(&r, 1);
	ck_assert_uint_eq(r.conns[0].pkts[TU_CLIENT], 5);
	ck_assert_uint_eq(r.conns[0].pkts[TU_SERVER], 4);
	ck_assert_uint_eq(r.max_open, 1);
}
END_TEST

START_TEST(test_other_tuple_other_record)
{
	struct tu_result r;

	/* Another client port is another connection, even interleaved. */
	tu_run("client 10.0.0.1:40001\n"
	       "0.000  > S  1000 0\n"
	       "client 10.0.0.1:40002\n"
	       "+0.001 > S  2000 0\n"
	       "client 10.0.0.1:40001\n"
	       "+0.010 < SA 5000 1001\n"
	       "client 10.0.0.1:40002\n"
	       "+0.001 < SA 6000 2001\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40001");
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40002");
	tu_assert_hs(&r, 0, HS_INCOMPLETE);
	tu_assert_hs(&r, 1, HS_INCOMPLETE);
	ck_assert_uint_eq(r.max_open, 2);
}
END_TEST

/* ==== 4-tuple reuse ====================================================== */

START_TEST(test_reuse_in_time_wait)
{
	struct tu_result r;

	/* The client (active closer) is in TIME_WAIT after its final ACK
	 * (frame 7) and opens again 1 s later: the new SYN starts a new
	 * record (SPEC), and the early exit is missing_time_wait on the
	 * old one. The new record completes its own handshake. */
	tu_run(HANDSHAKE CLIENT_CLOSE
	       REOPEN, &r);
	tu_assert_nconns(&r, 2);
	ck_assert_uint_lt(r.conns[0].id, r.conns[1].id);
	ck_assert_int_eq(r.conns[0].end, END_REUSED);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_anom(&r, 0, "missing_time_wait", 8, "client");
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].first_frame, 8);
	tu_assert_no_warnings(&r, 1);
	ck_assert_uint_eq(r.max_open, 1);
}
END_TEST

START_TEST(test_reuse_server_time_wait)
{
	struct tu_result r;

	/* The server closed first and sits in TIME_WAIT; the client
	 * (CLOSED) opens again 1 s later. RFC 9293 3.6.1 / RFC 6191 let a
	 * TIME-WAIT endpoint accept a new SYN: a new record, and the
	 * client, which was not in TIME_WAIT, skipped nothing. The SYN's
	 * ISN, 9000, is beyond every seq of the old connection (its last,
	 * the client's FIN at 1001): the server takes it (its SYN-ACK),
	 * so it left TIME_WAIT, and the old record shows it CLOSED. */
	tu_run(HANDSHAKE SERVER_CLOSE REOPEN, &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_no_warnings(&r, 0);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	tu_assert_no_warnings(&r, 1);
}
END_TEST

/* The same reopening, the server's new ISN below or at its FIN's seq 5001,
 * the largest it used: a TIME-WAIT endpoint may take a new SYN only if it
 * "assigns its initial sequence number for the new connection to be
 * larger than the largest sequence number it used on the previous
 * connection incarnation" (RFC 9293 3.6.1): it left TIME_WAIT before
 * 2MSL without that, missing_time_wait at its SYN-ACK (frame 9, new
 * record). 5002 is above it: none. With timestamps on the new handshake,
 * PAWS guards the old segments instead (RFC 6191 2): none, whatever the
 * ISN. 70 s later, TIME_WAIT was over: none. */
START_TEST(test_reuse_server_time_wait_low_isn)
{
	static const struct {
		const char *reopen;
		bool anom;
	} cases[] = {
		{ "+1.000 > S  9000 0\n+0.010 < SA 4000 9001\n"
		  "+0.010 > A  9001 4001\n", true },
		{ "+1.000 > S  9000 0\n+0.010 < SA 5001 9001\n"
		  "+0.010 > A  9001 5002\n", true },
		{ "+1.000 > S  9000 0\n+0.010 < SA 5002 9001\n"
		  "+0.010 > A  9001 5003\n", false },
		{ "+1.000 > S  9000 0 ts=900,0\n"
		  "+0.010 < SA 4000 9001 ts=700,900\n"
		  "+0.010 > A  9001 4001 ts=901,700\n", false },
		{ "+70.00 > S  9000 0\n+0.010 < SA 4000 9001\n"
		  "+0.010 > A  9001 4001\n", false },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct tu_result r;
		char *scn = g_strconcat(HANDSHAKE SERVER_CLOSE, cases[i].reopen,
		    NULL);

		tu_run(scn, &r);
		tu_assert_nconns(&r, 2);
		tu_assert_no_warnings(&r, 0);
		tu_assert_hs(&r, 1, HS_COMPLETE);
		if (cases[i].anom)
			tu_assert_anom(&r, 1, "missing_time_wait", 9,
			    "server");
		else
			tu_assert_no_warnings(&r, 1);
		g_free(scn);
	}
}
END_TEST

/* The server closed first and holds TIME_WAIT; 10 s later the client
 * reuses the 4-tuple with a lower ISN (500). The TIME_WAIT server answers
 * with the old connection's ACK (5002/1002: 3.10.7.4, RFC 5961 4), which
 * acks nothing of the new SYN: the SYN_SENT client resets it (seq =
 * SEG.ACK, 3.10.7.3) and sends its SYN again, which the server, its
 * TIME_WAIT over, takes. The old ACK and the RST are the old record's
 * (frames 9 and 10): the RST ends the server's TIME_WAIT (3.10.7.4,
 * RFC 1337), so record 1 shows both CLOSED. By hand, record 2: complete,
 * no ack_unseen_data (it never saw the old ACK; an ACK to a SYN_SENT end
 * acks only its SYN, or is unacceptable: not bytes the capture missed),
 * the SYN sent twice (info), 3 client packets (S S A), 1 server. */
START_TEST(test_time_wait_ack_to_new_syn)
{
	struct tu_result r;

	tu_run(HANDSHAKE SERVER_CLOSE
	       "+10    > S  500 0\n"
	       "+0.001 < A  5002 1002\n"
	       "+0.001 > R  1002 0\n"
	       "+1     > S  500 0\n"
	       "+0.010 < SA 9000 501\n"
	       "+0.010 > A  501 9001\n", &r);
	tu_assert_nconns(&r, 2);
	/* ISN 500 is below the old connection's seqs (1002): the server
	 * rejected it, answered from TIME_WAIT, and the client's RST to that
	 * answer ended its TIME_WAIT. */
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_no_warnings(&r, 0);
	ck_assert_uint_eq(r.conns[0].last_frame, 10);
	ck_assert_uint_eq(r.conns[1].first_frame, 8);
	ck_assert_uint_eq(r.conns[1].pkts[TU_CLIENT], 3);
	ck_assert_uint_eq(r.conns[1].pkts[TU_SERVER], 1);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	tu_assert_no_warnings(&r, 1);
	ck_assert_uint_eq(tu_count_anom(&r, 1, "ack_unseen_data"), 0);
	ck_assert(tu_has_anom(&r, 1, "syn_retransmitted", 11, "client"));
	tu_assert_states(&r, 1, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_reuse_after_time_wait_expired)
{
	struct tu_result r;

	/* 70 s after the final ACK: 2MSL (60 s) is over, the record was
	 * released by the TIME_WAIT timer; the SYN starts a new one, with
	 * no missing_time_wait. */
	tu_run(HANDSHAKE CLIENT_CLOSE
	       "+70.00 > S  9000 0\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_TIME_WAIT);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_no_warnings(&r, 0);
	tu_assert_hs(&r, 1, HS_UNANSWERED);
}
END_TEST

/* A timer that runs out between two sweeps (once a second of the capture
 * clock) ends its record at the segment that finds it, not at the next
 * sweep: whether another connection's packet made a sweep just before
 * the deadline changes nothing. The client's final ACK at 0.06 s, so its
 * TIME_WAIT ends at 60.06 s (2MSL = 60 s); another client's SYN at
 * 60.05 s sweeps; the server's FIN sent again at 60.5 s and the closed
 * client's RST are no longer the record's (no missing_time_wait, which
 * is for within 2MSL), but a record of their own. Likewise a SYN 300.9 s
 * after the last packet (idle timeout 300 s), a sweep at 300.01 s: a new
 * record, not an unexpected_syn of the old one. */
START_TEST(test_timer_ran_out_between_sweeps)
{
	struct tu_result r;

	tu_run("client 10.0.0.1:40000\n" "server 10.0.0.2:80\n"
	       "0.000  > S  1000 0\n"
	       "0.010  < SA 5000 1001\n"
	       "0.020  > A  1001 5001\n"
	       "0.030  > FA 1001 5001\n"
	       "0.040  < A  5001 1002\n"
	       "0.050  < FA 5001 1002\n"
	       "0.060  > A  1002 5002\n"
	       "client 10.0.0.3:40001\n" "server 10.0.0.2:80\n"
	       "60.05  > S  7000 0\n"
	       "client 10.0.0.1:40000\n" "server 10.0.0.2:80\n"
	       "60.5   < FA 5001 1002\n"
	       "60.5001 > R 1002 0\n", &r);
	tu_assert_nconns(&r, 3);
	ck_assert_int_eq(r.conns[0].end, END_TIME_WAIT);
	tu_assert_td(&r, 0, TD_GRACEFUL);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSED);
	tu_assert_no_warnings(&r, 0);
	ck_assert_uint_eq(r.conns[0].last_frame, 7);

	tu_run("client 10.0.0.1:40000\n" "server 10.0.0.2:80\n"
	       "0.000  > S  1000 0\n"
	       "0.010  < SA 5000 1001\n"
	       "0.020  > A  1001 5001\n"
	       "client 10.0.0.3:40001\n" "server 10.0.0.2:80\n"
	       "300.01 > S  7000 0\n"
	       "client 10.0.0.1:40000\n" "server 10.0.0.2:80\n"
	       "300.9  > S  90000 0\n", &r);
	tu_assert_nconns(&r, 3);
	ck_assert_int_eq(r.conns[0].end, END_IDLE);
	tu_assert_no_warnings(&r, 0);
	ck_assert_uint_eq(r.conns[0].last_frame, 3);
}
END_TEST

START_TEST(test_reuse_after_rst)
{
	struct tu_result r;

	/* Reset (frame 4), then a new SYN 1 s later: new record. */
	tu_run(HANDSHAKE
	       "+0.010 > RA 1001 5001\n"
	       "+1.000 > S  9000 0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_RESET);
	tu_assert_hs(&r, 1, HS_UNANSWERED);
	ck_assert_uint_eq(r.conns[1].first_frame, 5);

	/* The same 10 s later: the reset record had been released. */
	tu_run(HANDSHAKE
	       "+0.010 > RA 1001 5001\n"
	       "+10.00 > S  9000 0\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_td(&r, 0, TD_RESET);
	ck_assert_int_eq(r.conns[0].end, END_RESET);
	tu_assert_hs(&r, 1, HS_UNANSWERED);
}
END_TEST

START_TEST(test_reuse_after_refusal)
{
	struct tu_result r;

	/* A refused SYN, and the client tries again (new ISN) 1 s later:
	 * two attempts, two records, each refused. */
	tu_run("0.000  > S  1000 0\n"
	       "+0.010 < RA 0 1001\n"
	       "+1.000 > S  3000 0\n"
	       "+0.010 < RA 0 3001\n", &r);
	tu_assert_nconns(&r, 2);
	tu_assert_hs(&r, 0, HS_REFUSED);
	tu_assert_hs(&r, 1, HS_REFUSED);
	tu_assert_no_warnings(&r, 0);
	tu_assert_no_warnings(&r, 1);
}
END_TEST

START_TEST(test_reuse_closed_peer_closing)
{
	struct tu_result r;

	/* The FINs cross (the client's carries ack 5001, not 5002); the
	 * server acks the client's FIN, so the client goes LAST_ACK ->
	 * CLOSED, but its ACK of the server's FIN is not in the capture:
	 * the server shows in CLOSING. The client, closed, opens again
	 * 1 s later. It has ended its life on the 4-tuple and the server
	 * sent its FIN, so the SYN starts a new record (SPEC: a closed
	 * connection), not a second life of the client in the first. */
	tu_run(HANDSHAKE
	       "+0.010 < FA 5001 1001\n"
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5002 1002\n"
	       REOPEN, &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_REUSED);
	tu_assert_states(&r, 0, TCP_ST_CLOSED, TCP_ST_CLOSING);
	/* The server's FIN (W = 5001) was never acked with 5002. */
	tu_assert_td(&r, 0, TD_UNACKED);
	tu_assert_hs(&r, 1, HS_COMPLETE);
	ck_assert_uint_eq(r.conns[1].first_frame, 7);
	tu_assert_no_warnings(&r, 1);

	/* The same in a simultaneous close seen from the other side: the
	 * client got the ack of its FIN (TIME_WAIT), its own ACK of the
	 * server's FIN is missing (server in CLOSING), and the client
	 * reopens 1 s later, within 2MSL: a new record, and the old one
	 * says the client left TIME_WAIT early. */
	tu_run(HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.000 < FA 5001 1001\n"
	       "+0.010 < A  5002 1002\n"
	       REOPEN, &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_REUSED);
	tu_assert_anom(&r, 0, "missing_time_wait", 7, "client");
	tu_assert_hs(&r, 1, HS_COMPLETE);
	tu_assert_no_warnings(&r, 1);
}
END_TEST

START_TEST(test_no_reuse_while_open)
{
	struct tu_result r;

	/* A SYN retransmitted during the handshake, and a stray SYN on the
	 * established connection, are not new connections (SPEC: only a
	 * closed, TIME_WAIT or reset 4-tuple is reused). */
	tu_run("0.000  > S  1000 0\n"
	       "+1.000 > S  1000 0\n"
	       "+0.010 < SA 5000 1001\n"
	       "+0.010 > A  1001 5001\n"
	       "+0.010 > S  7000 0\n", &r);
	tu_assert_nconns(&r, 1);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

/* ==== idle timeout ======================================================= */

START_TEST(test_idle_timeout)
{
	struct tu_result r;
	struct tu_opts o = { .idle_timeout = 300 };

	/* Two segments 400 s apart with --idle-timeout 300: the first
	 * record is reported and forgotten at the timeout, the second
	 * segment starts another (midstream) record. */
	tu_run_opts("0.000  > PA 1001 5001 len=10\n"
		    "+400.0 > PA 1011 5001 len=10\n", &o, &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_IDLE);
	ck_assert_uint_eq(r.conns[0].last_frame, 1);
	ck_assert_uint_eq(r.conns[1].first_frame, 2);
	ck_assert_uint_eq(r.max_open, 1);

	/* 200 s apart: one record. */
	tu_run_opts("0.000  > PA 1001 5001 len=10\n"
		    "+200.0 > PA 1011 5001 len=10\n", &o, &r);
	tu_assert_nconns(&r, 1);
}
END_TEST

START_TEST(test_idle_timeout_established)
{
	struct tu_result r;

	/* The default idle timeout is 300 s. A complete handshake, then
	 * silence for 400 s: the record ends open by idle timeout. */
	tu_run(HANDSHAKE
	       "+400.0 > PA 1001 5001 len=10\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_IDLE);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	tu_assert_states(&r, 0, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
	tu_assert_hs(&r, 1, HS_MIDSTREAM);
}
END_TEST

START_TEST(test_idle_timeout_half_closed)
{
	struct tu_result r;

	/* SPEC half_closed: "one direction closed, the other still open
	 * at the end or at the idle timeout". The client's FIN (frame 4)
	 * is acked, then nothing for 400 s. */
	tu_run(HANDSHAKE
	       "+0.010 > FA 1001 5001\n"
	       "+0.010 < A  5001 1002\n"
	       "+400.0 < PA 5001 1002 len=10\n", &r);
	tu_assert_nconns(&r, 2);
	ck_assert_int_eq(r.conns[0].end, END_IDLE);
	tu_assert_td(&r, 0, TD_HALF_CLOSED);
	tu_assert_anom(&r, 0, "half_closed", 4, "client");
	tu_assert_states(&r, 0, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
}
END_TEST

/* ==== --max-flows ======================================================== */

/* Five connections (client ports 40001..40005) open one after the other,
 * 100 ms apart, each with a complete handshake, none closing: all five
 * are open at the same time. */
static const char five_open[] =
	"client 10.0.0.1:40001\n"
	"0.000  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	"client 10.0.0.1:40002\n"
	"0.100  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	"client 10.0.0.1:40003\n"
	"0.200  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	"client 10.0.0.1:40004\n"
	"0.300  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	"client 10.0.0.1:40005\n"
	"0.400  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n";

START_TEST(test_max_flows)
{
	struct tu_result r, again;
	struct tu_opts o = { .max_flows = 2 };

	/* --max-flows 2: the table never holds more than 2 records; the
	 * third connection's SYN evicts the first (idle longest), the
	 * fourth the second, the fifth the third; the last two are flushed
	 * at the end. All 5 are reported, each whole (the eviction came
	 * after its handshake), in the order 1..5. */
	tu_run_opts(five_open, &o, &r);
	tu_assert_nconns(&r, 5);
	ck_assert_uint_le(r.max_open, 2);
	ck_assert_uint_eq(r.evicted, 3);
	for (unsigned i = 0; i < 5; i++) {
		char port[32];
		snprintf(port, sizeof(port), "10.0.0.1:%u", 40001 + i);
		ck_assert_str_eq(r.conns[i].caddr, port);
		ck_assert_uint_eq(r.conns[i].id, i + 1);
		ck_assert_int_eq(r.conns[i].end, i < 3 ? END_EVICTED : END_EOF);
		tu_assert_hs(&r, i, HS_COMPLETE);
		tu_assert_td(&r, i, TD_OPEN);
	}
	/* Deterministic: the same input gives the same sequence. */
	tu_run_opts(five_open, &o, &again);
	ck_assert_uint_eq(again.nconns, r.nconns);
	for (unsigned i = 0; i < r.nconns; i++) {
		ck_assert_uint_eq(again.conns[i].id, r.conns[i].id);
		ck_assert_int_eq(again.conns[i].end, r.conns[i].end);
	}

	/* Without the bound all five are open together at the end. */
	tu_run(five_open, &r);
	tu_assert_nconns(&r, 5);
	ck_assert_uint_eq(r.max_open, 5);
	ck_assert_uint_eq(r.evicted, 0);
}
END_TEST

START_TEST(test_max_flows_idle_longest_first)
{
	struct tu_result r;
	struct tu_opts o = { .max_flows = 2 };

	/* A (40001) at 0.0, B (40002) at 0.1, A again at 0.2: B is now the
	 * one idle longest, so C (40003) at 0.3 evicts B, not A. */
	tu_run_opts("client 10.0.0.1:40001\n"
		    "0.000  > S  1000 0\n"
		    "client 10.0.0.1:40002\n"
		    "0.100  > S  2000 0\n"
		    "client 10.0.0.1:40001\n"
		    "0.200  > S  1000 0\n"
		    "client 10.0.0.1:40003\n"
		    "0.300  > S  3000 0\n", &o, &r);
	tu_assert_nconns(&r, 3);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40002");
	ck_assert_int_eq(r.conns[0].end, END_EVICTED);
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40001");
	ck_assert_str_eq(r.conns[2].caddr, "10.0.0.1:40003");
	ck_assert_uint_le(r.max_open, 2);
}
END_TEST

START_TEST(test_max_flows_finished_first)
{
	struct tu_result r;
	struct tu_opts o = { .max_flows = 2 };

	/* A (40001) opens at 0.0; B (40002) is refused at 0.1 (finished,
	 * lingering); C (40003) at 0.2 evicts B, the finished one, before
	 * the older but live A. */
	tu_run_opts("client 10.0.0.1:40001\n"
		    "0.000  > S  1000 0\n"
		    "client 10.0.0.1:40002\n"
		    "0.100  > S  2000 0\n"
		    "+0.001 < RA 0 2001\n"
		    "client 10.0.0.1:40003\n"
		    "0.200  > S  3000 0\n", &o, &r);
	tu_assert_nconns(&r, 3);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40002");
	tu_assert_hs(&r, 0, HS_REFUSED);
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40001");
	ck_assert_str_eq(r.conns[2].caddr, "10.0.0.1:40003");
}
END_TEST

START_TEST(test_max_flows_last_ack_pending)
{
	struct tu_result r;
	struct tu_opts o = { .max_flows = 2 };

	/* B (40002) opens at 0.0 and idles. A (40001) opens at 0.01 and
	 * closes: the client's FIN at 0.1, the server's FIN with the ACK of
	 * it at 0.101, whose own ACK, the last of the four-way teardown
	 * (RFC 9293 3.6), comes at 0.21. C (40003) at 0.2 must evict one.
	 * A waits for that last ACK: it counts as open, not as a connection
	 * in TIME_WAIT (which goes first), so B, the open one filed first
	 * and idle longest, is evicted. A's last ACK then settles A: a
	 * graceful close, its client in TIME_WAIT (it sent the last ACK),
	 * where evicting A made that ACK a record of its own begun
	 * midstream (until the sixteenth session). */
	tu_run_opts("client 10.0.0.1:40002\n"
		    "0.000  > S  2000 0\n+0.001 < SA 6000 2001\n"
		    "+0.001 > A 2001 6001\n"
		    "client 10.0.0.1:40001\n"
		    "0.010  > S  1000 0\n+0.001 < SA 5000 1001\n"
		    "+0.001 > A 1001 5001\n"
		    "0.100  > FA 1001 5001\n+0.001 < FA 5001 1002\n"
		    "client 10.0.0.1:40003\n"
		    "0.200  > S  3000 0\n"
		    "client 10.0.0.1:40001\n"
		    "0.210  > A 1002 5002\n", &o, &r);
	tu_assert_nconns(&r, 3);
	ck_assert_uint_eq(r.evicted, 1);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40002");
	ck_assert_int_eq(r.conns[0].end, END_EVICTED);
	tu_assert_hs(&r, 0, HS_COMPLETE);
	tu_assert_td(&r, 0, TD_OPEN);
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40001");
	tu_assert_hs(&r, 1, HS_COMPLETE);
	tu_assert_td(&r, 1, TD_GRACEFUL);
	tu_assert_states(&r, 1, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
	ck_assert_str_eq(r.conns[2].caddr, "10.0.0.1:40003");
	ck_assert_uint_le(r.max_open, 2);
}
END_TEST

/* ==== release order ====================================================== */

START_TEST(test_release_order_same_sweep)
{
	struct tu_result r;

	/* Connection 1 (40001) and 2 (40002) both close; 2's final ACK
	 * comes first, so its TIME_WAIT ends first, but a single sweep 70 s
	 * later finds both due: records due together go out by id
	 * (deterministic, first frame order). */
	tu_run("client 10.0.0.1:40001\n"
	       "0.000  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	       "client 10.0.0.1:40002\n"
	       "0.010  > S  1000 0\n+0.001 < SA 5000 1001\n+0.001 > A 1001 5001\n"
	       "+0.001 > FA 1001 5001\n+0.001 < FA 5001 1002\n+0.001 > A 1002 5002\n"
	       "client 10.0.0.1:40001\n"
	       "0.100  > FA 1001 5001\n+0.001 < FA 5001 1002\n+0.001 > A 1002 5002\n"
	       "client 10.0.0.1:40009\n"
	       "70.0   > S  1000 0\n", &r);
	tu_assert_nconns(&r, 3);
	ck_assert_str_eq(r.conns[0].caddr, "10.0.0.1:40001");
	ck_assert_str_eq(r.conns[1].caddr, "10.0.0.1:40002");
	ck_assert_int_eq(r.conns[0].end, END_TIME_WAIT);
	ck_assert_int_eq(r.conns[1].end, END_TIME_WAIT);
	ck_assert_str_eq(r.conns[2].caddr, "10.0.0.1:40009");
}
END_TEST

START_TEST(test_release_order_eof)
{
	struct tu_result r;

	/* Open at the end of the input: flushed in id order (order of
	 * first frame), whatever the hash table's order. */
	tu_run("client 10.0.0.1:40005\n0.000 > S 1000 0\n"
	       "client 10.0.0.1:40003\n0.001 > S 1000 0\n"
	       "client 10.0.0.1:40004\n0.002 > S 1000 0\n"
	       "client 10.0.0.1:40001\n0.003 > S 1000 0\n"
	       "client 10.0.0.1:40002\n0.004 > S 1000 0\n", &r);
	tu_assert_nconns(&r, 5);
	static const char *const want[] = {
		"10.0.0.1:40005", "10.0.0.1:40003", "10.0.0.1:40004",
		"10.0.0.1:40001", "10.0.0.1:40002",
	};
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_str_eq(r.conns[i].caddr, want[i]);
		ck_assert_uint_eq(r.conns[i].id, i + 1);
		ck_assert_int_eq(r.conns[i].end, END_EOF);
	}
}
END_TEST

/* ==== the streaming scheduler, with forged clocks ======================== */

/* Records are released by capture time (the wall clock in a live
 * capture): these drive the flow table directly with segments at chosen
 * times and then advance the clock with flow_expire() alone, as the live
 * loop does on an idle link, to see exactly when each record goes. */

#define SEC 1000000000LL

struct released {
	unsigned n;
	uint64_t id[8];
	uint8_t end[8];
	uint8_t cst[8];		/* the client's state as reported */
};

static bool
sched_emit(struct conn *c, void *user)
{
	struct released *r = user;

	if (r->n < 8) {
		r->id[r->n] = c->id;
		r->end[r->n] = c->end;
		r->cst[r->n] = c->peer[conn_client(c)].st;
	}
	r->n++;
	return false;
}

static uint64_t frame;	/* seg_on()'s frame numbers */

/* One segment client (10.0.0.1:cport) <-> server (10.0.0.2:80). */
static void
seg_on(struct flow_table *t, uint16_t cport, bool from_client,
    const char *flags, uint32_t seq, uint32_t ack, int64_t ts)
{
	struct pkt p = from_client ? pkt4("10.0.0.1", cport, "10.0.0.2", 80) :
	    pkt4("10.0.0.2", 80, "10.0.0.1", cport);
	uint8_t dir;

	for (const char *f = flags; *f; f++)
		p.tcp.flags |= *f == 'S' ? TH_SYN : *f == 'A' ? TH_ACK :
		    *f == 'F' ? TH_FIN : *f == 'R' ? TH_RST : 0;
	p.tcp.seq = seq;
	p.tcp.ack = ack;
	p.tcp.win = 65535;
	struct conn *c = flow_lookup(t, &p, ts, ++frame, &dir);
	conn_input(c, &t->cfg, dir, &p, ts, frame);
	flow_update(t, c);
}

/* One segment client (10.0.0.1:40000) <-> server (10.0.0.2:80). */
static void
seg(struct flow_table *t, bool from_client, const char *flags, uint32_t seq,
    uint32_t ack, int64_t ts)
{
	seg_on(t, 40000, from_client, flags, seq, ack, ts);
}

/* The three-way handshake at t0, t0 + 1 ns, t0 + 2 ns (J = 1000,
 * K = 5000). */
static void
sched_handshake(struct flow_table *t, int64_t t0)
{
	seg(t, true, "S", 1000, 0, t0);
	seg(t, false, "SA", 5000, 1001, t0 + 1);
	seg(t, true, "A", 1001, 5001, t0 + 2);
}

/* The scheduler's cases run twice: with records never packed, and with
 * every settled TIME_WAIT packed at the next sweep (synfin's default). */
static uint64_t sched_pack_min = UINT64_MAX;

static void
sched_pack_all(void)
{
	sched_pack_min = 0;
}

static void
sched_table(struct flow_table *t, struct released *r)
{
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };	/* --msl 30 */

	memset(r, 0, sizeof(*r));
	flow_table_init(t, &cc, 300 * SEC, 0, sched_emit, r);
	t->pack_min = sched_pack_min;
	t->pack_idle = sched_pack_min != UINT64_MAX;
}

START_TEST(test_sched_time_wait)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* Client close: its final ACK (W+1) at t0+6 starts 2MSL = 60 s. */
	sched_table(&t, &r);
	sched_handshake(&t, t0);
	seg(&t, true, "FA", 1001, 5001, t0 + 3);
	seg(&t, false, "A", 5001, 1002, t0 + 4);
	seg(&t, false, "FA", 5001, 1002, t0 + 5);
	seg(&t, true, "A", 1002, 5002, t0 + 6);
	flow_expire(&t, t0 + 6 + 60 * SEC - 1);
	ck_assert_uint_eq(r.n, 0);		/* one ns short of 2MSL */
	flow_expire(&t, t0 + 6 + 60 * SEC);
	ck_assert_uint_eq(r.n, 1);		/* released at 2MSL exactly */
	ck_assert_uint_eq(r.end[0], END_TIME_WAIT);
	ck_assert_uint_eq(r.cst[0], TCP_ST_CLOSED);	/* TIME_WAIT is over */
	ck_assert_uint_eq(flow_count(&t), 0);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_sched_reset_linger)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* An RST ends it; the record lingers 5 s for stragglers (a
	 * retransmitted RST, the peer's last segments), then goes. */
	sched_table(&t, &r);
	sched_handshake(&t, t0);
	seg(&t, true, "R", 1001, 0, t0 + 3);
	flow_expire(&t, t0 + 3 + 5 * SEC - 1);
	ck_assert_uint_eq(r.n, 0);
	/* straggler: same record, 5 s more from it */
	seg(&t, true, "R", 1001, 0, t0 + 3 + 5 * SEC - 1);
	flow_expire(&t, t0 + 3 + 10 * SEC - 2);
	ck_assert_uint_eq(r.n, 0);
	flow_expire(&t, t0 + 3 + 10 * SEC - 1);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_RESET);
	ck_assert_uint_eq(r.id[0], 1);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_sched_stamped_behind_clock)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* The capture clock has reached t0 + 100 s (a sweep) when a SYN
	 * stamped t0 (100 s back) opens a record. It keeps its stamp, but
	 * its idle timeout (300 s) runs from the clock: it is not due at
	 * t0 + 300 s, only at t0 + 400 s. */
	sched_table(&t, &r);
	flow_expire(&t, t0 + 100 * SEC);
	seg(&t, true, "S", 1000, 0, t0);
	flow_expire(&t, t0 + 399 * SEC);
	ck_assert_uint_eq(r.n, 0);
	flow_expire(&t, t0 + 400 * SEC);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_IDLE);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_sched_idle_without_packets)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* An established connection that goes silent is released by the
	 * clock alone at the idle timeout (300 s), as on a quiet link. */
	sched_table(&t, &r);
	sched_handshake(&t, t0);
	for (int s = 1; s < 300; s += 37) {
		flow_expire(&t, t0 + 2 + (int64_t)s * SEC);
		ck_assert_uint_eq(r.n, 0);
	}
	flow_expire(&t, t0 + 2 + 300 * SEC);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_IDLE);
	ck_assert_uint_eq(r.cst[0], TCP_ST_ESTABLISHED);
	flow_table_destroy(&t);
}
END_TEST

/* ==== the record: times and counts kept exactly ========================= */

/* The times of a released record, read back (conn.h "Times"). */
struct times {
	unsigned n, unit;
	int64_t last, syn, synack, ack, fin[2], fin_ack[2], tw[2];
};

static bool
times_emit(struct conn *c, void *user)
{
	struct times *x = user;
	int cl = conn_client(c);

	x->n++;
	x->unit = c->ts_unit;
	x->last = conn_time(c, CT_LAST);
	x->syn = conn_time(c, CT_SYN);
	x->synack = conn_time(c, CT_SYNACK);
	x->ack = conn_time(c, CT_ACK);
	for (int i = 0; i < 2; i++) {
		int s = i == 0 ? cl : !cl;
		x->fin[i] = conn_side_time(c, s, CT_FIN);
		x->fin_ack[i] = conn_side_time(c, s, CT_FIN_ACK);
		x->tw[i] = conn_side_time(c, s, CT_TW);
	}
	return false;
}

/* A client close with these seven times; the times read back. */
static void
times_run(const int64_t at[7], struct times *x)
{
	struct flow_table t;
	/* (2MSL and the idle timeout longer than the times' spans: the
	 * final ACK, up to 4295 s after the SYN, comes within both, or a
	 * lookup would end the record before it, as a sweep would.) */
	struct conn_cfg cc = { .two_msl_ns = 6000 * SEC };

	memset(x, 0, sizeof(*x));
	flow_table_init(&t, &cc, 300000 * SEC, 0, times_emit, x);
	seg(&t, true, "S", 1000, 0, at[0]);
	seg(&t, false, "SA", 5000, 1001, at[1]);
	seg(&t, true, "A", 1001, 5001, at[2]);
	seg(&t, true, "FA", 1001, 5001, at[3]);
	seg(&t, false, "A", 5001, 1002, at[4]);
	seg(&t, false, "FA", 5001, 1002, at[5]);
	seg(&t, true, "A", 1002, 5002, at[6]);
	flow_flush(&t, at[6]);
	flow_table_destroy(&t);
	ck_assert_uint_eq(x->n, 1);
	ck_assert_int_eq(x->syn, at[0]);
	ck_assert_int_eq(x->synack, at[1]);
	ck_assert_int_eq(x->ack, at[2]);
	ck_assert_int_eq(x->fin[0], at[3]);
	ck_assert_int_eq(x->fin_ack[0], at[4]);
	ck_assert_int_eq(x->fin[1], at[5]);
	ck_assert_int_eq(x->fin_ack[1], at[6]);
	ck_assert_int_eq(x->tw[0], at[6]);	/* the client's final ACK */
	ck_assert_int_eq(x->tw[1], 0);
	ck_assert_int_eq(x->last, at[6]);
}

/* The segment and byte counts are 64-bit: the low 32 bits in the record,
 * the carry in its rare block. */
START_TEST(test_counts_past_32_bits)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;
	uint8_t dir;

	sched_table(&t, &r);
	sched_handshake(&t, t0);
	struct pkt p = pkt4("10.0.0.1", 40000, "10.0.0.2", 80);
	p.tcp.flags = TH_ACK | TH_PSH;
	p.tcp.ack = 5001;
	p.tcp.win = 65535;
	p.tcp.paylen = 100;
	struct conn *c = flow_lookup(&t, &p, t0 + 3, 1000, &dir);
	/* As after a 4 GiB upload: both counts 50 short of 2^32. */
	c->side[dir].pkts = UINT32_MAX - 49;
	c->side[dir].bytes = UINT32_MAX - 49;
	c->peer[dir].snd_nxt = 1001;
	for (uint32_t i = 0; i < 100; i++) {
		p.tcp.seq = 1001 + 100 * i;
		conn_input(c, &t.cfg, dir, &p, t0 + 3, 1000 + i);
	}
	ck_assert_uint_eq(conn_pkts(c, dir), (1ULL << 32) + 50);
	ck_assert_uint_eq(conn_bytes(c, dir), (1ULL << 32) - 50 + 100 * 100);
	ck_assert_uint_eq(conn_pkts(c, !dir), 1);
	ck_assert_uint_eq(conn_bytes(c, !dir), 0);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_times_units)
{
	struct times x;
	int64_t t0 = 1700000000 * SEC;
	int64_t us = 1000;

	/* Whole microseconds, within 71 minutes: kept in microseconds. */
	times_run((int64_t[7]){ t0, t0 + 1 * us, t0 + 2 * us, t0 + 10 * SEC,
	    t0 + 10 * SEC + us, t0 + 4000 * SEC, t0 + 4294 * SEC }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_US);

	/* One time in nanoseconds: all of them kept in nanoseconds, the
	 * microseconds already set converted. */
	times_run((int64_t[7]){ t0, t0 + 1 * us, t0 + 2 * us, t0 + 2 * us + 1,
	    t0 + 3 * us, t0 + 4 * SEC, t0 + 4 * SEC + 7 }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_NS);

	/* Nanoseconds past 4.29 s: whole. */
	times_run((int64_t[7]){ t0, t0 + 1 * us, t0 + 2 * us, t0 + 2 * us + 1,
	    t0 + 3 * us, t0 + 5 * SEC, t0 + 5 * SEC + 7 }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_WIDE);

	/* Microseconds past 71 minutes (2^32 - 1 us): whole. */
	times_run((int64_t[7]){ t0, t0 + 1 * us, t0 + 2 * us, t0 + 3 * us,
	    t0 + 4 * us, t0 + 4294 * SEC, t0 + 4295 * SEC }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_WIDE);

	/* A time before the first one (the capture's clock went back). */
	times_run((int64_t[7]){ t0, t0 + 1 * us, t0 - 5 * SEC, t0 + 3 * us,
	    t0 + 4 * us, t0 + 5 * us, t0 + 6 * us }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_WIDE);

	/* Time 0 (a capture at the epoch) is a time, read back as 0. */
	times_run((int64_t[7]){ 0, 1 * us, 2 * us, 3 * us, 4 * us, 5 * us,
	    6 * us }, &x);
	ck_assert_uint_eq(x.unit, CONN_TS_US);
}
END_TEST

START_TEST(test_sched_flush_keeps_time_wait)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* Stopped 10 s after the final ACK (end of file, or SIGINT): the
	 * record is released with the client still in TIME_WAIT. */
	sched_table(&t, &r);
	sched_handshake(&t, t0);
	seg(&t, true, "FA", 1001, 5001, t0 + 3);
	seg(&t, false, "FA", 5001, 1002, t0 + 4);
	seg(&t, true, "A", 1002, 5002, t0 + 5);
	flow_expire(&t, t0 + 10 * SEC);
	ck_assert_uint_eq(r.n, 0);
	flow_flush(&t, t0 + 10 * SEC);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_EOF);
	ck_assert_uint_eq(r.cst[0], TCP_ST_TIME_WAIT);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_sched_far_horizon)
{
	struct flow_table t;
	struct released r;
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;

	/* --idle-timeout 5000: beyond the wheel's 4096 one-second slots,
	 * the record waits past the horizon and still goes at 5000 s, not
	 * a second earlier, whatever the sweeps in between. */
	memset(&r, 0, sizeof(r));
	flow_table_init(&t, &cc, 5000 * SEC, 0, sched_emit, &r);
	sched_handshake(&t, t0);
	for (int64_t s = 1; s < 5000; s += 97) {
		flow_expire(&t, t0 + 2 + s * SEC);
		ck_assert_uint_eq(r.n, 0);
	}
	flow_expire(&t, t0 + 2 + 5000 * SEC - 1);
	ck_assert_uint_eq(r.n, 0);
	flow_expire(&t, t0 + 2 + 5000 * SEC);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_IDLE);
	flow_table_destroy(&t);
}
END_TEST

START_TEST(test_sched_refresh_and_jump)
{
	struct flow_table t;
	struct released r;
	int64_t t0 = 1000 * SEC;

	/* Traffic at t0+200 moves the idle deadline to t0+500: the sweep at
	 * t0+300 (the first deadline) keeps it. Then the clock jumps 130
	 * years ahead: one sweep releases it, in bounded work. */
	sched_table(&t, &r);
	sched_handshake(&t, t0);
	seg(&t, true, "A", 1001, 5001, t0 + 200 * SEC);
	flow_expire(&t, t0 + 300 * SEC);
	ck_assert_uint_eq(r.n, 0);
	flow_expire(&t, t0 + 500 * SEC - 1);
	ck_assert_uint_eq(r.n, 0);
	flow_expire(&t, t0 + (int64_t)130 * 365 * 86400 * SEC);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.end[0], END_IDLE);
	ck_assert_uint_eq(flow_count(&t), 0);
	flow_table_destroy(&t);
}
END_TEST

/* ==== packed records (conn_pack(), flow_pack()) ========================== */

/* Any record packs and unpacks to itself, byte for byte: the deltas are
 * exact inverses whatever the numbers, so random bodies (and the widest,
 * all 0xff) make the test. Not CONN_TS_WIDE, whose times are behind the
 * ext pointer, random here. */
START_TEST(test_pack_roundtrip_random)
{
	GRand *g = g_rand_new_with_seed(7);

	for (int i = 0; i < 20000; i++) {
		struct flow_key k;
		memset(&k, 0, sizeof(k));
		k.af = i % 3 ? 4 : 6;
		for (int b = 0; b < (k.af == 6 ? 16 : 4); b++) {
			k.addr[0][b] = (uint8_t)g_rand_int(g);
			k.addr[1][b] = (uint8_t)g_rand_int(g);
		}
		k.port[0] = (uint16_t)g_rand_int(g);
		k.port[1] = (uint16_t)g_rand_int(g);
		struct conn *c = conn_new(&k, g_rand_int(g));
		uint8_t *b = (uint8_t *)c;
		/* Bytes of every kind, and (one record in two) many zero
		 * bytes, so that words keep 0, 1, 2 or 4 bytes in every
		 * combination (tag bytes, the SSSE3 shuffles). The padding
		 * after the body stays as conn_new() left it (zero), as it
		 * does in a record. */
		for (size_t j = CONN_HEAD; j < CONN_BODY_END; j++)
			b[j] = i % 8 == 0 ? 0xff : i % 2 && g_rand_boolean(g) ?
			    0 : (uint8_t)g_rand_int(g);
		c->ts_unit = (unsigned)g_rand_int_range(g, 0, 2);
		c->hash = g_rand_int(g);
		c->deadline = (int64_t)((uint64_t)g_rand_int(g) << 32 |
		    g_rand_int(g));
		c->first_dir = g_rand_int_range(g, -1, 2);
		c->syn_dir = g_rand_int_range(g, -1, 2);
		c->synack_dir = g_rand_int_range(g, -1, 2);
		c->slot = g_rand_int_range(g, 0, FLOW_FAR + 1);

		tu_check_pack(c, &k);
		c->anoms = NULL;	/* random: nothing to free */
		c->nanoms = 0;
		c->ext = NULL;
		conn_free(c);
	}
	g_rand_free(g);
}
END_TEST

/* What a released record says, its links and timer filing aside (a
 * packed record is filed at its exact deadline, a whole one may be filed
 * early: both are released at the same sweep). */
struct pack_run {
	unsigned n;
	struct conn rec[8];
	uint16_t anom[8][8];
	uint64_t packed;	/* the table's count after the case */
};

static bool
pack_emit(struct conn *c, void *user)
{
	struct pack_run *r = user;

	ck_assert_uint_lt(r->n, 8);
	struct conn *x = &r->rec[r->n];
	memcpy(x, c, sizeof(*x));
	x->hnext = NULL;
	x->wpos = 0;
	x->anoms = NULL;	/* (so conn_has_anom() and the like: r->anom) */
	x->ext = NULL;
	x->deadline = 0;
	x->slot = 0;
	for (unsigned i = 0; i < c->nanoms && i < 8; i++)
		r->anom[r->n][i] = c->anoms[i].id;
	r->n++;
	return false;
}

/* Client 10.0.0.1:port closes (its final ACK at t0+6 ns): it is in
 * TIME_WAIT, the server CLOSED. */
static void
pack_close(struct flow_table *t, uint16_t port, int64_t t0)
{
	seg_on(t, port, true, "S", 1000, 0, t0);
	seg_on(t, port, false, "SA", 5000, 1001, t0 + 1);
	seg_on(t, port, true, "A", 1001, 5001, t0 + 2);
	seg_on(t, port, true, "FA", 1001, 5001, t0 + 3);
	seg_on(t, port, false, "A", 5001, 1002, t0 + 4);
	seg_on(t, port, false, "FA", 5001, 1002, t0 + 5);
	seg_on(t, port, true, "A", 1002, 5002, t0 + 6);
}

/* The cases, each once whole and once packed (pack_min 0), must release
 * the same records at the same sweeps. */
static void
pack_case(int which, uint64_t pack_min, struct pack_run *r)
{
	struct flow_table t;
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;

	memset(r, 0, sizeof(*r));
	frame = 0;
	flow_table_init(&t, &cc, 300 * SEC, which == 3 ? 1 : 0, pack_emit,
	    r);
	t.pack_min = pack_min;
	t.pack_idle = pack_min == 0;
	pack_close(&t, 40000, t0);
	flow_expire(&t, t0 + SEC);
	if (pack_min == 0)
		ck_assert_uint_eq(t.npacked, 1);	/* the sweep packed it */
	else
		ck_assert_uint_eq(t.npacked, 0);
	switch (which) {
	case 0:
		/* The server missed the final ACK and sends its FIN again;
		 * the client, in TIME_WAIT, acknowledges it again, which
		 * restarts its 2MSL (RFC 9293 3.10.7.4, TIME-WAIT). */
		seg(&t, false, "FA", 5001, 1002, t0 + 2 * SEC);
		ck_assert_uint_eq(t.npacked, 0);	/* the lookup unpacked */
		seg(&t, true, "A", 1002, 5002, t0 + 2 * SEC + 1);
		flow_expire(&t, t0 + 3 * SEC);
		if (pack_min == 0)
			ck_assert_uint_eq(t.npacked, 1);	/* again */
		flow_expire(&t, t0 + 2 * SEC + 1 + 60 * SEC - 1);
		ck_assert_uint_eq(r->n, 0);
		flow_expire(&t, t0 + 2 * SEC + 1 + 60 * SEC);
		ck_assert_uint_eq(r->n, 1);
		break;
	case 1:
		/* The client opens again 5 s into its TIME_WAIT: the old
		 * record goes (missing_time_wait), a new one begins. */
		seg(&t, true, "S", 9000, 0, t0 + 5 * SEC);
		ck_assert_uint_eq(r->n, 1);
		seg(&t, false, "SA", 7000, 9001, t0 + 5 * SEC + 1);
		flow_flush(&t, t0 + 6 * SEC);
		ck_assert_uint_eq(r->n, 2);
		break;
	case 2:
		/* The input ends during TIME_WAIT. */
		flow_flush(&t, t0 + 10 * SEC);
		ck_assert_uint_eq(r->n, 1);
		break;
	case 3:
		/* --max-flows 1: a second connection evicts it. */
		seg_on(&t, 40001, true, "S", 3000, 0, t0 + 2 * SEC);
		ck_assert_uint_eq(r->n, 1);
		flow_flush(&t, t0 + 3 * SEC);
		ck_assert_uint_eq(r->n, 2);
		break;
	case 4:
	case 5: {
		/* An open connection (40002) that falls idle: packed at the
		 * first sweep FLOW_PACK_IDLE_NS (10 s) after its last
		 * segment, unpacked by the next one, packed again. */
		int64_t t2 = t0 + 2 * SEC;
		seg_on(&t, 40002, true, "S", 2000, 0, t2);
		seg_on(&t, 40002, false, "SA", 6000, 2001, t2 + 1);
		seg_on(&t, 40002, true, "A", 2001, 6001, t2 + 2);
		flow_expire(&t, t2 + 9 * SEC);		/* idle 9 s */
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 1 : 0);
		flow_expire(&t, t2 + 11 * SEC);		/* idle 11 s */
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 2 : 0);
		seg_on(&t, 40002, false, "A", 6001, 2001, t2 + 12 * SEC);
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 1 : 0);
		flow_expire(&t, t2 + 20 * SEC);		/* idle 8 s */
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 1 : 0);
		flow_expire(&t, t2 + 23 * SEC);		/* idle 11 s */
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 2 : 0);
		ck_assert_uint_eq(r->n, 0);
		if (which == 4) {
			/* The input ends: both go, by id. */
			flow_flush(&t, t2 + 24 * SEC);
			ck_assert_uint_eq(r->n, 2);
			break;
		}
		/* Its idle timeout (300 s after its last segment), packed
		 * until then; the other's TIME_WAIT ended before. */
		flow_expire(&t, t0 + 6 + 60 * SEC);
		ck_assert_uint_eq(r->n, 1);
		flow_expire(&t, t2 + 12 * SEC + 300 * SEC - 1);
		ck_assert_uint_eq(r->n, 1);
		ck_assert_uint_eq(t.npacked, pack_min == 0 ? 1 : 0);
		flow_expire(&t, t2 + 12 * SEC + 300 * SEC);
		ck_assert_uint_eq(r->n, 2);
		break;
	}
	}
	ck_assert_uint_eq(t.npacked, 0);
	r->packed = t.packed;
	ck_assert_uint_eq(flow_count(&t), 0);
	flow_table_destroy(&t);
}

START_TEST(test_pack_same_release)
{
	static struct pack_run whole, packed;

	pack_case(_i, UINT64_MAX, &whole);
	pack_case(_i, 0, &packed);
	ck_assert_uint_eq(whole.packed, 0);
	ck_assert_uint_ge(packed.packed, 1);
	ck_assert_uint_eq(whole.n, packed.n);
	for (unsigned i = 0; i < whole.n; i++) {
		ck_assert(memcmp(&whole.rec[i], &packed.rec[i],
		    sizeof(struct conn)) == 0);
		ck_assert(memcmp(whole.anom[i], packed.anom[i],
		    sizeof(whole.anom[i])) == 0);
	}
	/* Not vacuous: the case's own facts. */
	const struct conn *c = &packed.rec[0];
	ck_assert_uint_eq(c->id, 1);
	ck_assert_uint_eq(conn_td_outcome(c), TD_GRACEFUL);
	static const uint8_t end[] = { END_TIME_WAIT, END_REUSED, END_EOF,
		END_TIME_WAIT, END_EOF, END_TIME_WAIT };
	ck_assert_uint_eq(c->end, end[_i]);
	if (_i >= 4) {	/* the idle one, open when it went */
		const struct conn *o = &packed.rec[1];
		ck_assert_uint_eq(o->id, 2);
		ck_assert_uint_eq(conn_hs_outcome(o), HS_COMPLETE);
		ck_assert_uint_eq(conn_td_outcome(o), TD_OPEN);
		ck_assert_uint_eq(o->end, _i == 4 ? END_EOF : END_IDLE);
	}
	bool mtw = false;
	for (unsigned i = 0; i < c->nanoms && i < 8; i++)
		mtw |= packed.anom[0][i] == ANOM_MISSING_TIME_WAIT;
	ck_assert_uint_eq(mtw, _i == 1);
	if (_i == 0)	/* the FIN again, counted as a retransmission */
		ck_assert_uint_eq(c->side[conn_client(c) ^ 1].retrans, 1);
}
END_TEST

/* flow_pack() walks again only what was filed since in the second it
 * walked last (-j packs before every batch, eight a second on short
 * connections): records that settle into TIME_WAIT there later are
 * packed by the next call, and a call with nothing new packs nothing. */
START_TEST(test_pack_since)
{
	struct flow_table t;
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;

	flow_table_init(&t, &cc, 300 * SEC, 0, NULL, NULL);
	t.pack_min = 0;
	pack_close(&t, 30000, t0);		/* 2MSL ends in second 1060 */
	flow_expire(&t, t0 + SEC);		/* walks up to 1061 */
	ck_assert_uint_eq(t.npacked, 1);
	/* Closed half a second after that sweep: 2MSL ends in 1061, the
	 * second walked last. */
	for (uint16_t i = 0; i < 3; i++)
		pack_close(&t, (uint16_t)(30001 + i), t0 + SEC + SEC / 2 + i);
	ck_assert_uint_eq(t.npacked, 1);
	flow_pack(&t);
	ck_assert_uint_eq(t.npacked, 4);
	flow_pack(&t);
	ck_assert_uint_eq(t.npacked, 4);
	/* One more; and one whose FIN only is in, not settled (its server
	 * in LAST_ACK), is left whole. */
	pack_close(&t, 30004, t0 + SEC + SEC / 2 + 10);
	seg_on(&t, 30005, true, "S", 1000, 0, t0 + SEC + SEC / 2 + 20);
	seg_on(&t, 30005, false, "SA", 5000, 1001, t0 + SEC + SEC / 2 + 21);
	seg_on(&t, 30005, true, "A", 1001, 5001, t0 + SEC + SEC / 2 + 22);
	seg_on(&t, 30005, true, "FA", 1001, 5001, t0 + SEC + SEC / 2 + 23);
	flow_pack(&t);
	ck_assert_uint_eq(t.npacked, 5);
	ck_assert_uint_eq(flow_count(&t), 6);
	/* Their 2MSL over: all released. */
	flow_expire(&t, t0 + 400 * SEC);
	ck_assert_uint_eq(flow_count(&t), 0);
	ck_assert_uint_eq(t.npacked, 0);
	flow_table_destroy(&t);
}
END_TEST

/* At the end of the input, records go in id order in rounds of id ranges
 * (flow_flush()): more than one round's worth, some of them packed. */
static uint64_t flush_last, flush_n;
static bool flush_sorted = true;

static bool
flush_emit(struct conn *c, void *user)
{
	(void)user;
	if (c->id <= flush_last)
		flush_sorted = false;
	flush_last = c->id;
	flush_n++;
	return false;
}

/* Record i of many: a SYN from 10.x.y.z (i's bytes) to 10.0.0.2:80,
 * frame i + 1, into t. */
static struct conn *
syn_record(struct flow_table *t, unsigned i, int64_t ts)
{
	char a[32];
	uint8_t dir;

	g_snprintf(a, sizeof(a), "10.%u.%u.%u", 1 + (i >> 16), i >> 8 & 255,
	    i & 255);
	struct pkt p = pkt4(a, 40000, "10.0.0.2", 80);
	p.tcp.flags = TH_SYN;
	p.tcp.seq = 1000;
	struct conn *c = flow_lookup(t, &p, ts, i + 1, &dir);
	conn_input(c, &t->cfg, dir, &p, ts, i + 1);
	flow_update(t, c);
	return c;
}

START_TEST(test_flush_rounds)
{
	struct flow_table t;
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;
	const unsigned n = 70000;	/* over 16,384 a round: five */

	flow_table_init(&t, &cc, 300 * SEC, 0, flush_emit, NULL);
	t.pack_min = 0;
	/* A few closed ones first (ids 1..100), packed by a sweep; then
	 * SYNs from 10.0.x.y, one port each. */
	for (uint16_t i = 0; i < 100; i++)
		pack_close(&t, (uint16_t)(20000 + i), t0 + i * 10);
	flow_expire(&t, t0 + SEC);
	ck_assert_uint_eq(t.npacked, 100);
	for (unsigned i = 0; i < n; i++)
		syn_record(&t, i, t0 + 2 * SEC + i);
	ck_assert_uint_eq(flow_count(&t), n + 100);
	flow_flush(&t, t0 + 3 * SEC);
	ck_assert_uint_eq(flush_n, n + 100);
	ck_assert(flush_sorted);
	ck_assert_uint_eq(flush_last, n + 100);
	ck_assert_uint_eq(flow_count(&t), 0);
	ck_assert_uint_eq(t.npacked, 0);
	/* The rounds took the buckets away; the table still works (several
	 * files are one capture, and a flush ends only the input). */
	struct conn *c[3];
	for (unsigned i = 0; i < 3; i++)
		c[i] = syn_record(&t, i, t0 + 4 * SEC);
	ck_assert_uint_eq(flow_count(&t), 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_ptr_eq(syn_record(&t, i, t0 + 5 * SEC), c[i]);
		ck_assert_uint_eq(c[i]->syn_count, 2);
	}
	flush_sorted = true;
	flow_flush(&t, t0 + 6 * SEC);
	ck_assert_uint_eq(flush_n, n + 103);
	ck_assert(flush_sorted);
	ck_assert_uint_eq(flow_count(&t), 0);
	flow_table_destroy(&t);
}
END_TEST

/* Past FLOW_POOL_SMALL of packed records the pool's slabs are 2 MiB blocks
 * (hugemem_alloc()), and from 256 Ki buckets on so are the buckets: 20,000
 * records in TIME_WAIT, packed, then 140,000 SYNs. Every record comes
 * back once, in id order, and records packed in a huge slab unpack whole
 * (the client's last ACK again finds its record: its fifth segment). */
START_TEST(test_huge_blocks)
{
	struct flow_table t;
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;
	const unsigned nclosed = 20000, nsyn = 140000;

	flush_last = flush_n = 0;
	flush_sorted = true;
	flow_table_init(&t, &cc, 300 * SEC, 0, flush_emit, NULL);
	t.pack_min = 0;
	for (unsigned i = 0; i < nclosed; i++)
		pack_close(&t, (uint16_t)(20000 + i), t0 + i * 10);
	flow_expire(&t, t0 + SEC);
	ck_assert_uint_eq(t.npacked, nclosed);
	/* About 170 bytes each, 3.4 MB: FLOW_POOL_SMALL of 64 KiB slabs,
	 * the rest in 2 MiB ones. */
	ck_assert_uint_ge(t.pool.bytes, FLOW_POOL_SMALL + 2 * HUGEMEM_PAGE);
	ck_assert_uint_eq((t.pool.bytes - FLOW_POOL_SMALL) % HUGEMEM_PAGE, 0);
	/* The last ones packed: in a huge slab. */
	for (unsigned i = nclosed - 3; i < nclosed; i++)
		seg_on(&t, (uint16_t)(20000 + i), true, "A", 1002, 5002,
		    t0 + 2 * SEC);
	ck_assert_uint_eq(t.npacked, nclosed - 3);
	for (unsigned i = nclosed - 3; i < nclosed; i++) {
		struct pkt p = pkt4("10.0.0.1", (uint16_t)(20000 + i),
		    "10.0.0.2", 80);
		uint8_t dir;
		struct conn *c = flow_lookup(&t, &p, t0 + 2 * SEC, ++frame,
		    &dir);
		ck_assert(!c->packed);
		ck_assert_uint_eq(c->id, i + 1);
		ck_assert_uint_eq(c->side[dir].pkts, 5);
		ck_assert_uint_eq(conn_td_outcome(c), TD_GRACEFUL);
	}
	for (unsigned i = 0; i < nsyn; i++)
		syn_record(&t, i, t0 + 3 * SEC + i);
	ck_assert_uint_eq(flow_count(&t), nclosed + nsyn);
	ck_assert_uint_ge((t.mask + 1) * sizeof(struct conn *), HUGEMEM_PAGE);
	flow_flush(&t, t0 + 4 * SEC);
	ck_assert_uint_eq(flush_n, nclosed + nsyn);
	ck_assert(flush_sorted);
	ck_assert_uint_eq(flush_last, nclosed + nsyn);
	ck_assert_uint_eq(flow_count(&t), 0);
	ck_assert_uint_eq(t.npacked, 0);
	flow_table_destroy(&t);
}
END_TEST

/* hugemem_alloc(): whole 2 MiB pages, aligned, zeroed, all writable. */
START_TEST(test_hugemem_block)
{
	static const size_t sizes[] = { 1, HUGEMEM_PAGE, HUGEMEM_PAGE + 1 };

	for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
		size_t len = (sizes[k] + HUGEMEM_PAGE - 1) / HUGEMEM_PAGE *
		    HUGEMEM_PAGE;
		uint8_t *b = hugemem_alloc(sizes[k]);
		ck_assert_uint_eq((uintptr_t)b % HUGEMEM_PAGE, 0);
		for (size_t i = 0; i < len; i += 4096) {
			ck_assert_uint_eq(b[i], 0);
			b[i] = 1;
		}
		ck_assert_uint_eq(b[len - 1], 0);
		b[len - 1] = 1;
		hugemem_free(b, sizes[k]);
	}
}
END_TEST

/* flow_flush_tables(): three tables (-j 3's), 70,000 records with their
 * ids dealt round-robin: every record once, in rounds whose ids all come
 * before the next round's, each table's part of a round in id order. */
#define FT_N 70000
static uint32_t ft_round[FT_N + 1], ft_last[3];
static unsigned ft_rounds, ft_seen;
static bool ft_ok = true;

static bool
ft_emit(struct conn *c, void *user)
{
	unsigned k = (unsigned)(uintptr_t)user;

	if (c->id < 1 || c->id > FT_N || ft_round[c->id] ||
	    (c->id - 1) % 3 != k || c->id <= ft_last[k])
		ft_ok = false;
	else
		ft_round[c->id] = ft_rounds + 1;
	ft_last[k] = (uint32_t)c->id;
	ft_seen++;
	return false;
}

static void
ft_round_done(void *user)
{
	static unsigned before;

	(void)user;
	/* at most flow.c's FLUSH_ROUND a round: the point of rounds */
	if (ft_seen - before > 16384)
		ft_ok = false;
	before = ft_seen;
	ft_rounds++;
	memset(ft_last, 0, sizeof(ft_last));	/* each round from its start */
}

START_TEST(test_flush_tables)
{
	struct flow_table t[3], *ts[3] = { &t[0], &t[1], &t[2] };
	struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
	int64_t t0 = 1000 * SEC;

	for (unsigned k = 0; k < 3; k++)
		flow_table_init(&t[k], &cc, 300 * SEC, 0, ft_emit,
		    (void *)(uintptr_t)k);
	for (unsigned i = 0; i < FT_N; i++) {
		struct conn *c = syn_record(&t[i % 3], i, t0 + i);
		c->id = i + 1;	/* numbered across the tables, as -j does */
	}
	flow_flush_tables(ts, 3, t0 + 2 * SEC, ft_round_done, NULL);
	ck_assert(ft_ok);
	ck_assert_uint_eq(ft_seen, FT_N);
	ck_assert_uint_ge(ft_rounds, 5);
	/* Rounds in id order: a record's round never goes down. */
	for (unsigned id = 1; id <= FT_N; id++) {
		ck_assert_uint_gt(ft_round[id], 0);
		if (id > 1)
			ck_assert_uint_ge(ft_round[id], ft_round[id - 1]);
	}
	for (unsigned k = 0; k < 3; k++) {
		ck_assert_uint_eq(flow_count(&t[k]), 0);
		flow_table_destroy(&t[k]);
	}
}
END_TEST

/* The same with ids far apart and in no order: the radix sort's passes
 * over every byte of 64-bit ids (-j numbers records by frame), and the
 * heapsort below its threshold. */
START_TEST(test_flush_sparse_ids)
{
	static const unsigned sizes[] = { 3, 511, 512, 5000 };

	for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
		struct flow_table t;
		struct conn_cfg cc = { .two_msl_ns = 60 * SEC };
		int64_t t0 = 1000 * SEC;
		unsigned n = sizes[k];

		flow_table_init(&t, &cc, 300 * SEC, 0, flush_emit, NULL);
		flush_last = 0;
		flush_n = 0;
		flush_sorted = true;
		for (unsigned i = 0; i < n; i++) {
			char a[32];
			g_snprintf(a, sizeof(a), "10.1.%u.%u", i >> 8 & 255,
			    i & 255);
			struct pkt p = pkt4(a, 40000, "10.0.0.2", 80);
			uint8_t dir;
			p.tcp.flags = TH_SYN;
			p.tcp.seq = 1000;
			struct conn *c = flow_lookup(&t, &p, t0 + i, i + 1,
			    &dir);
			conn_input(c, &t.cfg, dir, &p, t0 + i, i + 1);
			flow_update(&t, c);
			/* distinct (i + 1 in the low bits), high bytes mixed */
			c->id = (((uint64_t)i * UINT64_C(0x9e3779b97f4a7c15)) &
			    ~UINT64_C(0xffff)) | (i + 1);
			if (k == 0 && i == 0)
				c->id = UINT64_MAX - 1;	/* the ends */
			if (k == 0 && i == 1)
				c->id = 1;	/* (i = 0's low bits are 1) */
		}
		flow_flush(&t, t0 + 3 * SEC);
		ck_assert_uint_eq(flush_n, n);
		ck_assert(flush_sorted);
		ck_assert_uint_eq(flow_count(&t), 0);
		flow_table_destroy(&t);
	}
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("key");

	tcase_add_test(tc, test_key_both_directions_v4);
	tcase_add_test(tc, test_pkt_hash_as_key_hash);
	tcase_add_test(tc, test_key_same_address);
	tcase_add_test(tc, test_key_pairs_not_fields);
	tcase_add_test(tc, test_key_both_directions_v6);
	tcase_add_test(tc, test_one_record_both_directions);
	tcase_add_test(tc, test_other_tuple_other_record);
	suite_add_tcase(s, tc);

	tc = tcase_create("reuse");
	tcase_add_test(tc, test_reuse_in_time_wait);
	tcase_add_test(tc, test_reuse_server_time_wait);
	tcase_add_test(tc, test_reuse_server_time_wait_low_isn);
	tcase_add_test(tc, test_time_wait_ack_to_new_syn);
	tcase_add_test(tc, test_reuse_after_time_wait_expired);
	tcase_add_test(tc, test_timer_ran_out_between_sweeps);
	tcase_add_test(tc, test_reuse_after_rst);
	tcase_add_test(tc, test_reuse_after_refusal);
	tcase_add_test(tc, test_reuse_closed_peer_closing);
	tcase_add_test(tc, test_no_reuse_while_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("idle");
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_idle_timeout_established);
	tcase_add_test(tc, test_idle_timeout_half_closed);
	suite_add_tcase(s, tc);

	tc = tcase_create("max_flows");
	tcase_add_test(tc, test_max_flows);
	tcase_add_test(tc, test_max_flows_idle_longest_first);
	tcase_add_test(tc, test_max_flows_finished_first);
	tcase_add_test(tc, test_max_flows_last_ack_pending);
	suite_add_tcase(s, tc);

	/* The scheduler's cases, then the same with every settled
	 * TIME_WAIT packed. */
	for (int packed = 0; packed < 2; packed++) {
		tc = tcase_create(packed ? "scheduler, packed" : "scheduler");
		if (packed)
			tcase_add_checked_fixture(tc, sched_pack_all, NULL);
		tcase_add_test(tc, test_sched_time_wait);
		tcase_add_test(tc, test_sched_reset_linger);
		tcase_add_test(tc, test_sched_stamped_behind_clock);
		tcase_add_test(tc, test_sched_idle_without_packets);
		tcase_add_test(tc, test_sched_flush_keeps_time_wait);
		tcase_add_test(tc, test_sched_far_horizon);
		tcase_add_test(tc, test_sched_refresh_and_jump);
		suite_add_tcase(s, tc);
	}
	tc = tcase_create("pack");
	tcase_add_test(tc, test_pack_roundtrip_random);
	tcase_add_loop_test(tc, test_pack_same_release, 0, 6);
	tcase_add_test(tc, test_pack_since);
	tcase_add_test(tc, test_flush_rounds);
	tcase_add_test(tc, test_flush_tables);
	tcase_add_test(tc, test_flush_sparse_ids);
	suite_add_tcase(s, tc);
	tc = tcase_create("huge pages");
	tcase_set_timeout(tc, 120);	/* 160,000 records: seconds under ASan */
	tcase_add_test(tc, test_huge_blocks);
	tcase_add_test(tc, test_hugemem_block);
	suite_add_tcase(s, tc);
	tc = tcase_create("record");
	tcase_add_test(tc, test_times_units);
	tcase_add_test(tc, test_counts_past_32_bits);
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_add_test(tc, test_release_order_same_sweep);
	tcase_add_test(tc, test_release_order_eof);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	conn_fast_check = true;	/* every conn_input(): both paths */
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
