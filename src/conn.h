/* conn.h - one TCP connection: two peers, handshake/teardown facts, anomalies. */
#ifndef SYNFIN_CONN_H
#define SYNFIN_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "anomaly.h"
#include "decode.h"
#include "tcp_fsm.h"
#include "zeek.h"

/* The 4-tuple, canonical: endpoint 0 is the lower (address, port) pair. */
struct flow_key {
	uint8_t addr[2][16];	/* IPv4 in the first 4 bytes, rest zero */
	uint16_t port[2];	/* host order */
	uint8_t af;		/* 4 or 6 */
	uint8_t pad[3];		/* zeroed: the key is hashed as bytes */
};

/* A record's own copy of its key: the ports and family, and IPv4
 * addresses in place. An IPv6 record's two addresses follow the struct
 * (conn_new() allocates them; conn_addr()), so that an IPv4 record does not
 * carry 24 bytes of zeros. */
struct conn_key {
	uint16_t port[2];	/* host order, canonical as flow_key */
	uint8_t af;		/* 4 or 6 */
	uint8_t pad[3];
	uint8_t v4[2][4];	/* IPv4 addresses; unused for IPv6 */
};

enum hs_outcome {
	HS_COMPLETE, HS_SIMULTANEOUS, HS_REFUSED, HS_UNANSWERED,
	HS_INCOMPLETE, HS_RESET, HS_MIDSTREAM, HS_MAX
};

enum td_outcome {
	TD_GRACEFUL, TD_SIMULTANEOUS, TD_HALF_CLOSED, TD_UNACKED, TD_RESET,
	TD_OPEN, TD_NONE, TD_MAX
};

/* Why a record was released. */
enum conn_end {
	END_NONE, END_TIME_WAIT, END_CLOSED, END_RESET, END_IDLE, END_EVICTED,
	END_REUSED, END_EOF, END_MAX
};

/* Unfilled sequence holes tracked per side: as many as a sender has
 * segments lost before the capture point and not yet sent again (a bulk
 * transfer with loss upstream of the capture has dozens in flight). */
#define CONN_MAX_HOLES 64
#define CONN_MAX_ANOMS 64	/* anomaly records kept per connection */

/* Handshake facts (HSF_*). */
enum {
	HSF_SYN = 1u << 0,		/* client SYN seen */
	HSF_SYNACK = 1u << 1,		/* SYN-ACK seen */
	HSF_THIRD = 1u << 2,		/* client's first ACK after the SYN-ACK */
	HSF_SIMUL = 1u << 3,		/* both sent SYN without ACK */
	HSF_REFUSED = 1u << 4,		/* RST answered the SYN */
	HSF_RESET = 1u << 5,		/* RST after the SYN-ACK, before the third */
	HSF_ASYM = 1u << 6,		/* client acked a SYN-ACK not captured */
	HSF_SIMUL_DONE = 1u << 7,	/* simultaneous: both SYNs acked */
	HSF_ESTABLISHED = 1u << 8,	/* data phase reached */
	HSF_SYNACK_NEW = 1u << 9,	/* the SYN-ACK shown is a new
					   incarnation's, after an RST, that
					   acked J+1: a synack_bad_ack was
					   another's */
	HSF_SYNACK_LOST = 1u << 10,	/* the client sent its SYN again
					   after a SYN-ACK: they do not reach
					   it */
};

/* Sequence bytes a sender skipped that nobody has filled yet. Rare, so
 * allocated only for a side that has one. */
struct seq_hole {
	uint32_t l, r;		/* unfilled [l, r) */
	uint64_t frame;		/* the segment that jumped over it, or the
				   peer's ACK that acked past it */
	int64_t ts;
	bool acked;		/* opened by the peer's ACK, not a jump */
	bool has_ts;		/* the segment that jumped carried a TSval: */
	uint32_t tsval;		/* that TSval */
};

/*
 * Times. A connection keeps its first packet's time whole (first_ts) and
 * the others as uint32 offsets from it, in one unit per connection
 * (conn.ts_unit): microseconds while every time is a whole number of them
 * past first_ts, less than 71 minutes past it (a capture with microsecond
 * stamps), else nanoseconds less than 4.29 s past it; a connection whose
 * times fit neither keeps them whole in conn_ext.wide_ts. Stored 0 is the
 * time 0 (which the writers read as "none"), and an offset q is stored as
 * q + 1. conn_time() and conn_side_time() give back the exact int64
 * nanoseconds that were set.
 */
