/* flow.c - the connection table: an intrusive hash and three timer wheels. */
#include "config.h"

#include "flow.h"

#ifdef HAVE_MALLOC_H
#include <malloc.h>		/* malloc_trim() */
#endif

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "hugemem.h"

#define NS 1000000000LL

/* Big-endian loads: compared as numbers, addresses order as memcmp()
 * orders their bytes, without its call (it wants the sign). */
static inline uint64_t
be64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return GUINT64_FROM_BE(v);
}

static inline uint32_t
be32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return GUINT32_FROM_BE(v);
}

static inline int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* The sender's canonical index: the endpoints ordered as (address, port)
 * pairs, the sender 0 unless it is the greater. */
static inline uint8_t
pkt_dir(const struct pkt *p)
{
	int c;

	if (p->af == 6) {
		c = cmp_u64(be64(p->src), be64(p->dst));
		if (c == 0)
			c = cmp_u64(be64(p->src + 8), be64(p->dst + 8));
	} else {
		c = cmp_u64(be32(p->src), be32(p->dst));
	}
	if (c == 0)
		c = p->tcp.sport < p->tcp.dport ? -1 :
		    p->tcp.sport > p->tcp.dport ? 1 : 0;
	return c <= 0 ? 0 : 1;
}

/* flow_key_make(); inline in new_record(). */
static inline __attribute__((always_inline)) void
key_make(const struct pkt *p, struct flow_key *k, uint8_t *dir)
{
	memset(k, 0, sizeof(*k));
	k->af = p->af;
	*dir = pkt_dir(p);
	if (p->af == 6) {
		memcpy(k->addr[*dir], p->src, 16);
		memcpy(k->addr[!*dir], p->dst, 16);
	} else {
		memcpy(k->addr[*dir], p->src, 4);
		memcpy(k->addr[!*dir], p->dst, 4);
	}
	k->port[*dir] = p->tcp.sport;
	k->port[!*dir] = p->tcp.dport;
}

void
flow_key_make(const struct pkt *p, struct flow_key *k, uint8_t *dir)
{
	key_make(p, k, dir);
}

/* The seed: random per process, so that a crafted capture cannot aim
 * every 4-tuple at one bucket (hash flooding). The output never depends
 * on it: records are ordered by id, never by bucket. */
static uint64_t flow_seed[3];
static gint flow_seeded;	/* flow_seed is set */

/* Cold, out of line: inlined, its loop's registers were saved and
 * restored by every flow_pkt_hash(). */
static __attribute__((noinline, cold)) void
flow_seed_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (int i = 0; i < 3; i++)
			flow_seed[i] = ((uint64_t)g_random_int() << 32 |
			    g_random_int()) | 1;
		g_atomic_int_set(&flow_seeded, 1);
		g_once_init_leave(&done, 1);
	}
}

static inline void
flow_seed_ready(void)
{
	if (G_UNLIKELY(!g_atomic_int_get(&flow_seeded)))
		flow_seed_init();
}

/*
 * The hash is symmetric by construction: each endpoint, an (address,
 * port) pair, is one 64-bit word, and the two words are multiplied, which
 * does not care which comes first. So both directions hash alike (and
 * so do they by flow_pkt_spread(), -j's choice of a thread) without
 * first ordering the endpoints as the key does (pkt_dir()): the
 * packet's hash and the key's are the same
 * computation. The seed is xored into both words, so that a capture that
 * does not know it cannot aim 4-tuples at one bucket; an IPv6 address
 * goes through a multiply of its own first.
 */
static inline uint64_t
ep_v4(const uint8_t *addr, uint16_t port)
{
	return flow_ep_v4(flow_seed[0], addr, port);
}

/* An IPv6 endpoint's word under the seeds seed[0..2] (flow_seed, or
 * flow_pkt_spread()'s fixed ones). */
static inline uint64_t
ep_v6_seeded(const uint64_t *seed, const uint8_t *addr, uint16_t port)
{
	uint64_t w[2];

	memcpy(w, addr, 16);
	return (flow_mum(w[0] ^ seed[1], w[1] ^ seed[2]) ^ port) ^ seed[0];
}

static inline uint64_t
ep_v6(const uint8_t *addr, uint16_t port)
{
	return ep_v6_seeded(flow_seed, addr, port);
}

uint32_t
flow_key_hash(const struct flow_key *k)
{
	flow_seed_ready();
	if (k->af == 6)
		return flow_hash_eps(ep_v6(k->addr[0], k->port[0]),
		    ep_v6(k->addr[1], k->port[1]));
	return flow_hash_eps(ep_v4(k->addr[0], k->port[0]),
	    ep_v4(k->addr[1], k->port[1]));
}

/* Out of line: its three multiplies' registers would be saved and
 * restored for every IPv4 packet too. */
__attribute__((noinline)) uint32_t
flow_pkt_hash_v6(const struct pkt *p)
{
	return flow_hash_eps(ep_v6(p->src, p->tcp.sport),
	    ep_v6(p->dst, p->tcp.dport));
}

uint32_t
flow_pkt_hash(const struct pkt *p)
{
	flow_seed_ready();
	if (p->af == 6)
		return flow_pkt_hash_v6(p);
	return flow_hash_eps(ep_v4(p->src, p->tcp.sport),
	    ep_v4(p->dst, p->tcp.dport));
}

/*
 * flow_pkt_hash() with fixed seeds, for -j's choice of a thread: the same
 * symmetric construction, so both directions go to the same thread, but
 * the same from one run to the next. With the per-process seed the split
 * changed at every run, and so, with --max-flows, which each thread
 * applies to its own records, did which records were evicted: the same
 * command gave different reports. A capture crafted against these seeds
 * can put its connections on one thread, which only loses the speed-up.
 */
uint32_t
flow_pkt_spread(const struct pkt *p)
{
	static const uint64_t k[3] = {
		0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull,
		0x94d049bb133111ebull
	};

	if (p->af == 6)
		return flow_hash_eps(ep_v6_seeded(k, p->src, p->tcp.sport),
		    ep_v6_seeded(k, p->dst, p->tcp.dport));
	return flow_hash_eps(flow_ep_v4(k[0], p->src, p->tcp.sport),
	    flow_ep_v4(k[0], p->dst, p->tcp.dport));
}

/* ---- the hash ----------------------------------------------------------- */

/* nb empty buckets: from malloc while small; from 64 KiB, pages mapped at
 * once (hugemem_mapped(): malloc's zeroed them with a page fault every 4
 * KiB, 215 faults on 320,000 packets of short connections); once they
 * fill 2 MiB (256 Ki buckets), whole huge pages (hugemem.h), which a
 * lookup's random bucket hits without a TLB miss. */
#define BKT_MAPPED (64 * 1024)

static struct conn **
bkt_new(uint64_t nb)
{
	size_t n = nb * sizeof(struct conn *);

	if (n >= HUGEMEM_PAGE)
		return hugemem_alloc(n);
	if (n >= BKT_MAPPED)
		return hugemem_mapped(n);
	return g_new0(struct conn *, nb);
}

static void
bkt_free(struct conn **b, uint64_t nb)
{
	size_t n = nb * sizeof(struct conn *);

	if (n >= HUGEMEM_PAGE)
		hugemem_free(b, n);
	else if (n >= BKT_MAPPED)
		hugemem_unmap(b, n);
	else
		g_free(b);
}

static void
hash_grow(struct flow_table *t)
{
	uint64_t ob = t->mask + 1, nb = ob * 2;
	struct conn **b = bkt_new(nb);

	/* Bucket i's chain splits into i and i + ob, each in its order:
	 * open records first, then those packed, oldest first
	 * (chain_tail()). */
	for (uint64_t i = 0; i < ob; i++) {
		struct conn **tail[2] = { &b[i], &b[i + ob] };
		for (struct conn *c = t->bkt[i], *next; c; c = next) {
			next = c->hnext;
			struct conn ***tp = &tail[(c->hash & ob) != 0];
			**tp = c;
			*tp = &c->hnext;
		}
		*tail[0] = NULL;
		*tail[1] = NULL;
	}
	bkt_free(t->bkt, ob);
	t->bkt = b;
	t->mask = nb - 1;
}

void
flow_table_reserve(struct flow_table *t, uint64_t n)
{
	uint64_t nb = t->mask + 1;

	if (t->n)
		return;
	n = n < FLOW_RESERVE_MAX ? n : FLOW_RESERVE_MAX;
	while (nb < n)
		nb *= 2;
	if (nb == t->mask + 1)
		return;
	bkt_free(t->bkt, t->mask + 1);
	t->bkt = bkt_new(nb);
	t->mask = nb - 1;
}

static void
hash_insert(struct flow_table *t, struct conn *c)
{
	if (t->n >= t->mask + 1)
		hash_grow(t);	/* load factor at most 1 */
	c->hnext = t->bkt[c->hash & t->mask];
	t->bkt[c->hash & t->mask] = c;
	t->n++;
}

/* Where c's hash chain points at c, or its end when c is not in it. */
static struct conn **
chain_of(struct flow_table *t, const struct conn *c)
{
	struct conn **pp = &t->bkt[c->hash & t->mask];

	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	return pp;
}

/* The end of the chain from pp on (its NULL link). A record packed for
 * its TIME_WAIT (pack_settled()) goes there, behind the open records,
 * which are new ones at the head (hash_insert()), and behind the
 * records packed before it, which leave before it: when its TIME_WAIT
 * ends, hash_remove() finds it behind the open records alone, where at
 * its place it came behind every record of its bucket made since it
 * was, each a cache miss on a table far larger than the cache. */
static inline struct conn **
chain_tail(struct conn **pp)
{
	while (*pp)
		pp = &(*pp)->hnext;
	return pp;
}

static void
hash_remove(struct flow_table *t, struct conn *c)
{
	struct conn **pp = chain_of(t, c);

	if (*pp) {
		*pp = c->hnext;
		t->n--;
	}
	c->hnext = NULL;
}

/* ---- the timer wheels --------------------------------------------------- */

/* a + b, or INT64_MAX past it; b >= 0 (a delay). The overflow flag of
 * the addition itself, where a > INT64_MAX - b took the subtraction and a
 * compare more. */
static int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

/* The timers' base for a packet stamped ts (conn.tbase): its stamp, or
 * the last sweep's clock when the stamp is behind it. */
static int64_t
timer_base(const struct flow_table *t, int64_t ts)
{
	return ts > t->swept ? ts : t->swept;
}

/* The class and deadline of an open record: neither done nor in
 * TIME_WAIT, and whole. */
static enum flow_timer
open_deadline(const struct flow_table *t, const struct conn *c, int64_t *d)
{
	*d = sat_add(c->tbase, t->idle_ns);
	/* Idle pack_idle_ns at the last sweep (which packs it then). */
	return sat_add(c->tbase, t->pack_idle_ns) <= t->swept ? TIMER_IDLE :
	    TIMER_ACTIVE;
}

