/* check_zeek.c - zeek.c against Zeek's own conn.log behaviour.
 *
 * Every scenario is a segment sequence with the conn_state and history
 * Zeek gives it.  Where a Zeek btest baseline shows the case, the
 * scenario rebuilds that trace's segments and says which baseline; the
 * others are derived by reading Zeek's TCP analyzer and conn script, and
 * say so.  The table runs as one loop test, one iteration per row.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "zeek.h"

#define FIRST '>'		/* from the first sender */
#define OTHER '<'		/* from the other endpoint */

struct step {
	char dir;		/* FIRST or OTHER */
	const char *fl;		/* letters: S A F R P U, any order */
	uint32_t seq, ack, len;
	bool zwin;		/* advertise a zero window */
	unsigned zf;		/* ZEEK_SEG_* */
	int repeat;		/* send it this many times (0 = once) */
};

/* A segment from the first sender (TX) or the other endpoint (RX). */
#define TX(f, s, a, l) \
	{ .dir = FIRST, .fl = (f), .seq = (s), .ack = (a), .len = (l) }
#define RX(f, s, a, l) \
	{ .dir = OTHER, .fl = (f), .seq = (s), .ack = (a), .len = (l) }
/* The same with more fields: .zf, .zwin, .repeat. */
#define TXX(f, s, a, l, ...) \
	{ .dir = FIRST, .fl = (f), .seq = (s), .ack = (a), .len = (l), \
	  __VA_ARGS__ }
#define RXX(f, s, a, l, ...) \
	{ .dir = OTHER, .fl = (f), .seq = (s), .ack = (a), .len = (l), \
	  __VA_ARGS__ }

#define MAX_STEPS 40

struct scenario {
	const char *name;
	uint16_t first_port, other_port;	/* first sender's, peer's */
	struct step steps[MAX_STEPS];
	const char *state, *history;
	bool orig_is_first;
};

static uint8_t
parse_flags(const char *s)
{
	uint8_t f = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'S': f |= TH_SYN; break;
		case 'A': f |= TH_ACK; break;
		case 'F': f |= TH_FIN; break;
		case 'R': f |= TH_RST; break;
		case 'P': f |= TH_PSH; break;
		case 'U': f |= TH_URG; break;
		default: ck_abort_msg("bad flag letter '%c'", *s);
		}
	}
	return f;
}

static void
feed(struct zeek_conn *z, const struct scenario *sc)
{
	for (const struct step *st = sc->steps; st->dir; st++) {
		bool first = st->dir == FIRST;
		struct tcp_seg seg = {
			.sport = first ? sc->first_port : sc->other_port,
			.dport = first ? sc->other_port : sc->first_port,
			.seq = st->seq,
			.ack = st->ack,
			.win = st->zwin ? 0 : 8192,
			.flags = parse_flags(st->fl),
			.hlen = 20,
			.paylen = st->len,
		};
		int n = st->repeat > 0 ? st->repeat : 1;

		for (int i = 0; i < n; i++)
			zeek_conn_segment(z, first, &seg, st->zf);
	}
}

/* Client 40000 opens to server 80: J = 1000, K = 5000. */
#define HS3 \
	TX("S", 1000, 0, 0), \
	RX("SA", 5000, 1001, 0), \
	TX("A", 1001, 5001, 0)

