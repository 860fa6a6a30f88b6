/* parallel.c - -j N: see parallel.h for the design.
 *
 * One batch is in the threads' hands while the reading thread fills the
 * next. A batch goes through two steps, each ended by every thread:
 *   process  the thread runs its segments and sweeps through its own flow
 *            table; records it creates are numbered by their first frame
 *            for now, records it releases are kept, not freed;
 *   format   once the last thread done has renumbered the batch's new
 *            records 1, 2, 3... in first-frame order across all threads,
 *            and the reading thread has written the batch before, each
 *            thread queues the records it released and formats queued
 *            ones, oldest first, until it holds PAR_OUT_BYTES of text.
 * The reading thread then hands out the next batch and, while the threads
 * work on it, writes the formatted records merged in release order, up to
 * the first one not formatted yet: the rest waits for the next batch. A
 * sweep that releases thousands of records at once (one a second, all the
 * connections whose TIME_WAIT ended) is thus formatted by the threads over
 * a few batches, never held whole as text. The queue and the text are the
 * thread's during its format step and the writer's while it writes, never
 * both at once.
 */
#include "config.h"

#include "parallel.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "flow.h"
#include "hugemem.h"

#define PAR_BATCH 8192		/* segments per batch */
/* A thread formats its queue until it holds this much text (about 450
 * records; a sweep of a busy second releases several thousand a thread,
 * formatted over the batches up to the next: eight a second on short
 * connections; at four times their rate, 1 MiB was no faster). */
#define PAR_OUT_BYTES ((1u << 19) - (1u << 16))	/* out stays in 512 KiB */
/* A queue longer than this, unformatted (a sweep after a gap in the
 * capture, the end of the input, or sweeps that release about as fast as
 * a thread formats), the writing thread formats from, as it writes,
 * rather than wait. Every record queued holds its block and its place
 * until formatted: on 10 million short connections with -j 2 (and one
 * sweep a batch, par_sweep()), 8,192 let the queues double and the peak
 * reach 96,780 to 96,976 KiB; 4,096, 95,508 to 95,964. (Without that
 * rule, 98,316 to 98,628 and 97,216 to 97,664: over 100 MB.) */
#define PAR_BACKLOG 4096
/* At the end of the input, more records left than this in a thread's table
 * are released by the writing thread once the threads have stopped. */
#define PAR_FLUSH_MAX 8192
#define END_FRAME UINT64_MAX	/* releases at the end of the input */

enum item_kind {
	IT_SEG,		/* a segment, IPv4: the item holds it whole */
	IT_SEG6,	/* a segment, IPv6: its addresses in the next item */
	IT_ADDR6,	/* an IT_SEG6's addresses (ADDR6_SRC, ADDR6_DST) */
	IT_SWEEP,
	IT_FLUSH
};

/* One line (64 bytes) a segment: the reading thread writes it, a thread
 * reads it on another core, so every line is carried across once each
 * way, and the store of a struct pkt's 96 bytes (two lines, in items of
 * 120) was most of the reading thread's time on short connections. It
 * holds what the threads read of a struct pkt: not the payload (the frame
 * is gone), the SACK blocks (read by the decoder only), nor vlan, urp,
 * paycap or the TFO cookie's length (read by no one past the decoder). */
struct item {
	_Alignas(64) int64_t ts;	/* the segment's time; a sweep's clock */
	uint64_t frame;
	uint32_t hash;
	uint8_t kind;
	uint8_t af;
	uint16_t quirks;	/* DEC_* bits */
	/* struct tcp_seg's first fields, in its order (ITEM_SEG_HEAD) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t win;
	uint8_t flags;		/* TH_* */
	uint8_t hlen;
	uint32_t paylen;
	/* struct tcp_opts's first fields, in its order (ITEM_OPT_HEAD), but
	 * the flags of the options seen in place of nsack (not carried) */
	uint16_t mss;
	uint8_t wscale;
	uint8_t opts;		/* IO_* */
	uint32_t tsval, tsecr;
	uint8_t src[4], dst[4];	/* IPv4 */
};

/* The bytes copied whole: a struct tcp_seg's ports, numbers and window,
 * and a struct tcp_opts' MSS, window scale, SACK count and timestamps. */