/* The end of the record's TIME_WAIT (flow_pack() asks it of every record
 * it packs, update_slow() of each segment into TIME_WAIT): conn.h's
 * conn_time_wait_end(), inline. */
static inline int64_t
time_wait_end(const struct flow_table *t, const struct conn *c)
{
	return conn_time_wait_end(c, &t->cfg);
}

/* The record's class and deadline now. (Inline: update_slow() asks
 * after every segment the fast path did not take.) */
static inline __attribute__((always_inline)) enum flow_timer
deadline_of(const struct flow_table *t, const struct conn *c, int64_t *d)
{
	int64_t tw;

	if (c->packed) {	/* nothing moves it: a packet unpacks it */
		*d = c->deadline;
		return c->timer;
	}
	if (conn_is_done(c)) {
		*d = sat_add(c->tbase, t->linger_ns);
		return TIMER_DONE;
	}
	if (conn_in_time_wait(c) && (tw = time_wait_end(t, c)) != 0) {
		*d = tw;
		/* A closing record not settled yet (its closer has the
		 * peer's FIN, whose ACK is still to come) counts as open,
		 * due when its TIME_WAIT ends, while open_deadline() would
		 * call it active, if that ends no later: the final ACK
		 * files it in TIME_WAIT once, settled, where it was filed
		 * there twice (the first filing's NULL places were half a
		 * TIME_WAIT second's, and slot_compact() 1.2 % of the
		 * samples on 2 million short connections, 0.5 % now).
		 * --max-flows, which evicts records in TIME_WAIT before
		 * open ones, no longer takes one waiting for its last ACK,
		 * whose ACK then began a midstream record (s320k with
		 * --max-flows 1000: 21,301 such records, now none). */
		int64_t chk = sat_add(c->tbase, t->pack_idle_ns);
		if (!conn_is_settled(c) && chk > t->swept && chk <= tw)
			return TIMER_ACTIVE;
		return TIMER_TIME_WAIT;
	}
	return open_deadline(t, c, d);
}

/*
 * When a record of class cls due at d is filed: at d, but an open record
 * (TIMER_ACTIVE) when it will have been idle pack_idle_ns, if that is
 * sooner, so that the sweep looks at it then (it is TIMER_IDLE then, and
 * flow_expire() packs it). A segment moves that time on without moving
 * the record (the filed time is never later than the real one). Filed the
 * same whether records are packed or not: --max-flows evicts the first
 * filed, and must pick the same one.
 */
static int64_t
file_at(const struct flow_table *t, const struct conn *c, enum flow_timer cls,
    int64_t d)
{
	int64_t chk = sat_add(c->tbase, t->pack_idle_ns);

	return cls == TIMER_ACTIVE && chk < d ? chk : d;
}

/* (Positive, ns divides unsigned: no correction for the sign.) */
static int64_t
sec_of(int64_t ns)
{
	return ns <= 0 ? 0 : (int64_t)((uint64_t)ns / NS);
}

/* The slot of a record of wheel w due at d (FLOW_FAR past the horizon),
 * w->lo moved back to it; *sec: its second (t->cur when overdue). */
static inline unsigned
wheel_slot(struct flow_table *t, struct flow_wheel *w, int64_t d,
    int64_t *sec)
{
	int64_t s = sec_of(d);

	if (s < t->cur)
		s = t->cur;	/* overdue: the next sweep's first slot */
	*sec = s;
	if (s - t->cur >= FLOW_WHEEL)
		return FLOW_FAR;
	if (s < w->lo)
		w->lo = s;
	return (unsigned)(s & (FLOW_WHEEL - 1));
}

/* wheel_file()'s counts for flow_pack() of c filed in class cls, second s. */
static inline void
wheel_count(struct flow_table *t, const struct conn *c, enum flow_timer cls,
    int64_t s)
{
	if (cls == TIMER_TIME_WAIT && s == t->pack_sec)
		t->pack_new++;	/* for flow_pack() */
	if (cls == TIMER_TIME_WAIT && !c->packed)
		t->pack_cand++;	/* for flow_pack() */
}

/* The place of index i in slot sl. */
static inline __attribute__((always_inline)) struct conn **
place(const struct flow_slot *sl, uint32_t i)
{
	return &sl->ch[i >> FLOW_CHUNK_BITS][i & (FLOW_CHUNK - 1)];
}

static struct conn **
chunk_take(struct flow_table *t)
{
	void *ch = t->chunk_spare;

	if (!ch)
		return g_new(struct conn *, FLOW_CHUNK);
	t->chunk_spare = *(void **)ch;
	t->nchunk_spare--;
	return ch;
}

static void
chunk_give(struct flow_table *t, struct conn **ch)
{
	if (t->nchunk_spare < FLOW_CHUNK_SPARE) {
		*(void **)ch = t->chunk_spare;
		t->chunk_spare = ch;
		t->nchunk_spare++;
	} else {
		g_free(ch);
	}
}

/* Slot sl emptied (its records left, or were taken, or all leave at the
 * end of input): its chunks go to the next slots filed (FLOW_CHUNK_SPARE
 * of them), or back to malloc. The wheel's seconds come round once an
 * hour: a slot that kept its chunks would hold a busy second's places all
 * that time. */
static void
slot_empty(struct flow_table *t, struct flow_slot *sl)
{
	if (!sl->ch)
		return;	/* (nothing in it: len is 0, and start, and live) */
	t->nslot_ch--;
	for (unsigned k = 0; k < sl->nch; k++)
		chunk_give(t, sl->ch[k]);
	g_free(sl->ch);
	memset(sl, 0, sizeof(*sl));
}

/* Slot sl's records moved down over its NULL places, in order, and the
 * chunks left unused given back (slot_room(), wheel_unfile()). A chunk at
 * a time, read and written (k <= i; k stays below the chunks' places,
 * some of them NULL, so the chunk after the last is never looked up). */
static __attribute__((noinline)) void
slot_compact(struct flow_table *t, struct flow_slot *sl)
{
	uint32_t k = 0;
	struct conn **to = sl->ch[0];

	for (uint32_t i = sl->start; i < sl->len;) {
		struct conn **from = place(sl, i);
		uint32_t end = (i | (FLOW_CHUNK - 1)) + 1;
		if (end > sl->len)
			end = sl->len;
		for (uint32_t n = end - i; n--; from++) {
			struct conn *c = *from;
			if (!c)
				continue;
			to[k & (FLOW_CHUNK - 1)] = c;
			c->wpos = k++;
			if (!(k & (FLOW_CHUNK - 1)))
				to = sl->ch[k >> FLOW_CHUNK_BITS];
		}
		i = end;
	}
	sl->len = k;
	sl->start = 0;
	uint32_t keep = (k >> FLOW_CHUNK_BITS) + 1;
	while (sl->nch > keep)
		chunk_give(t, sl->ch[--sl->nch]);
}

/* Room for one more record in slot sl of class cls, whose chunks are
 * full: compacted when enough of its places are NULL (records that left),
 * else a chunk more. In TIME_WAIT, which holds most of the records
 * (filed once, as the last ACK settles them, deadline_of(); until the
 * sixteenth session twice, which left half of a second's places NULL): a
 * quarter, so at most four places for three records and a chunk (on 2
 * million short connections, when half the places were NULL, 1.1 MB less
 * at the peak and no slower). Elsewhere (open records, most of them soon gone to
 * TIME_WAIT; a flood of SYNs that --max-flows evicts as fast as they
 * come): half, where a quarter took twice the walks, about 35
 * instructions a connection on short ones. */
static __attribute__((noinline)) void
slot_room(struct flow_table *t, struct flow_slot *sl, enum flow_timer cls)
{
	uint32_t keep = cls == TIMER_TIME_WAIT ? sl->len / 4 * 3 : sl->len / 2;

	if (sl->live <= keep && sl->len >= FLOW_CHUNK) {
		slot_compact(t, sl);
		return;
	}
	if (!sl->ch)
		t->nslot_ch++;
	if ((uint64_t)(sl->nch + 1) << FLOW_CHUNK_BITS > UINT32_MAX)
		g_error("flow: more than %u records in a timer slot",
		    UINT32_MAX - FLOW_CHUNK);	/* (a terabyte of them) */
	if (!sl->nch)
		sl->ch = g_new(struct conn **, 4);
	else if (sl->nch >= 4 && !(sl->nch & (sl->nch - 1)))
		sl->ch = g_renew(struct conn **, sl->ch, 2 * (size_t)sl->nch);
	sl->ch[sl->nch++] = chunk_take(t);
}

static inline __attribute__((always_inline)) void
wheel_file(struct flow_table *t, struct conn *c, enum flow_timer cls,
    int64_t d)
{
	struct flow_wheel *w = &t->wheel[cls];
	int64_t s;
	unsigned slot = wheel_slot(t, w, d, &s);
	struct flow_slot *sl = &w->s[slot];

	G_STATIC_ASSERT(FLOW_TAKEN < (1u << CONN_SLOT_BITS) && TIMER_MAX <= 4);
	wheel_count(t, c, cls, s);
	c->timer = (uint8_t)cls;
	c->deadline = d;
	c->slot = (uint16_t)slot;
	if (G_UNLIKELY(sl->len == (uint32_t)sl->nch << FLOW_CHUNK_BITS))
		slot_room(t, sl, cls);
	c->wpos = sl->len;
	*place(sl, sl->len++) = c;
	sl->live++;
	w->n++;
}

/* c leaves its slot: its place is NULL, and the slot's end moves back
 * past the NULLs there (so that the last filed is the last place). */
static inline __attribute__((always_inline)) void
wheel_unfile(struct flow_table *t, struct conn *c)
{
	struct flow_wheel *w = &t->wheel[c->timer];
	struct flow_slot *sl = &w->s[c->slot];

	*place(sl, c->wpos) = NULL;
	if (!--sl->live) {
		slot_empty(t, sl);
	} else if (c->wpos + 1 == sl->len) {
		uint32_t n = c->wpos;
		while (!*place(sl, n - 1))	/* (live: one is not NULL) */
			n--;
		sl->len = n;
	}
	/* A slot no longer filled thins out as its records leave (open
	 * records' slots, a second's records gone to TIME_WAIT or back to
	 * work): compacted at three quarters NULL, where its chunks would
	 * stay until its second comes. */
	if (G_UNLIKELY(sl->live <= sl->len / 4) && sl->len >= FLOW_CHUNK)
		slot_compact(t, sl);
	w->n--;
}

/* wheel_unfile() and wheel_file() of c, filed anew due at d in class cls.
 * The last in its slot, filed in that slot again (a TIME_WAIT moved on
 * by a segment within its second), it would be the last again, the slot
 * as it was: only its deadline and wheel_file()'s counts change. */