static const struct scenario scenarios[] = {
	/* derived: the textbook exchange, both FINs, final ACK */
	{ "textbook", 40000, 80, {
		HS3,
		TX("PA", 1001, 5001, 100),
		RX("A", 5001, 1101, 0),
		RX("PA", 5001, 1101, 200),
		TX("FA", 1101, 5201, 0),
		RX("FA", 5201, 1102, 0),
		TX("A", 1102, 5202, 0),
	  }, "SF", "ShADadFf", true },
	/* tcp/syn.pcap (derived S0 'S'; every baseline 'S' row is S0) */
	{ "lone SYN", 40000, 80, {
		TX("S", 1000, 0, 0),
	  }, "S0", "S", true },
	/* pop3.pcap: six 'Sr' rows, all REJ */
	{ "refused", 26242, 110, {
		TX("S", 1000, 0, 0),
		RX("RA", 0, 1001, 0),
	  }, "REJ", "Sr", true },
	/* derived: retransmitted SYN (same ISN) gives no second 'S' */
	{ "SYN retransmitted", 40000, 80, {
		TXX("S", 1000, 0, 0,
		    .repeat = 3),
	  }, "S0", "S", true },
	/*
	 * derived: a new ISN while SYN_SENT re-bases the sequence space
	 * before the history is written, so the relative seq is 0 again:
	 * Zeek writes no second 'S' (only the SYN_seq_jump weird)
	 */
	{ "SYN new ISN", 40000, 80, {
		TX("S", 1000, 0, 0),
		TX("S", 7000, 0, 0),
	  }, "S0", "S", true },
	/* conn_state-RST-behavior: syn-then-rst.pcap -> "SR, RSTOS0" */
	{ "SYN then RST", 40000, 80, {
		TX("S", 1000, 0, 0),
		TX("R", 1001, 0, 0),
	  }, "RSTOS0", "SR", true },
	/*
	 * syn-then-ack-then-rst.pcap -> "SaR, RSTOS0": a responder ACKing a
	 * SYN before its SYN-ACK stays INACTIVE
	 */
	{ "SYN, eccentric ACK, RST", 40000, 80, {
		TX("S", 1000, 0, 0),
		RX("A", 5000, 1001, 0),
		TX("R", 1001, 0, 0),
	  }, "RSTOS0", "SaR", true },
	/* syn-then-stuff-then-rst.pcap -> "SaFR, OTH" ('F' breaks RSTOS0) */
	{ "SYN, ACK, FIN, RST", 40000, 80, {
		TX("S", 1000, 0, 0),
		RX("A", 5000, 1001, 0),
		TX("FA", 1001, 5000, 0),
		TX("R", 1002, 0, 0),
	  }, "OTH", "SaFR", true },
	/* single-rst.pcap -> "R, OTH" */
	{ "lone RST", 48777, 5000, {
		TX("R", 1000, 0, 0),
	  }, "OTH", "R", true },
	/* derived: SYN-ACK from a server port first: flipped on creation */
	{ "SYN-ACK first, server port", 80, 40000, {
		TX("SA", 5000, 1001, 0),
		RX("A", 1001, 5001, 0),
		RX("PA", 1001, 5001, 100),
		TX("A", 5001, 1101, 0),
		TX("PA", 5001, 1101, 200),
		RX("FA", 1101, 5201, 0),
		TX("FA", 5201, 1102, 0),
		RX("A", 1102, 5202, 0),
	  }, "SF", "^hADadFf", false },
	/* missing-syn.pcap -> SF "^hADdFaf" */
	{ "missing-syn", 80, 56730, {
		TX("SA", 5000, 1001, 0),
		RX("A", 1001, 5001, 0),
		RX("PA", 1001, 5001, 98),
		TX("PA", 5001, 1099, 1000),
		RX("FA", 1099, 6001, 0),
		TX("A", 6001, 1100, 0),
		TX("FA", 6001, 1100, 0),
		RX("A", 1100, 6002, 0),
	  }, "SF", "^hADdFaf", false },
	/*
	 * http-on-irc-port-missing-syn / zeek-image-post-1080-8000-x: a
	 * SYN-ACK first where the heuristic does not flip (here: neither
	 * port is a likely server port), then the client's ACK: Zeek flips
	 * on the second packet and the log reads "^hADadFf", SF
	 */
	{ "SYN-ACK first, flipped on ACK", 50000, 40000, {
		TX("SA", 5000, 1001, 0),
		RX("A", 1001, 5001, 0),
		RX("PA", 1001, 5001, 100),
		TX("A", 5001, 1101, 0),
		TX("PA", 5001, 1101, 200),
		RX("FA", 1101, 5201, 0),
		TX("FA", 5201, 1102, 0),
		RX("A", 1102, 5202, 0),
	  }, "SF", "^hADadFf", false },
	/*
	 * one-sided-2745.pcap: only the server's SYN-ACK, ACK, FIN: "^haf"
	 * (the baseline has no conn_state; derived: SHR)
	 */
	{ "one-sided server", 1433, 2745, {
		TX("SA", 5000, 1001, 0),
		TX("A", 5001, 1001, 0),
		TX("FA", 5001, 1001, 0),
	  }, "SHR", "^haf", false },
	/*
	 * localhost-bad-chksum.pcap, second row: "HcADF" SH.  The client's
	 * packets fail the checksum, so the server's ACK is not the second
	 * packet Zeek processed and no flip happens.
	 */
	{ "SYN-ACK, bad checksums, no flip", 50000, 53246, {
		TX("SA", 5000, 1001, 0),
		RXX("A", 1001, 5001, 0,
		    .zf = ZEEK_SEG_BAD_CSUM),
		RXX("PA", 1001, 5001, 74,
		    .zf = ZEEK_SEG_BAD_CSUM),
		TX("A", 5001, 1075, 0),
		TX("PA", 5001, 1075, 432),
		TX("FA", 5433, 1075, 0),
	  }, "SH", "HcADF", true },
	/* syn-bad.pcap -> "C", OTH: counted, dropped, no state */
	{ "lone SYN, bad checksum", 40000, 80, {
		TXX("S", 1000, 0, 0,
		    .zf = ZEEK_SEG_BAD_CSUM),
	  }, "OTH", "C", true },
	/* derived: 'C' is log10-scaled like t/g/w: 1st and 10th */
	{ "bad checksums scaled", 40000, 80, {
		TXX("S", 1000, 0, 0,
		    .zf = ZEEK_SEG_BAD_CSUM, .repeat = 12),
	  }, "OTH", "CC", true },
	/*
	 * handshake-reorder.pcap (bare mode, no likely ports): SYN-ACK
	 * captured before the SYN -> "Hs^ADadFf"
	 */
	{ "SYN/SYN-ACK reversed", 50000, 40000, {
		TX("SA", 5000, 1001, 0),
		RX("S", 1000, 0, 0),
		RX("A", 1001, 5001, 0),
		RX("PA", 1001, 5001, 100),
		TX("A", 5001, 1101, 0),
		TX("PA", 5001, 1101, 200),
		RX("FA", 1101, 5201, 0),
		TX("FA", 5201, 1102, 0),
		RX("A", 1102, 5202, 0),
	  }, "SF", "Hs^ADadFf", false },
	/* derived: midstream data both ways, no close */
	{ "midstream both ways", 40000, 5555, {
		TX("PA", 1000, 5000, 100),
		RX("PA", 5000, 1100, 100),
	  }, "OTH", "Dd", true },
	/* mpls-in-vlan.pcap: one midstream data packet from port 80: "^d" */
	{ "midstream from server port", 80, 32828, {
		TX("PA", 5000, 1000, 1460),
	  }, "OTH", "^d", false },
	/* ssh.pcap: midstream "DaFfA" is SF (a FIN each is enough) */
	{ "midstream closed", 51476, 8118, {
		TX("PA", 1000, 5000, 76),
		RX("A", 5000, 1076, 0),
		TX("FA", 1076, 5000, 0),
		RX("FA", 5000, 1077, 0),
		TX("A", 1077, 5001, 0),
	  }, "SF", "DaFfA", true },
	/* wikipedia.pcap: a lone SYN-ACK from port 80 -> "^h", OTH */
	{ "lone SYN-ACK", 80, 6705, {
		TX("SA", 5000, 1001, 0),
	  }, "OTH", "^h", false },
	/* tcp/syn-synack.pcap (derived S1 'Sh') */
	{ "SYN, SYN-ACK", 40000, 80, {
		TX("S", 1000, 0, 0),
		RX("SA", 5000, 1001, 0),
	  }, "S1", "Sh", true },
	/* wikipedia.pcap: "ShADad", S1 (trace cut before the close) */
	{ "established, not closed", 35642, 80, {
		HS3,
		TX("PA", 1001, 5001, 500),
		RX("A", 5001, 1501, 0),
		RX("PA", 5001, 1501, 400),
	  }, "S1", "ShADad", true },
	/* ssh.client-side-half-duplex.pcap: "SAD" S0, "SADF" SH */
	{ "client side only", 56594, 22, {
		TX("S", 1000, 0, 0),
		TX("A", 1001, 5001, 0),
		TX("PA", 1001, 5001, 40),
	  }, "S0", "SAD", true },
	{ "client side only, FIN", 56821, 22, {
		TX("S", 1000, 0, 0),
		TX("A", 1001, 5001, 0),
		TX("PA", 1001, 5001, 40),
		TX("FA", 1041, 5001, 0),
	  }, "SH", "SADF", true },
	/* ssh.client-side-half-duplex.pcap: "DAF" SH (midstream, then FIN) */
	{ "client side midstream FIN", 51880, 22, {
		TX("PA", 1000, 5000, 40),
		TX("A", 1040, 5100, 0),
		TX("FA", 1040, 5100, 0),
	  }, "SH", "DAF", true },
	/* ssh.server-side-half-duplex.pcap: "^hdaf" SHR */
	{ "server side only", 22, 57191, {
		TX("SA", 5000, 1001, 0),
		TX("PA", 5001, 1001, 40),
		TX("A", 5041, 1050, 0),
		TX("FA", 5041, 1050, 0),
	  }, "SHR", "^hdaf", false },
	/* derived: S2, originator closed, responder silent after */
	{ "S2", 40000, 80, {
		HS3,
		TX("FA", 1001, 5001, 0),
	  }, "S2", "ShAF", true },
	/* derived: S3, responder closed, originator never did */
	{ "S3", 40000, 80, {
		HS3,
		RX("FA", 5001, 1001, 0),
	  }, "S3", "ShAf", true },
	/* modbus-and-non-modbus-p502.pcap: "ShR" RSTO */
	{ "RSTO", 60293, 502, {
		TX("S", 1000, 0, 0),
		RX("SA", 5000, 1001, 0),
		TX("R", 1001, 0, 0),
	  }, "RSTO", "ShR", true },
	/* modbus-and-non-modbus-p502.pcap: "Dr" RSTRH */
	{ "RSTRH midstream", 60293, 502, {
		TX("PA", 1000, 5000, 109),
		RX("R", 5000, 0, 0),
	  }, "RSTRH", "Dr", true },
	/* Teredo.pcap (IPv4 part): a lone RST from port 80 -> "^r" RSTRH */
	{ "RSTRH lone server RST", 80, 1576, {
		TX("R", 5000, 0, 0),
	  }, "RSTRH", "^r", false },
	/* Teredo.pcap: FIN from port 80 first, client ACK -> "^fA" SHR */
	{ "SHR server FIN first", 80, 1576, {
		TX("FA", 5000, 1000, 0),
		RX("A", 1000, 5001, 0),
	  }, "SHR", "^fA", false },
	/* Teredo.pcap: client FIN first, server ACK -> "Fa" SH */
	{ "SH client FIN first", 1577, 80, {
		TX("FA", 1000, 5000, 0),
		RX("A", 5000, 1001, 0),
	  }, "SH", "Fa", true },
	/* ssh.pcap: "ShADadFr" RSTR */
	{ "RSTR after FIN", 55179, 2200, {
		HS3,
		TX("PA", 1001, 5001, 100),
		RX("A", 5001, 1101, 0),
		RX("PA", 5001, 1101, 100),
		TX("FA", 1101, 5101, 0),
		RX("R", 5101, 0, 0),
	  }, "RSTR", "ShADadFr", true },
	/* pop3/bad-list-retr-crafted.pcap: "ShAdDaFR" RSTO */
	{ "RSTO after own FIN", 58854, 110, {
		HS3,
		RX("PA", 5001, 1001, 50),
		TX("PA", 1001, 5051, 20),
		RX("A", 5051, 1021, 0),
		TX("FA", 1021, 5051, 0),
		TX("R", 1022, 0, 0),
	  }, "RSTO", "ShAdDaFR", true },
	/*
	 * derived: both sides reset with no byte sent either way is REJ
	 * (conn_state's sizes clause); with data it is RSTR
	 */
	{ "both RST, no data", 40000, 80, {
		HS3,
		TX("R", 1001, 0, 0),
		RX("R", 5001, 0, 0),
	  }, "REJ", "ShARr", true },
	{ "both RST, data", 40000, 80, {
		HS3,
		TX("PA", 1001, 5001, 10),
		TX("R", 1011, 0, 0),
		RX("R", 5001, 0, 0),
	  }, "RSTR", "ShADRr", true },
	/*
	 * rst-inject-rae.pcap: an injected RST right after the SYN resets the
	 * responder for good; the originator stays SYN_SENT: REJ (derived
	 * from the baseline's endpoint states 1 and 6)
	 */
	{ "injected RST", 2527, 6649, {
		TX("S", 1000, 0, 0),
		RX("RA", 0, 1001, 0),
		RX("SA", 5000, 1001, 0),
		TX("A", 1001, 5001, 0),
		TX("PA", 1001, 5001, 175),
		RX("A", 5001, 1176, 0),
	  }, "REJ", "SrhADa", true },
	/*
	 * fin_retransmission.pcap: S, F before the SYN-ACK, SYN-ACK, the FIN
	 * again (same seq: no second 'F'), responder RST -> CLOSED/RESET,
	 * RSTR (derived from the baseline's endpoint states 5 and 6)
	 */
	{ "FIN before SYN-ACK", 40000, 80, {
		TX("S", 1000, 0, 0),
		TX("F", 1001, 0, 0),
		RX("SA", 5000, 1001, 0),
		TX("FA", 1001, 5001, 0),
		RX("RA", 5001, 1002, 0),
	  }, "RSTR", "SFhr", true },
	/* derived: a FIN with a new sequence number repeats the letter */
	{ "FIN repeated with new seq", 40000, 80, {
		HS3,
		TX("FA", 1001, 5001, 0),
		TX("FA", 1001, 5001, 0),
		TX("FPA", 1001, 5001, 10),
	  }, "S2", "ShAFF", true },
	/*
	 * ssh-dups.pcap: "ShADTadtTtFf": retransmissions are written at the
	 * 1st and 10th of each side
	 */
	{ "retransmissions log10", 53206, 22, {
		HS3,
		TX("PA", 1001, 5001, 100),
		TX("PA", 1001, 5001, 100),
		RX("A", 5001, 1101, 0),
		RX("PA", 5001, 1101, 100),
		RX("PA", 5001, 1101, 100),
		TXX("PA", 1001, 5101, 100,
		    .repeat = 9),
		RXX("PA", 5001, 1101, 100,
		    .repeat = 9),
		TX("FA", 1101, 5101, 0),
		RX("FA", 5101, 1102, 0),
		TX("A", 1102, 5102, 0),
	  }, "SF", "ShADTadtTtFf", true },
	/*
	 * derived: a segment filling a hole behind last_seq is a 't' too;
	 * Zeek's rule is only "payload that does not advance last_seq"
	 */
	{ "out of order is retransmission", 40000, 80, {
		HS3,
		TX("PA", 1101, 5001, 100),
		TX("PA", 1001, 5001, 100),
	  }, "S1", "ShADT", true },
	/* derived: the caller's RETRANS opinion is not needed nor used */
	{ "RETRANS flag ignored", 40000, 80, {
		HS3,
		TXX("PA", 1001, 5001, 100,
		    .zf = ZEEK_SEG_RETRANS),
	  }, "S1", "ShAD", true },
	/* derived: zero windows, log10-scaled, not on an RST */
	{ "zero window", 40000, 80, {
		HS3,
		RXX("A", 5001, 1001, 0,
		    .zwin = true, .repeat = 10),
		RXX("RA", 5001, 1001, 0,
		    .zwin = true),
	  }, "RSTR", "ShAawwr", true },
	/*
	 * miss_end_data.pcap: "ShADafgF": the responder's last bytes were
	 * never captured; the originator's ACK reveals the gap, charged to
	 * the responder
	 */
	{ "content gap", 60648, 80, {
		HS3,
		TX("PA", 1001, 5001, 538),
		RX("A", 5001, 1539, 0),
		RX("FA", 7903, 1539, 0),
		TXX("A", 1539, 7904, 0,
		    .zf = ZEEK_SEG_GAP),
		TX("FA", 1539, 7904, 0),
	  }, "SF", "ShADafgF", true },
	/* derived from Zeek's TCP_Reassembler::Gap(): a content gap is
	 * reported only when both endpoints are established or closed from
	 * it (established_or_cleanly_closing(); report_gaps_for_partial is
	 * F by default). A midstream connection's endpoints are PARTIAL:
	 * the same ACK over a hole gives no 'g' (the audit's "^aDA" and
	 * "Da" cases). */
	{ "content gap, midstream", 60648, 80, {
		TX("PA", 1001, 5001, 538),
		RX("A", 5001, 1539, 0),
		TXX("A", 1539, 7904, 0,
		    .zf = ZEEK_SEG_GAP),
	  }, "OTH", "DaA", true },
	/* derived: FIN+RST is 'I', SYN+FIN is 'Q', each once */
	{ "inconsistent flags", 40000, 80, {
		TX("SF", 1000, 0, 0),
		TX("SF", 1000, 0, 0),
		RX("RFA", 5000, 1001, 0),
	  }, "RSTR", "Qi", true },
	/*
	 * derived: a zero window from the originator ('W'), the responder's
	 * SYN+FIN ('q'), the originator's FIN+RST ('I'): the letters no
	 * other scenario writes, so that each of the 25 is stored and read
	 * back once
	 */
	{ "W, q and I", 40000, 80, {
		TX("S", 1000, 0, 0),
		RX("SA", 5000, 1001, 0),
		TXX("A", 1001, 5001, 0,
		    .zwin = true),
		RX("SF", 5000, 1001, 0),
		TX("RFA", 1001, 5001, 0),
	  }, "RSTO", "ShAWqI", true },
	/*
	 * derived: simultaneous open; the SYN-ACKs with the same ISNs add no
	 * letter (S and H share the once-bit and the sequence check)
	 */
	{ "simultaneous open", 40000, 40001, {
		TX("S", 1000, 0, 0),
		RX("S", 5000, 0, 0),
		TX("SA", 1000, 5001, 0),
		RX("SA", 5000, 1001, 0),
		TX("A", 1001, 5001, 0),
		RX("A", 5001, 1001, 0),
	  }, "S1", "SsAa", true },
	/*
	 * derived: a stealth scan's SYN-ACK answered by an RST is not
	 * flipped (no ACK or data follows)
	 */
	{ "SYN-ACK answered by RST", 50000, 40000, {
		TX("SA", 5000, 1001, 0),
		RX("R", 1001, 0, 0),
	  }, "REJ", "Hr", true },
	/* derived: a very long history is cut, not overflowed */
	{ "history cap", 40000, 80, {
		HS3,
		TX("FA", 1001, 5001, 0),
		TX("FA", 1002, 5001, 0),
		TX("FA", 1003, 5001, 0),
		TX("FA", 1004, 5001, 0),
		TX("FA", 1005, 5001, 0),
		TX("FA", 1006, 5001, 0),
		TX("FA", 1007, 5001, 0),
		TX("FA", 1008, 5001, 0),
		TX("FA", 1009, 5001, 0),
		TX("FA", 1010, 5001, 0),
		TX("FA", 1011, 5001, 0),
		TX("FA", 1012, 5001, 0),
		TX("FA", 1013, 5001, 0),
		TX("FA", 1014, 5001, 0),
		TX("FA", 1015, 5001, 0),
		TX("FA", 1016, 5001, 0),
		TX("FA", 1017, 5001, 0),
		TX("FA", 1018, 5001, 0),
		TX("FA", 1019, 5001, 0),
		TX("FA", 1020, 5001, 0),
		TX("FA", 1021, 5001, 0),
		TX("FA", 1022, 5001, 0),
		TX("FA", 1023, 5001, 0),
		TX("FA", 1024, 5001, 0),
	  }, "S2", "ShAFFFFFFFFFFFFFFFFFFFF", true },
};