enum conn_time {
	CT_LAST,		/* last packet */
	CT_SYN,			/* first SYN (no ACK) */
	CT_SYNACK,		/* first SYN-ACK */
	CT_ACK,			/* the third segment */
	/* The bases of the handshake's round trips when the step before was
	 * sent again (0: not sent again): the last SYN before the first
	 * SYN-ACK, the last SYN-ACK before the third segment
	 * (conn_rtt_base()). */
	CT_SYN_RTX,
	CT_SYNACK_RTX,
	CT_MAX
};

enum side_time {
	CT_FIN,			/* its first FIN (0: none) */
	CT_TW,			/* its last ACK in TIME_WAIT (2MSL base) */
	CT_FIN_ACK,		/* when its FIN was first acked (0: never) */
	CT_SIDE_MAX
};

/* conn.ts_unit */
enum { CONN_TS_US, CONN_TS_NS, CONN_TS_WIDE };

/* Per-direction facts, indexed by canonical endpoint. 4-byte fields only,
 * so that two pack without padding; the side's first FIN frame is
 * conn.fin_frame[], its small bits are in struct tcp_peer's tail. */
struct conn_side {
	/* The low 32 bits of two 64-bit counts; conn_ext holds the high
	 * ones once a count passes 2^32 (conn_pkts(), conn_bytes()). */
	uint32_t pkts;		/* segments sent */
	uint32_t bytes;		/* payload bytes sent (IP length based) */
	uint32_t retrans;	/* retransmitted segments */
	uint32_t fin_count;	/* FINs sent */
	uint32_t t[CT_SIDE_MAX];	/* enum side_time: conn_side_time() */
};

/* Facts few connections need, in a block allocated on first use: a
 * connection without an accepted RST, a sequence hole, more than
 * CONN_MAX_ANOMS anomalies, --ladder, a time that does not fit 32 bits
 * (conn_time()) or a count past 2^32 has none. */
/* A segment held back until the record's next segment tells what it was
 * (conn.c: a SYN, conn_hold_syn_synced(); a FIN or data without ACK,
 * fin_noack_flush()): a copy without its payload bytes, its time, frame
 * and sender. */
struct held_seg {
	struct pkt *pkt;	/* NULL: none */
	int64_t ts;
	uint64_t frame;
	uint8_t dir;
};