#define ITEM_SEG_HEAD (offsetof(struct tcp_seg, win) + 2)
#define ITEM_OPT_HEAD (offsetof(struct tcp_opts, tsecr) + 4)
_Static_assert(offsetof(struct tcp_seg, sport) == 0 &&
    offsetof(struct tcp_seg, dport) == 2 &&
    offsetof(struct tcp_seg, seq) == 4 &&
    offsetof(struct tcp_seg, ack) == 8 &&
    offsetof(struct tcp_seg, win) == 12 &&
    offsetof(struct item, win) - offsetof(struct item, sport) == 12,
    "struct item mirrors struct tcp_seg's head");
_Static_assert(offsetof(struct tcp_opts, mss) == 0 &&
    offsetof(struct tcp_opts, wscale) == 2 &&
    offsetof(struct tcp_opts, nsack) == 3 &&
    offsetof(struct tcp_opts, tsval) == 4 &&
    offsetof(struct tcp_opts, tsecr) == 8 &&
    offsetof(struct item, opts) - offsetof(struct item, mss) == 3 &&
    offsetof(struct item, tsecr) - offsetof(struct item, mss) == 8,
    "struct item mirrors struct tcp_opts' head");

/* The item after an IT_SEG6 holds its addresses as bytes, around its
 * kind: the source at ADDR6_SRC, the destination at ADDR6_DST. */
#define ADDR6_SRC 0
#define ADDR6_DST 24

enum {	/* struct item.opts: which of struct tcp_opts' has_ are true */
	IO_MSS = 1u << 0,
	IO_WS = 1u << 1,
	IO_SACK_OK = 1u << 2,
	IO_TS = 1u << 3,
	IO_TFO = 1u << 4,
	IO_AE = 1u << 5,	/* not an option: the segment's AE flag */
};

_Static_assert(sizeof(struct item) == 64, "an item is one line");
_Static_assert(ADDR6_SRC + 16 <= offsetof(struct item, kind) &&
    ADDR6_DST > offsetof(struct item, kind) && ADDR6_DST + 16 <= 64,
    "an IT_ADDR6's addresses leave its kind alone");
_Static_assert(DEC_ICMP_FROM_DST <= UINT16_MAX, "quirks fit 16 bits");

/* Release order with one thread: by the frame whose processing released
 * the record; in that frame, the sweep's records first (step 0, by id),
 * then those its lookup released (steps 1, 2: reuse, then eviction). */
struct rel {
	uint64_t frame;
	uint32_t step;
	struct conn *c;
	int64_t now;		/* a packed c's flow_table.released_at */
};

/* A released record in the thread's queue (struct worker.q). */
struct queued {
	uint64_t frame;
	uint64_t id;
	union {
		struct {	/* to be formatted: q[qf..qn) */
			struct conn *c;
			int64_t now;	/* struct rel.now */
		} rec;
		struct {	/* formatted: q[qw..qf), in out */
			size_t off, len;
		} text;
	} u;
	uint32_t step;
	bool shown;		/* formatted and selected (report_format()) */
};

struct created {
	uint64_t frame;
	struct conn *c;
};

struct worker {
	struct par *par;
	GThread *th;
	struct flow_table flows;
	struct report rep;	/* formats only */
	struct stats st;	/* connection counts */
	struct item *items[2];	/* input, one set per batch parity */
	size_t nitems[2], itemcap[2];
	struct rel *rel;	/* released in the batch */
	size_t nrel, relcap;
	struct created *cre;	/* created in this batch */
	size_t ncre, crecap;
	uint64_t cur_frame;
	uint32_t cur_step;
	/* The queue: q[qw..qn) not written yet, of which q[qw..qf)
	 * formatted, their text in out. */
	struct queued *q;
	size_t qw, qf, qn, qcap;
	struct wbuf out;
	/* Packed records the writing thread formatted (flow_open_packed())
	 * while this one went on: their blocks, given back to the table's
	 * pool at the thread's next format step, after that writing. */
	struct conn **gone;
	size_t ngone, gonecap;
	uint64_t open;
};