static void
wheel_refile(struct flow_table *t, struct conn *c, enum flow_timer cls,
    int64_t d)
{
	int64_t s;

	if (cls == c->timer &&
	    c->wpos + 1 == t->wheel[cls].s[c->slot].len &&
	    wheel_slot(t, &t->wheel[cls], d, &s) == c->slot) {
		wheel_count(t, c, cls, s);
		c->deadline = d;
		return;
	}
	wheel_unfile(t, c);
	wheel_file(t, c, cls, d);
}

/* ---- packed records ----------------------------------------------------- */

/*
 * Packed records live in the table's pool: slabs carved in 8-byte steps,
 * with a free list per size. A record packs to one of a few dozen sizes,
 * and those in TIME_WAIT at once are a steady mix of them, so a freed
 * block is soon taken by one of its size; in malloc the short-lived whole
 * records and the long-lived packed ones of many sizes interleave, and
 * their holes cost a fifth more memory than the blocks (a 10-million
 * connection capture: 22 MB free in a 114 MB heap).
 *
 * The first slabs are 64 KiB of malloc's; once the pool holds
 * FLOW_POOL_SMALL bytes, a slab is a 2 MiB block that the kernel may map
 * as one huge page (hugemem.h): on 4 KiB pages, every 4 KiB of blocks
 * packed cost a page fault (13 us each on the benchmark's machine, a
 * virtual one), and a lookup that reaches a packed record a TLB miss
 * more. A small capture keeps its few slabs small, and -j's tables
 * (parallel.c) take no huge pages. Slabs of malloc's are mapped at once
 * (hugemem_populate()), one system call for what would be 16 page faults
 * (on 320,000 packets of short connections, -j 2 took 1,500 faults
 * packing, -j 1 none past its first 256 KiB). Slabs of their own
 * mappings took no more time but 1.5 MB more with 100,000 connections
 * open (bench/run --memory): malloc's slabs reuse the memory of the
 * whole records freed as they were packed.
 */
#define POOL_SLAB (64 * 1024)

/* Bytes left unused at the end of each slab, so that the 16 bytes past
 * any block lie in its slab: conn_unpack() reads them (never keeps them)
 * and so need not copy the packed body first. Not under ASan, where they
 * may be another block's, poisoned (POOL_AFTER). */
#define POOL_SLACK 16

/* A slab's first bytes: the list of slabs, and the slab's size. */
struct pool_slab {
	struct pool_slab *next;
	size_t size;
};

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define POOL_AFTER 0
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define POOL_AFTER POOL_SLACK	/* conn_unpack()'s after */
#endif

static void *
pool_alloc(struct flow_pool *p, size_t n)
{
	size_t k = (n + 7) / 8;
	void *b = p->free[k];

	G_STATIC_ASSERT(FLOW_POOL_CLASSES * 8 > CONN_PACKED_MAX);
	g_assert(k < FLOW_POOL_CLASSES);
	if (b) {
		UNPOISON(b, k * 8);
		void *next = *(void **)b;
		p->free[k] = next;
		/* The next block of this size, freed long ago (a record whose
		 * TIME_WAIT ended), is cold: fetched now for the record it
		 * will take, the next of its size packed, which would wait
		 * for its link and then its lines. */
		if (next) {
			__builtin_prefetch(next, 1);
			__builtin_prefetch((char *)next + 64, 1);
		}
		return b;
	}
	if ((size_t)(p->end - p->bump) < k * 8) {
		bool huge = p->bytes >= FLOW_POOL_SMALL && !p->small_only;
		size_t size = huge ? HUGEMEM_PAGE : POOL_SLAB;
		struct pool_slab *slab = huge ? hugemem_alloc(size) :
		    g_malloc(size);
		if (!huge)
			hugemem_populate(slab, size);
		slab->next = p->slabs;
		slab->size = size;
		p->slabs = slab;
		p->bytes += size;
		p->bump = (uint8_t *)slab + sizeof(*slab);
		p->end = (uint8_t *)slab + size - POOL_SLACK;
		POISON(p->bump, (size_t)(p->end - p->bump));
	}
	b = p->bump;
	p->bump += k * 8;
	UNPOISON(b, k * 8);
	return b;
}

static void
pool_free(struct flow_pool *p, void *b, size_t n)
{
	size_t k = (n + 7) / 8;

	*(void **)b = p->free[k];
	p->free[k] = b;
	POISON((uint8_t *)b + 8, k * 8 - 8);
}

static void
pool_destroy(struct flow_pool *p)
{
	while (p->slabs) {
		struct pool_slab *slab = p->slabs;
		p->slabs = slab->next;
		UNPOISON(slab, slab->size);
		if (slab->size == POOL_SLAB)
			g_free(slab);
		else
			hugemem_free(slab, slab->size);
	}
	memset(p, 0, sizeof(*p));
}

/* ---- whole records' blocks (flow_table.spare) ------------------------- */

/* 16,384 blocks of 344 bytes (376 for IPv6): 5.4 MiB at most (5.9 if all
 * were IPv6), while a second of a busy
 * capture's records packed at once come back in the thousands (s320k's
 * in fours of about 8,000; 4,096 at most took half as many from here).
 * No more than malloc()'s heap would hold as free chunks: the peak
 * resident size of a million short connections stays as it was. */
#define FLOW_SPARE_MAX 16384

/* A block for a whole record of family af. */
static void *
block_take(struct flow_table *t, uint8_t af)
{
	void **list = af == 6 ? &t->spare6 : &t->spare;
	void *b = *list;

	if (!b)
		return g_malloc(conn_size(af));
	*list = *(void **)b;
	t->nspare--;
	return b;
}

/* Give back c's block (its own blocks freed or owned by another). */
static void
block_give(struct flow_table *t, struct conn *c)
{
	void **list = c->key.af == 6 ? &t->spare6 : &t->spare;

	if (t->nspare >= FLOW_SPARE_MAX) {
		g_free(c);
		return;
	}
	*(void **)c = *list;
	*list = c;
	t->nspare++;
}

static void
spare_free(struct flow_table *t)
{
	void **lists[] = { &t->spare, &t->spare6 };

	for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
		while (*lists[i]) {
			void *b = *lists[i];
			*lists[i] = *(void **)b;
			g_free(b);
		}
	t->nspare = 0;
}

/* c took the place of the block that *pp and its timer slot point at:
 * point them at c. */
static void
relink(struct flow_table *t, struct conn *c, struct conn **pp)
{
	*pp = c;
	*place(&t->wheel[c->timer].s[c->slot], c->wpos) = c;
}

/* -j: the record not numbered yet (conn.fresh) at from is at to now
 * (packed, pack_relink(), or unpacked, unpack()): the batch's list of new
 * records is told (flow_table.moved), or created moves. from may be
 * freed: compared, not read. */
static void
fresh_moved(struct flow_table *t, const struct conn *from, struct conn *to)
{
	if (t->created == from)
		t->created = to;
	else if (t->moved)	/* (none: flow_table_destroy()) */
		t->moved(from, to, t->user);
}

/* The whole record of packed p, which goes back to the pool. The caller
 * relinks it if it stays in the table. */
static struct conn *
unpack(struct flow_table *t, struct conn *p)
{
	struct conn *c = block_take(t, p->key.af);

	/* (Only this thread writes the pool's blocks: no other writes the
	 * bytes past p's as they are read.) */
	pool_free(&t->pool, p, conn_unpack(p, c, POOL_AFTER));
	t->npacked--;
	if (G_UNLIKELY(c->fresh))	/* packed at once (-j) */
		fresh_moved(t, p, c);
	return c;
}

/* c packed into a block of the pool (c stays where it is, its head whole,
 * its body no longer: the caller puts the block in its place, then frees
 * c, whose blocks the packed one now owns). (Inline: flow_pack() calls it
 * for every record it packs.) */
static inline __attribute__((always_inline)) struct conn *
pack_block(struct flow_table *t, struct conn *c)
{
	struct flow_pool *p = &t->pool;
	struct conn *pk;

	if ((size_t)(p->end - p->bump) >= CONN_PACKED_MAX) {
		/* Packed where the slab's next block would be: it is that
		 * block unless a freed one of its size comes first
		 * (pool_alloc()), which it is copied to. */
		uint8_t *at = p->bump;
		UNPOISON(at, CONN_PACKED_MAX);
		size_t n = conn_pack(c, at);
		if (p->free[(n + 7) / 8]) {
			pk = pool_alloc(p, n);
			memcpy(pk, at, n);
		} else {
			pk = (struct conn *)(void *)at;
			p->bump += (n + 7) / 8 * 8;
		}
		POISON(p->bump, (size_t)(p->end - p->bump));
	} else {
		_Alignas(struct conn) uint8_t buf[CONN_PACKED_MAX];
		size_t n = conn_pack(c, buf);
		pk = pool_alloc(p, n);
		memcpy(pk, buf, n);
	}
	t->npacked++;
	t->packed++;
	return pk;
}

/* c packed (pack_block()) in its place in the table, which takes its
 * blocks (block_give()); the packed record, which goes to the end of its
 * hash chain: see chain_tail(). */
static struct conn *
pack_relink(struct flow_table *t, struct conn *c)
{
	struct conn *pk = pack_block(t, c);
	struct conn **pp = chain_of(t, c);

	if (*pp)	/* (it is: chain_of() finds it) */
		*pp = c->hnext;
	relink(t, pk, chain_tail(pp));
	pk->hnext = NULL;
	if (c->fresh)
		fresh_moved(t, c, pk);
	block_give(t, c);	/* its own blocks are the packed one's */
	return pk;
}

/* A whole record filed settled in TIME_WAIT, at its exact end (deadline_of()
 * of a whole record, TIMER_TIME_WAIT and its deadline, spelled out): what
 * flow_pack() and pack_settled() pack. */
static inline bool
filed_settled(const struct flow_table *t, const struct conn *c)
{
	int64_t d;

	return !c->packed && conn_is_settled(c) && !conn_is_done(c) &&
	    conn_in_time_wait(c) && (d = time_wait_end(t, c)) != 0 &&
	    d == c->deadline;
}

/*
 * Pack (conn_pack()) the settled records that went into TIME_WAIT since the
 * last call: those filed in the seconds up to 2MSL past the last sweep. A
 * record that went into TIME_WAIT stamped behind the clock, or whose 2MSL
 * reaches past the wheel, is left whole, which costs only memory.
 *
 * Packing and unpacking cost about 2,000 instructions a connection, 8 % of
 * the work on short connections, for 40 % less memory where TIME_WAIT
 * holds most records. Not below t->pack_min records in TIME_WAIT (tests:
 * SYNFIN_PACK_MIN; none by default, since whole records held until a
 * threshold stay as the heap's high-water mark under the packed ones: a
 * threshold of 65,536, which spared 320,000 packets of short connections
 * the packing, 8 % of their instructions, took 10 million short
 * connections with -j 1 from 93.2 to 106.9 MiB);
 * on each first call past it, the walk starts at the wheel's first second
 * and packs them all.
 */