struct conn_ext {
	/* The last accepted RST, remembered to undo it should the endpoint
	 * it closed go on sending (rst_ignored). */
	uint64_t rst_frame;	/* its frame; 0: none, or void (see conn.c) */
	uint32_t rst_frame_seq;	/* that RST's seq (rst_ignored's detail) */
	uint8_t rst_frame_dir;	/* and its sender, */
	bool rst_frame_abs;	/* whose ISN was not seen yet then */
	int64_t rst_ts;		/* time of the first accepted RST (rst_dir's) */
	struct seq_hole *holes[2];	/* per side, allocated on its first
					   hole, grown up to CONN_MAX_HOLES */
	uint16_t nhole[2], hole_cap[2];	/* holes held, and room */
	void *ladder;		/* GArray of struct ladder_step, or NULL */
	int64_t *wide_ts;	/* with CONN_TS_WIDE: every time, whole (CT_MAX
				   of conn, then CT_SIDE_MAX of each side) */
	uint32_t pkts_hi[2], bytes_hi[2];	/* conn_side.pkts, bytes >> 32 */
	uint32_t anoms_dropped;	/* beyond CONN_MAX_ANOMS */
	uint16_t hs_before_rst;	/* handshake facts just before the RST */
	uint8_t rst_prev[2];	/* both states just before it */
	bool td_reset_before;	/* td_reset just before it */
	int8_t rst_dir_before;	/* rst_dir just before it */
	/* Its sender, when its receiver went on (rst_ignored): side + 1 (0:
	 * none), and what the RST had concluded, should that sender's next
	 * RST show it did send it (conn_input_slow()). */
	uint8_t rst_left;
	bool left_td_reset;
	uint16_t left_hs;
	/* Its receiver, when its sender went on (rst_ignored: sent in its
	 * name, injected): side + 1 (0: none), and that RST's frame, should
	 * the receiver's next segment be a closed host's RST, showing it
	 * took it (conn_input_slow()). */
	uint8_t rst_took;
	uint64_t rst_took_frame;
	/* The first accepted RST's TSval, or without one the newest its
	 * sender had sent (rst_has_ts: either there was one). */
	bool rst_has_ts;
	/* The latest segment of the RST's receiver that crossed it (0:
	 * none): the pace of a queue's burst (conn_input_slow()). */
	int64_t rst_chain;
	uint32_t rst_tsval;
	/* Its seq, its ack if it carried the ACK bit (rst_acked), whether
	 * it carried its own TSval (rst_own_ts), and its receiver's next
	 * seq when it was captured: what a segment of its sender's sent
	 * after it would go past. */
	bool rst_acked, rst_own_ts, rst_at_nxt;
	uint32_t rst_seq, rst_ack, rst_peer_nxt;
	/* The first payload the SYN's peer sent before any SYN-ACK of its
	 * (data_before_established once a SYN-ACK follows it). */
	uint64_t early_frame;	/* 0: none */
	int64_t early_ts;
	uint32_t early_seq, early_len;
	/* An ack of u judged an answer to the FIN on time alone, its FIN
	 * right behind its data: reported unless the sender's next segment
	 * acks u+1 at once (fin_ack_pending()). */
	uint64_t fba_frame;	/* 0: none */
	int64_t fba_ts;
	int64_t fba_last;	/* its sender's latest segment at that ack */
	int64_t fin_again_ts[2];	/* each side's latest FIN sent again */
	/* Each side's final ACK in TIME_WAIT when the peer's FIN sent again
	 * restarted 2MSL (conn_side_time(CT_TW) then); 0: CT_TW is it. */
	int64_t tw_ack_ts[2];
	uint32_t fba_ack;
	uint8_t fba_dir;	/* its sender */
	uint8_t fba_fins;	/* the FIN sender's fin_count then */
	/* When the server's latest K was first sent, once K changed (0:
	 * the first SYN-ACK's, CT_SYNACK). */
	int64_t k_since;
	/* The client's SYN before its ISN changed (syn_isn_changed): a
	 * SYN-ACK to it is no bad one (handshake_synack()). */
	bool syn_prev;
	uint32_t syn_prev_isn, syn_prev_end;	/* its J, and next seq */
	/* A third segment beyond J+1 (the bytes before it not seen yet),
	 * judged at the end: handshake_ack_bad_seq if J+1 never came. */
	uint64_t hsq_frame;	/* 0: none */
	int64_t hsq_ts;
	uint32_t hsq_seq;
	/* A FIN or data without ACK from a synchronized endpoint, held
	 * back until the record's next segment tells whether its peer took
	 * it (conn.c, fin_noack_flush()). */
	struct held_seg nafin;
	uint32_t nafin_ack;	/* fin_noack_flush(): the ack it is given */
	bool nafin_back;	/* being given back (not held again), */
	bool nafin_take;	/* and acked by its peer */
	/* Per side, the last FIN without ACK taken as dropped: its frame
	 * (0: none) and its seq; the side's first FIN taken at that seq is
	 * that FIN sent again (teardown_fin()). */
	uint64_t nafin_drop_frame[2];
	uint32_t nafin_drop_pos[2];
	/* A SYN with a new ISN on a synchronized connection, held back until
	 * the peer's next segment tells what it was (conn_hold_syn()). */
	struct held_seg held;
	/* A SYN the peer's TIME_WAIT refused (conn_tw_refuses()): the new
	 * record (tw_old set) and the old one it left in the table for the
	 * TIME_WAIT's answer (tw_new set), which lookups pass by from then
	 * on (tw_hidden), linked or not, until it ends. */
	struct conn *tw_old, *tw_new;
	uint8_t tw_syn_dir;	/* in the new record: the SYN's sender */
	bool tw_hidden;		/* in the old record */
	/* Per side (bit 1 << side): the peer's FIN arrived out of order,
	 * behind bytes it had not got, and waits for them (conn.c
	 * fin_held()): the side stays ESTABLISHED until it acks u+1. */
	uint8_t fin_held;
};

/* Bits of conn.slot: flow.c's timer slots 0..FLOW_WHEEL. */
#define CONN_SLOT_BITS 13