struct par {
	unsigned n;
	struct worker *w;
	struct report *rep;
	GMutex mu;
	GCond cv_work, cv_done;
	uint64_t go_process;	/* batches handed out */
	uint64_t go_format;	/* batches renumbered */
	uint64_t nmerged;	/* batches written (merge_write()) */
	unsigned nprocessed, nformatted;	/* threads done with the step */
	bool quit;
	bool stopped;		/* the threads have ended */
	bool inflight;		/* batch go_process - 1 is out */
	size_t nfill;		/* segments in the batch being filled */
	bool swept;		/* and it holds a sweep (par_sweep()) */
	uint64_t next_id;
	uint64_t open;
	struct stats st;	/* counts of the records formatted here */
};

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 1024;			\
		(arr) = g_realloc_n((arr), (cap), sizeof(*(arr)));	\
	}								\
} while (0)

static bool
worker_emit(struct conn *c, void *user)
{
	struct worker *w = user;

	GROW(w->rel, w->nrel, w->relcap);
	w->rel[w->nrel++] = (struct rel){ w->cur_frame, w->cur_step, c,
	    w->flows.released_at };
	if (w->cur_step)
		w->cur_step++;
	return true;	/* kept until formatted */
}

/* flow_table.moved: a record created in this batch, packed or unpacked
 * (its block moved) before renumber() numbers it. Its id is its first
 * frame for now, by which w->cre is in order; from may be freed already
 * (an unpacked record's packed block): compared, not read. */
static void
worker_moved(const struct conn *from, struct conn *to, void *user)
{
	struct worker *w = user;
	size_t lo = 0, hi = w->ncre;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->cre[mid].frame < to->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->ncre && w->cre[lo].frame == to->id; lo++)
		if (w->cre[lo].c == from) {
			w->cre[lo].c = to;
			return;
		}
	g_error("worker_moved: a new record not in the batch's list");
}

/* The segment it (IT_SEG or IT_SEG6, followed by its IT_ADDR6) as a
 * struct pkt: what par_segment() left out is zero. */
static void
item_unpack(const struct item *it, struct pkt *pk)
{
#ifdef __SSE2__
	/* Stores of 16 bytes where GCC's memset() was a rep stos, whose
	 * start took a sixth of worker_main()'s time */
	_Static_assert(PKT_NO_SACK % 8 == 0 && _Alignof(struct pkt) >= 8,
	    "zeroed by 16 and 8 bytes");
	unsigned char *z = (unsigned char *)pk;
	size_t i = 0;
	for (; i + 16 <= PKT_NO_SACK; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(z + i),
		    _mm_setzero_si128());
	if (i < PKT_NO_SACK)
		_mm_storel_epi64((__m128i *)(void *)(z + i),
		    _mm_setzero_si128());
#else
	memset(pk, 0, PKT_NO_SACK);
#endif
	pk->af = it->af;
	if (it->kind == IT_SEG6) {
		const unsigned char *a = (const unsigned char *)(it + 1);
		memcpy(pk->src, a + ADDR6_SRC, 16);
		memcpy(pk->dst, a + ADDR6_DST, 16);
	} else {
		memcpy(pk->src, it->src, 4);
		memcpy(pk->dst, it->dst, 4);
	}
	pk->quirks = it->quirks;
	struct tcp_seg *s = &pk->tcp;
	memcpy(s, (const unsigned char *)it + offsetof(struct item, sport),
	    ITEM_SEG_HEAD);
	s->flags = it->flags;
	s->hlen = it->hlen;
	s->paylen = it->paylen;
	memcpy(&s->opt, (const unsigned char *)it + offsetof(struct item, mss),
	    ITEM_OPT_HEAD);
	s->opt.nsack = 0;	/* its place held the flags */
	/* A clamped window scale travels as sent (par_segment()). */
	s->opt.ws_sent = s->opt.wscale;
	if (pk->quirks & DEC_TCP_WSCALE_CLAMP)
		s->opt.wscale = 14;
	s->opt.has_mss = it->opts & IO_MSS;
	s->opt.has_ws = it->opts & IO_WS;
	s->opt.sack_ok = it->opts & IO_SACK_OK;
	s->opt.has_ts = it->opts & IO_TS;
	s->opt.has_tfo = it->opts & IO_TFO;
	s->ae = it->opts & IO_AE;
}

