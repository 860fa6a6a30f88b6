/* flow.h - the connection table: 4-tuple -> current connection record.
 *
 * Records are released (reported, then freed) as they end, by capture time:
 * TIME_WAIT over, a short linger after a reset or close, the idle timeout,
 * eviction under --max-flows, 4-tuple reuse, or the end of the input.
 *
 * The table is an intrusive hash (a chain pointer in each record, one bucket
 * array) and the timers are three wheels of one-second slots, one per timer
 * class. A record's deadline is refreshed lazily: a segment that keeps it in
 * the same class changes no link, and a sweep that finds it early re-files
 * it. So a packet costs one bucket and the record itself, expiry costs what
 * expires, and whether a record is due depends on that record alone, never
 * on its neighbours (which -j relies on: a thread sees a subset).
 *
 * A record whose endpoints have both closed waits out its TIME_WAIT packed
 * (conn_pack(); one thread packs it as the segment that settles it is
 * filed, flow.c pack_settled(), -j's at their next batch, flow_pack()),
 * in the table's pool: about half the bytes,
 * and most of a busy capture's records are such. So does an open record
 * that has been idle FLOW_PACK_IDLE_NS, until a segment comes for it or
 * its idle timeout (flow_expire()). A segment for a packed record, its
 * release or its eviction unpacks it first; nothing else reads its body.
 */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"

/* ACTIVE: open; IDLE: open but idle FLOW_PACK_IDLE_NS at the last sweep
 * (packed); TIME_WAIT; DONE: closed or reset, lingering. */
enum flow_timer {
	TIMER_ACTIVE, TIMER_TIME_WAIT, TIMER_DONE, TIMER_IDLE, TIMER_MAX
};

#define FLOW_WHEEL_BITS 12
#define FLOW_WHEEL (1u << FLOW_WHEEL_BITS)	/* slots: 68 minutes */
#define FLOW_FAR FLOW_WHEEL			/* the slot past the horizon */
/* A due record's slot once take_slot() emptied it: release() does not
 * unfile it. */
#define FLOW_TAKEN (FLOW_FAR + 1)

/* Called for each released record (out of the table, finished). It is
 * freed right after, unless the callback returns true: then it owns it and
 * frees it with conn_free(). */
typedef bool (*flow_emit_fn)(struct conn *c, void *user);

/*
 * A timer slot: its records in the order they were filed, in chunks of
 * FLOW_CHUNK places (conn.wpos: a record's place), NULL where one left.
 * A sweep walks it in order, fetching the records a few places on, where
 * a list linked through the records was a chain of cache misses, one
 * record at a time. Chunks, not one array: a slot holds no more than a
 * chunk's places it does not use, and a slot emptied gives its chunks to
 * the next (of a second's thousands of records in TIME_WAIT, an array
 * grown by half again each time would leave a fifth of it unused).
 */
#define FLOW_CHUNK_BITS 7
#define FLOW_CHUNK (1u << FLOW_CHUNK_BITS)
struct flow_slot {
	struct conn ***ch;	/* its chunks */
	uint32_t len;		/* places used */
	uint32_t start;		/* places [0, start) are all NULL */
	uint32_t live;		/* records in it (the rest NULL) */
	uint32_t nch;		/* chunks (ch has room for the power of two
				   at or above, 4 at least) */
};

/* Chunks of slots emptied kept for the slots filed next. */
#define FLOW_CHUNK_SPARE 256

/* A class's slots: FLOW_WHEEL + 1, the wheels' of a table in one block
 * (flow_table_init()). */
struct flow_wheel {
	struct flow_slot *s;
	uint64_t n;		/* records in this class */
	int64_t lo;		/* no record sits in a slot before this second */
};

#define FLOW_PACK_MIN 0		/* flow_pack() */
/* An open record idle this long is packed (flow_expire()). */
#define FLOW_PACK_IDLE_NS (10 * 1000000000LL)
#define FLOW_POOL_CLASSES 64	/* 8-byte sizes up to 504 bytes */
/* A pool's first slabs are 64 KiB from malloc, up to this many bytes; the
 * rest are 2 MiB (flow.c pool_alloc()). */
