/* zeek.c - Zeek's conn.log conn_state and history, computed as Zeek does.
 *
 * This is a re-statement, in our own code, of what Zeek's TCP analyzer
 * (packet_analysis/protocol/tcp/TCPSessionAdapter.cc, TCP.cc,
 * analyzer/protocol/tcp/TCP_Endpoint.cc), its session layer
 * (IPBasedAnalyzer::NewConn, Connection::FlipRoles) and its conn script
 * (scripts/base/protocols/conn/main.zeek, conn_state()) do with a
 * segment.  It keeps only what conn_state and history depend on: the two
 * endpoint states, the sequence bookkeeping that decides retransmissions
 * and repeated S/H/F/R letters, and the letters themselves.
 *
 * Zeek's endpoint states are not RFC 9293 states: an endpoint is INACTIVE
 * until it sends, SYN_SENT / SYN_ACK_SENT after its first SYN, PARTIAL
 * when it first shows up without a SYN, ESTABLISHED once the handshake is
 * seen, CLOSED after its FIN and RESET after its RST.  A connection's
 * conn_state is a function of the originator's and responder's states.
 *
 * What the caller provides (zeek.h): the segments, who sent them, and
 * two facts Zeek takes from places we do not emulate:
 *  - ZEEK_SEG_BAD_CSUM: the TCP checksum is wrong.  Zeek counts 'C'/'c'
 *    and drops the segment before the TCP analyzer sees it.  A bad IPv4
 *    header checksum is different: Zeek's IP layer drops such a packet
 *    silently, so it must not be fed here at all.
 *  - ZEEK_SEG_GAP: this segment acknowledges bytes of the *peer's* stream
 *    that the capture never showed.  Zeek's reassembler finds content gaps
 *    exactly that way (on the acknowledgment) and charges them to the
 *    stream with the hole, so the letter is the peer's.
 * ZEEK_SEG_RETRANS is accepted and not needed: Zeek's 't'/'T' is not the
 * reassembler's opinion but a plain rule on its last_seq (payload that
 * does not advance it), which we reproduce exactly below.
 *
 * Approximations, each marked where it is made:
 *  - likely_server_ports: Zeek's table depends on the loaded scripts; we
 *    take every port below 1024 plus the ports Zeek's default scripts add.
 *  - sequence numbers are compared modulo 2^32 (Zeek counts wraps to 64
 *    bits; it only matters past 2 GB in one direction);
 *  - the last S/H, F, R sequence numbers are kept as their low 16 bits;
 *  - the c/g/t/w counters saturate at 65535 (the sixth letter, at
 *    100000 events, is never written);
 *  - the history keeps its first ZEEK_HIST_MAX letters;
 *  - Zeek's 2022 "flip a connection that began with a SYN-ACK once an ACK
 *    or data follows" rule is reconstructed from its baselines.
 * Not emulated at all: when Zeek ends a connection and starts another on
 * the same 4-tuple (its 5 s connection-attempt timer, reuse on a SYN or
 * SYN-ACK, close and inactivity timers).  Those decide where a conn.log
 * row starts, which is the flow table's business; one zeek_conn follows
 * one synfin connection.
 */
#include <assert.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "seq.h"
#include "zeek.h"

/* Zeek's TCP endpoint states, numbered as in its init-bare.zeek. */
enum zeek_st {
	ZST_INACTIVE,
	ZST_SYN_SENT,
	ZST_SYN_ACK_SENT,
	ZST_PARTIAL,
	ZST_ESTABLISHED,
	ZST_CLOSED,
	ZST_RESET,
};

/* ep[] layout: state, previous state (Zeek's prev_state), FIN sent. */
#define EP_ST_MASK 0x07u
#define EP_PREV_SHIFT 3
#define EP_FIN 0x40u

/* flags */
enum {
	ZK_F_BEGUN = 1u << 0,	/* a segment was seen: the connection exists */
	ZK_F_FLIPPED = 1u << 1,	/* Zeek's originator is endpoint [1] */
	/*
	 * How far the peer has acknowledged an endpoint's stream, relative to
	 * its start_seq: beyond 1 (past the SYN) and beyond 2 (past SYN and
	 * FIN).  That is all Zeek's Size() and NoDataAcked() need of ack_seq
	 * for conn_state, so the ack numbers themselves are not kept.
	 */
	ZK_F_ACK1 = 1u << 2,	/* << endpoint */
	ZK_F_ACK2 = 1u << 4,	/* << endpoint */
	/*
	 * Neither endpoint is INACTIVE or RESET and the history is not a
	 * lone 'H': what a segment without SYN or RST needs for
	 * zeek_segment_plain() (zeek_conn_segment_fl()), kept by
	 * zeek_segment_full(), the only
	 * place that changes any of it, so that the test is one bit.
	 */
	ZK_F_STEADY = ZEEK_F_STEADY,
};
G_STATIC_ASSERT(ZEEK_F_STEADY == 1u << 6);

/* cnt[][] slots: the log10-scaled letters. */
enum { CNT_CSUM, CNT_GAP, CNT_RXMT, CNT_WIN0 };

/*
 * Letters given once per role (Zeek's hist_seen bits).  The SYN bit is
 * shared by S and H: a second SYN-type letter from the same side needs a
 * new sequence number, whichever of the two it is.
 */
enum {
	SEEN_SYN = 1u << 0,
	SEEN_FIN = 1u << 1,
	SEEN_RST = 1u << 2,
	SEEN_FIN_RST = 1u << 3,	/* 'I' */
	SEEN_DATA = 1u << 4,
	SEEN_ACK = 1u << 5,
	SEEN_MULTI = 1u << 6,	/* 'Q' */
};
#define SEEN_RESP_SHIFT 8