/* How far ahead of the segment it works on a thread fetches a bucket, and
 * then the record it points at (flow_prefetch_bucket()). */
#define PREFETCH_BUCKET 8
#define PREFETCH_RECORD 4

static void
worker_process(struct worker *w, unsigned set)
{
	struct flow_table *t = &w->flows;

	/* The last batch's new records are numbered: their blocks may move. */
	flow_pack(t);
	const struct item *items = w->items[set];
	size_t n = w->nitems[set];
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];

		/* Segments only: a sweep's item has no hash. */
		if (i + PREFETCH_BUCKET < n &&
		    items[i + PREFETCH_BUCKET].kind <= IT_SEG6)
			flow_prefetch_bucket(t, items[i + PREFETCH_BUCKET].hash);
		if (i + PREFETCH_RECORD < n &&
		    items[i + PREFETCH_RECORD].kind <= IT_SEG6)
			flow_prefetch_record(t, items[i + PREFETCH_RECORD].hash);
		if (it->kind == IT_ADDR6)	/* read with its IT_SEG6 */
			continue;

		w->cur_frame = it->kind == IT_FLUSH ? END_FRAME : it->frame;
		w->cur_step = it->kind <= IT_SEG6 ? 1 : 0;
		switch (it->kind) {
		case IT_SWEEP:
			flow_expire(t, it->ts);
			break;
		case IT_FLUSH:
			flow_flush(t, it->ts);
			break;
		default: {
			struct pkt pk;
			item_unpack(it, &pk);
			struct conn *c = flow_segment(t, &pk, it->hash,
			    it->ts, it->frame);
			if (c && t->created == c) {
				GROW(w->cre, w->ncre, w->crecap);
				w->cre[w->ncre++] =
				    (struct created){ it->frame, c };
				t->created = NULL;
			}
		}
		}
	}
	w->nitems[set] = 0;
	w->open = flow_count(t);
}

/* The released records to the queue: their ids are final now. The queue
 * first loses what the writing thread wrote, and the text its text. */
static void
queue_released(struct worker *w)
{
	struct wbuf *o = &w->out;

	if (w->qw) {
		size_t from = w->qw < w->qf ? w->q[w->qw].u.text.off : o->len;
		if (from < o->len)	/* (o->p is NULL until a text) */
			memmove(o->p, o->p + from, o->len - from);
		o->len -= from;
		for (size_t i = w->qw; i < w->qf; i++)
			w->q[i].u.text.off -= from;
		memmove(w->q, w->q + w->qw, (w->qn - w->qw) * sizeof(*w->q));
		w->qf -= w->qw;
		w->qn -= w->qw;
		w->qw = 0;
	}
	for (size_t i = 0; i < w->nrel; i++) {
		const struct rel *r = &w->rel[i];
		GROW(w->q, w->qn, w->qcap);
		w->q[w->qn++] = (struct queued){ .frame = r->frame,
		    .id = r->c->id, .u.rec = { r->c, r->now },
		    .step = r->step };
	}
	w->nrel = 0;
}

/* Format q[qf], a record of table t (NULL: the writing thread's, while
 * the table's thread goes on), into out with r's writer. */
static void
format_queued(struct worker *w, struct flow_table *t, const struct report *r,
    struct stats *st, struct wbuf *out)
{
	struct queued *e = &w->q[w->qf++];
	struct conn *c = e->u.rec.c;
	int64_t now = e->u.rec.now;

	if (c->packed && t)
		c = flow_finish_packed(t, c, now);
	else if (c->packed) {		/* the writing thread; its thread
					   goes on with its table */
		GROW(w->gone, w->ngone, w->gonecap);
		w->gone[w->ngone++] = c;
		c = flow_open_packed(&w->flows, c, now);
	}
	size_t off = out->len;
	e->shown = report_format(r, st, c, out);
	e->u.text.off = off;
	e->u.text.len = out->len - off;
	conn_free(c);
}

/* The blocks of the records the writing thread formatted, back to the
 * pool. */
static void
free_gone(struct worker *w)
{
	for (size_t i = 0; i < w->ngone; i++)
		flow_free_packed(&w->flows, w->gone[i]);
	w->ngone = 0;
}