#define FLOW_POOL_SMALL (256 * 1024)

/* Blocks of packed records (flow.c). */
struct flow_pool {
	void *free[FLOW_POOL_CLASSES];	/* free blocks by size / 8, linked
					   through their first word */
	struct pool_slab *slabs;	/* the newest first */
	size_t bytes;		/* their sizes' sum */
	bool small_only;	/* no huge slabs (-j's tables) */
	uint8_t *bump, *end;	/* the newest slab's unused part */
};

struct flow_due {
	uint64_t id;
	struct conn *c;
};

struct flow_table {
	struct conn **bkt;	/* hash buckets */
	uint64_t seed;		/* the hash's seed for IPv4 (flow.c), for
				   flow_table_hash() */
	uint64_t mask;		/* buckets - 1 (a power of two) */
	uint64_t n;		/* records in the table */
	struct flow_wheel wheel[TIMER_MAX];
	int64_t cur;		/* the wheel's second: slots before it are done */
	int64_t swept;		/* the clock of the last sweep (INT64_MIN: none) */
	int64_t packed_to;	/* flow_pack() looked at TIME_WAIT's slots up to
				   this second */
	int64_t pack_sec;	/* the last of them (INT64_MIN: none), */
	uint64_t pack_new;	/* and the records filed in it since */
	uint64_t pack_cand;	/* whole records filed in TIME_WAIT since
				   flow_pack() last looked, not packed at
				   once (pack_settled()) */
	struct conn_cfg cfg;	/* analysis settings */
	int64_t idle_ns;	/* --idle-timeout */
	int64_t linger_ns;	/* kept after a reset/close for stragglers */
	uint64_t max_flows;	/* 0: unbounded */
	uint64_t next_id;	/* next connection id */
	bool id_frame;		/* -j: a record's id is its first frame until
				   the thread that orders output renumbers it */
	int64_t released_at;	/* while emit takes a packed record: the
				   clock of its release (flow_open_packed()) */
	struct conn *created;	/* the record the last lookup created */
	/* -j: a record not numbered yet (conn.fresh) packed
	 * (pack_relink()) or unpacked (unpack()): the record at from (which
	 * may be freed: compared, never read) is at to now, for the list
	 * that numbers it (created, when it is that record, moves itself) */
	void (*moved)(const struct conn *from, struct conn *to, void *user);
	uint64_t evicted;	/* records evicted by --max-flows */
	uint64_t peak;		/* most records open at once */
	uint64_t packed;	/* records packed (flow_pack()), ever */
	uint64_t npacked;	/* packed ones in the table now */
	uint64_t packed_trim;	/* packed when flow_trim() last trimmed */
	uint64_t pack_min;	/* pack once TIME_WAIT holds this many */
	int64_t pack_idle_ns;	/* pack an open record idle this long */
	bool pack_idle;		/* do (else only look at it then) */
	struct flow_pool pool;	/* their blocks */
	/* Blocks of whole IPv4 records (conn_size(4)) that packing or a
	 * release gave back, linked through their first word, for the next
	 * new or unpacked record: most records are packed in their
	 * TIME_WAIT and unpacked at its end, and malloc() and free() took
	 * a tenth of the instructions of a capture of short connections.
	 * IPv6 records' blocks (conn_size(6)) the same on their own list.
	 * At most FLOW_SPARE_MAX in all, and flow_trim() frees them. */
	void *spare, *spare6;
	unsigned nspare;
	void *chunk_spare;	/* FLOW_CHUNK_SPARE at most, linked through
				   their first word */
	unsigned nchunk_spare;
	uint64_t nslot_ch;	/* slots that hold chunks */
	struct conn **later;	/* flow_expire(): records to file again */
	size_t nlater, later_cap;
	struct flow_due *due;	/* records released together, sorted by id */
	size_t ndue, due_cap;
	struct flow_due *due_tmp;	/* sort_due()'s buffer */
	size_t due_tmp_cap;
	flow_emit_fn emit;
	void *user;
};