/*
 * Zeek ignores SYN and RST sequence numbers this far from what it knows
 * (TOO_LARGE_SEQ_DELTA), and an ack of 0 that far ahead is a broken ack.
 */
#define TOO_LARGE_SEQ_DELTA 1048576

/* GCC's noipa where there is one (zeek_segment_plain0()...); clang has
 * none. */
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define ZK_NOIPA __attribute__((noipa))
#endif
#endif
#ifndef ZK_NOIPA
#define ZK_NOIPA
#endif

/* ---- small accessors --------------------------------------------------- */

static unsigned
st(const struct zeek_conn *z, unsigned e)
{
	return z->ep[e] & EP_ST_MASK;
}

static unsigned
prev_st(const struct zeek_conn *z, unsigned e)
{
	return (z->ep[e] >> EP_PREV_SHIFT) & EP_ST_MASK;
}

/* Zeek's established_or_cleanly_closing(): ESTABLISHED, or CLOSED from
 * it. Content gaps are reported only when both endpoints are, unless
 * report_gaps_for_partial (default F): a midstream (PARTIAL) connection
 * gets no 'G' (TCP_Reassembler::Gap()). */
static bool
est_or_closing(const struct zeek_conn *z, unsigned e)
{
	return st(z, e) == ZST_ESTABLISHED ||
	    (st(z, e) == ZST_CLOSED && prev_st(z, e) == ZST_ESTABLISHED);
}

/* Zeek's SetState(): the previous state only moves on a real change. */
static void
set_st(struct zeek_conn *z, unsigned e, unsigned s)
{
	unsigned cur = st(z, e);

	if (s == cur)
		return;
	z->ep[e] = (uint8_t)((z->ep[e] & EP_FIN) | (cur << EP_PREV_SHIFT) | s);
}

static bool
flipped(const struct zeek_conn *z)
{
	return (z->flags & ZK_F_FLIPPED) != 0;
}

/* The physical endpoint Zeek currently calls the originator. */
static unsigned
orig_ep(const struct zeek_conn *z)
{
	return flipped(z) ? 1u : 0u;
}

static bool
is_orig(const struct zeek_conn *z, unsigned e)
{
	return e == orig_ep(z);
}

/* ---- history ------------------------------------------------------------ */

/*
 * The history is kept as 5-bit fields packed little-endian in z->hist: its
 * length, then each letter's code, the letter's index in hist_letter (from
 * 1; the rest of the 32 codes none): what a character costs with 25
 * letters, 9 bytes less per connection.  The length makes a letter's place
 * a multiplication where the codes alone made it a search for their end.
 */
#define HIST_LETTERS "?SHADFRCGTWIQshadfrcgtwiq^"
static const char hist_letter[32] = HIST_LETTERS;

/*
 * The codes by name.  A responder's letter is its originator's upper case
 * one HL_LOWER on, so that the role is an addition, not a lookup.
 */
enum {
	HL_S = 1, HL_H, HL_A, HL_D, HL_F, HL_R, HL_C, HL_G, HL_T, HL_W,
	HL_I, HL_Q,
	HL_LOWER = HL_Q,
	HL_FLIP = 2 * HL_LOWER + 1,	/* '^' */
};
G_STATIC_ASSERT(sizeof(HIST_LETTERS) == HL_FLIP + 2);

#define HIST_LEN_MASK 31u
G_STATIC_ASSERT(ZEEK_HIST_MAX <= HIST_LEN_MASK);

static unsigned
hist_len(const struct zeek_conn *z)
{
	return z->hist[0] & HIST_LEN_MASK;
}

/* The code of letter i (< hist_len()). */
static unsigned
hist_get(const struct zeek_conn *z, unsigned i)
{
	unsigned bit = (i + 1) * 5, b = bit / 8, sh = bit % 8;
	unsigned v = (unsigned)z->hist[b] >> sh;

	if (sh > 3)
		v |= (unsigned)z->hist[b + 1] << (8 - sh);
	return v & 31u;
}

/*
 * A letter after the last.  The bits after it are zero (zeek_conn_init(),
 * hist_clear()), so the code is or'ed in: into two bytes as one 16-bit
 * number (a little-endian one, whatever the host's), those from its first
 * but for the last letter kept, whose first is the last byte of hist[]:
 * then the one before and that one (its code at bit 11, which ends at
 * bit 15).
 */
G_STATIC_ASSERT(ZEEK_HIST_MAX * 5 / 8 == ZEEK_HIST_BYTES - 1 &&
    (ZEEK_HIST_MAX + 1) * 5 == ZEEK_HIST_BYTES * 8);
static inline void
hist_add(struct zeek_conn *z, unsigned code)
{
	unsigned n = hist_len(z);

	/* Past the cap the tail is lost; the head is what readers scan. */
	if (n >= ZEEK_HIST_MAX)
		return;
	unsigned bit = (n + 1) * 5, b = MIN(bit / 8, ZEEK_HIST_BYTES - 2u);
	uint16_t w;

	memcpy(&w, &z->hist[b], sizeof(w));
	w = GUINT16_TO_LE((uint16_t)(GUINT16_FROM_LE(w) |
	    code << (bit - b * 8)));
	memcpy(&z->hist[b], &w, sizeof(w));
	z->hist[0]++;		/* n < 31: the length's field only */
}

static void
hist_clear(struct zeek_conn *z)
{
	memset(z->hist, 0, sizeof(z->hist));
}

