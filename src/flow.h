/* flow.h - the connection table: 4-tuple -> current connection record.
 *
 * Records are released (reported, then freed) as they end, by capture time:
 * TIME_WAIT over, a short linger after a reset or close, the idle timeout,
 * eviction under --max-flows, 4-tuple reuse, or the end of the input. Three
 * intrusive timer lists, each in deadline order, make expiry cost
 * proportional to what expires, not to what is open.
 */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <glib.h>
#include <stdint.h>

#include "conn.h"

enum flow_timer { TIMER_ACTIVE, TIMER_TIME_WAIT, TIMER_DONE, TIMER_MAX };

/* Called for each released record, which is freed right after. */
typedef void (*flow_emit_fn)(struct conn *c, void *user);

struct flow_table {
	GHashTable *h;		/* struct flow_key* -> struct conn* */
	struct conn *head[TIMER_MAX], *tail[TIMER_MAX];	/* timer lists */
	struct conn_cfg cfg;	/* analysis settings */
	int64_t idle_ns;	/* --idle-timeout */
	int64_t linger_ns;	/* kept after a reset/close for stragglers */
	uint64_t max_flows;	/* 0: unbounded */
	uint64_t next_id;	/* next connection id */
	uint64_t evicted;	/* records evicted by --max-flows */
	uint64_t peak;		/* most records open at once */
	flow_emit_fn emit;
	void *user;
};

void flow_key_make(const struct pkt *p, struct flow_key *k, uint8_t *dir);
guint flow_key_hash(gconstpointer key);
gboolean flow_key_equal(gconstpointer a, gconstpointer b);

void flow_table_init(struct flow_table *t, const struct conn_cfg *cfg,
    int64_t idle_ns, uint64_t max_flows, flow_emit_fn emit, void *user);
void flow_table_destroy(struct flow_table *t);

/* Find or create the record for pkt; *dir is the sender's canonical index. */
struct conn *flow_lookup(struct flow_table *t, const struct pkt *p,
    int64_t ts, uint64_t frame, uint8_t *dir);
/* After conn_input(): move the record to the right timer list. */
void flow_update(struct flow_table *t, struct conn *c);
/* Release every record whose deadline is at or before now. */
void flow_expire(struct flow_table *t, int64_t now);
/* Release everything (end of input), in id order. */
void flow_flush(struct flow_table *t, int64_t now);
guint flow_count(const struct flow_table *t);

#endif