void
flow_pack(struct flow_table *t)
{
	struct flow_wheel *w = &t->wheel[TIMER_TIME_WAIT];

	if (w->n < t->pack_min || !w->n) {
		t->packed_to = INT64_MIN;	/* past it, walk it all */
		t->pack_sec = INT64_MIN;
		return;
	}
	if (t->swept == INT64_MIN || t->cur < 0)
		return;
	int64_t lo = t->packed_to > t->cur ? t->packed_to : t->cur;
	int64_t hi = sec_of(sat_add(t->swept, t->cfg.two_msl_ns));
	if (hi > t->cur + FLOW_WHEEL - 1)
		hi = t->cur + FLOW_WHEEL - 1;
	/* Every whole record filed in TIME_WAIT since the last walk was
	 * packed as it settled (pack_settled()): the walk would find nothing
	 * to pack (none filed before it lies past the seconds it walked, and
	 * none settles without a segment, which files it again), so it is
	 * skipped, but the first past t->pack_min, which walks them all. */
	if (!t->pack_cand && t->packed_to != INT64_MIN)
		lo = hi + 1;
	for (int64_t s = lo; s <= hi; s++) {
		unsigned slot = (unsigned)(s & (FLOW_WHEEL - 1));
		/* The second walked last time: only what came since, at its
		 * tail (wheel_file() counts them; fewer may be left). */
		bool since = s == t->pack_sec;
		uint64_t left = t->pack_new;
		struct flow_slot *sl = &w->s[slot];
		/* from the end back (since), else from the start on */
		int64_t step = since ? -1 : 1;
		int64_t i = since ? (int64_t)sl->len - 1 : (int64_t)sl->start;
		for (; i >= (int64_t)sl->start && i < (int64_t)sl->len;
		    i += step) {
			struct conn *c = *place(sl, (uint32_t)i);
			if (!c)
				continue;
			if (since && !left--)
				break;
			/* Two on, the record; one on, fetched already, its
			 * bucket (chain_of() below). */
			int64_t a = i + 2 * step, b = i + step;
			if (a >= (int64_t)sl->start && a < (int64_t)sl->len)
				__builtin_prefetch(*place(sl, (uint32_t)a));
			struct conn *cb = b >= (int64_t)sl->start &&
			    b < (int64_t)sl->len ? *place(sl, (uint32_t)b) :
			    NULL;
			if (cb)
				flow_prefetch_bucket(t, cb->hash);
			/* flow_update() filed it at its exact deadline, which
			 * a packed record keeps (deadline_of()): still so */
			if (!filed_settled(t, c) || conn_tw_linked(c))
				continue;
			pack_relink(t, c);
		}
	}
	if (hi > t->packed_to)
		t->packed_to = hi;
	t->pack_sec = hi;
	t->pack_new = 0;
	t->pack_cand = 0;
}

/*
 * c, whose segment update() just filed in TIME_WAIT whole: packed now, if
 * flow_pack() would pack it at the next sweep (its tests, and its window:
 * a real slot, the threshold reached), while its lines are still in the
 * cache, and its block goes back to block_take() for the next record while
 * it still is too. A walk of the wheel at each sweep took a cache miss a
 * record (3 % of the time on short connections) and gave back blocks by
 * thousands, each a miss again in the new record that took it. With -j a
 * record not numbered yet (conn.fresh) moves only with t->moved, which
 * tells the list that numbers it. The record's block
 * now: c, or the packed one. Its caller (segment_in()) has seen update()
 * file it in TIME_WAIT, whole and settled: at its exact deadline,
 * time_wait_end() (update_slow()'s exact filing), not done and in
 * TIME_WAIT (deadline_of()'s class): flow_pack()'s tests but those, which
 * conn_fast_check checks.
 */
static __attribute__((noinline)) struct conn *
pack_settled(struct flow_table *t, struct conn *c)
{
	if (G_UNLIKELY(conn_fast_check) && !filed_settled(t, c))
		g_error("pack_settled: a record not filed settled in "
		    "TIME_WAIT at its end");
	if ((c->fresh && !t->moved) || c->slot == FLOW_FAR ||
	    t->wheel[TIMER_TIME_WAIT].n < t->pack_min || conn_tw_linked(c))
		return c;
	struct conn *pk = pack_relink(t, c);
	t->pack_cand--;
	return pk;
}

/*
 * The whole records packing freed are holes in malloc's heap, which stay
 * in the process's memory: after a burst of records packed at once (the
 * connections of a busy minute going idle together) the pool's new slabs
 * come on top of them. Every FLOW_TRIM_EVERY records packed, glibc's
 * malloc_trim() gives the free pages among them back to the system.
 */
#define FLOW_TRIM_EVERY 65536

static void
flow_trim(struct flow_table *t)
{
#ifdef HAVE_MALLOC_TRIM
	if (t->packed - t->packed_trim >= FLOW_TRIM_EVERY) {
		t->packed_trim = t->packed;
		spare_free(t);
		malloc_trim(0);
	}
#else
	(void)t;
#endif
}

/* ---- the table ---------------------------------------------------------- */

#define WHEEL_BYTES ((size_t)TIMER_MAX * (FLOW_WHEEL + 1) * \
	sizeof(struct flow_slot))

void
flow_table_init(struct flow_table *t, const struct conn_cfg *cfg,
    int64_t idle_ns, uint64_t max_flows, flow_emit_fn emit, void *user)
{
	memset(t, 0, sizeof(*t));
	flow_seed_init();
	t->seed = flow_seed[0];
	t->mask = 1023;
	t->bkt = bkt_new(t->mask + 1);
	t->cur = -1;		/* set by the first record or sweep */
	t->swept = INT64_MIN;
	t->packed_to = INT64_MIN;
	t->pack_sec = INT64_MIN;
	t->pack_min = FLOW_PACK_MIN;
	const char *e = getenv("SYNFIN_PACK_MIN");	/* tests: 2^64-1: none */
	if (e && *e)
		t->pack_min = g_ascii_strtoull(e, NULL, 10);
	t->pack_idle_ns = FLOW_PACK_IDLE_NS;
	e = getenv("SYNFIN_PACK_IDLE");		/* tests: seconds */
	if (e && *e)
		t->pack_idle_ns = (int64_t)(g_ascii_strtod(e, NULL) * NS);
	if (t->pack_idle_ns < 0)
		t->pack_idle_ns = 0;
	/* Never packing (tests) files records as packing would. */
	t->pack_idle = t->pack_min != UINT64_MAX;
	/* 384 KiB, of which the slots of the capture's seconds are
	 * written: pages mapped as they are touched (hugemem_lazy()), where
	 * zeroing them in the table took a page fault each 4 KiB. */
	struct flow_slot *slots = hugemem_lazy(WHEEL_BYTES);
	for (int i = 0; i < TIMER_MAX; i++) {
		t->wheel[i].s = slots + (size_t)i * (FLOW_WHEEL + 1);
		t->wheel[i].lo = INT64_MAX;
	}
	t->cfg = *cfg;
	t->idle_ns = idle_ns;
	t->linger_ns = 5 * NS;
	t->max_flows = max_flows;
	t->next_id = 1;
	t->emit = emit;
	t->user = user;
}

void
flow_table_destroy(struct flow_table *t)
{
	if (!t->bkt)
		return;
	t->moved = NULL;	/* its records are freed, not numbered */
	/* (None after the end of input, which empties every slot: their
	 * pages, most never touched, are not read.) */
	for (int i = 0; i < TIMER_MAX && t->nslot_ch; i++)
		for (unsigned k = 0; k <= FLOW_WHEEL; k++)
			slot_empty(t, &t->wheel[i].s[k]);
	while (t->nchunk_spare)
		g_free(chunk_take(t));
	hugemem_unmap(t->wheel[0].s, WHEEL_BYTES);
	for (int i = 0; i < TIMER_MAX; i++)
		t->wheel[i].s = NULL;
	g_clear_pointer(&t->later, g_free);
	t->nlater = t->later_cap = 0;
	for (uint64_t i = 0; i <= t->mask; i++) {
		struct conn *c = t->bkt[i], *next;
		for (; c; c = next) {
			next = c->hnext;
			conn_free(c->packed ? unpack(t, c) : c);
		}
	}
	pool_destroy(&t->pool);
	spare_free(t);
	bkt_free(t->bkt, t->mask + 1);
	t->bkt = NULL;
	g_free(t->due);
	t->due = NULL;
	g_clear_pointer(&t->due_tmp, g_free);
	t->due_tmp_cap = 0;
	t->n = 0;
}

uint64_t
flow_count(const struct flow_table *t)
{
	return t->n;
}

/* update() past its usual case: the record's class asked, and the record
 * filed anew if that moved it. Out of line, so that the usual segment
 * saves none of its registers. */
static __attribute__((noinline)) bool
update_slow(struct flow_table *t, struct conn *c, bool open)
{
	int64_t d;
	enum flow_timer cls = open ? open_deadline(t, c, &d) :
	    deadline_of(t, c, &d);

	if (G_UNLIKELY(conn_fast_check) && open) {
		int64_t d2;
		if (deadline_of(t, c, &d2) != cls || d2 != d)
			g_error("flow_update: an open record's class is not "
			    "deadline_of()'s");
	}

	/* Lazy: a later deadline in the same class is found by the sweep
	 * (the filed one is never later than the real one). But a record
	 * that settled into TIME_WAIT is filed where it is due, where
	 * flow_pack() looks for it. */
	bool exact = cls == TIMER_TIME_WAIT && conn_is_settled(c);
	int64_t at = file_at(t, c, cls, d);
	if (cls == c->timer &&
	    (exact ? d == c->deadline : at >= c->deadline))
		return false;
	wheel_refile(t, c, cls, at);
	return cls == TIMER_TIME_WAIT && !c->packed;
}

/* flow_update(); open: the caller knows the record open (conn_input()'s
 * fast path took its segment: both endpoints ESTABLISHED), so that its
 * class needs no asking of conn.c. Inline: flow_segment() runs it for
 * every packet. True when it filed the record anew in TIME_WAIT, whole
 * (wheel_file() counted it in t->pack_cand). */
