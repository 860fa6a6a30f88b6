/* testutil.h - run a forged scenario end to end and look at what came out.
 *
 * tu_run() turns scenario text (the forge's .scn language, tests/forge.c)
 * into real pcap bytes with forge_write_mem(), reads them back through
 * capture_open_fp(fmemopen(...)), and drives the frames through the same
 * steps as pipeline_frame(): decode_frame() -> flow_lookup() ->
 * conn_input() -> flow_update(), with the capture-clock expiry sweep once
 * the clock moved a second, and flow_flush() at the end. Each record the
 * flow table releases is copied into a struct tu_conn (outcomes, both
 * endpoints' states, the anomaly log with names, frames and sending side)
 * before it is freed, in release order.
 *
 * As a cross-check that this driver is the pipeline, tu_run() also runs
 * the very same bytes through pipeline_run_fp() (JSON Lines) and asserts
 * that the records and per-anomaly counts agree with the summary.
 *
 * Sides are named as SPEC.md names them: "client" and "server".
 */
#ifndef SYNFIN_TESTS_TESTUTIL_H
#define SYNFIN_TESTS_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "tcp_fsm.h"

#define TU_MAX_CONNS 32
#define TU_MAX_ANOMS CONN_MAX_ANOMS

enum tu_side { TU_CLIENT, TU_SERVER };

struct tu_anom {
	char name[40];		/* SPEC snake_case name */
	int sev;		/* enum anom_sev */
	uint64_t frame;		/* 1-based */
	int64_t ts;		/* ns */
	const char *from;	/* "client" or "server" */
	char detail[200];
};

struct tu_conn {
	uint64_t id;
	int end;		/* enum conn_end: why it was released */
	int hs, td;		/* enum hs_outcome, enum td_outcome */
	int client;		/* canonical index of the client */
	char caddr[80], saddr[80];	/* "10.0.0.1:40000", "[2001:db8::1]:80" */
	int st[2];		/* final states, by enum tu_side */
	bool passed_closing[2];	/* went through CLOSING, by side */
	int initiator;		/* teardown initiator side, -1 none */
	int reset_by;		/* side of the first accepted RST, -1 none */
	uint32_t syn_count, synack_count;
	/* Handshake times (ns; 0: none) and the bases of its round trips
	 * (conn_rtt_base()). */
	int64_t syn_ts, synack_ts, ack_ts, rtt_syn_base, rtt_synack_base;
	uint64_t pkts[2], bytes[2];	/* by side */
	uint32_t retrans[2];		/* by side */
	uint64_t first_frame, last_frame;	/* fed to it (driver's count) */
	unsigned nanoms;
	struct tu_anom anoms[TU_MAX_ANOMS];
};

struct tu_result {
	unsigned nconns;
	struct tu_conn conns[TU_MAX_CONNS];	/* in release order */
	unsigned max_open;	/* most records in the table after any frame */
	uint64_t frames;	/* frames read */
	uint64_t evicted;	/* released by --max-flows */
};

/* Settings (struct synfin_config's, by hand). Zero fields get the
 * defaults: msl 30, idle_timeout 300, max_flows 0 (unbounded). */
struct tu_opts {
	double msl;
	double idle_timeout;
	uint64_t max_flows;
};

/* Run scenario text end to end; aborts the test on a forge error. */
void tu_run(const char *scn, struct tu_result *r);
/* c packs (conn_pack()) and unpacks to itself, byte for byte; packed, it
 * has c's addresses and, when k is given, c's key k. (tu_run() checks
 * every record it releases.) */
void tu_check_pack(const struct conn *c, const struct flow_key *k);
void tu_run_opts(const char *scn, const struct tu_opts *o,
    struct tu_result *r);

/* Is the anomaly on conn i, raised by that frame, sent by that side?
 * frame 0 matches any frame, from NULL any side. */
bool tu_has_anom(const struct tu_result *r, unsigned i, const char *name,
    uint64_t frame, const char *from);
/* How many anomalies of that name conn i has (any frame, any side). */
unsigned tu_count_anom(const struct tu_result *r, unsigned i,
    const char *name);
/* The detail of conn i's first anomaly of that name (NULL: none). */
const char *tu_anom_detail(const struct tu_result *r, unsigned i,
    const char *name);
/* No anomaly of severity warning or error on conn i. */
bool tu_no_warnings(const struct tu_result *r, unsigned i);
/* A one-line description of conn i for failure messages (static buffer,
 * valid until the next call). */
const char *tu_dump(const struct tu_result *r, unsigned i);

const char *tu_state(int st);	/* "ESTABLISHED", ... */
const char *tu_or_any(const char *side);	/* side, or "any" for NULL */

/* Assertions with a description of the connection on failure. */
#define tu_assert_anom(r, i, name, frame, from)				\
	ck_assert_msg(tu_has_anom((r), (i), (name), (frame), (from)),	\
	    "conn %u: expected %s at frame %llu from %s; got %s",	\
	    (unsigned)(i), (name), (unsigned long long)(frame),		\
	    tu_or_any(from), tu_dump((r), (i)))
#define tu_assert_no_anom(r, i, name)					\
	ck_assert_msg(tu_count_anom((r), (i), (name)) == 0,		\
	    "conn %u: unexpected %s; got %s", (unsigned)(i), (name),	\
	    tu_dump((r), (i)))
#define tu_assert_no_warnings(r, i)					\
	ck_assert_msg(tu_no_warnings((r), (i)),			\
	    "conn %u: expected no warning/error; got %s",		\
	    (unsigned)(i), tu_dump((r), (i)))
#define tu_assert_nconns(r, n)						\
	ck_assert_msg((r)->nconns == (unsigned)(n),			\
	    "expected %u records, got %u; first: %s", (unsigned)(n),	\
	    (r)->nconns, (r)->nconns ? tu_dump((r), 0) : "-")
#define tu_assert_hs(r, i, o)						\
	ck_assert_msg((r)->conns[i].hs == (o),				\
	    "conn %u: handshake %s expected; got %s", (unsigned)(i),	\
	    hs_outcome_name[o], tu_dump((r), (i)))
#define tu_assert_td(r, i, o)						\
	ck_assert_msg((r)->conns[i].td == (o),				\
	    "conn %u: teardown %s expected; got %s", (unsigned)(i),	\
	    td_outcome_name[o], tu_dump((r), (i)))
#define tu_assert_states(r, i, cst, sst)				\
	ck_assert_msg((r)->conns[i].st[TU_CLIENT] == (cst) &&		\
	    (r)->conns[i].st[TU_SERVER] == (sst),			\
	    "conn %u: states client %s / server %s expected; got %s",	\
	    (unsigned)(i), tu_state(cst), tu_state(sst),		\
	    tu_dump((r), (i)))

#endif