static void
worker_format(struct worker *w)
{
	free_gone(w);
	queue_released(w);
	while (w->qf < w->qn && w->out.len < PAR_OUT_BYTES)
		format_queued(w, &w->flows, &w->rep, &w->st, &w->out);
}

/* Number the records the batch created, in first-frame order across the
 * threads (each thread's list is in frame order already). */
static void
renumber(struct par *p)
{
	size_t *at = g_newa(size_t, p->n);

	memset(at, 0, p->n * sizeof(*at));
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			if (at[i] < w->ncre && (best < 0 || w->cre[at[i]].frame <
			    p->w[best].cre[at[best]].frame))
				best = (int)i;
		}
		if (best < 0)
			break;
		struct conn *c = p->w[best].cre[at[best]++].c;
		c->id = ++p->next_id;
		c->fresh = 0;
	}
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].ncre = 0;
}

static gpointer
worker_main(gpointer data)
{
	struct worker *w = data;
	struct par *p = w->par;

	for (uint64_t b = 0;; b++) {
		g_mutex_lock(&p->mu);
		while (!p->quit && p->go_process <= b)
			g_cond_wait(&p->cv_work, &p->mu);
		if (p->go_process <= b) {
			g_mutex_unlock(&p->mu);
			break;
		}
		g_mutex_unlock(&p->mu);
		worker_process(w, b & 1);

		g_mutex_lock(&p->mu);
		if (++p->nprocessed == p->n) {
			/* The last thread done numbers the batch's new
			 * records, while the others wait. */
			p->nprocessed = 0;
			g_mutex_unlock(&p->mu);
			renumber(p);
			g_mutex_lock(&p->mu);
			p->go_format++;
			g_cond_broadcast(&p->cv_work);
		}
		/* The queue is the writer's until it has written the batch
		 * before. */
		while (p->go_format <= b || p->nmerged < b)
			g_cond_wait(&p->cv_work, &p->mu);
		g_mutex_unlock(&p->mu);
		worker_format(w);

		g_mutex_lock(&p->mu);
		p->nformatted++;
		g_cond_signal(&p->cv_done);
		g_mutex_unlock(&p->mu);
	}
	return NULL;
}

struct par *
par_new(unsigned n, const struct conn_cfg *cc, int64_t idle_ns,
    uint64_t max_flows, uint64_t expect, struct report *rep)
{
	struct par *p = g_new0(struct par, 1);

	p->n = n;
	p->rep = rep;
	p->w = g_new0(struct worker, n);
	g_mutex_init(&p->mu);
	g_cond_init(&p->cv_work);
	g_cond_init(&p->cv_done);
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &p->w[i];
		w->par = p;
		flow_table_init(&w->flows, cc, idle_ns,
		    /* (rounded down, one at least: never more than
		     * max_flows in all unless it is below n) */
		    max_flows ? (max_flows / n ? max_flows / n : 1) : 0,
		    worker_emit, w);
		w->flows.moved = worker_moved;
		w->flows.id_frame = true;
		flow_table_reserve(&w->flows, expect / n);
		/* Small slabs only: each table's newest huge slab would be
		 * resident whole, up to 2 MiB of it unused, and -j 2 on 10
		 * million short connections has less than that to spare
		 * under 100 MB. */
		w->flows.pool.small_only = true;
		w->rep = *rep;
		w->rep.out = NULL;
		memset(&w->rep.wb, 0, sizeof(w->rep.wb));
		char name[16];
		g_snprintf(name, sizeof(name), "synfin-%u", i);
		w->th = g_thread_new(name, worker_main, w);
	}
	return p;
}

/* A thread's share of a batch is about PAR_BATCH / n segments, seldom much
 * more (an IPv6 segment takes two items): room for an eighth more at
 * first, then a quarter more at a time, where doubling would take 8,192
 * items for a share of 4,100. Whole pages, mapped at once (hugemem.h:
 * they are all written within a batch), so aligned to their line. */