/*
 * A lookup's cache misses, started early. A table far larger than the
 * cache misses twice per segment: on the bucket, then on the record it
 * points at. A caller that knows the hashes of the segments to come
 * fetches the bucket of one a few segments ahead, then, a few segments
 * later, once that bucket has arrived, the record's first cache line (its
 * key, hash and chain link). Hints only: no effect on results.
 */
static inline void
flow_prefetch_bucket(const struct flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->bkt[hash & t->mask]);
}

static inline void
flow_prefetch_record(const struct flow_table *t, uint32_t hash)
{
	/* An empty bucket's NULL too, without a test: a prefetch never
	 * faults, and one of NULL took no time on the benchmark's machine
	 * (where the test's branch, mispredicted as buckets come empty or
	 * not, took some). */
	__builtin_prefetch(t->bkt[hash & t->mask]);
}

/*
 * The record steps links on in the chain of hash's bucket fetched, the
 * links before it fetched already (flow_prefetch_record() and earlier
 * calls, each step a frame or a release before the next): a chain far
 * larger than the cache misses once for each record a walk passes. A walk
 * toward stop (a record in the chain) ends there: nothing past it is
 * fetched. Two walks pass records: a new connection's SYN is looked for
 * in every record of its bucket (one bucket in five holds two or more at
 * the table's load), and a record due lies behind the open records of
 * its bucket (hash_remove(); packed records go to the chain's end,
 * flow.c chain_tail()). A hint only.
 */
static inline __attribute__((always_inline)) void
flow_prefetch_chain(const struct flow_table *t, uint32_t hash,
    const struct conn *stop, int steps)
{
	const struct conn *p = t->bkt[hash & t->mask];

	for (int s = 0; s < steps; s++) {
		if (!p || p == stop)
			return;
		p = p->hnext;
	}
	if (p && p != stop)
		__builtin_prefetch(p);
}

void flow_key_make(const struct pkt *p, struct flow_key *k, uint8_t *dir);
uint32_t flow_key_hash(const struct flow_key *k);
/* flow_key_hash() of p's key, without making it (-j's reading thread). */
uint32_t flow_pkt_hash(const struct pkt *p);
/* The same of an IPv6 segment, once a table is set up (flow_table_init()
 * readies the seeds), without flow_pkt_hash()'s tests. */
uint32_t flow_pkt_hash_v6(const struct pkt *p);
/* -j's choice of a thread for p: symmetric, with fixed seeds (flow.c). */
uint32_t flow_pkt_spread(const struct pkt *p);

/*
 * The hash's steps (flow.c tells how it is built): a 64x64 -> 128-bit
 * multiply folded to 64 bits (the mixing step of wyhash/mum-hash); an
 * IPv4 endpoint as one word, the seed xored in; two endpoints' words, in
 * either order.
 */
static inline uint64_t
flow_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t
flow_ep_v4(uint64_t seed, const uint8_t *addr, uint16_t port)
{
	uint32_t a;

	memcpy(&a, addr, 4);
	return ((uint64_t)a << 16 | port) ^ seed;
}

static inline uint32_t
flow_hash_eps(uint64_t e0, uint64_t e1)
{
	uint64_t h = flow_mum(e0, e1);

	return (uint32_t)(h ^ (h >> 32));
}

/* flow_pkt_hash(), an IPv4 segment's inline: one thread's reader hashes
 * every segment (pipeline.c), with the seed the table keeps, which is
 * ready (no per-packet check, no call); an IPv6 one's without the check
 * (flow_pkt_hash_v6()). */
static inline uint32_t
flow_table_hash(const struct flow_table *t, const struct pkt *p)
{
	if (__builtin_expect(p->af == 6, 0))
		return flow_pkt_hash_v6(p);
	return flow_hash_eps(flow_ep_v4(t->seed, p->src, p->tcp.sport),
	    flow_ep_v4(t->seed, p->dst, p->tcp.dport));
}

void flow_table_init(struct flow_table *t, const struct conn_cfg *cfg,
    int64_t idle_ns, uint64_t max_flows, flow_emit_fn emit, void *user);
