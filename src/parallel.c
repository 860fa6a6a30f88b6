/* parallel.c - -j N: see parallel.h for the design.
 *
 * One batch is in the threads' hands while the reading thread fills the
 * next. A batch goes through two steps, each ended by every thread:
 *   process  the thread runs its segments and sweeps through its own flow
 *            table; records it creates are numbered by their first frame
 *            for now, records it releases are kept, not freed;
 *   format   after the reading thread has renumbered the batch's new
 *            records 1, 2, 3... in first-frame order across all threads,
 *            each thread formats the records it released and frees them.
 * The reading thread then hands out the next batch and, while the threads
 * work on it, writes the formatted records merged in release order.
 */
#include "config.h"

#include "parallel.h"

#include <glib.h>
#include <string.h>

#include "flow.h"

#define PAR_BATCH 8192		/* segments per batch */
/* A thread that released more records than this in one batch (a long
 * sweep, the end of the input) leaves them to the writing thread, which
 * formats them one by one as it writes: no batch's output is held whole
 * in memory. */
#define PAR_FORMAT_MAX 8192
#define END_FRAME UINT64_MAX	/* releases at the end of the input */

enum item_kind { IT_SEG, IT_SWEEP, IT_FLUSH };

struct item {
	uint64_t frame;
	int64_t ts;		/* the segment's time; a sweep's clock */
	uint32_t hash;
	uint8_t kind;
	/* The segment: its struct pkt without the SACK blocks */
	_Alignas(struct pkt) uint8_t pkt[PKT_NO_SACK];
};

/* Release order with one thread: by the frame whose processing released
 * the record; in that frame, the sweep's records first (step 0, by id),
 * then those its lookup released (steps 1, 2: reuse, then eviction). */
struct rel {
	uint64_t frame;
	uint32_t step;
	struct conn *c;
	int64_t now;		/* a packed c's flow_table.released_at */
};

struct out_rec {
	uint64_t frame;
	uint32_t step;
	uint64_t id;
	size_t off, len;	/* in the thread's output buffer */
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
	struct rel *rel[2];	/* released, one set per batch parity */
	size_t nrel[2], relcap[2];
	unsigned set;		/* parity of the batch being processed */
	struct created *cre;	/* created in this batch */
	size_t ncre, crecap;
	uint64_t cur_frame;
	uint32_t cur_step;
	/* Formatted: one set, not one per parity, since the reading thread
	 * has written a batch's before the threads format the next. */
	struct wbuf out;
	struct out_rec *recs;
	size_t nrecs, reccap;
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
	unsigned nprocessed, nformatted;	/* threads done with the step */
	bool quit;
	bool stopped;		/* the threads have ended */
	bool inflight;		/* batch go_process - 1 is out */
	size_t nfill;		/* segments in the batch being filled */
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

	unsigned s = w->set;

	GROW(w->rel[s], w->nrel[s], w->relcap[s]);
	w->rel[s][w->nrel[s]++] = (struct rel){ w->cur_frame, w->cur_step, c,
	    w->flows.released_at };
	if (w->cur_step)
		w->cur_step++;
	return true;	/* kept until formatted */
}