struct conn {
	/* The head: what flow.c's table and timers need, and all a packed
	 * record keeps whole (CONN_HEAD bytes; conn_pack()). */
	struct conn_key key;	/* its 4-tuple (conn_addr() for addresses) */
	uint64_t id;		/* 1-based, in order of first frame */
	struct conn *hnext;	/* hash chain (flow.c) */
	int64_t deadline;	/* when the timer fires (flow.c) */
	uint32_t hash;		/* flow_key_hash(&key) */
	uint32_t wpos;		/* its place in its timer slot (flow.c) */
	unsigned slot : CONN_SLOT_BITS;	/* timer slot (flow.c) */
	unsigned timer : 2;	/* timer class, enum flow_timer (flow.c) */
	unsigned packed : 1;	/* the body below is packed (conn_pack()) */
	unsigned fresh : 1;	/* -j: created in this batch, not yet
				   renumbered: not to be packed (flow.c) */
	/* In the head's word because there is room: small facts of the
	 * analysis. The directions are canonical endpoint indexes, -1 for
	 * none. */
	signed first_dir : 2;	/* sender of the first packet */
	signed syn_dir : 2;	/* sender of the first SYN (no ACK) */
	signed synack_dir : 2;	/* sender of the first SYN-ACK */
	signed fin_first : 2;	/* sender of the first FIN */
	signed rst_dir : 2;	/* sender of the first accepted RST */
	unsigned end : 3;	/* enum conn_end */
	/* The body. */
	uint32_t syn_count, synack_count;
	/* (here, where the head's 52 bytes and the two counts leave 4
	 * before the 8-byte fields: the body then ends 4 bytes short of an
	 * 8-byte boundary, and its words are even, CONN_BODY_END) */
	uint32_t synack_ack;	/* ack of the first SYN-ACK (should be J+1) */
	int64_t first_ts;	/* first packet's time: the times' base */
	/* The idle and linger timers' base (flow.c): its last packet's time,
	 * or the capture clock of the last sweep when that packet was
	 * stamped before it (a timestamp that jumped back must not age the
	 * record by decades). The times reported stay the packets'. */
	int64_t tbase;
	uint64_t fin_frame[2];	/* each side's first FIN's frame */
	struct anom_rec *anoms;	/* nanoms of anom_cap, or NULL */
	struct conn_ext *ext;	/* rare facts, or NULL */
	uint32_t third_seq, third_ack;	/* the third segment's numbers */
	uint32_t fin_tsval[2];	/* TSval of each side's FIN (tcp_peer.fin_ts) */
	uint32_t t[CT_MAX];	/* enum conn_time, see conn_time() */
	/* Small facts, one word. (hs first, at bit 0: the plain and fast
	 * paths test it on every segment, without a shift.) */
	unsigned hs : 11;	/* HSF_* */
	bool td_reset : 1;	/* an RST ended it before both FINs were acked */
	bool fins_crossed : 1;	/* the second FIN crossed the first */
	bool finished : 1;	/* conn_finish() ran */
	bool third_syn : 1;	/* the third segment carried SYN */
	unsigned ts_unit : 2;	/* CONN_TS_*: how t[] are kept */
	unsigned nanoms : 7;	/* anomalies logged, <= CONN_MAX_ANOMS */
	unsigned anom_cap : 7;	/* room in anoms, <= CONN_MAX_ANOMS */
	struct tcp_peer peer[2];
	struct conn_side side[2];
	struct zeek_conn zeek;
};

/* The head's size: the bytes before the body (struct conn). */
#define CONN_HEAD offsetof(struct conn, syn_count)

/* Analysis settings a connection needs. */
struct conn_cfg {
	int64_t two_msl_ns;	/* 2 * --msl */
	bool ladder;		/* record each segment for --ladder */
};

/* One ladder row (only with --ladder). */
struct ladder_step {
	uint64_t frame;
	int64_t ts;
	uint32_t seq, ack, len;
	uint16_t win;
	uint16_t flags;		/* TH_*, TH_AE included */
	uint8_t dir, st[2];	/* sender, states after */
	uint16_t anom;		/* first anomaly this segment raised */
	bool plain;		/* data/ACK that changed no state, no anomaly */
	bool icmp;		/* an ICMP error from dir about the segment at
				   seq of the other side (type, code in win) */
	uint32_t folded;	/* > 0: a fold row standing for this many */
};

struct conn *conn_new(const struct flow_key *key, uint64_t id);
/* The bytes of a record of family af (4 or 6): conn_new()'s block. */
static inline size_t
conn_size(uint8_t af)
{
	return sizeof(struct conn) + (af == 6 ? 32 : 0);
}
/* conn_new() in mem, a block of conn_size(key->af) bytes from g_malloc()
 * (conn_free() frees it). */
struct conn *conn_init(void *mem, const struct flow_key *key, uint64_t id);

/* An IPv6 record's two addresses: after the struct, or after the head
 * of a packed record. */
static inline const uint8_t *
conn_v6(const struct conn *c)
{
	return (const uint8_t *)c + (c->packed ? CONN_HEAD : sizeof(*c));
}

/* Endpoint i's address: 4 bytes (IPv4) or 16 (IPv6). */
static inline const uint8_t *
conn_addr(const struct conn *c, int i)
{
	return c->key.af == 6 ? conn_v6(c) + 16 * (i & 1) : c->key.v4[i & 1];
}