/* The history is a lone 'H', a SYN-ACK's (zeek_conn_segment()'s flip). */
static bool
lone_h(const struct zeek_conn *z)
{
	return hist_len(z) == 1 && hist_get(z, 0) == HL_H;
}

/* The originator's letter for upper, the responder's one HL_LOWER on. */
static unsigned
role_case(const struct zeek_conn *z, unsigned e, unsigned upper)
{
	return is_orig(z, e) ? upper : upper + HL_LOWER;
}

/* hist_once()'s first time: the role's bit and its letter.  Inline: a
 * short connection writes a letter in most of its segments ("ShADadFf"
 * in eight or nine), and out of line the call and its arguments were a
 * third of hist_add()'s cost and made zeek_segment_fin() and
 * zeek_segment_plain()'s
 * callers save registers (s320k: 4.8 M of 40 M instructions). */
static inline void
hist_first(struct zeek_conn *z, unsigned e, unsigned mask, unsigned upper)
{
	z->seen |= (uint16_t)mask;
	hist_add(z, role_case(z, e, upper));
}

/*
 * Zeek's CheckHistory(): write the letter the first time this role shows
 * it.  Returns whether it had been seen before, which is what lets the
 * S/H/F/R callers decide about a repeat.
 */
static inline bool
hist_once(struct zeek_conn *z, unsigned e, unsigned bit, unsigned upper)
{
	unsigned mask = bit << (is_orig(z, e) ? 0 : SEEN_RESP_SHIFT);

	if (z->seen & mask)
		return true;
	hist_first(z, e, mask, upper);
	return false;
}

/*
 * Zeek's ScaledHistoryEntry(): the letter is written at the 1st, 10th,
 * 100th... event, so a log shows orders of magnitude, not counts.
 */
static void
hist_scaled(struct zeek_conn *z, unsigned e, unsigned slot, unsigned upper)
{
	uint16_t *n = &z->cnt[e][slot];

	if (*n == UINT16_MAX)
		return;
	(*n)++;
	for (unsigned p = 1; p <= *n; p *= 10) {
		if (p == *n) {
			hist_add(z, role_case(z, e, upper));
			break;
		}
	}
}

/* hist_scaled() out of line, for zeek_segment_fin()'s rare letters (a
 * FIN's 't', a gap's 'g'): it then saves fewer registers. (Not for
 * zeek_segment_plain(), which is then costlier: s320k +0.6 M.) */
static __attribute__((noinline, cold)) void
hist_scaled_rare(struct zeek_conn *z, unsigned e, unsigned slot,
    unsigned upper)
{
	hist_scaled(z, e, slot, upper);
}

/*
 * Zeek's update_history(): one letter class per segment.  Several of
 * SYN/FIN/RST together is an inconsistent packet (I for FIN+RST, Q for
 * the rest), never one of the single-flag letters.  S/H/F/R repeat only
 * with a new relative sequence number (a FIN's is taken after its data),
 * so plain retransmissions do not repeat them.  A, D, I, Q are given once.
 */
static void
update_history(struct zeek_conn *z, unsigned e, uint8_t fl, uint32_t rel,
    uint32_t len)
{
	bool syn = fl & TH_SYN, fin = fl & TH_FIN, rst = fl & TH_RST;
	int bits = syn + fin + rst;

	if (bits > 1) {
		if (fin && rst)
			hist_once(z, e, SEEN_FIN_RST, HL_I);
		else
			hist_once(z, e, SEEN_MULTI, HL_Q);
		return;
	}
	if (syn) {
		unsigned code = (fl & TH_ACK) ? HL_H : HL_S;

		if (hist_once(z, e, SEEN_SYN, code) &&
		    (uint16_t)rel != z->hseq[e][HSEQ_SYN])
			hist_add(z, role_case(z, e, code));
		z->hseq[e][HSEQ_SYN] = (uint16_t)rel;
	} else if (fin) {
		if (hist_once(z, e, SEEN_FIN, HL_F) &&
		    (uint16_t)(rel + len) != z->hseq[e][HSEQ_FIN])
			hist_add(z, role_case(z, e, HL_F));
		z->hseq[e][HSEQ_FIN] = (uint16_t)(rel + len);
	} else if (rst) {
		if (hist_once(z, e, SEEN_RST, HL_R) &&
		    (uint16_t)rel != z->hseq[e][HSEQ_RST])
			hist_add(z, role_case(z, e, HL_R));
		z->hseq[e][HSEQ_RST] = (uint16_t)rel;
	} else if (len > 0) {
		hist_once(z, e, SEEN_DATA, HL_D);
	} else if (fl & TH_ACK) {
		hist_once(z, e, SEEN_ACK, HL_A);
	}
}

/* ---- roles ----------------------------------------------------------- */

/*
 * Ports above 1023 that Zeek's default scripts put in likely_server_ports
 * for TCP: HTTP (1080 3128 8000 8080 8888), SOCKS (1080), gridftp (2811),
 * LDAP global catalog (3268), MySQL (3306), RDP (3389), XMPP (5222 5269),
 * SSL (5223), PostgreSQL (5432), Redis (6379), IRC (6666-6669), DNP3
 * (20000).  Below 1024 we take every port: Zeek's table holds most of the
 * well-known services there, and a privileged source port is a server's
 * far more often than a client's.  Approximation: Zeek's table changes
 * with the loaded scripts (bare mode has almost none).
 */
