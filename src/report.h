/* report.h - writers: struct report_ops {begin, conn, end}. */
#ifndef SYNFIN_REPORT_H
#define SYNFIN_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "anomaly.h"
#include "cli.h"
#include "conn.h"
#include "wbuf.h"

/* Packets that did not become a TCP segment, by cause. */
enum derr {
	DERR_TRUNCATED,		/* truncated_segment: snaplen cut a header */
	DERR_MALFORMED,		/* malformed_packet: lying lengths, versions */
	DERR_FRAGMENT,		/* ip_fragment: never made whole */
	DERR_UNSUPPORTED,	/* unsupported_packet: e.g. a jumbogram */
	DERR_BAD_CHECKSUM,	/* bad_checksum: dropped by --verify-checksums */
	DERR_COPY,		/* interface_copy: a segment captured again
				   on another interface (-i any) */
	DERR_MAX
};

extern const char *const derr_name[DERR_MAX];

struct stats {
	uint64_t packets;	/* frames read (after the BPF filter) */
	uint64_t tcp_packets;	/* decoded TCP segments */
	uint64_t connections;	/* records reported or filtered out */
	uint64_t hs[HS_MAX], td[TD_MAX];
	uint64_t anom[ANOM_MAX];
	uint64_t derr[DERR_MAX];
	uint64_t dropped;	/* libpcap drops (live) */
	uint64_t if_dropped;	/* interface drops (live) */
	uint64_t received;	/* packets libpcap received (live) */
	bool live;		/* received/if_dropped are valid */
	uint64_t evicted;	/* released early by --max-flows */
	uint64_t with_anomalies;	/* connections with >= 1 anomaly */
};

struct report;

/* Each writes into a buffer; report.c writes the buffer out. */
struct report_ops {
	void (*begin)(struct report *r, struct wbuf *w);
	void (*conn)(struct report *r, const struct conn *c, struct wbuf *w);
	/* The same, the record's outcomes given (report_format() counts
	 * them first: each is a walk of the record, not asked twice). */
	void (*conn_as)(struct report *r, const struct conn *c, struct wbuf *w,
	    enum hs_outcome hs, enum td_outcome td);
	void (*end)(struct report *r, const struct stats *st, struct wbuf *w);
};

struct report {
	const struct report_ops *ops;
	FILE *out;
	const struct synfin_config *cfg;
	struct conn_cfg ccfg;
	bool color;		/* ANSI colour (text, on a terminal) */
	bool flush_each;	/* write each record at once (live, pipes) */
	uint64_t written;	/* conn records written */
	bool gone;		/* the output is a pipe its reader closed
				   (EPIPE): nothing more can be written */
	struct wbuf wb;		/* formatted, not yet written */
};

extern const struct report_ops report_text_ops, report_json_ops,
    report_csv_ops;

void report_init(struct report *r, const struct synfin_config *cfg,
    const struct conn_cfg *ccfg, FILE *out);
/* Account the record in st and write it unless filtered out. */
void report_conn(struct report *r, struct stats *st, const struct conn *c);
/* The same, formatting into w instead of writing (-j threads); true when
 * the record was selected for output. */
bool report_format(const struct report *r, struct stats *st,
    const struct conn *c, struct wbuf *w);
/* Write out w (all of it) and empty it; false on a write error. */
bool report_write(struct report *r, struct wbuf *w);
void report_begin(struct report *r);
void report_end(struct report *r, const struct stats *st);
/* Write out what is buffered; false on a write error. */
bool report_flush(struct report *r);
void report_destroy(struct report *r);

/* Helpers shared by the writers. */
/* "0.012345" (seconds, six decimals) */
void report_dur(char *buf, size_t len, int64_t ns);
/* "2026-11-24 10:30:37.654903", UTC (tcpdump -tttt -u), not terminated */
#define REPORT_WALL_LEN 26
void report_wall(char b[REPORT_WALL_LEN], int64_t ns);
/* The same at a cursor, the text of its seconds kept in w from one call
 * to the next (most times of a report share their second): the cursor
 * past it. */
char *report_wall_at(struct wbuf *w, char *o, int64_t ns);
/* "+0.052 ms" from one step to the next ("%+.3f ms", or "%+.3f s" from
 * 1000 ms on), at most REPORT_DELTA_MAX bytes at the cursor (wbuf.h) */
