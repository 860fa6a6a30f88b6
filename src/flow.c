/* flow.c - the connection table. */
#include "config.h"

#include "flow.h"

#include <string.h>

#include "decode.h"

void
flow_key_make(const struct pkt *p, struct flow_key *k, uint8_t *dir)
{
	size_t alen = p->af == 6 ? 16 : 4;
	int c;

	memset(k, 0, sizeof(*k));
	k->af = p->af;
	/* Order the endpoints as (address, port) pairs: that yields dir. */
	c = memcmp(p->src, p->dst, alen);
	if (c == 0)
		c = p->tcp.sport < p->tcp.dport ? -1 :
		    p->tcp.sport > p->tcp.dport ? 1 : 0;
	*dir = c <= 0 ? 0 : 1;
	memcpy(k->addr[*dir], p->src, alen);
	memcpy(k->addr[!*dir], p->dst, alen);
	k->port[*dir] = p->tcp.sport;
	k->port[!*dir] = p->tcp.dport;
}

guint
flow_key_hash(gconstpointer key)
{
	/* FNV-1a over the zeroed key bytes. */
	const uint8_t *b = key;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct flow_key); i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

gboolean
flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct flow_key)) == 0;
}

void
flow_table_init(struct flow_table *t, const struct conn_cfg *cfg,
    int64_t idle_ns, uint64_t max_flows, flow_emit_fn emit, void *user)
{
	memset(t, 0, sizeof(*t));
	/* The value owns the key (embedded): no key destroy function. */
	t->h = g_hash_table_new_full(flow_key_hash, flow_key_equal, NULL,
	    conn_free);
	t->cfg = *cfg;
	t->idle_ns = idle_ns;
	t->linger_ns = 5 * (int64_t)1000000000;
	t->max_flows = max_flows;
	t->next_id = 1;
	t->emit = emit;
	t->user = user;
}

void
flow_table_destroy(struct flow_table *t)
{
	if (t->h)
		g_hash_table_destroy(t->h);
	t->h = NULL;
}

guint
flow_count(const struct flow_table *t)
{
	return g_hash_table_size(t->h);
}

static void
list_unlink(struct flow_table *t, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head[c->timer] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail[c->timer] = c->prev;
	c->prev = c->next = NULL;
}

static void
list_append(struct flow_table *t, struct conn *c, enum flow_timer which)
{
	c->timer = (uint8_t)which;
	c->next = NULL;
	c->prev = t->tail[which];
	if (c->prev)
		c->prev->next = c;
	else
		t->head[which] = c;
	t->tail[which] = c;
}

void
flow_update(struct flow_table *t, struct conn *c)
{
	enum flow_timer which;
	int64_t tw = conn_time_wait_end(c, &t->cfg);

	if (conn_is_done(c)) {
		which = TIMER_DONE;
		c->deadline = c->last_ts + t->linger_ns;
	} else if (tw) {
		which = TIMER_TIME_WAIT;
		c->deadline = tw;
	} else {
		which = TIMER_ACTIVE;
		c->deadline = c->last_ts + t->idle_ns;
	}
	list_unlink(t, c);
	list_append(t, c, which);
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

static void
release(struct flow_table *t, struct conn *c, int64_t now, enum conn_end why)
{
	list_unlink(t, c);
	conn_finish(c, &t->cfg, now, why);
	if (t->emit)
		t->emit(c, t->user);
	g_hash_table_remove(t->h, &c->key);	/* frees c */
}

static int
cmp_id(const void *a, const void *b)
{
	const struct conn *x = *(struct conn *const *)a;
	const struct conn *y = *(struct conn *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
flow_expire(struct flow_table *t, int64_t now)
{
	GPtrArray *due = NULL;

	for (int w = 0; w < TIMER_MAX; w++) {
		for (struct conn *c = t->head[w]; c; c = c->next) {
			if (c->deadline > now)
				break;	/* lists are in deadline order */
			if (!due)
				due = g_ptr_array_new();
			g_ptr_array_add(due, c);
		}
	}
	if (!due)
		return;
	/* Deterministic output: records due together go out by id. */
	qsort(due->pdata, due->len, sizeof(void *), cmp_id);
	for (guint i = 0; i < due->len; i++) {
		struct conn *c = due->pdata[i];
		release(t, c, now, end_reason(c, c->timer));
	}
	g_ptr_array_free(due, TRUE);
}

void
flow_flush(struct flow_table *t, int64_t now)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, t->h);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(all, v);
	if (all->len)	/* pdata is NULL when empty: no qsort(NULL) */
		qsort(all->pdata, all->len, sizeof(void *), cmp_id);
	for (guint i = 0; i < all->len; i++)
		release(t, all->pdata[i], now, END_EOF);
	g_ptr_array_free(all, TRUE);
}

/* --max-flows: release the record idle longest, finished ones first. */
static void
evict_one(struct flow_table *t, int64_t now)
{
	static const enum flow_timer order[] = {
		TIMER_DONE, TIMER_TIME_WAIT, TIMER_ACTIVE
	};
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		struct conn *c = t->head[order[i]];
		if (c) {
			t->evicted++;
			release(t, c, now, order[i] == TIMER_ACTIVE ?
			    END_EVICTED : end_reason(c, order[i]));
			return;
		}
	}
}

struct conn *
flow_lookup(struct flow_table *t, const struct pkt *p, int64_t ts,
    uint64_t frame, uint8_t *dir)
{
	struct flow_key k;
	struct conn *c;

	flow_key_make(p, &k, dir);
	c = g_hash_table_lookup(t->h, &k);
	if (c) {
		bool syn = (p->tcp.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;
		bool valid = !(p->quirks & (DEC_TCP_BAD_CSUM | DEC_IP_BAD_CSUM));
		if (valid && c->side[0].pkts == 0 && c->side[1].pkts == 0) {
			/* The record holds only segments dropped for bad
			 * checksums (--verify-checksums): they started no
			 * connection, so the first valid segment starts its
			 * own record, as in Zeek. */
			release(t, c, ts, END_REUSED);
			c = NULL;
		} else if (syn && conn_is_reusable(c)) {
			/* 4-tuple reuse: a new SYN after the previous
			 * connection closed, reset or sits in TIME_WAIT. */
			conn_reuse(c, &t->cfg, *dir, ts, frame);
			release(t, c, ts, END_REUSED);
			c = NULL;
		} else {
			return c;
		}
	}
	if (t->max_flows && g_hash_table_size(t->h) >= t->max_flows)
		evict_one(t, ts);
	c = conn_new(&k, t->next_id++);
	g_hash_table_insert(t->h, &c->key, c);
	list_append(t, c, TIMER_ACTIVE);
	if (g_hash_table_size(t->h) > t->peak)
		t->peak = g_hash_table_size(t->h);
	return c;
}