/* Is k (flow_key_make()) this record's 4-tuple? */
static inline bool
conn_key_equal(const struct conn *c, const struct flow_key *k)
{
	if (c->key.af != k->af || c->key.port[0] != k->port[0] ||
	    c->key.port[1] != k->port[1])
		return false;
	if (k->af == 6)
		return memcmp(conn_v6(c), k->addr, 32) == 0;
	return memcmp(c->key.v4[0], k->addr[0], 4) == 0 &&
	    memcmp(c->key.v4[1], k->addr[1], 4) == 0;
}
void conn_free(void *conn);
/* conn_free() but for c's own block, which the caller keeps (for
 * conn_init() or conn_unpack() again, or g_free()). */
void conn_free_blocks(struct conn *c);

/*
 * A record kept only for its TIME_WAIT (flow.c) is packed: its head whole
 * (with its IPv6 addresses), then its body (every byte after the head) in
 * a compact form, in about half of sizeof(struct conn). Only the head's
 * fields, conn_addr() and conn_key_equal() may be used on a packed record;
 * conn_unpack() gives the record back byte for byte, its links included
 * (the caller points its neighbours at it). The blocks its pointers own
 * (anomalies, conn_ext) stay allocated, owned by the packed form.
 */
#define CONN_BODY_END (offsetof(struct conn, zeek) + sizeof(struct zeek_conn))
#define CONN_BODY_WORDS ((CONN_BODY_END - CONN_HEAD) / 4)
#define CONN_PACKED_MAX (CONN_HEAD + 32 + 5 * CONN_BODY_WORDS)
/* Pack c into out (CONN_PACKED_MAX bytes, aligned as struct conn): the
 * block's size. */
size_t conn_pack(struct conn *c, void *out);	/* c's body left changed */
/* A packed block's size. */
size_t conn_packed_size(const struct conn *p);
/* Unpack p into c (sizeof(struct conn), + 32 bytes for IPv6); p's size. */
size_t conn_unpack(const struct conn *p, struct conn *c, size_t after);
/* For tests: pack and unpack without the SSSE3 shuffles (the same bytes). */
extern bool conn_pack_scalar;

/* One segment from endpoint dir. true when the fast path took it: both
 * endpoints were ESTABLISHED and are, and nothing but counts, numbers and
 * times changed. */
bool conn_input(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame);
/* A SYN with a new ISN from dir on a connection both ends hold
 * synchronized: a half-open connection's reborn client (the peer answers
 * with a challenge ACK, RFC 9293 3.5 figure 10, RFC 5961 4) or a new
 * connection on a 4-tuple whose old one both ends forgot (the peer
 * answers with a SYN-ACK). Held back (true: nothing else to do) until
 * the record's next segment: conn_held_split() tells whether it is that
 * SYN-ACK, else conn_held_flush() gives the SYN to the record first.
 * (Its first test inline, the handshake's: a SYN to a record that never
 * reached the data phase, a new one's, is never held.) */
bool conn_hold_syn_synced(struct conn *c, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame);
static inline bool
conn_hold_syn(struct conn *c, uint8_t dir, const struct pkt *pkt,
    int64_t ts, uint64_t frame)
{
	return (c->hs & HSF_ESTABLISHED) &&
	    conn_hold_syn_synced(c, dir, pkt, ts, frame);
}
static inline bool
conn_has_held(const struct conn *c)
{
	return c->ext && c->ext->held.pkt;
}
/* Is this segment from dir the peer's SYN-ACK to the held SYN? */
bool conn_held_split(const struct conn *c, uint8_t dir, const struct pkt *pkt);
/* A SYN on a 4-tuple whose old connection has ended on the SYN sender's
 * side while the peer holds TIME_WAIT, with an ISN and TSval that do not
 * reopen it (conn_reuse(); conn_tw_refuses()): the peer answers with the
 * old connection's ACK, the SYN's sender (in SYN_SENT) answers that with
 * an RST at its ack, which ends the TIME_WAIT (RFC 9293 3.10.7.4; Linux
 * without tcp_rfc1337), and sends the SYN again, which opens the new
 * connection. The SYN begins a new record, linked to the old one
 * (conn_tw_link()), which stays in the table for that ACK and that RST
 * (conn_tw_keeps(): old, the new record's SYN sender, the segment's
 * sender) until it ends; conn_tw_unlink() when either ends. */
bool conn_tw_refuses(const struct conn *c, uint8_t dir,
    const struct tcp_seg *syn);
bool conn_tw_keeps(const struct conn *old, uint8_t syn_dir, uint8_t dir,
    const struct pkt *pkt);