static void
worker_process(struct worker *w, unsigned set)
{
	struct flow_table *t = &w->flows;

	w->set = set;
	/* The last batch's new records are numbered: their blocks may move. */
	flow_pack(t);
	for (size_t i = 0; i < w->nitems[set]; i++) {
		struct item *it = &w->items[set][i];

		w->cur_frame = it->kind == IT_FLUSH ? END_FRAME : it->frame;
		w->cur_step = it->kind == IT_SEG ? 1 : 0;
		switch (it->kind) {
		case IT_SWEEP:
			flow_expire(t, it->ts);
			break;
		case IT_FLUSH:
			flow_flush(t, it->ts);
			break;
		default: {
			struct pkt pk;
			memcpy(&pk, it->pkt, PKT_NO_SACK);
			pk.tcp.payload = NULL;	/* the frame is gone */
			pk.tcp.opt.nsack = 0;	/* not carried */
			struct conn *c = flow_segment(t, &pk, it->hash,
			    it->ts, it->frame);
			if (t->created == c) {
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

static void
worker_format(struct worker *w, unsigned set)
{
	struct wbuf *o = &w->out;

	for (size_t i = 0; i < w->ngone; i++)
		flow_free_packed(&w->flows, w->gone[i]);
	w->ngone = 0;
	o->len = 0;
	w->nrecs = 0;
	if (w->nrel[set] > PAR_FORMAT_MAX)
		return;		/* the writing thread formats them */
	for (size_t i = 0; i < w->nrel[set]; i++) {
		struct rel *r = &w->rel[set][i];
		size_t off = o->len;
		if (r->c->packed)
			r->c = flow_finish_packed(&w->flows, r->c, r->now);
		if (report_format(&w->rep, &w->st, r->c, o)) {
			GROW(w->recs, w->nrecs, w->reccap);
			w->recs[w->nrecs++] = (struct out_rec){
				r->frame, r->step, r->c->id, off, o->len - off };
		}
		conn_free(r->c);
	}
	w->nrel[set] = 0;
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
		p->nprocessed++;
		g_cond_signal(&p->cv_done);
		while (p->go_format <= b)
			g_cond_wait(&p->cv_work, &p->mu);
		g_mutex_unlock(&p->mu);
		worker_format(w, b & 1);

		g_mutex_lock(&p->mu);
		p->nformatted++;
		g_cond_signal(&p->cv_done);
		g_mutex_unlock(&p->mu);
	}
	return NULL;
}

struct par *
par_new(unsigned n, const struct conn_cfg *cc, int64_t idle_ns,
    uint64_t max_flows, struct report *rep)
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
		    max_flows ? (max_flows + n - 1) / n : 0, worker_emit, w);
		w->flows.id_frame = true;
		w->rep = *rep;
		w->rep.out = NULL;
		memset(&w->rep.wb, 0, sizeof(w->rep.wb));
		char name[16];
		g_snprintf(name, sizeof(name), "synfin-%u", i);
		w->th = g_thread_new(name, worker_main, w);
	}
	return p;
}

static struct item *
add_item(struct worker *w, unsigned set)
{
	GROW(w->items[set], w->nitems[set], w->itemcap[set]);
	return &w->items[set][w->nitems[set]++];
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

/* The next record of a thread in this batch: formatted by the thread, or
 * a released record left to the writing thread. */
static bool
next_key(const struct worker *w, unsigned set, size_t at, struct out_rec *k)
{
	if (w->nrel[set]) {
		if (at >= w->nrel[set])
			return false;
		const struct rel *r = &w->rel[set][at];
		*k = (struct out_rec){ r->frame, r->step, r->c->id, 0, 0 };
		return true;
	}
	if (at >= w->nrecs)
		return false;
	*k = w->recs[at];
	return true;
}

static bool
rec_before(const struct out_rec *a, const struct out_rec *b)
{
	if (a->frame != b->frame)
		return a->frame < b->frame;
	if (a->step != b->step)
		return a->step < b->step;
	return a->id < b->id;
}

/* Write the batch's records, merged in release order. */
static void
merge_write(struct par *p, unsigned set)
{
	struct report *r = p->rep;
	size_t *at = g_newa(size_t, p->n);
	struct out_rec best_k, k;

	memset(at, 0, p->n * sizeof(*at));
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < p->n; i++)
			if (next_key(&p->w[i], set, at[i], &k) &&
			    (best < 0 || rec_before(&k, &best_k))) {
				best = (int)i;
				best_k = k;
			}
		if (best < 0)
			break;
		struct worker *w = &p->w[best];
		if (w->nrel[set]) {
			const struct rel *rl = &w->rel[set][at[best]++];
			struct conn *c = rl->c;
			if (c->packed && p->stopped)
				c = flow_finish_packed(&w->flows, c, rl->now);
			else if (c->packed) {	/* its thread goes on */
				GROW(w->gone, w->ngone, w->gonecap);
				w->gone[w->ngone++] = c;
				c = flow_open_packed(&w->flows, c, rl->now);
			}
			if (report_format(r, &p->st, c, &r->wb))
				r->written++;
			conn_free(c);
		} else {
			struct out_rec *o = &w->recs[at[best]++];
			wb_put(&r->wb, w->out.p + o->off, o->len);
			r->written++;
		}
		if (r->wb.len >= 65536)
			report_write(r, &r->wb);
	}
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].nrel[set] = 0;
	if (r->flush_each)
		report_flush(r);
}