static __attribute__((noinline)) void
grow_items(struct par *p, struct worker *w, unsigned set)
{
	size_t cap = w->itemcap[set];
	cap = cap ? cap + cap / 4 : PAR_BATCH / p->n +
	    PAR_BATCH / (8 * p->n) + 64;
	struct item *a = hugemem_mapped(cap * sizeof(struct item));

	if (w->nitems[set])
		memcpy(a, w->items[set], w->nitems[set] * sizeof(struct item));
	hugemem_unmap(w->items[set], w->itemcap[set] * sizeof(struct item));
	w->items[set] = a;
	w->itemcap[set] = cap;
}

static inline struct item *
add_item(struct par *p, struct worker *w, unsigned set)
{
	if (G_UNLIKELY(w->nitems[set] == w->itemcap[set]))
		grow_items(p, w, set);
	return &w->items[set][w->nitems[set]++];
}

/* An item, built whole, to its line in the batch: with SSE2, by
 * non-temporal stores, which write the line without reading it first.
 * The line was last read by a thread on another core two batches ago, so
 * an ordinary store waits for it to be fetched and taken from there (on
 * 1M short connections, -j 2, two thirds of par_segment()'s samples on
 * its first store), when every byte of it is to be overwritten anyway.
 * The batch is handed over after an sfence (cycle()). */
static inline void
item_store(struct item *dst, const struct item *src)
{
#ifdef __SSE2__
	const __m128i *from = (const __m128i *)src;
	__m128i *to = (__m128i *)dst;

	_mm_stream_si128(to, _mm_load_si128(from));
	_mm_stream_si128(to + 1, _mm_load_si128(from + 1));
	_mm_stream_si128(to + 2, _mm_load_si128(from + 2));
	_mm_stream_si128(to + 3, _mm_load_si128(from + 3));
#else
	*dst = *src;
#endif
}

/* Wait until every thread has ended the current step. */
static void
wait_all(struct par *p, unsigned *counter)
{
	g_mutex_lock(&p->mu);
	while (*counter < p->n)
		g_cond_wait(&p->cv_done, &p->mu);
	*counter = 0;
	g_mutex_unlock(&p->mu);
}

static bool
rec_before(const struct queued *a, const struct queued *b)
{
	if (a->frame != b->frame)
		return a->frame < b->frame;
	if (a->step != b->step)
		return a->step < b->step;
	return a->id < b->id;
}

/* Write the threads' queued records merged in release order, up to the
 * first one not formatted, unless drain: then all of them. */
static void
merge_write(struct par *p, bool drain)
{
	struct report *r = p->rep;

	for (;;) {
		struct worker *best = NULL;
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			if (w->qw < w->qn && (!best ||
			    rec_before(&w->q[w->qw], &best->q[best->qw])))
				best = w;
		}
		if (!best)
			break;
		struct worker *w = best;
		bool mine = w->qw == w->qf;	/* not formatted yet */
		if (mine) {
			if (!drain && w->qn - w->qf <= PAR_BACKLOG)
				break;	/* its thread will */
			/* Formatted here, straight into the output. */
			format_queued(w, p->stopped ? &w->flows : NULL, r,
			    &p->st, &r->wb);
		}
		const struct queued *e = &w->q[w->qw++];
		if (e->shown && !mine)
			wb_put(&r->wb, w->out.p + e->u.text.off,
			    e->u.text.len);
		r->written += e->shown;
		if (r->wb.len >= 65536)
			report_write(r, &r->wb);
	}
	if (r->flush_each)
		report_flush(r);
}

/* One more batch written: the threads may format the next. */
static void
merged(struct par *p)
{
	g_mutex_lock(&p->mu);
	p->nmerged++;
	g_cond_broadcast(&p->cv_work);
	g_mutex_unlock(&p->mu);
}

/* The batch in flight, processed by every thread, numbered and
 * formatted (not yet written). */
static void
settle(struct par *p)
{
	wait_all(p, &p->nformatted);
	p->open = 0;
	for (unsigned i = 0; i < p->n; i++)
		p->open += p->w[i].open;
}

/* Hand out the batch just filled; finish the one before it. */
static void
cycle(struct par *p)
{
	if (p->inflight)
		settle(p);
#ifdef __SSE2__
	_mm_sfence();	/* the batch's items (item_store()), before it goes */
#endif
	g_mutex_lock(&p->mu);
	p->go_process++;
	g_cond_broadcast(&p->cv_work);
	g_mutex_unlock(&p->mu);
	if (p->inflight) {
		merge_write(p, false);	/* while they work */
		merged(p);
	}
	p->inflight = true;
	p->nfill = 0;
	p->swept = false;
}