void conn_tw_link(struct conn *c, struct conn *old, uint8_t syn_dir);
void conn_tw_unlink(struct conn *c);
static inline struct conn *
conn_tw_old(const struct conn *c)
{
	return c->ext ? c->ext->tw_old : NULL;
}
/* Linked either way, or the old record of such a pair (not to be
 * packed: the links are addresses, and lookups read tw_hidden). */
static inline bool
conn_tw_linked(const struct conn *c)
{
	return c->ext && (c->ext->tw_old || c->ext->tw_new ||
	    c->ext->tw_hidden);
}
/* The old record of such a pair: lookups pass it by, to its end (a
 * record of the same 4-tuple came after it). */
static inline bool
conn_tw_shadowed(const struct conn *c)
{
	return !c->packed && c->ext && c->ext->tw_hidden;
}
/* The peer of dir answered dir's SYN from TIME_WAIT with a SYN-ACK: it
 * left TIME_WAIT (CLOSED in the old record). */
void conn_tw_accepted(struct conn *c, uint8_t dir);
/* Give the held SYN to the record (conn_input()); the result is
 * conn_input()'s. */
bool conn_held_flush(struct conn *c, const struct conn_cfg *cfg);
/* Take the held SYN out of c (a new record will have it): the caller
 * frees *pkt with g_free(). */
void conn_held_take(struct conn *c, struct pkt **pkt, int64_t *ts,
    uint64_t *frame, uint8_t *dir);
/* An ICMP destination unreachable about a segment dir sent
 * (DEC_ICMP_ERR): icmp_unreachable, from the side the segment went to;
 * nothing else changes (the endpoints' states are the segments' to
 * tell). Like conn_input()'s, the result is whether the record may take
 * the quick path (never). */
bool conn_icmp_error(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame);
/* For tests: conn_input() runs its fast path or its plain one (the
 * handshake's and teardown's plain segments) and its whole path on every
 * segment those take and aborts if the records differ. */
extern bool conn_fast_check;
/* May a new SYN from dir start a new record on this 4-tuple? */
bool conn_is_reusable(const struct conn *c, uint8_t dir);
/* Before a reuse by the SYN syn from dir: record missing_time_wait if dir
 * is the closer within 2MSL; a peer in TIME_WAIT that the SYN's ISN or
 * timestamp lets reopen the connection leaves it, and when that is within
 * 2MSL the answer is true and *floor the seq its new ISN must pass. */
bool conn_reuse(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct tcp_seg *syn, int64_t ts, uint64_t frame, uint32_t *floor);
/* The new record of that reuse: dir's SYN-ACK must have an ISN beyond
 * floor (missing_time_wait otherwise). */
void conn_tw_floor(struct conn *c, uint8_t dir, uint32_t floor);
/* Is the connection finished (reset, or both endpoints closed)? Inline,
 * as are the two below: flow.c asks after every segment. */
static inline bool
conn_is_done(const struct conn *c)
{
	/* Both CLOSED, after a FIN or an accepted RST. An accepted RST
	 * closes both ends, except one sent from SYN-SENT, which stays
	 * there (RFC 9293 3.10.7.3; 3.5 figure 9): that attempt goes on,
	 * and so does a connection opened after such an RST, whose
	 * TIME_WAIT then runs its 2MSL (3.6). */
	return c->peer[0].st == TCP_ST_CLOSED &&
	    c->peer[1].st == TCP_ST_CLOSED &&
	    ((c->peer[0].flags | c->peer[1].flags) &
	    (PEER_FIN_SEEN | PEER_RST_SENT));
}

/* Is an endpoint in TIME_WAIT (conn_time_wait_end() then its end)? */
static inline bool
conn_in_time_wait(const struct conn *c)
{
	return c->peer[0].st == TCP_ST_TIME_WAIT ||
	    c->peer[1].st == TCP_ST_TIME_WAIT;
}

/* The states an endpoint has ended its life in on this 4-tuple. */
#define CONN_ENDED_STATES (1u << TCP_ST_CLOSED | 1u << TCP_ST_TIME_WAIT)

/* Are both endpoints CLOSED or in TIME_WAIT (what is left is a TIME_WAIT,
 * which only a straggler or a reuse interrupts)? */
static inline bool
conn_is_settled(const struct conn *c)
{
	return (CONN_ENDED_STATES >> c->peer[0].st & 1u) &&
	    (CONN_ENDED_STATES >> c->peer[1].st & 1u);
}

/* Is the ISN of endpoint side known, for numbers relative to it (J+n,
 * K+n): its SYN seen, or, for a server whose SYN-ACK the capture missed,
 * K read from the client's ACK of it (HSF_ASYM: peer.isn holds it). */