/* The batch in flight, processed by every thread, numbered and
 * formatted (not yet written). */
static void
settle(struct par *p)
{
	wait_all(p, &p->nprocessed);
	renumber(p);
	g_mutex_lock(&p->mu);
	p->go_format++;
	g_cond_broadcast(&p->cv_work);
	g_mutex_unlock(&p->mu);
	wait_all(p, &p->nformatted);
	p->open = 0;
	for (unsigned i = 0; i < p->n; i++)
		p->open += p->w[i].open;
}

/* Hand out the batch just filled; finish the one before it. */
static void
cycle(struct par *p)
{
	uint64_t done = p->go_process - 1;	/* the batch in flight */

	if (p->inflight)
		settle(p);
	g_mutex_lock(&p->mu);
	p->go_process++;
	g_cond_broadcast(&p->cv_work);
	g_mutex_unlock(&p->mu);
	if (p->inflight)
		merge_write(p, done & 1);	/* while they work */
	p->inflight = true;
	p->nfill = 0;
}

/* Hand out the batch just filled, finish it and write it. */
static void
cycle_last(struct par *p)
{
	cycle(p);
	settle(p);
	merge_write(p, (p->go_process - 1) & 1);
	p->inflight = false;
}

void
par_segment(struct par *p, const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	uint32_t h = flow_pkt_hash(pkt);
	/* Which thread: the hash's high bits (the table uses the low). */
	struct worker *w = &p->w[((uint64_t)h * p->n) >> 32];
	struct item *it = add_item(w, p->go_process & 1);

	it->frame = frame;
	it->ts = ts;
	it->hash = h;
	it->kind = IT_SEG;
	memcpy(it->pkt, pkt, PKT_NO_SACK);	/* see worker_process() */
	if (++p->nfill >= PAR_BATCH)
		cycle(p);
}

void
par_sweep(struct par *p, uint64_t frame, int64_t now)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct item *it = add_item(&p->w[i], p->go_process & 1);
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

/* A round of the end of input's records (flow_flush_tables()): written
 * merged by id, formatted here. */
static void
flush_round(void *user)
{
	merge_write(user, 0);
}

void
par_finish(struct par *p, int64_t now, struct stats *st)
{
	bool few = true;

	cycle_last(p);
	/*
	 * What is left at the end of the input. A few records a thread: the
	 * threads release and format them, a last batch. More (a capture
	 * shorter than 2MSL leaves every record since its start in TIME_WAIT):
	 * this thread would format them anyway (PAR_FORMAT_MAX), so it
	 * releases them too, once the threads have stopped, in rounds of ids
	 * across their tables: a round's list of records at a time, not
	 * hundreds of thousands (24 bytes each, and its doubling).
	 */
	for (unsigned i = 0; i < p->n; i++)
		if (flow_count(&p->w[i].flows) > PAR_FORMAT_MAX)
			few = false;
	if (few) {
		for (unsigned i = 0; i < p->n; i++) {
			struct item *it = add_item(&p->w[i],
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
	for (unsigned i = 0; i < p->n; i++)
		g_thread_join(p->w[i].th);
	p->stopped = true;
	if (!few) {
		struct flow_table **ts = g_newa(struct flow_table *, p->n);
		for (unsigned i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];
			w->set = 0;
			w->cur_frame = END_FRAME;
			w->cur_step = 0;
			w->nrel[0] = 0;
			w->nrecs = 0;
			for (size_t k = 0; k < w->ngone; k++)
				flow_free_packed(&w->flows, w->gone[k]);
			w->ngone = 0;
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
		for (int s = 0; s < 2; s++)
			g_free(w->items[s]);
		g_free(w->recs);
		wb_free(&w->out);
		g_free(w->rel[0]);
		g_free(w->rel[1]);
		g_free(w->cre);
		g_free(w->gone);
	}
	g_mutex_clear(&p->mu);
	g_cond_clear(&p->cv_work);
	g_cond_clear(&p->cv_done);
	g_free(p->w);
	g_free(p);
}