static inline __attribute__((always_inline)) bool
update(struct flow_table *t, struct conn *c, bool open)
{
	c->tbase = timer_base(t, conn_time(c, CT_LAST));
	/* The usual open record: filed ACTIVE, its filing (file_at()) no
	 * later than before: nothing to do, as below, without asking the
	 * rest. Open: conn_input()'s fast path took the segment, or neither
	 * done nor in TIME_WAIT (deadline_of()'s open_deadline()). (With
	 * conn_fast_check, the fast path's the way below, which checks.) */
	if (c->timer == TIMER_ACTIVE && (open ? !conn_fast_check :
	    !conn_is_done(c) && !conn_in_time_wait(c))) {
		int64_t chk = sat_add(c->tbase, t->pack_idle_ns);
		if (chk > t->swept) {
			/* file_at(): the sooner of chk and the idle
			 * deadline, chk when its delay is the shorter (by
			 * default) */
			int64_t at = chk;
			if (G_UNLIKELY(t->pack_idle_ns > t->idle_ns))
				at = sat_add(c->tbase, t->idle_ns);
			if (at >= c->deadline)
				return false;
		}
	}
	return update_slow(t, c, open);
}

void
flow_update(struct flow_table *t, struct conn *c)
{
	update(t, c, false);
}

static enum conn_end
end_reason(const struct conn *c, enum flow_timer which)
{
	switch (which) {
	case TIMER_DONE:
		return c->rst_dir >= 0 ? END_RESET : END_CLOSED;
	case TIMER_TIME_WAIT:
		return END_TIME_WAIT;
	default:
		return END_IDLE;
	}
}

/* Report and free a record that is filed in a wheel; why END_NONE: its
 * timer ran out (taken off its slot by take_slot(), FLOW_TAKEN). END_EOF:
 * the end of input, where every record leaves
 * (flow_flush_tables()), which took them all off the buckets first: the
 * record's slot is emptied (slot_empty()), whatever else is in it, which
 * leaves too (no place of theirs is written, nor read). Inline in
 * due_release_sorted(),
 * which releases records by thousands with why known there: release()
 * for one at a time. */
static inline __attribute__((always_inline)) void
release_in(struct flow_table *t, struct conn *c, int64_t now,
    enum conn_end why)
{
	if (!c->packed)
		conn_tw_unlink(c);
	if (why == END_EOF) {
		struct flow_wheel *w = &t->wheel[c->timer];
		slot_empty(t, &w->s[c->slot]);
		w->n--;
	} else if (c->slot == FLOW_TAKEN) {	/* due at a sweep */
		t->wheel[c->timer].n--;
		hash_remove(t, c);
	} else {
		wheel_unfile(t, c);
		hash_remove(t, c);
	}
	if (why == END_NONE)
		why = end_reason(c, c->timer);
	if (c->packed) {
		if (t->id_frame) {
			/* Finished by flow_finish_packed() or
			 * flow_open_packed(). */
			c->end = why;
			t->released_at = now;
			t->npacked--;
			bool taken = t->emit && t->emit(c, t->user);
			g_assert(taken);
			return;
		}
		c = unpack(t, c);
	}
	if (conn_has_held(c))
		conn_held_flush(c, &t->cfg);	/* nothing came after it */
	conn_finish(c, &t->cfg, now, why);
	if (!t->emit || !t->emit(c, t->user)) {
		conn_free_blocks(c);
		block_give(t, c);
	}
}

/* release_in(), out of line: for a record at a time. */
static __attribute__((noinline)) void
release(struct flow_table *t, struct conn *c, int64_t now, enum conn_end why)
{
	release_in(t, c, now, why);
}

static void
due_add(struct flow_table *t, struct conn *c)
{
	if (t->ndue == t->due_cap) {
		t->due_cap = t->due_cap ? t->due_cap * 2 : 256;
		t->due = g_renew(struct flow_due, t->due, t->due_cap);
	}
	t->due[t->ndue].id = c->id;
	t->due[t->ndue].c = c;
	t->ndue++;
}

/* Room for n more due records, exactly, not doubled (the end of input's
 * rounds know their counts). */
static void
due_reserve(struct flow_table *t, uint64_t n)
{
	if (t->due_cap < t->ndue + n) {
		t->due_cap = t->ndue + n;
		t->due = g_renew(struct flow_due, t->due, t->due_cap);
		/* the n entries, about to be written (hugemem.h) */
		hugemem_populate(t->due + t->ndue, n * sizeof(*t->due));
	}
}

/* Sort by id in place: heapsort, no buffer (glibc's qsort allocates one as
 * large as the array, which at the end of a big capture holds every record
 * still open). For a few records. */
static void
sift(struct flow_due *a, size_t root, size_t n)
{
	struct flow_due v = a[root];

	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && a[child + 1].id > a[child].id)
			child++;
		if (a[child].id <= v.id)
			break;
		a[root] = a[child];
	}
	a[root] = v;
}

static void
heap_sort_due(struct flow_due *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (size_t end = n; end-- > 1;) {
		struct flow_due t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift(a, 0, end);
	}
}

/* The sorts' buffer, for n records (at least). It stays for the next
 * sort: allocated anew each time, a large one was mapped anew, its pages
 * faulted in again. */
static void
due_tmp_reserve(struct flow_table *t, size_t n)
{
	if (t->due_tmp_cap < n) {
		g_free(t->due_tmp);
		t->due_tmp_cap = t->due_cap > n ? t->due_cap : n;
		t->due_tmp = g_new(struct flow_due, t->due_tmp_cap);
		hugemem_populate(t->due_tmp, n * sizeof(*t->due_tmp));
	}
}

/* The sorts' buffer as a record's place by id - lo, [0, span], cleared
 * (room for 2n records: span below 2n). */
static struct conn **
due_places(struct flow_table *t, uint64_t span)
{
	struct conn **at = (struct conn **)(void *)t->due_tmp;

	memset(at, 0, (span + 1) * sizeof(*at));
	return at;
}

/* The n records at their places (due_places()) to t's due array, in id
 * order. */
static void
due_from_places(struct flow_table *t, struct conn *const *at, uint64_t lo,
    uint64_t span, size_t n)
{
	size_t k = 0;

	for (uint64_t i = 0; i <= span; i++)
		if (at[i])
			t->due[k++] = (struct flow_due){ lo + i, at[i] };
	g_assert(k == n);	/* ids are distinct */
	t->ndue = k;
}

/*
 * Many records (an end-of-capture round holds up to FLUSH_ROUND): a radix
 * sort of id - lo, a byte a pass, least significant first, through a
 * buffer as large as the array, and only the bytes in which the ids
 * differ. A tenth of the heapsort's work on 37,000 records; stable, and
 * ids are distinct anyway.
 */
#define RADIX_MIN 512

static void
sort_due(struct flow_table *t, uint64_t lo, uint64_t hi)
{
	struct flow_due *a = t->due;
	size_t n = t->ndue;

	if (n < RADIX_MIN) {
		heap_sort_due(a, n);
		return;
	}
	due_tmp_reserve(t, n);
	struct flow_due *b = t->due_tmp, *src = a, *dst = b;
	uint64_t span = hi - lo;

	/* Ids close together (an end-of-capture round of one thread's:
	 * ids given in turn, most of those of the range still open): each
	 * record straight to its id's place in the buffer, as a pointer
	 * (the buffer has room for 2n), then the places in order. */
	if (span < 2 * (uint64_t)n) {
		struct conn **at = due_places(t, span);
		for (size_t i = 0; i < n; i++)
			at[a[i].id - lo] = a[i].c;
		due_from_places(t, at, lo, span, n);
		return;
	}
	for (unsigned sh = 0; sh < 64 && span >> sh; sh += 8) {
		size_t cnt[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			cnt[(src[i].id - lo) >> sh & 255]++;
		size_t sum = 0;
		for (unsigned d = 0; d < 256; d++) {
			size_t k = cnt[d];
			cnt[d] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i].id - lo) >> sh & 255]++] = src[i];
		struct flow_due *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* How far on due_release() fetches a record's bucket, and twice as near
 * the record it points at (flow_prefetch_bucket()). */
#define DUE_AHEAD 8

/* due_release() of a due array in id order (due_by_id()'s). */
static void
due_release_sorted(struct flow_table *t, int64_t now, bool eof)
{
	/* release() finds each record in its hash chain: the buckets and
	 * chains of those a few places on are fetched meanwhile
	 * (flow_prefetch_bucket()); but at the end of input, which took the
	 * records off the buckets. */
	for (size_t i = 0; i < t->ndue; i++) {
		struct conn *c = t->due[i].c;
		if (i + 2 * DUE_AHEAD < t->ndue) {
			const char *f = (const char *)t->due[i + 2 *
			    DUE_AHEAD].c;
			for (int l = 0; l < 4; l++)
				__builtin_prefetch(f + 64 * l);
		}
		if (!eof && i + DUE_AHEAD < t->ndue)
			flow_prefetch_bucket(t, t->due[i + DUE_AHEAD].c->hash);
		if (!eof && i + DUE_AHEAD / 2 < t->ndue)
			flow_prefetch_record(t,
			    t->due[i + DUE_AHEAD / 2].c->hash);
		/* the records in front of the due one in its hash chain, a
		 * step at a time (flow_prefetch_chain()) */
		if (!eof && i + 2 < t->ndue)
			flow_prefetch_chain(t, t->due[i + 2].c->hash,
			    t->due[i + 2].c, 1);
		if (!eof && i + 1 < t->ndue)
			flow_prefetch_chain(t, t->due[i + 1].c->hash,
			    t->due[i + 1].c, 2);
		release_in(t, c, now, eof ? END_EOF : END_NONE);
	}
	t->ndue = 0;
}

/* Release what was collected, by id: records due together go out in the
 * order they began, whatever their class or slot. */
static void
due_release(struct flow_table *t, int64_t now, bool eof)
{
	bool sorted = true;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < t->ndue; i++) {
		uint64_t id = t->due[i].id;
		if (i && t->due[i - 1].id >= id)
			sorted = false;
		lo = id < lo ? id : lo;
		hi = id > hi ? id : hi;
	}
	if (!sorted)
		sort_due(t, lo, hi);
	due_release_sorted(t, now, eof);
}

/* take_slot()'s step for c: due, to the due array; else to t->later,
 * for flow_expire() to file again (its deadline moved on since it was
 * filed). */
static inline __attribute__((always_inline)) void
take_one(struct flow_table *t, struct flow_wheel *w, struct conn *c,
    int64_t now)
{
	int64_t d;
	enum flow_timer cls = deadline_of(t, c, &d);

	if (d <= now) {
		/* Its place is left as it is: take_slot() empties the
		 * slot, and no release() of it unfiles it. Its class is
		 * the one it is due in, which release() counts it out of
		 * and tells why it ends by (a closing record filed open,
		 * deadline_of(), is due in TIME_WAIT). */
		if (G_UNLIKELY(cls != c->timer)) {
			w->n--;
			t->wheel[cls].n++;
			c->timer = (uint8_t)cls;
		}
		c->slot = FLOW_TAKEN;
		due_add(t, c);
		return;
	}
	w->n--;		/* out of the slot, which take_slot() empties */
	c->timer = (uint8_t)cls;
	c->deadline = d;
	if (G_UNLIKELY(t->nlater == t->later_cap)) {
		t->later_cap = t->later_cap ? t->later_cap * 2 : 256;
		t->later = g_renew(struct conn *, t->later, t->later_cap);
	}
	t->later[t->nlater++] = c;
}