static const uint16_t likely_server_high[] = {
	1080, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379,
	6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static bool
likely_server_port(uint16_t port)
{
	if (port < 1024)
		return true;
	for (size_t i = 0; i < sizeof(likely_server_high) /
	    sizeof(likely_server_high[0]); i++)
		if (likely_server_high[i] == port)
			return true;
	return false;
}

/*
 * Connection::FlipRoles(): the endpoints swap roles and '^' is appended.
 * Letters already written keep the case they had, so "Hs^..." shows the
 * order in which Zeek learnt things.
 */
static void
flip_roles(struct zeek_conn *z)
{
	z->flags ^= ZK_F_FLIPPED;
	hist_add(z, HL_FLIP);
}

/*
 * IPBasedAnalyzer::NewConn() / TCPAnalyzer::WantConnection(): the sender
 * of a connection's first packet is the originator, unless that packet is
 * not a bare SYN (midstream, or a SYN-ACK) and its source port looks like
 * a server's.  When both ports do, Zeek flips only a non-SYN packet whose
 * source port is the lower one: a SYN-ACK between two server ports may
 * be a stealth scan's answer, whose roles are right as they are.
 */
static bool
want_flip(uint8_t fl, const struct tcp_seg *seg)
{
	bool bare_syn = (fl & TH_SYN) && !(fl & TH_ACK);

	if (bare_syn || !likely_server_port(seg->sport))
		return false;
	if (likely_server_port(seg->dport))
		return !(fl & TH_SYN) && seg->sport < seg->dport;
	return true;
}

/* ---- sequence bookkeeping (TCPSessionAdapter::Process) ------------------ */

static void
init_seq(struct zeek_conn *z, unsigned e, uint32_t start, uint32_t last)
{
	z->start[e] = start;
	z->last[e] = last;
	/* ack_seq restarts at start_seq: nothing of this stream acked yet */
	z->flags &= (uint8_t)~((ZK_F_ACK1 | ZK_F_ACK2) << e);
}

/*
 * Zeek's init_endpoint(): where an endpoint's sequence space starts.  An
 * endpoint first seen without a SYN is numbered as if it had sent one just
 * before (start = seq - 1), with last = seq so that its first payload is
 * not taken for a retransmission.  A SYN later re-bases the space, except
 * once the endpoint has closed, or reset after having been active.
 */
static void
init_endpoint(struct zeek_conn *z, unsigned e, uint8_t fl, uint32_t seq,
    uint32_t end)
{
	bool syn = fl & TH_SYN;

	switch (st(z, e)) {
	case ZST_INACTIVE:
		if (syn)
			init_seq(z, e, seq, end);
		else
			init_seq(z, e, seq - 1, seq);
		break;
	case ZST_SYN_SENT:
	case ZST_SYN_ACK_SENT:
		if (syn && seq != z->start[e])
			init_seq(z, e, seq, end);	/* SYN_seq_jump */
		break;
	case ZST_ESTABLISHED:
	case ZST_PARTIAL:
		/* guess that this SYN is the one that really opens it */
		if (syn)
			init_seq(z, e, seq, end);
		break;
	case ZST_RESET:
		/* an RST that came before any SYN may have been injected */
		if (syn && prev_st(z, e) == ZST_INACTIVE)
			init_seq(z, e, seq, end);
		break;
	default:
		break;
	}
}

/* A trusted ack moves the peer's ack_seq forward, but one behind the
 * peer's start is an underflow. */
static inline void
ack_peer(struct zeek_conn *z, unsigned p, uint32_t ack)
{
	int32_t d = seq_diff(ack, z->start[p]);

	if (d < 0)
		return;		/* TCP_ack_underflow_or_misorder */
	if (ack == 0 && d > TOO_LARGE_SEQ_DELTA)
		return;		/* more likely a broken ack than a wrap to 0 */
	if (d > 1)
		z->flags |= (uint8_t)(ZK_F_ACK1 << p);
	if (d > 2)
		z->flags |= (uint8_t)(ZK_F_ACK2 << p);
}

/*
 * The ACK half of Process(): an ACK for a peer that has not sent yet
 * seeds the peer's numbering (init_peer: as if its SYN were ack - 1);
 * otherwise it is the peer's ack_seq's, but an RST's ack is not trusted.
 */
static void
note_ack(struct zeek_conn *z, unsigned p, uint8_t fl, uint32_t ack)
{
	if (st(z, p) == ZST_INACTIVE)
		init_seq(z, p, ack - 1, ack - 1);
	else if (!(fl & TH_RST))
		ack_peer(z, p, ack);
}

/*
 * Zeek's update_last_seq(), run before the state machine (so with the
 * state the segment found): last_seq only moves forward, and payload that
 * does not move it is a retransmission ('T'/'t'), whatever the reason
 * (a true retransmission, a keep-alive byte, an out-of-order fill).
 */
static void
update_last(struct zeek_conn *z, unsigned e, uint8_t fl, uint32_t end,
    uint32_t len)
{
	int32_t d = seq_diff(end, z->last[e]);

	if ((fl & (TH_SYN | TH_RST)) &&
	    (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA))
		return;		/* outlandish SYN/RST numbers are not trusted */
	if ((fl & TH_FIN) && z->last[e] == z->start[e] + 1)
		z->last[e] = end;	/* SYN then FIN only: take the FIN's */
	else if (st(z, e) == ZST_RESET)
		return;		/* nothing after an RST is trusted */
	else if (d > 0)
		z->last[e] = end;
	else if (len > 0)
		hist_scaled(z, e, CNT_RXMT, HL_T);
}

/* ---- Zeek's endpoint state machine (UpdateStateMachine) ----------------- */

/*
 * The endpoint's first segment.  Its flags decide its state; without one
 * it becomes PARTIAL, except for two readings of a bare ACK: a responder
 * ACKing a pending SYN before its SYN-ACK ("eccentric TCPs") changes
 * nothing, and an ACK to a peer already ESTABLISHED by an unanswered
 * SYN-ACK means the SYN was missed, so the endpoint is ESTABLISHED.
 */
static void
st_inactive(struct zeek_conn *z, unsigned e, uint8_t fl, uint32_t len)
{
	unsigned p = e ^ 1u;
	/* what the segment was when it arrived, before a flip below */
	bool orig = is_orig(z, e);

	if (fl & TH_SYN) {
		if (orig) {
			set_st(z, e, (fl & TH_ACK) ? ZST_SYN_ACK_SENT :
			    ZST_SYN_SENT);
		} else {
			/*
			 * A responder's SYN.  A bare SYN answering an
			 * originator that opened with a SYN-ACK is the SYN
			 * and SYN-ACK captured in reverse order: Zeek swaps
			 * the roles and takes the connection as established.
			 * (Zeek also asks that the SYN's seq be the
			 * endpoint's start_seq, which init_endpoint() has just
			 * made it.)  Anything else is a simultaneous open or
			 * an unsolicited SYN-ACK; either way the sender is
			 * ESTABLISHED, and a SYN_SENT originator with it.
			 */
			if (!(fl & TH_ACK) && st(z, p) == ZST_SYN_ACK_SENT) {
				flip_roles(z);
				set_st(z, p, ZST_ESTABLISHED);
			}
			if (st(z, p) == ZST_SYN_SENT)
				set_st(z, p, ZST_ESTABLISHED);
			set_st(z, e, ZST_ESTABLISHED);
		}
	}
	if (fl & TH_FIN)
		set_st(z, e, ZST_CLOSED);
	if (fl & TH_RST)
		set_st(z, e, ZST_RESET);

	if (st(z, e) != ZST_INACTIVE)
		return;
	/* `orig` is what the segment was when it arrived, as in Zeek. */
	if (!orig && len == 0 && st(z, orig_ep(z)) == ZST_SYN_SENT)
		return;
	if ((fl & TH_ACK) && st(z, p) == ZST_ESTABLISHED)
		set_st(z, e, ZST_ESTABLISHED);
	else
		set_st(z, e, ZST_PARTIAL);
}

/*
 * After a SYN or SYN-ACK: only FIN and RST move the endpoint.  A
 * SYN_SENT endpoint leaves that state through its peer's SYN-ACK
 * (st_inactive), not through its own third ACK, so a SYN whose answer was
 * never captured stays SYN_SENT whatever it sends next (hence S0 'SAD').
 */
static void
st_syn_sent(struct zeek_conn *z, unsigned e, uint8_t fl)
{
	if (fl & TH_FIN)
		set_st(z, e, ZST_CLOSED);
	if (fl & TH_RST)
		set_st(z, e, ZST_RESET);
}

static void
st_established(struct zeek_conn *z, unsigned e, uint8_t fl)
{
	unsigned p = e ^ 1u;

	/* a midstream side that now sends a bare SYN to a silent peer */
	if ((fl & TH_SYN) && !(fl & TH_ACK) && st(z, e) == ZST_PARTIAL &&
	    st(z, p) == ZST_INACTIVE)
		set_st(z, e, ZST_SYN_SENT);
	if ((fl & TH_FIN) && !(fl & TH_RST)) {
		set_st(z, e, ZST_CLOSED);
		/* the peer's FIN then RST was a normal close after all */
		if (st(z, p) == ZST_RESET && prev_st(z, p) == ZST_CLOSED)
			set_st(z, p, ZST_CLOSED);
	}
	if (fl & TH_RST)
		set_st(z, e, ZST_RESET);
}

/* After a FIN: an RST counts unless both FINs were already exchanged. */
static void
st_closed(struct zeek_conn *z, unsigned e, uint8_t fl)
{
	if ((fl & TH_RST) && st(z, e ^ 1u) != ZST_CLOSED)
		set_st(z, e, ZST_RESET);
}

static void
state_machine(struct zeek_conn *z, unsigned e, uint8_t fl, uint32_t len)
{
	switch (st(z, e)) {
	case ZST_INACTIVE:
		st_inactive(z, e, fl, len);
		break;
	case ZST_SYN_SENT:
	case ZST_SYN_ACK_SENT:
		st_syn_sent(z, e, fl);
		break;
	case ZST_ESTABLISHED:
	case ZST_PARTIAL:
		st_established(z, e, fl);
		break;
	case ZST_CLOSED:
		st_closed(z, e, fl);
		break;
	default:
		break;		/* RESET is final: later segments are weirds */
	}
}

/* ZK_F_STEADY from the states and the history, after zeek_segment_full(). */
static void
note_steady(struct zeek_conn *z)
{
	unsigned s0 = st(z, 0), s1 = st(z, 1);

	if (s0 != ZST_INACTIVE && s0 != ZST_RESET && s1 != ZST_INACTIVE &&
	    s1 != ZST_RESET && !lone_h(z))
		z->flags |= ZK_F_STEADY;
	else
		z->flags &= (uint8_t)~ZK_F_STEADY;
}

/* zeek_conn_segment() for a plain segment (zeek_conn_segment_fl())
 * without FIN. Out of line in a copy for each endpoint
 * (zeek_segment_plain0() and 1), as segment_fin() and zeek_segment_full(),
 * so that zeek_conn_segment() is only the test and a call to one of them
 * (noipa: not a clone with seg's fields for arguments). */
static inline __attribute__((always_inline)) void
segment_plain(struct zeek_conn *z, unsigned e, const struct tcp_seg *seg)
{
	unsigned p = e ^ 1u;
	unsigned acked = (ZK_F_ACK1 | ZK_F_ACK2) << p;
	uint8_t fl = seg->flags;
	uint32_t len = seg->paylen, end = seg->seq + len;

	/* (The ack and the last seq first: neither reads nor writes the
	 * history, so that little is live when a letter is written.) An ack
	 * past the peer's SYN and FIN already leaves nothing to note. */
	if ((fl & TH_ACK) && (z->flags & acked) != acked)
		ack_peer(z, p, seg->ack);
	/* update_last() for a sender not reset, of a segment without flags */
	bool rxmt = false;
	if (seq_diff(end, z->last[e]) > 0)
		z->last[e] = end;
	else
		rxmt = len > 0;
	/* update_history() */
	if (len > 0)
		hist_once(z, e, SEEN_DATA, HL_D);
	else if (fl & TH_ACK)
		hist_once(z, e, SEEN_ACK, HL_A);
	if (rxmt)
		hist_scaled(z, e, CNT_RXMT, HL_T);
	/* (A gap's 'g' last, zeek_segment_gap().) */
}

/*
 * zeek_conn_segment() for a plain FIN (zeek_conn_segment_fl()):
 * zeek_segment_full()'s steps for it in their order.  The state machine
 * takes a steady endpoint to CLOSED on a FIN without RST whatever its
 * state (st_syn_sent(), st_established(), st_closed() already there), and
 * the peer's FIN-then-RST rule needs a peer RESET, which a steady one is
 * not; nor is the sender RESET, so update_last() always takes its numbers.
 */
static inline __attribute__((always_inline)) void
segment_fin(struct zeek_conn *z, unsigned e, const struct tcp_seg *seg)
{
	unsigned p = e ^ 1u;
	unsigned acked = (ZK_F_ACK1 | ZK_F_ACK2) << p;
	uint32_t len = seg->paylen, end = seg->seq + len + 1;
	/* update_history()'s: a FIN's relative number is taken after its data */
	uint16_t rel = (uint16_t)(seg->seq - z->start[e] + len);

	/* (The ack first: it neither reads nor writes the history. An ack
	 * past the peer's SYN and FIN already leaves nothing to note.) */
	if ((seg->flags & TH_ACK) && (z->flags & acked) != acked)
		ack_peer(z, p, seg->ack);
	if (hist_once(z, e, SEEN_FIN, HL_F) && rel != z->hseq[e][HSEQ_FIN])
		hist_add(z, role_case(z, e, HL_F));
	z->hseq[e][HSEQ_FIN] = rel;
	/* update_last() for a FIN from a sender not reset (steady): SYN
	 * then FIN only takes the FIN's, else last_seq only moves forward */
	if (z->last[e] == z->start[e] + 1 || seq_diff(end, z->last[e]) > 0)
		z->last[e] = end;
	else if (len > 0)
		hist_scaled_rare(z, e, CNT_RXMT, HL_T);
	/* EP_FIN, and set_st() to CLOSED */
	unsigned cur = st(z, e);
	if (cur != ZST_CLOSED)
		z->ep[e] = (uint8_t)(EP_FIN | cur << EP_PREV_SHIFT |
		    ZST_CLOSED);
	else
		z->ep[e] |= EP_FIN;
	/* (A gap's 'g' last, zeek_segment_gap().) */
}

/* segment_plain() and segment_fin() for each endpoint, e a constant: its
 * numbers and counts, and its peer's, at fixed places. */
__attribute__((noinline)) ZK_NOIPA void
zeek_segment_plain0(struct zeek_conn *z, const struct tcp_seg *seg)
{
	segment_plain(z, 0, seg);
}

__attribute__((noinline)) ZK_NOIPA void
zeek_segment_plain1(struct zeek_conn *z, const struct tcp_seg *seg)
{
	segment_plain(z, 1, seg);
}

__attribute__((noinline)) ZK_NOIPA void
zeek_segment_fin0(struct zeek_conn *z, const struct tcp_seg *seg)
{
	segment_fin(z, 0, seg);
}

__attribute__((noinline)) ZK_NOIPA void
zeek_segment_fin1(struct zeek_conn *z, const struct tcp_seg *seg)
{
	segment_fin(z, 1, seg);
}

/* The last step of zeek_segment_full()'s for a plain segment or FIN that
 * found a content gap (ZEEK_SEG_GAP): Zeek looks for it after the state
 * machine, when the acknowledgment is handed to the peer's reassembler,
 * so that the letter is the peer's. */
__attribute__((noinline, cold)) void
zeek_segment_gap(struct zeek_conn *z, unsigned e)
{
	unsigned p = e ^ 1u;

	if (est_or_closing(z, e) && est_or_closing(z, p))
		hist_scaled(z, p, CNT_GAP, HL_G);
}

/* ---- entry points ---------------------------------------------------- */

void
zeek_conn_init(struct zeek_conn *z)
{
	memset(z, 0, sizeof(*z));
}

/*
 * zeek_conn_segment() for every other segment, from endpoint e, of flags
 * fl (seg's, or those of its SYN, ACK, FIN and RST bits: no other is
 * read).  The only step that moves the endpoints' states or starts a
 * history, so it keeps ZK_F_STEADY (a dropped segment moves neither).
 * Inline in zeek_segment_full() only, once for any segment and once for
 * each
 * of the handshake's usual two with their constants folded.
 */
static inline __attribute__((always_inline)) void
segment_steps(struct zeek_conn *z, unsigned e, uint8_t fl,
    const struct tcp_seg *seg, unsigned segflags)
{
	unsigned p = e ^ 1u;
	uint32_t len = seg->paylen;

	/*
	 * The connection is created by its first packet, checksum or not
	 * (Zeek validates the checksum later, in the TCP analyzer), and that
	 * is when the port heuristic may name the other side originator.
	 */
	if (!(z->flags & ZK_F_BEGUN)) {
		z->flags |= ZK_F_BEGUN;
		if (e == 0 && want_flip(fl, seg))
			flip_roles(z);
	}

	if (segflags & ZEEK_SEG_BAD_CSUM) {
		/* counted, then dropped: no state, no sequence, no letter */
		hist_scaled(z, e, CNT_CSUM, HL_C);
		return;
	}

	/*
	 * A connection that began with its originator's SYN-ACK and nothing
	 * else, followed by an ACK or data in either direction, was not a
	 * stealth scan's answer (that draws an RST or silence): Zeek flips
	 * it and rewrites the lone 'H' as "^h", as if the flip had been made
	 * on the first packet (baselines: "^hADadFf" with both ports likely
	 * servers, "^haf" when only the server side was captured).  Zeek
	 * decides this on the second packet it sees, so a dropped packet in
	 * between ("Hc...") prevents it.  Reconstructed from Zeek's tests;
	 * the endpoint states are only swapped, not changed.
	 */
	if (lone_h(z) && !(fl & (TH_SYN | TH_RST)) &&
	    ((fl & TH_ACK) || len > 0)) {
		z->flags ^= ZK_F_FLIPPED;
		/* the rewrite holds for the once-only letters too */
		z->seen = (uint16_t)((z->seen << SEEN_RESP_SHIFT) |
		    (z->seen >> SEEN_RESP_SHIFT));
		hist_clear(z);
		hist_add(z, HL_FLIP);
		hist_add(z, HL_H + HL_LOWER);
	}

	/* SYN and FIN take a sequence number; an RST's payload does not. */
	uint32_t seglen = len + !!(fl & TH_SYN) + !!(fl & TH_FIN) -
	    ((fl & TH_RST) ? len : 0);
	uint32_t end = seg->seq + seglen;

	init_endpoint(z, e, fl, seg->seq, end);
	update_history(z, e, fl, seg->seq - z->start[e], len);

	/*
	 * A zero window is worth a letter unless it rides on an RST, comes
	 * after the sender's RST, or after the peer's FIN (nothing left to
	 * receive); it still counts after the sender's own FIN.
	 */
	if (seg->win == 0 && !(fl & TH_RST) && st(z, p) != ZST_CLOSED &&
	    st(z, e) != ZST_RESET)
		hist_scaled(z, e, CNT_WIN0, HL_W);

	if (fl & TH_FIN)
		z->ep[e] |= EP_FIN;
	if (fl & TH_ACK)
		note_ack(z, p, fl, seg->ack);
	update_last(z, e, fl, end, len);
	state_machine(z, e, fl, len);

	/*
	 * Zeek looks for content gaps after the state machine, when the
	 * acknowledgment is handed to the peer's reassembler: the gap is in
	 * the peer's stream and so is the letter.
	 */
	if ((segflags & ZEEK_SEG_GAP) && est_or_closing(z, e) &&
	    est_or_closing(z, p))
		hist_scaled(z, p, CNT_GAP, HL_G);
	note_steady(z);
}

/*
 * segment_steps() out of line.  Most of its segments are a connection's
 * first SYN and the SYN-ACK that answers it; for those, segment_steps()
 * is given the flags and the sender as constants and the states they find
 * as facts, so that the compiler folds most of its tests away (about a
 * fifth of the instructions).  Not inlined into zeek_conn_segment(): what
 * it keeps in registers would cost zeek_segment_plain()'s segments as much.
 */
__attribute__((noinline, flatten)) void
zeek_segment_full(struct zeek_conn *z, unsigned e, const struct tcp_seg *seg,
    unsigned segflags)
{
	uint8_t fl = seg->flags & (TH_SYN | TH_ACK | TH_FIN | TH_RST);

	if (segflags == 0 && fl == TH_SYN && e == 0 && z->flags == 0) {
		/*
		 * A new connection's SYN.  Without ZK_F_BEGUN, which the
		 * first segment sets, z is as zeek_conn_init() left it:
		 * saying so once more is what lets the compiler know it.
		 */
		zeek_conn_init(z);
		segment_steps(z, 0, TH_SYN, seg, 0);
	} else if (segflags == 0 && fl == (TH_SYN | TH_ACK) && e == 1 &&
	    z->flags == ZK_F_BEGUN && z->ep[0] == ZST_SYN_SENT &&
	    z->ep[1] == ZST_INACTIVE) {
		/* the SYN-ACK to that SYN */
		segment_steps(z, 1, TH_SYN | TH_ACK, seg, 0);
	} else
		segment_steps(z, e, seg->flags, seg, segflags);
}

/*
 * zeek_conn_segment() for a SYN-ACK (its FIN and RST bits off) with no
 * ZEEK_SEG_ fact: zeek_segment_full()'s second case, the SYN-ACK that
 * answers the first SYN, without the tests of the first; any other,
 * zeek_segment_full().
 */
__attribute__((noinline, flatten)) void
zeek_conn_synack(struct zeek_conn *z, bool from_first,
    const struct tcp_seg *seg)
{
	if (!from_first && z->flags == ZK_F_BEGUN &&
	    z->ep[0] == ZST_SYN_SENT && z->ep[1] == ZST_INACTIVE)
		segment_steps(z, 1, TH_SYN | TH_ACK, seg, 0);
	else
		zeek_segment_full(z, from_first ? 0u : 1u, seg, 0);
}

/*
 * zeek_segment_full()'s first case for a caller that knows it holds: a
 * connection's first segment, a SYN without ACK, FIN or RST, from its
 * first sender, nothing dropped, z as zeek_conn_init() left it.
 */
__attribute__((noinline, flatten)) void
zeek_conn_first_syn(struct zeek_conn *z, const struct tcp_seg *seg)
{
	zeek_conn_init(z);	/* (as zeek_segment_full() says it) */
	segment_steps(z, 0, TH_SYN, seg, 0);
}

/*
 * TCP_Endpoint::Size() == 0, the only use conn_state makes of sizes.  A
 * SYN and a FIN each take one sequence number but no byte; an endpoint
 * whose half-open attempt was reset is size 0 whatever its numbers say.
 */
static bool
size_is_zero(const struct zeek_conn *z, unsigned e)
{
	unsigned p = e ^ 1u;
	bool acked1 = z->flags & (ZK_F_ACK1 << e);
	bool acked2 = z->flags & (ZK_F_ACK2 << e);
	bool fin = z->ep[e] & EP_FIN;
	int32_t span = seq_diff(z->last[e], z->start[e]);
	int32_t limit = fin ? 2 : 1;

	if (prev_st(z, e) == ZST_SYN_SENT && st(z, e) == ZST_RESET &&
	    st(z, p) == ZST_INACTIVE && acked1)
		return true;
	return span <= limit && !(fin ? acked2 : acked1);
}

/*
 * conn.log's RSTOS0 test, the pattern /\^?S[^HAFGIQ]*R.* / matched against
 * the whole history: an originator SYN, then an originator RST with no
 * originator SYN-ACK, ACK, FIN, gap or odd packet in between (the
 * responder's letters are lower case and allowed).
 */
static bool
history_is_rstos0(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

/*
 * Conn::conn_state() from scripts/base/protocols/conn/main.zeek, branch
 * for branch.  PARTIAL (midstream) counts as inactive on either side.
 */
const char *
zeek_conn_state(const struct zeek_conn *z)
{
	/* SF, most records', first: both sides CLOSED, whichever the
	 * originator is (neither RESET, so below it is SF too). */
	if (st(z, 0) == ZST_CLOSED && st(z, 1) == ZST_CLOSED)
		return "SF";

	unsigned o = orig_ep(z), r = o ^ 1u;
	unsigned os = st(z, o), rs = st(z, r);
	bool o_inactive = os == ZST_INACTIVE || os == ZST_PARTIAL;
	bool r_inactive = rs == ZST_INACTIVE || rs == ZST_PARTIAL;

	if (rs == ZST_RESET) {
		/*
		 * REJ: the responder reset an attempt still in its
		 * handshake, or both reset with no byte sent either way.
		 */
		if (os == ZST_SYN_SENT || os == ZST_SYN_ACK_SENT ||
		    (os == ZST_RESET && size_is_zero(z, o) &&
		    size_is_zero(z, r)))
			return "REJ";
		/* RSTRH: a responder RST with no originator handshake */
		if (o_inactive)
			return "RSTRH";
		/* RSTR: the responder reset an established connection */
		return "RSTR";
	}
	if (os == ZST_RESET) {
		if (r_inactive) {
			/* RSTOS0: SYN then RST, never a SYN-ACK */
			char h[ZEEK_HIST_MAX + 1];
			if (history_is_rstos0(zeek_conn_history(z, h)))
				return "RSTOS0";
			/* an originator RST into silence, midstream */
			return "OTH";
		}
		/* RSTO: the originator aborted a connection answered */
		return "RSTO";
	}
	/* SF: both sides closed (a FIN each; no handshake needed) */
	if (rs == ZST_CLOSED && os == ZST_CLOSED)
		return "SF";
	/* SH: originator SYN then FIN, no answer; S2: answered, no reply */
	if (os == ZST_CLOSED)
		return r_inactive ? "SH" : "S2";
	/* SHR: responder SYN-ACK then FIN, no SYN; S3: responder close only */
	if (rs == ZST_CLOSED)
		return o_inactive ? "SHR" : "S3";
	/* S0: a SYN, no reply */
	if (os == ZST_SYN_SENT && rs == ZST_INACTIVE)
		return "S0";
	/* S1: established, not terminated */
	if (os == ZST_ESTABLISHED && rs == ZST_ESTABLISHED)
		return "S1";
	/* OTH: midstream traffic and everything else */
	return "OTH";
}

G_STATIC_ASSERT(ZEEK_HIST_BYTES == 15 && ZEEK_HIST_MAX == 23);

/* 8 bytes from p as a little-endian number (one load). */
static uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return GUINT64_FROM_LE(v);
}

char *
zeek_conn_history_at(const struct zeek_conn *z, char *o)
{
	/*
	 * The codes as two words: the first 8 bytes hold the length and
	 * the first 11 codes (5 + 55 bits), bytes 7 to 14 the 12 after
	 * them from their bit 4 (code i is at bit 5 * (i + 1)).
	 */
	unsigned n = hist_len(z), i = 0, m = n < 11 ? n : 11;
	uint64_t bits = le64(z->hist) >> 5;

	for (; i < m; i++, bits >>= 5)
		*o++ = hist_letter[bits & 31u];
	if (i == n)
		return o;
	for (bits = le64(z->hist + 7) >> 4; i < n; i++, bits >>= 5)
		*o++ = hist_letter[bits & 31u];
	return o;
}

const char *
zeek_conn_history(const struct zeek_conn *z, char buf[ZEEK_HIST_MAX + 1])
{
	*zeek_conn_history_at(z, buf) = '\0';
	return buf;
}

bool
zeek_conn_orig_is_first(const struct zeek_conn *z)
{
	return !flipped(z);
}