#define N_SCENARIOS ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

START_TEST(test_scenario)
{
	const struct scenario *sc = &scenarios[_i];
	struct zeek_conn z;
	char h[ZEEK_HIST_MAX + 1];

	zeek_conn_init(&z);
	feed(&z, sc);
	ck_assert_msg(strcmp(zeek_conn_history(&z, h), sc->history) == 0,
	    "%s: history \"%s\", want \"%s\"", sc->name, h, sc->history);
	ck_assert_msg(strcmp(zeek_conn_state(&z), sc->state) == 0,
	    "%s: conn_state %s, want %s (history \"%s\")", sc->name,
	    zeek_conn_state(&z), sc->state, h);
	ck_assert_msg(zeek_conn_orig_is_first(&z) == sc->orig_is_first,
	    "%s: orig_is_first %d, want %d", sc->name,
	    zeek_conn_orig_is_first(&z), sc->orig_is_first);
}
END_TEST

START_TEST(test_fresh)
{
	struct zeek_conn z;
	char h[ZEEK_HIST_MAX + 1];

	zeek_conn_init(&z);
	ck_assert_str_eq(zeek_conn_history(&z, h), "");
	ck_assert_str_eq(zeek_conn_state(&z), "OTH");
	ck_assert(zeek_conn_orig_is_first(&z));
}
END_TEST