/* Hand out the batch just filled, finish it and write it. */
static void
cycle_last(struct par *p)
{
	cycle(p);
	settle(p);
	merge_write(p, true);
	merged(p);
	p->inflight = false;
}

void
par_segment(struct par *p, const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	uint32_t h = flow_pkt_hash(pkt);
	/* Which thread: by a hash of fixed seeds (flow_pkt_spread()), so
	 * the same from run to run. */
	struct worker *w = &p->w[((uint64_t)flow_pkt_spread(pkt) * p->n) >>
	    32];
	unsigned set = p->go_process & 1;
	const struct tcp_seg *s = &pkt->tcp;
	struct item it[2];	/* built here, stored whole (item_store()) */

	it[0].ts = ts;
	it[0].frame = frame;
	it[0].hash = h;
	it[0].kind = IT_SEG;
	it[0].af = pkt->af;
	it[0].quirks = (uint16_t)pkt->quirks;
	memcpy((unsigned char *)it + offsetof(struct item, sport), s,
	    ITEM_SEG_HEAD);
	it[0].flags = s->flags;
	it[0].hlen = s->hlen;
	it[0].paylen = s->paylen;
	memcpy((unsigned char *)it + offsetof(struct item, mss), &s->opt,
	    ITEM_OPT_HEAD);
	/* A clamped scale is 14: its place carries the value sent. */
	if (pkt->quirks & DEC_TCP_WSCALE_CLAMP)
		it[0].wscale = s->opt.ws_sent;
	it[0].opts = (uint8_t)(s->opt.has_mss * IO_MSS |
	    s->opt.has_ws * IO_WS | s->opt.sack_ok * IO_SACK_OK |
	    s->opt.has_ts * IO_TS | s->opt.has_tfo * IO_TFO |
	    s->ae * IO_AE);
	if (pkt->af == 6) {
		it[0].kind = IT_SEG6;
		memset(it[0].src, 0, sizeof(it[0].src) + sizeof(it[0].dst));
		unsigned char *b = (unsigned char *)&it[1];
		memcpy(b + ADDR6_SRC, pkt->src, 16);
		memset(b + ADDR6_SRC + 16, 0, ADDR6_DST - ADDR6_SRC - 16);
		memcpy(b + ADDR6_DST, pkt->dst, 16);
		memset(b + ADDR6_DST + 16, 0, 64 - ADDR6_DST - 16);
		it[1].kind = IT_ADDR6;
		add_item(p, w, set);
		add_item(p, w, set);	/* may move the first */
		struct item *a = &w->items[set][w->nitems[set] - 2];
		item_store(a, &it[0]);
		item_store(a + 1, &it[1]);
	} else {
		memcpy(it[0].src, pkt->src, 4);
		memcpy(it[0].dst, pkt->dst, 4);
		item_store(add_item(p, w, set), &it[0]);
	}
	if (++p->nfill >= PAR_BATCH)
		cycle(p);
}

/* A sweep (once a second of capture time) to every thread. One a batch:
 * where segments come slowly (a capture tapering off, a quiet night), a
 * batch of PAR_BATCH segments would span many seconds, and its sweeps
 * release many seconds' TIME_WAITs at once, every one held with its
 * place in the lists until formatted: the last batches of 2 million
 * short connections released 16,000 records a thread, which took the
 * queues from 8,192 places to 32,768 and the peak up 2 MB. A batch ends
 * before its second sweep instead. */
void
par_sweep(struct par *p, uint64_t frame, int64_t now)
{
	if (p->swept)
		cycle(p);
	p->swept = true;
	for (unsigned i = 0; i < p->n; i++) {
		struct item *it = add_item(p, &p->w[i], p->go_process & 1);
		it->frame = frame;
		it->ts = now;
		it->kind = IT_SWEEP;
	}
}

uint64_t
par_open(const struct par *p)
{
	return p->open;
}