void flow_table_destroy(struct flow_table *t);
/*
 * An empty table about to hold about n records at once (a guess, from the
 * size of the files to read): its buckets sized for them now, up to
 * FLOW_RESERVE_MAX, where doubling from 1,024 walks every record at each
 * step, a cache miss each (1.5 % of the time of -j 1 on 320,000 packets of
 * short connections). Past that the table grows as it would have.
 */
#define FLOW_RESERVE_MAX 65536
void flow_table_reserve(struct flow_table *t, uint64_t n);

/* Find or create the record for pkt; *dir is the sender's canonical index.
 * hash is flow_key_hash() of the packet's key when the caller has it, or
 * FLOW_NO_HASH. */
#define FLOW_NO_HASH UINT64_MAX
struct conn *flow_lookup_hashed(struct flow_table *t, const struct pkt *p,
    uint64_t hash, int64_t ts, uint64_t frame, uint8_t *dir);
struct conn *flow_lookup(struct flow_table *t, const struct pkt *p,
    int64_t ts, uint64_t frame, uint8_t *dir);
/* After conn_input(): file the record under the right timer class. */
void flow_update(struct flow_table *t, struct conn *c);
/* One segment, whole: flow_lookup_hashed(), conn_input(), flow_update().
 * The record it went to (its block now: one thread packs a record as its
 * segment settles it in TIME_WAIT, flow.c pack_settled()). An ICMP error about a segment (DEC_ICMP_ERR)
 * goes to its 4-tuple's record, and begins none: NULL when there is
 * none. */
struct conn *flow_segment(struct flow_table *t, const struct pkt *p,
    uint64_t hash, int64_t ts, uint64_t frame);
/* The same for a segment known to be no ICMP error (no DEC_ICMP_ERR),
 * whose hash h the caller has: without their tests. */
struct conn *flow_segment_tcp(struct flow_table *t, const struct pkt *p,
    uint32_t h, int64_t ts, uint64_t frame);
/* Release every record whose deadline is at or before now, by id; pack the
 * open records it finds idle (not, with t->id_frame, those of this batch,
 * whose pointers the caller holds until it renumbers them); then, unless
 * t->id_frame, flow_pack(). */
void flow_expire(struct flow_table *t, int64_t now);
/* Pack the records that settled into TIME_WAIT since the last call and
 * are still whole (none, usually, with one thread: t->pack_cand): their
 * blocks move (conn_pack()), so no record pointer may be held across it. */
void flow_pack(struct flow_table *t);
/* Release everything (end of input), in id order. */
void flow_flush(struct flow_table *t, int64_t now);
/* The same for nt tables at once (-j, once their threads are done), in id
 * order across them: in rounds of ids, each released from every table in
 * turn, then round(user) (if not NULL), which writes them. */
void flow_flush_tables(struct flow_table *const *ts, unsigned nt,
    int64_t now, void (*round)(void *user), void *user);
/*
 * With t->id_frame (-j), a packed record is released as it is, unfinished
 * (conn.packed set; why in conn.end; the clock of its release, which
 * conn_finish() needs, in t->released_at while emit runs): unpacked at
 * once, the thousands a sweep releases from TIME_WAIT would be held whole
 * until formatted, and at the end of a capture, hundreds of thousands.
 * Whoever formats it makes it whole:
 *   flow_finish_packed()  whole and finished, its block back in the pool:
 *                         the table's thread, or anyone once no thread
 *                         works on the table;
 *   flow_open_packed()    the same, leaving the block where it is (it only
 *                         reads the block and t's settings): another
 *                         thread, while the table's goes on; the table's
 *                         thread later gives the block back with
 *                         flow_free_packed().
 */
struct conn *flow_finish_packed(struct flow_table *t, struct conn *p,
    int64_t now);
struct conn *flow_open_packed(const struct flow_table *t,
    const struct conn *p, int64_t now);
void flow_free_packed(struct flow_table *t, struct conn *p);
uint64_t flow_count(const struct flow_table *t);

#endif