#define REPORT_DELTA_MAX 48
char *report_delta_slow(char *o, int64_t d);
static inline char *
report_delta_at(char *o, int64_t from, int64_t to)
{
	int64_t d = (int64_t)((uint64_t)to - (uint64_t)from);
	uint64_t a = d < 0 ? -(uint64_t)d : (uint64_t)d;

	/* Most, inline: a step below a second either way, in 32 bits, the
	 * rounded microseconds (q, the tie 500 left out) after the
	 * milliseconds as a wb_dot3 entry, its '.' with them. */
	if (a < 1000000000) {
		uint32_t x = (uint32_t)a, q = x / 1000, r = x - 1000 * q;
		if (r != 500) {
			q += r > 500;
			uint32_t ms = q / 1000;
			*o++ = d < 0 ? '-' : '+';
			o = wc_u64(o, ms);
			memcpy(o, wb_dot3 + 4 * (q - 1000 * ms), 4);
			memcpy(o + 4, " ms", 3);
			return o + 7;
		}
	}
	return report_delta_slow(o, d);
}
/* A name of ours (an outcome, a state) padded to be copied at the
 * cursor in one 16-byte move, its length with it, for the text and CSV
 * writers (a byte at a time, each name cost a few Ir a letter). What
 * follows it overwrites the bytes past it. */
struct report_name {
	char text[15];
	uint8_t len;
};

#define REPORT_NAME_ROOM 16
static inline char *
wc_name(char *o, const struct report_name *n)
{
	memcpy(o, n, sizeof(*n));	/* room: REPORT_NAME_ROOM */
	return o + n->len;
}

/* The outcome and state names, made once for all (-j's workers format
 * records in parallel): report_names_made once made. */
struct report_names {
	struct report_name hs[HS_MAX], td[TD_MAX], st[TCP_ST_MAX];
};
extern const struct report_names *report_names_made;
const struct report_names *report_names_make(void);
static inline const struct report_names *
report_names(void)
{
	const struct report_names *n = g_atomic_pointer_get(
	    &report_names_made);

	return n ? n : report_names_make();
}

/* "client" or "server": whether idx is the client's (conn_client()).
 * Inline: the text report asks it a few times a record. */
static inline const char *
report_side(const struct conn *c, int idx)
{
	return idx == conn_client(c) ? "client" : "server";
}
/*
 * The Zeek history at a cursor, as zeek_conn_history_at() writes it, at
 * most WB_HIST_MOVE bytes: the text w keeps when z's history bytes are
 * those it was made of. Most records have one of a few histories, and
 * zeek_conn_history_at() makes each letter a step of a loop (77 Ir a
 * record on s320k). The bytes, as two overlapping words, pick one of
 * w's WB_HISTS slots by a multiplicative hash and are compared whole;
 * any other history is made and kept there (report_history_new()).
 */
G_STATIC_ASSERT(ZEEK_HIST_BYTES >= 8 && ZEEK_HIST_BYTES <= 16 &&
    ZEEK_HIST_MAX <= WB_HIST_MOVE);
static inline void
report_history_key(const struct zeek_conn *z, uint64_t *a, uint64_t *b)
{
	memcpy(a, z->hist, 8);
	memcpy(b, z->hist + ZEEK_HIST_BYTES - 8, 8);
}

static inline struct wb_hist *
report_history_slot(struct wbuf *w, uint64_t a, uint64_t b)
{
	return &w->hist[((a ^ b) * UINT64_C(0x9e3779b97f4a7c15)) >>
	    (64 - WB_HIST_BITS)];
}

char *report_history_new(struct wbuf *w, char *o, const struct zeek_conn *z);
static inline char *
report_history_at(struct wbuf *w, char *o, const struct zeek_conn *z)
{
	uint64_t a, b;

	report_history_key(z, &a, &b);
	const struct wb_hist *h = report_history_slot(w, a, b);
	if (((a ^ h->key[0]) | (b ^ h->key[1])) == 0) {
		/* o has room for WB_HIST_MOVE */
		memcpy(o, h->text, WB_HIST_MOVE);
		return o + h->len;
	}
	return report_history_new(w, o, z);
}

#endif