static inline bool
conn_isn_known(const struct conn *c, int side)
{
	return (c->peer[side].flags & PEER_SYN_SEEN) ||
	    ((c->hs & HSF_ASYM) && c->synack_dir < 0 && c->syn_dir >= 0 &&
	    side != c->syn_dir);
}

/* Settle final states and end-of-connection anomalies; now = capture clock. */
void conn_finish(struct conn *c, const struct conn_cfg *cfg, int64_t now,
    enum conn_end why);

void conn_anomaly(struct conn *c, enum anom_id id, uint8_t dir, int64_t ts,
    uint64_t frame, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A time (struct conn.t, conn_side.t): slot is its index in wide_ts. */
static inline int64_t
conn_time_decode(const struct conn *c, unsigned slot, uint32_t v)
{
	/* (Microseconds first: nearly every record's unit, one test.) */
	if (c->ts_unit == CONN_TS_US) {
		/* (Worked out whole, then 0 for v 0: a select, no branch.
		 * Unsigned, so that v 0's wrap is defined.) */
		uint64_t t = (uint64_t)c->first_ts + (uint64_t)(v - 1) * 1000;
		return v == 0 ? 0 : (int64_t)t;
	}
	if (c->ts_unit == CONN_TS_WIDE)
		return c->ext->wide_ts[slot];
	return v == 0 ? 0 : c->first_ts + (int64_t)(v - 1);
}

static inline int64_t
conn_time(const struct conn *c, enum conn_time k)
{
	return conn_time_decode(c, k, c->t[k]);
}

/* When the SYN the first SYN-ACK answered was sent (k = CT_SYN), or the
 * SYN-ACK the third segment answered (CT_SYNACK): the last one before it,
 * as Wireshark's initial RTT takes the most recent SYN. A step sent
 * again times its answer from its last copy, not from the first and the
 * retransmission timeouts in between (RFC 6298 5: Karn). */
/* The third segment was seen (c->third_*, CT_ACK): after the SYN-ACK, or
 * with no SYN-ACK captured at all (HSF_ASYM). */
static inline bool
conn_third_seen(const struct conn *c)
{
	return (c->hs & HSF_THIRD) ||
	    ((c->hs & HSF_ASYM) && c->synack_dir < 0);
}

static inline int64_t
conn_rtt_base(const struct conn *c, enum conn_time k)
{
	int64_t t = conn_time(c, k == CT_SYN ? CT_SYN_RTX : CT_SYNACK_RTX);

	return t ? t : conn_time(c, k);
}

/* The handshake's round trip that k ended (CT_SYNACK: rtt.syn_synack,
 * CT_ACK: rtt.synack_ack), from conn_rtt_base(), in *ns; false when
 * either end was not seen or they came out of order. For every writer. */
static inline bool
conn_rtt(const struct conn *c, enum conn_time k, int64_t *ns)
{
	bool seen = k == CT_SYNACK ?
	    c->syn_dir >= 0 && c->synack_dir >= 0 :	/* (not a time 0) */
	    c->synack_dir >= 0 && (c->hs & HSF_THIRD);
	int64_t from = conn_rtt_base(c, k == CT_SYNACK ? CT_SYN : CT_SYNACK);
	int64_t to = conn_time(c, k);

	*ns = to - from;
	return seen && to >= from;
}

static inline int64_t
conn_side_time(const struct conn *c, int side, enum side_time k)
{
	return conn_time_decode(c, CT_MAX + (unsigned)side * CT_SIDE_MAX + k,
	    c->side[side].t[k]);
}

/* The deadline of TIME_WAIT if an endpoint is in it, else 0: 2MSL after
 * its last ACK (the later of the two). Inline: flow.c asks it of every
 * record it files in TIME_WAIT or packs. */
static inline int64_t
conn_time_wait_end(const struct conn *c, const struct conn_cfg *cfg)
{
	int64_t end = 0;

	for (int i = 0; i < 2; i++)
		if (c->peer[i].st == TCP_ST_TIME_WAIT) {
			int64_t e = conn_side_time(c, i, CT_TW) +
			    cfg->two_msl_ns;
			if (e > end)
				end = e;
		}
	return end;
}

/* A side's segments and payload bytes (conn_side.pkts, bytes). */
static inline uint64_t
conn_pkts(const struct conn *c, int side)
{
	return (uint64_t)(c->ext ? c->ext->pkts_hi[side] : 0) << 32 |
	    c->side[side].pkts;
}

static inline uint64_t
conn_bytes(const struct conn *c, int side)
{
	return (uint64_t)(c->ext ? c->ext->bytes_hi[side] : 0) << 32 |
	    c->side[side].bytes;
}

/* Rare facts (struct conn_ext), for the writers. */
static inline int64_t
conn_rst_ts(const struct conn *c)
{
	return c->ext ? c->ext->rst_ts : 0;
}

static inline uint32_t
conn_anoms_dropped(const struct conn *c)
{
	return c->ext ? c->ext->anoms_dropped : 0;
}

static inline void *
conn_ladder(const struct conn *c)
{
	return c->ext ? c->ext->ladder : NULL;
}

/* Derived views for the writers. */
/* The canonical index of the client (SPEC "Who is client and server").
 * Inline: the writers ask it of every record, and peer_rtt() of every
 * FIN. */
static inline int
conn_client(const struct conn *c)
{
	if (c->syn_dir >= 0)
		return c->syn_dir;
	if (c->synack_dir >= 0)
		return !c->synack_dir;
	if (c->key.port[0] != c->key.port[1])
		return c->key.port[0] > c->key.port[1] ? 0 : 1;
	return c->first_dir >= 0 ? c->first_dir : 0;
}
/* The outcomes, inline: report_format() asks them of every record (and
 * hands them to the writer's conn_as). */
static inline enum hs_outcome
conn_hs_outcome(const struct conn *c)
{
	if (c->syn_dir < 0)
		return HS_MIDSTREAM;
	if (c->hs & HSF_SIMUL) {
		if (c->hs & HSF_SIMUL_DONE)
			return HS_SIMULTANEOUS;
		return c->rst_dir >= 0 ? HS_RESET : HS_INCOMPLETE;
	}
	if (c->hs & HSF_THIRD)
		return HS_COMPLETE;
	if (c->hs & HSF_REFUSED)
		return HS_REFUSED;
	if (c->hs & HSF_SYNACK)
		return (c->hs & HSF_RESET) ? HS_RESET : HS_INCOMPLETE;
	/* The client's ACK shows the SYN-ACK the capture missed. */
	if (c->hs & HSF_ASYM)
		return HS_COMPLETE;
	return HS_UNANSWERED;
}

static inline enum td_outcome
conn_td_outcome(const struct conn *c)
{
	enum hs_outcome hs = conn_hs_outcome(c);

	if (hs != HS_COMPLETE && hs != HS_SIMULTANEOUS && hs != HS_MIDSTREAM)
		return TD_NONE;
	if (c->td_reset)
		return TD_RESET;
	uint16_t f0 = c->peer[0].flags, f1 = c->peer[1].flags;
	bool fin0 = f0 & PEER_FIN_SEEN, fin1 = f1 & PEER_FIN_SEEN;
	if (fin0 && fin1) {
		if (!(f0 & PEER_FIN_ACKED) || !(f1 & PEER_FIN_ACKED))
			return TD_UNACKED;
		/* Only an endpoint that sent its FIN before it received the
		 * peer's enters CLOSING or TIME_WAIT (3.6, figure 5): both
		 * did, whichever of the two each was seen in, so both closed
		 * first. (The passive closer of a graceful close goes by
		 * CLOSE_WAIT and LAST_ACK only.) */
		uint16_t first = PEER_PASSED_CLOSING | PEER_PASSED_TW;
		if (((f0 & first) && (f1 & first)) || c->fins_crossed)
			return TD_SIMULTANEOUS;
		return TD_GRACEFUL;
	}
	if (fin0 || fin1)
		return TD_HALF_CLOSED;
	return TD_OPEN;
}

int conn_td_initiator(const struct conn *c);	/* canonical index or -1 */
/* Was this anomaly logged on the connection? */
bool conn_has_anom(const struct conn *c, enum anom_id id);
/* ... and one that side's segment showed. */
bool conn_has_anom_from(const struct conn *c, enum anom_id id, int side);
/* The side whose RST ended the handshake or the connection, or -1.
 * Inline: report_conn() asks it of every record, most with no accepted
 * RST. */
static inline int
conn_reset_by(const struct conn *c)
{
	if (c->rst_dir < 0)
		return -1;	/* (no accepted RST: most records) */
	enum hs_outcome hs = conn_hs_outcome(c);

	/* An RST that ended nothing (a figure 9 recovery, one after both
	 * closed) names no one. */
	if (conn_td_outcome(c) == TD_RESET || hs == HS_REFUSED ||
	    hs == HS_RESET)
		return c->rst_dir;
	return -1;
}

extern const char *const hs_outcome_name[HS_MAX];
extern const char *const td_outcome_name[TD_MAX];
extern const char *const conn_end_name[END_MAX];

#endif