/* How far on take_slot() fetches a slot's records (on 10 million
 * connections take_slot() had 3.4 % of the samples fetching 3 lines 16
 * on, 2.6 % fetching the head 32 on). */
#define TAKE_AHEAD 32

/* Take a slot's records, in the order they were filed: the due ones to
 * the due array, the others to t->later. The records a few places on are
 * fetched meanwhile: the walk of a list linked through them (as the
 * slots were) waited for each record in turn, 8 % of the samples on 10
 * million short connections. The slot is left empty (slot_empty()). */
static void
take_slot(struct flow_table *t, struct flow_wheel *w, unsigned slot,
    int64_t now)
{
	struct flow_slot *sl = &w->s[slot];
	uint32_t n = sl->len;

	for (uint32_t i = sl->start; i < n; i++) {
		const char *f;
		if (i + TAKE_AHEAD < n &&
		    (f = (const char *)*place(sl, i + TAKE_AHEAD))) {
			/* its head (take_one() reads no more of a packed
			 * record; due_release_sorted() fetches the rest) */
			__builtin_prefetch(f);
			__builtin_prefetch(f + CONN_HEAD - 1);
		}
		struct conn *c = *place(sl, i);
		if (c)
			take_one(t, w, c, now);
	}
	slot_empty(t, sl);
}

/* The most of t->later that flow_expire() keeps between sweeps. */
#define FLOW_LATER_KEEP 4096

void
flow_expire(struct flow_table *t, int64_t now)
{
	int64_t ns = sec_of(now);

	if (now > t->swept)
		t->swept = now;
	if (t->cur < 0)
		t->cur = ns;
	if (ns < t->cur)
		ns = t->cur;	/* the clock never runs backwards */
	int64_t span = ns - t->cur;
	/* Past-the-horizon records are looked at whenever the wheel turns
	 * over half its length, so each is filed in a slot before it is due;
	 * and after a jump of the clock. */
	bool far = span >= FLOW_WHEEL / 2 ||
	    (ns >> (FLOW_WHEEL_BITS - 1)) != (t->cur >> (FLOW_WHEEL_BITS - 1));
	int64_t nslots = span >= FLOW_WHEEL ? FLOW_WHEEL : span + 1;

	for (int i = 0; i < TIMER_MAX; i++) {
		struct flow_wheel *w = &t->wheel[i];
		if (!w->n)
			continue;
		for (int64_t k = 0; k < nslots; k++)
			take_slot(t, w, (unsigned)((t->cur + k) &
			    (FLOW_WHEEL - 1)), now);
		if (far)
			take_slot(t, w, FLOW_FAR, now);
	}
	t->cur = ns;
	for (int i = 0; i < TIMER_MAX; i++)
		if (t->wheel[i].lo < ns)
			t->wheel[i].lo = ns;
	/* The last taken first (in the order a list pushed in front as the
	 * slots were walked gave them, before slots were arrays: the order
	 * of a slot's records is --max-flows' order, wheel_first()). */
	while (t->nlater) {
		struct conn *c = t->later[--t->nlater];
		/* read at the take, long enough ago to be out of the cache
		 * again: fetched a few on (its head and the timer base) */
		if (t->nlater >= TAKE_AHEAD) {
			const char *f = (const char *)
			    t->later[t->nlater - TAKE_AHEAD];
			__builtin_prefetch(f);
			__builtin_prefetch(f + 64);
		}
		int64_t at = file_at(t, c, c->timer, c->deadline);
		/* Idle: packed until a segment comes for it. */
		if (c->timer == TIMER_IDLE && !c->packed && t->pack_idle &&
		    !c->fresh && !conn_has_held(c) && !conn_tw_linked(c)) {
			struct conn *pk = pack_block(t, c);
			*chain_of(t, c) = pk;
			g_free(c);
			c = pk;
		}
		wheel_file(t, c, c->timer, at);
	}
	/* A burst (open records' checks, a jump of the clock) leaves its
	 * array to malloc rather than held for good. */
	if (t->later_cap > FLOW_LATER_KEEP) {
		g_clear_pointer(&t->later, g_free);
		t->later_cap = 0;
	}
	due_release(t, now, false);
	if (!t->id_frame)
		flow_pack(t);
	flow_trim(t);
}

/* The table's buckets given back, for one empty one: its records, all
 * leaving at the end of input, are held elsewhere (release() finds none
 * in them). */
static void
bkt_drop(struct flow_table *t)
{
	bkt_free(t->bkt, t->mask + 1);
	t->mask = 0;
	t->bkt = bkt_new(1);
}

/*
 * The end of input's n records of table t on the nb lists at bin (through
 * conn.hnext: a round's bins, or the buckets), their ids in [lo, lo +
 * span] (a table that numbers its own records, most of them still open):
 * each straight to its id's place in the sorts' buffer (sort_due()'s way,
 * without the due array in between and due_release()'s walk that finds it
 * unsorted), then the places in order to the empty due array. False, the
 * due array left empty, when the ids are too far apart for that (span 2n
 * or more) or one lies outside (a caller that numbers records across
 * tables): the caller takes the lists again the sort's way.
 */
static bool
due_by_id(struct flow_table *t, struct conn *const *bin, uint64_t nb,
    uint64_t lo, uint64_t span, uint64_t n)
{
	if (span >= 2 * n || t->ndue != 0)
		return false;
	due_tmp_reserve(t, n);
	struct conn **at = due_places(t, span);
	for (uint64_t j = 0; j < nb; j++)
		for (struct conn *c = bin[j]; c; c = c->hnext) {
			uint64_t i = c->id - lo;
			if (i > span)
				return false;
			at[i] = c;
		}
	due_from_places(t, at, lo, span, n);
	return true;
}

/* Release every record of the table, by id (the end of input). */
static void
flush_all(struct flow_table *t, int64_t now)
{
	due_reserve(t, t->n);
	/* A table that numbers its own records: ids from 1 to next_id - 1 */
	if (t->bkt && !t->id_frame && t->n && due_by_id(t, t->bkt,
	    t->mask + 1, 1, t->next_id - 2, t->n)) {
		t->n = 0;
		bkt_drop(t);
		due_release_sorted(t, now, true);
		return;
	}
	for (uint64_t i = 0; t->bkt && i <= t->mask; i++)
		for (struct conn *c = t->bkt[i]; c; c = c->hnext)
			due_add(t, c);
	if (t->bkt) {
		t->n -= t->ndue;
		bkt_drop(t);
	}
	due_release(t, now, true);
}

/*
 * In id order, in rounds of about FLUSH_ROUND records, each taking a range
 * of ids: sorting them all at once would take 16 bytes more per record,
 * at the end of a capture that may hold half a million in TIME_WAIT. A
 * histogram of the ids sets the ranges; a round of one bin that holds more
 * is taken whole. The records leave the hash table for good: a walk of it
 * puts each on its bin's list (through conn.hnext), and the buckets (8
 * bytes each) go back before the first round, which leaves the table one
 * empty bucket. Several tables (-j: one a thread) are flushed as one: each
 * round releases the range from each table in turn, and round(user) then
 * sees the round's records, in id order within each table.
 */
#define FLUSH_ROUND 16384
#define FLUSH_BINS 4096
/* The walks of the buckets fetch the records this many buckets on: each
 * is a cache miss, the buckets' array is read in order. */
#define FLUSH_AHEAD 16

static inline void
flush_prefetch(const struct flow_table *t, uint64_t i)
{
	/* Near the end, the first buckets' again (no test of the end: a
	 * hint only); an empty bucket's NULL too (flow_prefetch_record()). */
	__builtin_prefetch(t->bkt[(i + FLUSH_AHEAD) & t->mask]);
}

void
flow_flush_tables(struct flow_table *const *ts, unsigned nt, int64_t now,
    void (*round)(void *user), void *user)
{
	uint64_t lo = UINT64_MAX, hi = 0, total = 0;

	for (unsigned k = 0; k < nt; k++)
		total += ts[k]->n;
	if (total <= FLUSH_ROUND) {
		for (unsigned k = 0; k < nt; k++)
			flush_all(ts[k], now);
		if (round)
			round(user);
		return;
	}
	/* The ids' range: tables that number their records themselves (not
	 * t->id_frame) gave them from 1, as many as they made (t->next_id -
	 * 1 each: a caller that numbers them across the tables stays below
	 * their sum), which spares a walk of every bucket to find it, a
	 * cache miss a record. (An id past it goes to the last bin, below:
	 * the order stays right, only that round is larger.) */
	bool numbered = true;
	for (unsigned k = 0; k < nt; k++) {
		numbered = numbered && !ts[k]->id_frame;
		hi += ts[k]->next_id - 1;
	}
	if (numbered)
		lo = 0;
	else
		hi = 0;
	for (unsigned k = 0; k < nt && !numbered; k++)
		for (uint64_t i = 0; i <= ts[k]->mask; i++) {
			flush_prefetch(ts[k], i);
			for (struct conn *c = ts[k]->bkt[i]; c; c = c->hnext) {
				lo = c->id < lo ? c->id : lo;
				hi = c->id > hi ? c->id : hi;
			}
		}
	uint64_t width = (hi - lo) / FLUSH_BINS + 1;
	/* [k * FLUSH_BINS + b]: table k's records in bin b, and their list */
	uint64_t *cnt = g_new0(uint64_t, (size_t)nt * FLUSH_BINS);
	struct conn **bin = g_new0(struct conn *, (size_t)nt * FLUSH_BINS);
	for (unsigned k = 0; k < nt; k++) {
		struct flow_table *t = ts[k];
		for (uint64_t i = 0; i <= t->mask; i++) {
			struct conn *c = t->bkt[i], *next;
			flush_prefetch(t, i);
			for (; c; c = next) {
				uint64_t in = (c->id - lo) / width;
				size_t b = k * FLUSH_BINS + (in < FLUSH_BINS ?
				    in : FLUSH_BINS - 1);
				next = c->hnext;
				/* Every record leaves: its timer slot's
				 * neighbours need not be told (release()
				 * clears the slot's head and tail, and
				 * counts it out). */
				c->hnext = bin[b];
				bin[b] = c;
				cnt[b]++;
			}
		}
		bkt_drop(t);
	}
	for (uint64_t b = 0, e; b < FLUSH_BINS; b = e) {
		uint64_t n = 0;
		for (unsigned k = 0; k < nt; k++)
			n += cnt[k * FLUSH_BINS + b];
		for (e = b + 1; e < FLUSH_BINS; e++) {
			uint64_t m = 0;
			for (unsigned k = 0; k < nt; k++)
				m += cnt[k * FLUSH_BINS + e];
			if (n + m > FLUSH_ROUND)
				break;
			n += m;
		}
		if (!n)
			continue;
		for (unsigned k = 0; k < nt; k++) {
			struct flow_table *t = ts[k];
			uint64_t nk = 0;
			for (uint64_t j = b; j < e; j++)
				nk += cnt[k * FLUSH_BINS + j];
			if (!nk)
				continue;
			due_reserve(t, nk);
			t->n -= nk;
			if (numbered && due_by_id(t, bin + k * FLUSH_BINS + b,
			    e - b, b * width, (e - b) * width - 1, nk)) {
				due_release_sorted(t, now, true);
				continue;
			}
			for (uint64_t j = b; j < e; j++) {
				struct conn *c = bin[k * FLUSH_BINS + j];
				for (; c; c = c->hnext)
					due_add(t, c);
			}
			due_release(t, now, true);
		}
		if (round)
			round(user);
	}
	g_free(bin);
	g_free(cnt);
}

