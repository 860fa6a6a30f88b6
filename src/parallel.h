/* parallel.h - -j N: connections analysed on N threads, output as with one.
 *
 * The reading thread decodes each frame and sends the segment to the thread
 * that owns its 4-tuple (a symmetric hash: both directions of a connection
 * meet on one thread), and a sweep of the timers to every thread. Work goes
 * out in batches; after each batch the last thread done numbers the records
 * the batch created (ids in first-frame order, as with one thread), the
 * threads queue what they released and format some of their queues, and
 * the reading thread writes the records merged by (frame that released
 * them, release step, id): the order pipeline.c produces with one thread,
 * byte for byte.
 */
#ifndef SYNFIN_PARALLEL_H
#define SYNFIN_PARALLEL_H

#include <stdint.h>

#include "conn.h"
#include "decode.h"
#include "report.h"

struct par;

/* Start n threads (n >= 2) that analyse with these settings and format with
 * rep's writer; records are written through rep. max_flows is split evenly
 * between the threads, and so is expect, the records a guess says may be
 * open at once (flow_table_reserve()). */
struct par *par_new(unsigned n, const struct conn_cfg *cc, int64_t idle_ns,
    uint64_t max_flows, uint64_t expect, struct report *rep);
/* A TCP segment of frame number frame. */
void par_segment(struct par *p, const struct pkt *pkt, int64_t ts,
    uint64_t frame);
/* The timers' sweep that frame's arrival started, at capture time now. */
void par_sweep(struct par *p, uint64_t frame, int64_t now);
/* End of input: release everything, write it, add the connection counts
 * to st, stop the threads and free p. */
void par_finish(struct par *p, int64_t now, struct stats *st);
/* Records open, as of the last batch (for the progress line). */
uint64_t par_open(const struct par *p);

#endif