static void
add_counts(struct stats *st, const struct stats *from)
{
	st->connections += from->connections;
	for (int k = 0; k < HS_MAX; k++)
		st->hs[k] += from->hs[k];
	for (int k = 0; k < TD_MAX; k++)
		st->td[k] += from->td[k];
	for (int k = 0; k < ANOM_MAX; k++)
		st->anom[k] += from->anom[k];
	st->with_anomalies += from->with_anomalies;
}

/* A stopped thread's batch buffers, before the end of the input's records
 * are released: their memory for the lists of those. */
static void
worker_drop_batches(struct worker *w)
{
	for (unsigned s = 0; s < 2; s++) {
		hugemem_unmap(w->items[s], w->itemcap[s] * sizeof(struct item));
		w->items[s] = NULL;
		w->nitems[s] = w->itemcap[s] = 0;
	}
	g_clear_pointer(&w->cre, g_free);
	w->ncre = w->crecap = 0;
	g_assert(w->qw == w->qn);	/* cycle_last() wrote them all */
	g_clear_pointer(&w->q, g_free);
	w->qw = w->qf = w->qn = w->qcap = 0;
	wb_free(&w->out);
	free_gone(w);
	g_clear_pointer(&w->gone, g_free);
	w->gonecap = 0;
}

/* A round of the end of input's records (flow_flush_tables()): written
 * merged by id, formatted here. */
static void
flush_round(void *user)
{
	struct par *p = user;
	struct report *r = p->rep;
	size_t *at = g_newa(size_t, p->n);

	/* Straight from the lists of released records, not through the
	 * queues (empty now), whose entries would come on top of them. */
	memset(at, 0, p->n * sizeof(*at));
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < p->n; i++) {
			const struct worker *w = &p->w[i];
			if (at[i] < w->nrel && (best < 0 ||
			    w->rel[at[i]].c->id <
			    p->w[best].rel[at[best]].c->id))
				best = (int)i;
		}
		if (best < 0)
			break;
		struct worker *w = &p->w[best];
		const struct rel *rl = &w->rel[at[best]++];
		struct conn *c = rl->c;
		if (c->packed)
			c = flow_finish_packed(&w->flows, c, rl->now);
		report_conn(r, &p->st, c);
		conn_free(c);
	}
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].nrel = 0;
}

void
par_finish(struct par *p, int64_t now, struct stats *st)
{
	bool few = true;

	cycle_last(p);
	/*
	 * What is left at the end of the input. A few records a thread: the
	 * threads release them, a last batch, and format what PAR_OUT_BYTES
	 * allows. More (a capture shorter than 2MSL leaves every record since
	 * its start in TIME_WAIT): this thread would format most of them
	 * anyway (merge_write() drains the queues), so it releases them too,
	 * once the threads have stopped, in rounds of ids across their
	 * tables: a round's list of records at a time, not hundreds of
	 * thousands (32 bytes each, and its doubling).
	 */
	for (unsigned i = 0; i < p->n; i++)
		if (flow_count(&p->w[i].flows) > PAR_FLUSH_MAX)
			few = false;
	if (few) {
		for (unsigned i = 0; i < p->n; i++) {
			struct item *it = add_item(p, &p->w[i],
			    p->go_process & 1);
			it->frame = END_FRAME;
			it->ts = now;
			it->kind = IT_FLUSH;
		}
		cycle_last(p);
	}
	g_mutex_lock(&p->mu);
	p->quit = true;
	g_cond_broadcast(&p->cv_work);
	g_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n; i++) {
		g_thread_join(p->w[i].th);
		worker_drop_batches(&p->w[i]);
	}
	p->stopped = true;
	if (!few) {
		struct flow_table **ts = g_newa(struct flow_table *, p->n);
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			w->cur_frame = END_FRAME;
			w->cur_step = 0;
			ts[i] = &w->flows;
		}
		flow_flush_tables(ts, p->n, now, flush_round, p);
	}

	add_counts(st, &p->st);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];
		add_counts(st, &w->st);
		st->evicted += w->flows.evicted;
		flow_table_destroy(&w->flows);
		g_free(w->rel);
	}
	g_mutex_clear(&p->mu);
	g_cond_clear(&p->cv_work);
	g_cond_clear(&p->cv_done);
	g_free(p->w);
	g_free(p);
}