void
flow_flush(struct flow_table *t, int64_t now)
{
	flow_flush_tables(&t, 1, now, NULL, NULL);
}

struct conn *
flow_open_packed(const struct flow_table *t, const struct conn *p,
    int64_t now)
{
	struct conn *c = g_malloc(sizeof(*c) + (p->key.af == 6 ? 32 : 0));

	/* (Another thread's, maybe, while the table's packs into the
	 * blocks past p's: none of their bytes is read.) */
	conn_unpack(p, c, 0);
	conn_finish(c, &t->cfg, now, p->end);
	return c;
}

void
flow_free_packed(struct flow_table *t, struct conn *p)
{
	pool_free(&t->pool, p, conn_packed_size(p));
}

struct conn *
flow_finish_packed(struct flow_table *t, struct conn *p, int64_t now)
{
	struct conn *c = flow_open_packed(t, p, now);

	flow_free_packed(t, p);
	return c;
}

/* The first record filed in sl that is still there, or NULL; sl->start
 * moves on past the NULLs before it. */
static struct conn *
slot_first(struct flow_slot *sl)
{
	while (sl->start < sl->len && !*place(sl, sl->start))
		sl->start++;
	if (sl->start == sl->len)
		return NULL;	/* (live counts none) */
	return *place(sl, sl->start);
}

/* The record of class cls whose deadline comes first (one-second slots,
 * oldest filed first within a slot), its filing refreshed; NULL when the
 * class is empty. */
static struct conn *
wheel_first(struct flow_table *t, enum flow_timer cls)
{
	struct flow_wheel *w = &t->wheel[cls];

	while (w->n) {
		struct conn *c = NULL;
		int64_t s = w->lo > t->cur ? w->lo : t->cur;
		for (; s < t->cur + FLOW_WHEEL; s++)
			if ((c = slot_first(&w->s[s & (FLOW_WHEEL - 1)])))
				break;
		if (c)
			w->lo = s;
		else if (!(c = slot_first(&w->s[FLOW_FAR])))
			return NULL;	/* not reached: n counts them */
		int64_t d;
		enum flow_timer now_cls = deadline_of(t, c, &d);
		int64_t at = file_at(t, c, now_cls, d);
		if (now_cls == cls && at == c->deadline)
			return c;
		wheel_unfile(t, c);	/* stale: file it where it belongs */
		wheel_file(t, c, now_cls, at);
	}
	return NULL;
}

/* --max-flows: release the record idle longest, finished ones first. */
static void
evict_one(struct flow_table *t, int64_t now)
{
	static const enum flow_timer order[] = {
		TIMER_DONE, TIMER_TIME_WAIT, TIMER_IDLE, TIMER_ACTIVE
	};
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		struct conn *c = wheel_first(t, order[i]);
		if (c) {
			t->evicted++;
			release(t, c, now, order[i] == TIMER_ACTIVE ||
			    order[i] == TIMER_IDLE ? END_EVICTED : END_NONE);
			return;
		}
	}
}

/* A new record for p's 4-tuple (hash h), its first segment at frame;
 * *dir: p's sender's canonical index. */
static struct conn *
new_record(struct flow_table *t, const struct pkt *p, uint32_t h, int64_t ts,
    uint64_t frame, uint8_t *dir)
{
	struct flow_key k;

	key_make(p, &k, dir);
	if (t->max_flows && t->n >= t->max_flows)
		evict_one(t, ts);
	struct conn *c = conn_init(block_take(t, k.af), &k,
	    t->id_frame ? frame : t->next_id++);
	t->created = c;
	c->hash = h;
	hash_insert(t, c);
	if (t->cur < 0)
		t->cur = sec_of(ts);
	c->tbase = timer_base(t, ts);
	c->fresh = t->id_frame;
	wheel_file(t, c, TIMER_ACTIVE, file_at(t, c, TIMER_ACTIVE,
	    sat_add(c->tbase, t->idle_ns)));
	if (t->n > t->peak)
		t->peak = t->n;
	return c;
}

/*
 * The link in the chain of hash h that points at the record of p's
 * 4-tuple, or at NULL; *dir: p's sender's canonical index when there is
 * one. The record's key is compared with the packet's endpoints either
 * way round, which tells the direction too: no key is made (it is for a
 * new record, new_record()), and the endpoints are not ordered
 * (pkt_dir()). A record that lookups pass by (conn_tw_shadowed()) is
 * passed by, unless first: then the first record of the 4-tuple.
 */
/* The 8 bytes of a then b in memory as a number (struct conn_key's two
 * IPv4 addresses as one). */
static inline uint64_t
pair32(uint32_t a, uint32_t b)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	return (uint64_t)b << 32 | a;
#else
	return (uint64_t)a << 32 | b;
#endif
}

static inline __attribute__((always_inline)) struct conn **
chain_v4(struct flow_table *t, const struct pkt *p, uint32_t h, uint8_t *dir,
    bool first)
{
	uint16_t port[2] = { p->tcp.sport, p->tcp.dport };
	uint32_t s, d, pt, rpt;
	struct conn *c, **pp;

	memcpy(&s, p->src, 4);
	memcpy(&d, p->dst, 4);
	memcpy(&pt, port, 4);
	rpt = pt << 16 | pt >> 16;	/* the ports the other way round */
	/* the addresses as the key has them, p's sender endpoint 0 or 1 */
	uint64_t sd = pair32(s, d), ds = pair32(d, s);
	G_STATIC_ASSERT(offsetof(struct conn_key, v4[1]) ==
	    offsetof(struct conn_key, v4[0]) + 4);
	for (pp = &t->bkt[h & t->mask]; (c = *pp); pp = &c->hnext) {
		uint64_t ka;
		uint32_t kp;

		if (c->hash != h || c->key.af != 4)
			continue;
		memcpy(&ka, c->key.v4, 8);
		memcpy(&kp, c->key.port, 4);
		/* The sender is endpoint 0, or else 1: for a connection
		 * between one endpoint and itself, 0 (pkt_dir()). */
		if (ka == sd && kp == pt)
			*dir = 0;
		else if (ka == ds && kp == rpt)
			*dir = 1;
		else
			continue;
		if (first || !conn_tw_shadowed(c))
			break;
	}
	return pp;
}

/* The same for IPv6: out of line, so that IPv4 lookups save none of its
 * registers. */
static __attribute__((noinline)) struct conn **
chain_v6(struct flow_table *t, const struct pkt *p, uint32_t h, uint8_t *dir)
{
	struct conn *c, **pp;

	for (pp = &t->bkt[h & t->mask]; (c = *pp); pp = &c->hnext) {
		if (c->hash != h || c->key.af != 6)
			continue;
		const uint8_t *ka = conn_v6(c);
		if (c->key.port[0] == p->tcp.sport &&
		    c->key.port[1] == p->tcp.dport &&
		    memcmp(ka, p->src, 16) == 0 &&
		    memcmp(ka + 16, p->dst, 16) == 0)
			*dir = 0;
		else if (c->key.port[0] == p->tcp.dport &&
		    c->key.port[1] == p->tcp.sport &&
		    memcmp(ka, p->dst, 16) == 0 &&
		    memcmp(ka + 16, p->src, 16) == 0)
			*dir = 1;
		else
			continue;
		if (!conn_tw_shadowed(c))
			break;
	}
	return pp;
}

/* The record of p's 4-tuple (hash h), whole, or NULL; *dir as
 * chain_v4()'s. */
static inline __attribute__((always_inline)) struct conn *
find(struct flow_table *t, const struct pkt *p, uint32_t h, uint8_t *dir)
{
	struct conn **pp = G_UNLIKELY(p->af == 6) ? chain_v6(t, p, h, dir) :
	    chain_v4(t, p, h, dir, false);
	struct conn *c = *pp;

	if (c && c->packed) {
		c = unpack(t, c);
		relink(t, c, pp);
	}
	return c;
}

static inline uint32_t
hash_of(const struct pkt *p, uint64_t hash)
{
	return hash == FLOW_NO_HASH ? flow_pkt_hash(p) : (uint32_t)hash;
}

/* A record a segment found at ts, whose filed deadline has passed: has
 * its timer run out (idle, TIME_WAIT, the linger after a close)? Then it
 * ends now, as the sweep would have ended it, and the segment is not
 * its: the sweeps come once a second of the capture clock, and one just
 * before the deadline would have let the record take, up to a second
 * late, a segment that begins another (a SYN after the idle timeout, the
 * peer's FIN sent again after TIME_WAIT, answered by a closed host). */
static __attribute__((noinline)) bool
ran_out(struct flow_table *t, struct conn *c, int64_t ts)
{
	int64_t d;
	enum flow_timer cls = deadline_of(t, c, &d);

	if (d > ts)
		return false;
	release(t, c, ts, end_reason(c, cls));
	return true;
}

/* lookup()'s record for p that is not the usual one: a SYN, or none of
 * its segments counted; the record p goes to. Out of line, so that the
 * usual lookup saves none of its registers. */