/* One is embedded in every tracked connection. */
START_TEST(test_size)
{
	ck_assert_uint_le(sizeof(struct zeek_conn), 64);
}
END_TEST

/*
 * Sequence numbers wrap: a connection whose ISN sits just below 2^32
 * must not see its data as retransmissions.
 */
START_TEST(test_wrap)
{
	struct zeek_conn z;
	struct tcp_seg s = { .sport = 40000, .dport = 80, .win = 1000 };
	char h[ZEEK_HIST_MAX + 1];

	zeek_conn_init(&z);
	s.flags = TH_SYN, s.seq = 0xfffffff0u;
	zeek_conn_segment(&z, true, &s, 0);
	s.sport = 80, s.dport = 40000;
	s.flags = TH_SYN | TH_ACK, s.seq = 5000, s.ack = 0xfffffff1u;
	zeek_conn_segment(&z, false, &s, 0);
	s.sport = 40000, s.dport = 80;
	for (uint32_t i = 0; i < 4; i++) {
		s.flags = TH_ACK | TH_PSH;
		s.seq = 0xfffffff1u + i * 100, s.ack = 5001, s.paylen = 100;
		zeek_conn_segment(&z, true, &s, 0);
	}
	ck_assert_str_eq(zeek_conn_history(&z, h), "ShD");
	ck_assert_str_eq(zeek_conn_state(&z), "S1");
}
END_TEST

static Suite *
zeek_suite(void)
{
	Suite *s = suite_create("zeek");
	TCase *tc = tcase_create("scenarios");

	tcase_add_loop_test(tc, test_scenario, 0, N_SCENARIOS);
	tcase_add_test(tc, test_fresh);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_wrap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(zeek_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
