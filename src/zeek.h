/* zeek.h - Zeek's conn.log conn_state and history, computed as Zeek does.
 *
 * A small emulation of Zeek's TCP endpoint states (TCP_ENDPOINT_INACTIVE,
 * SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET) and history
 * letters, fed the same segments the state machine sees, so that a Zeek
 * user reads zeek.conn_state and zeek.history at a glance.
 *
 * "first" is the endpoint that sent the connection's first packet; Zeek's
 * originator starts as that endpoint and may be flipped by Zeek's rules
 * (a SYN-ACK seen first, SYN/SYN-ACK reversal, ...), recorded as '^'.
 */
#ifndef SYNFIN_ZEEK_H
#define SYNFIN_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* Facts about a segment that synfin's own analysis decides. */
enum {
	ZEEK_SEG_RETRANS = 1u << 0,	/* payload retransmitted ('t'/'T') */
	ZEEK_SEG_GAP = 1u << 1,		/* a content gap was found ('g'/'G') */
	ZEEK_SEG_BAD_CSUM = 1u << 2,	/* bad checksum, segment dropped ('c'/'C') */
};

/*
 * Longest history kept.  Zeek's own strings are rarely past a dozen
 * letters (repeats are sequence- or log10-limited); the rest is dropped.
 */
#define ZEEK_HIST_MAX 23
/* The history's length and its letters, each one of 25 (zeek.c), 5 bits
 * apiece: 24 fields in 15 bytes. */
#define ZEEK_HIST_BYTES (((ZEEK_HIST_MAX + 1) * 5 + 7) / 8)

/*
 * Private to zeek.c; embedded in every tracked connection, so it is kept
 * small (64 bytes).  Endpoint arrays are indexed by physical endpoint,
 * [0] = the first sender, whatever Zeek's originator is.
 */
/* hseq[][] slots, Zeek's hist_last_SYN/FIN/RST. */
enum { HSEQ_SYN, HSEQ_FIN, HSEQ_RST };

struct zeek_conn {
	uint32_t start[2];	/* Zeek's start_seq (ISN, or seq - 1 midstream) */
	uint32_t last[2];	/* Zeek's last_seq: one past the highest sent */
	uint16_t hseq[2][3];	/* last SYN, FIN, RST relative seq, low 16 bits */
	uint16_t cnt[2][4];	/* bad checksum, gap, rexmit, zero window counts */
	uint16_t seen;		/* letters given once: 7 bits per role */
	uint8_t ep[2];		/* endpoint state | previous << 3 | FIN << 6 */
	uint8_t flags;		/* ZK_F_* in zeek.c */
	uint8_t hist[ZEEK_HIST_BYTES];	/* history: 5-bit length, letter codes */
};

/* All zero: a struct zeek_conn of zero bytes is one just initialized. */
void zeek_conn_init(struct zeek_conn *z);
/* zeek_conn_segment()'s steps, by kind of segment, and the bit of
 * zeek_conn.flags that tells the kind (zeek.c). Not to be called but by
 * zeek_conn_segment_fl(). */
void zeek_segment_plain0(struct zeek_conn *z, const struct tcp_seg *seg);
void zeek_segment_plain1(struct zeek_conn *z, const struct tcp_seg *seg);
void zeek_segment_fin0(struct zeek_conn *z, const struct tcp_seg *seg);
void zeek_segment_fin1(struct zeek_conn *z, const struct tcp_seg *seg);
void zeek_segment_gap(struct zeek_conn *z, unsigned e);
void zeek_segment_full(struct zeek_conn *z, unsigned e,
    const struct tcp_seg *seg, unsigned segflags);
#define ZEEK_F_STEADY 0x40u

/*
 * zeek_conn_segment() for a segment whose SYN, FIN, RST and ACK bits are
 * fl (a caller that knows them, a constant, has one call left). Whether
 * the segment is the kind most of a capture is made of: no SYN or RST, a
 * good checksum and an open window, in a steady connection (both endpoints
 * have sent, neither has reset, and there is no lone 'H' to rewrite:
 * ZEEK_F_STEADY). Every step of zeek_segment_full() but
 * zeek_segment_plain0()'s or 1's, zeek_segment_fin0()'s or 1's (by
 * sender) and zeek_segment_gap()'s (a gap's letter, last) is then a no-op:
 * init_endpoint() moves only on a SYN or an INACTIVE endpoint, note_ack()
 * seeds only an INACTIVE peer, and the state machine moves only on SYN,
 * FIN or RST. One test ahead of the work, inline, so that the other
 * segments go to zeek_segment_full() having paid for nothing else.
 */
static inline __attribute__((always_inline)) void
zeek_conn_segment_fl(struct zeek_conn *z, bool from_first,
    const struct tcp_seg *seg, unsigned segflags, uint8_t fl)
{
	unsigned e = from_first ? 0u : 1u;

	if (!((z->flags & ZEEK_F_STEADY) && !(fl & (TH_SYN | TH_RST)) &&
	    seg->win != 0 && !(segflags & ZEEK_SEG_BAD_CSUM)))
		zeek_segment_full(z, e, seg, segflags);
	else {
		if (fl & TH_FIN)
			(from_first ? zeek_segment_fin0 :
			    zeek_segment_fin1)(z, seg);
		else
			(from_first ? zeek_segment_plain0 :
			    zeek_segment_plain1)(z, seg);
		if (segflags & ZEEK_SEG_GAP)
			zeek_segment_gap(z, e);
	}
}

/* A segment from the first sender (from_first) or the other endpoint. */
static inline void
zeek_conn_segment(struct zeek_conn *z, bool from_first,
    const struct tcp_seg *seg, unsigned segflags)
{
	zeek_conn_segment_fl(z, from_first, seg, segflags, seg->flags);
}
/* zeek_conn_segment() for a connection's first segment, from its first
 * sender, a SYN (its ACK, FIN and RST bits off), with no ZEEK_SEG_ fact,
 * z as zeek_conn_init() left it. */
void zeek_conn_first_syn(struct zeek_conn *z, const struct tcp_seg *seg);
/* zeek_conn_segment() for a SYN-ACK, its FIN and RST bits off, with no
 * ZEEK_SEG_ fact. */
void zeek_conn_synack(struct zeek_conn *z, bool from_first,
    const struct tcp_seg *seg);
const char *zeek_conn_state(const struct zeek_conn *z);
/* The history into buf, which it returns. */
const char *zeek_conn_history(const struct zeek_conn *z,
    char buf[ZEEK_HIST_MAX + 1]);
/* The same at a cursor, not terminated: at most ZEEK_HIST_MAX letters of
 * "SHADFRCGTWIQshadfrcgtwiq^", none a JSON string or a CSV field escapes;
 * the cursor past them. */
char *zeek_conn_history_at(const struct zeek_conn *z, char *o);
/* true when Zeek's originator is the endpoint that sent the first packet */
bool zeek_conn_orig_is_first(const struct zeek_conn *z);

#endif