static __attribute__((noinline)) struct conn *
found_unusual(struct flow_table *t, struct conn *c, const struct pkt *p,
    uint32_t h, int64_t ts, uint64_t frame, uint8_t *dir)
{
	bool syn = (p->tcp.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;
	bool valid = !(p->quirks & (DEC_TCP_BAD_CSUM | DEC_IP_BAD_CSUM));

	if (valid && conn_pkts(c, 0) == 0 && conn_pkts(c, 1) == 0) {
		/* The record holds only segments dropped for bad
		 * checksums (--verify-checksums): they started no
		 * connection, so the first valid segment starts its
		 * own record, as in Zeek. */
		release(t, c, ts, END_REUSED);
	} else if (syn && conn_is_reusable(c, *dir)) {
		/* 4-tuple reuse: a new SYN after the previous
		 * connection closed, reset or sits in TIME_WAIT. */
		uint32_t floor = 0;
		bool reopened = conn_reuse(c, &t->cfg, *dir, &p->tcp,
		    ts, frame, &floor);
		if (conn_tw_refuses(c, *dir, &p->tcp) &&
		    !conn_tw_linked(c) && !(t->max_flows &&
		    t->n >= t->max_flows)) {
			/* A SYN the peer's TIME_WAIT refuses: the old
			 * record stays for its answer (flow_segment()),
			 * passed by from now on. (Not when a new record
			 * would evict one: it might be this one.) */
			struct conn *n = new_record(t, p, h, ts, frame,
			    dir);
			conn_tw_link(n, c, *dir);
			return n;
		}
		release(t, c, ts, END_REUSED);
		struct conn *n = new_record(t, p, h, ts, frame, dir);
		if (reopened)
			conn_tw_floor(n, !*dir, floor);
		return n;
	} else {
		return c;
	}
	return new_record(t, p, h, ts, frame, dir);
}

/* flow_lookup_hashed() of hash h; inline in flow_segment_tcp(), which
 * runs it for every packet. */
static inline __attribute__((always_inline)) struct conn *
lookup(struct flow_table *t, const struct pkt *p, uint32_t h, int64_t ts,
    uint64_t frame, uint8_t *dir)
{
	struct conn *c = find(t, p, h, dir);

	/* (Its filed deadline is never later than the real one: one test
	 * in the head's line, which find() read.) */
	if (c && G_UNLIKELY(ts >= c->deadline) && ran_out(t, c, ts))
		c = find(t, p, h, dir);
	if (!c)
		return new_record(t, p, h, ts, frame, dir);
	bool syn = (p->tcp.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;
	/* The usual segment, first: no SYN, for a record that has counted
	 * segments (the low words of conn_pkts()). */
	if (G_LIKELY(!syn && (c->side[0].pkts | c->side[1].pkts)))
		return c;
	return found_unusual(t, c, p, h, ts, frame, dir);
}

struct conn *
flow_lookup_hashed(struct flow_table *t, const struct pkt *p, uint64_t hash,
    int64_t ts, uint64_t frame, uint8_t *dir)
{
	return lookup(t, p, hash_of(p, hash), ts, frame, dir);
}

struct conn *
flow_lookup(struct flow_table *t, const struct pkt *p, int64_t ts,
    uint64_t frame, uint8_t *dir)
{
	return lookup(t, p, flow_pkt_hash(p), ts, frame, dir);
}

/* An ICMP error about a segment of p's 4-tuple (DEC_ICMP_ERR): its
 * record's, if there is one; it begins none. */
static __attribute__((noinline)) struct conn *
icmp_error(struct flow_table *t, const struct pkt *p, uint64_t hash,
    int64_t ts, uint64_t frame)
{
	uint8_t dir;
	struct conn *c = find(t, p, hash_of(p, hash), &dir);

	if (!c)
		return NULL;
	/* A SYN held back until the next segment (conn_hold_syn()): this
	 * is no SYN-ACK to it, so the record has it first. */
	if (conn_has_held(c))
		update(t, c, conn_held_flush(c, &t->cfg));
	/* No segment of the endpoints': the record's timers (idle, linger)
	 * run on from its last one. */
	conn_icmp_error(c, &t->cfg, dir, p, ts, frame);
	return c;
}

/* c, which update() just filed in TIME_WAIT whole (counted in
 * t->pack_cand): packed if settled (pack_settled()). One not settled (the
 * peer's FIN in, the final ACK to come: deadline_of() files most such
 * records in TIME_WAIT only when that ACK settles them, those of a short
 * --msl before) leaves nothing for flow_pack() to walk for either: a
 * record settles only by a segment, which files it again and comes here.
 * Left counted, it made every sweep walk the newest second of TIME_WAIT,
 * a cache miss a record (5.5 % of the samples on 2 million short
 * connections). */
static inline __attribute__((always_inline)) struct conn *
tw_filed(struct flow_table *t, struct conn *c)
{
	if (conn_is_settled(c))
		return pack_settled(t, c);
	t->pack_cand--;
	return c;
}

/* A SYN without ACK: the segment conn_hold_syn() may hold, and the one
 * the usual segment is not (usual_record()). */
static inline bool
syn_alone(const struct pkt *p)
{
	return (p->tcp.flags & (TH_SYN | TH_ACK)) == TH_SYN;
}

/* The segment to its record c, no SYN to hold: conn_input() and its timer
 * filed again (segment_in(), and the usual segment's, usual_record()). */
static inline __attribute__((always_inline)) struct conn *
usual_in(struct flow_table *t, struct conn *c, uint8_t dir,
    const struct pkt *p, int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(update(t, c, conn_input(c, &t->cfg, dir, p, ts,
	    frame))))
		return tw_filed(t, c);
	return c;
}

/* The segment to its record c: a SYN held when conn_hold_syn() takes it,
 * else to conn_input() and its timer filed again (segment_rare(),
 * flow_segment_tcp()). */
static inline __attribute__((always_inline)) struct conn *
segment_in(struct flow_table *t, struct conn *c, uint8_t dir,
    const struct pkt *p, int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(syn_alone(p)) && conn_hold_syn(c, dir, p, ts, frame))
		return c;
	return usual_in(t, c, dir, p, ts, frame);
}

/* flow_segment() of a record with rare facts (conn.ext: a TIME_WAIT
 * link, a held SYN): out of line, so that the usual segment saves none of
 * its registers. */
static __attribute__((noinline)) struct conn *
segment_rare(struct flow_table *t, struct conn *c, uint8_t dir,
    const struct pkt *p, uint32_t hash, int64_t ts, uint64_t frame)
{
	struct conn *old = conn_tw_old(c);

	if (G_UNLIKELY(old != NULL)) {
		uint8_t sd = c->ext->tw_syn_dir;
		if (conn_tw_keeps(old, sd, dir, p)) {
			/* The old connection's TIME_WAIT answering the new
			 * SYN, or the RST that answer draws: the old
			 * record's. */
			update(t, old, conn_input(old, &t->cfg, dir, p, ts,
			    frame));
			return old;
		}
		if (!((p->tcp.flags & TH_SYN) && dir == sd)) {
			/* Anything else of the new connection but its SYN
			 * (a SYN-ACK, the ACK of one the capture missed,
			 * data): the peer took the SYN from TIME_WAIT, or
			 * its TIME_WAIT ended; the old record has had its
			 * answer and ends. */
			conn_tw_accepted(old, sd);
			release(t, old, ts, END_REUSED);
		}
	}

	if (G_UNLIKELY(conn_has_held(c))) {
		if (conn_held_split(c, dir, p)) {
			/* The peer answers the held SYN with a SYN-ACK: it
			 * had no connection left, so that SYN began a new
			 * one (4-tuple reuse), which has it and this
			 * SYN-ACK. The old record ends as it was. Its id is
			 * given now, in the order of records created. */
			struct pkt *h;
			int64_t hts;
			uint64_t hframe;
			uint8_t hdir, d;
			conn_held_take(c, &h, &hts, &hframe, &hdir);
			release(t, c, ts, END_REUSED);
			c = new_record(t, p, hash, ts, frame, &d);
			update(t, c, conn_input(c, &t->cfg, hdir, h, hts,
			    hframe));
			g_free(h);
		} else {
			update(t, c, conn_held_flush(c, &t->cfg));
		}
	}
	return segment_in(t, c, dir, p, ts, frame);
}

/* flow_segment_tcp() of any segment: lookup() and segment_in(), or
 * segment_rare() for a record with rare facts. Out of line, for all but
 * the usual segment (usual_record(), usual_in()). */
static __attribute__((noinline)) struct conn *
segment_any(struct flow_table *t, const struct pkt *p, uint32_t h,
    int64_t ts, uint64_t frame)
{
	uint8_t dir;
	struct conn *c = lookup(t, p, h, ts, frame, &dir);

	/* No rare facts (conn_tw_old(), conn_has_held() both NULL): the
	 * segment at once. */
	if (G_UNLIKELY(c->ext != NULL))
		return segment_rare(t, c, dir, p, h, ts, frame);
	return segment_in(t, c, dir, p, ts, frame);
}

/*
 * The usual segment: no SYN without ACK (a SYN-ACK is usual: !syn_alone()),
 * its record its 4-tuple's first in its chain (pp, chain_v4()'s or
 * chain_v6()'s first), whole, with counted segments and no rare facts (so
 * none that lookups pass by, conn_tw_shadowed()). usual_record(): that
 * record, or NULL for any other, which segment_any() takes whole, looking
 * it up again. For such a segment lookup() finds that record, neither
 * unpacks it nor asks found_unusual(), and segment_in() holds no SYN:
 * what is left of them is conn_input() and update(), usual_in().
 */
static inline __attribute__((always_inline)) struct conn *
usual_record(struct conn *const *pp)
{
	struct conn *c = *pp;

	if (G_UNLIKELY(!c || c->packed))
		return NULL;
	if (G_UNLIKELY(c->ext != NULL || !(c->side[0].pkts |
	    c->side[1].pkts)))
		return NULL;
	return c;
}

/* flow_segment_tcp() of an IPv6 segment: out of line, so that IPv4's
 * saves none of its registers. */
static __attribute__((noinline)) struct conn *
segment_v6(struct flow_table *t, const struct pkt *p, uint32_t h,
    int64_t ts, uint64_t frame)
{
	uint8_t dir;
	struct conn *c = usual_record(chain_v6(t, p, h, &dir));

	if (G_UNLIKELY(!c || syn_alone(p)))
		return segment_any(t, p, h, ts, frame);
	return usual_in(t, c, dir, p, ts, frame);
}

struct conn *
flow_segment_tcp(struct flow_table *t, const struct pkt *p, uint32_t h,
    int64_t ts, uint64_t frame)
{
	uint8_t dir;

	if (G_UNLIKELY(p->af == 6))
		return segment_v6(t, p, h, ts, frame);
	if (G_UNLIKELY(syn_alone(p)))
		return segment_any(t, p, h, ts, frame);
	struct conn *c = usual_record(chain_v4(t, p, h, &dir, true));
	if (G_UNLIKELY(!c))
		return segment_any(t, p, h, ts, frame);
	return usual_in(t, c, dir, p, ts, frame);
}

struct conn *
flow_segment(struct flow_table *t, const struct pkt *p, uint64_t hash,
    int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(p->quirks & DEC_ICMP_ERR))
		return icmp_error(t, p, hash, ts, frame);
	return flow_segment_tcp(t, p, hash_of(p, hash), ts, frame);
}
