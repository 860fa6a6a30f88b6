/* capture.h - libpcap input: saved files (pcap, pcapng, stdin). */
#ifndef SYNFIN_CAPTURE_H
#define SYNFIN_CAPTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct frame {
	int64_t ts_ns;		/* capture time, ns since the epoch */
	uint32_t caplen;	/* bytes captured */
	uint32_t wirelen;	/* bytes on the wire */
	int dlt;		/* link type of this frame */
	/* In a pcapng section of several interfaces, this frame's: its
	 * number there + 1 (pipeline.c: copies); else 0. */
	uint32_t iface;
	const uint8_t *data;	/* borrowed until the next capture_next() */
	/* Frames of the file the BPF filter left out just before this one,
	 * so that frame numbers are the file's (SPEC: 1-based across all
	 * input files); capture_skipped_tail() has those after the last. */
	uint64_t skipped;
};

enum capture_status { CAPTURE_OK, CAPTURE_EOF, CAPTURE_ERROR, CAPTURE_AGAIN };

/* The buffer of a classic pcap file read by capture.c (its own reader). */
struct capture_buf {
	uint8_t *buf;		/* from the first read on */
	size_t pos, end;	/* the unread bytes: buf[pos, end) */
};

/* What capture_next() reads of every record: first in struct capture
 * (capture.c), for capture_at_once(): a pointer to a struct capture
 * is one to its struct capture_head. */
struct capture_head {
	int dlt;		/* the file's link type, set once: every
				   record's capture_at_once() hands out */
	/* offset after the last whole record (not of the own reader's
	 * records: capture.c's own_off()) */
	uint64_t off;
	uint64_t records;	/* records read */
	/* A record of the own reader's buffer (else an empty one, never
	 * NULL) is handed out at once when its caplen is below at_once (0:
	 * none: not our byte order, a filter or -w) and its timestamp's
	 * fraction below sub_lim (under a second: no clamp); that fraction
	 * times sub_ns is ns. Set before the first record is read: a
	 * capture whose at_once is not 0 has no filter, so every frame's
	 * skipped is 0. */
	struct capture_buf *own;
	uint32_t at_once;
	uint32_t sub_lim;
	int64_t sub_ns;
};

/* A whole record in the buffer of a file read by capture.c, no filter, no
 * -w copy (nearly every record) into f at once, as capture_next() hands
 * it out; false for any other. */
static inline bool
capture_at_once(struct capture_head *c, struct frame *f)
{
	struct capture_buf *o = c->own;

	/* (at_once 0: every caplen is at or above it, below) */
	if (o->end - o->pos < 16)
		return false;
	/* (each word a load of its own: one load of two and shifts to
	 * part them took more instructions) */
	const uint8_t *r = o->buf + o->pos;
	uint32_t w[4];
	for (int i = 0; i < 4; i++)
		memcpy(&w[i], r + 4 * i, 4);
	size_t want = 16 + (size_t)w[2];
	if (w[2] >= c->at_once || w[1] >= c->sub_lim ||
	    o->end - o->pos < want)
		return false;
	f->data = o->buf + o->pos + 16;
	o->pos += want;
	c->records++;
	/* classic pcap: the seconds unsigned, below the clamp of
	 * capture.c's capture_ts_ns() (2^33); the fraction below a second
	 * (sub_lim) */
	f->ts_ns = (int64_t)w[0] * 1000000000 + (int64_t)w[1] * c->sub_ns;
	f->caplen = w[2];
	f->wirelen = w[3];
	f->dlt = c->dlt;
	f->iface = 0;
	f->skipped = 0;	/* no filter */
	return true;
}

struct capture;

#define SYNFIN_ERROR (synfin_error_quark())
GQuark synfin_error_quark(void);
enum { SYNFIN_ERROR_INPUT, SYNFIN_ERROR_USAGE, SYNFIN_ERROR_OUTPUT };

/* path "-" is standard input. filter may be NULL. */
struct capture *capture_open_file(const char *path, const char *filter,
    GError **err);
/* For tests and fuzzing: read a capture from an open stream (fmemopen);
 * the capture owns fp. */
struct capture *capture_open_fp(FILE *fp, const char *name,
    const char *filter, GError **err);
/* Live capture (-i): immediate mode, nanosecond timestamps when the
 * platform has them, promiscuous unless no_promisc; with a fanout group,
 * the socket joins it (hash mode) once the filter is set. */
struct capture_live_opts {
	int snaplen;		/* -s */
	bool no_promisc;	/* -p */
	int buffer_kib;		/* -B, 0: libpcap's default */
	int fanout;		/* --fanout group 0..65535, -1: none */
};
struct capture *capture_open_live(const char *iface, const char *filter,
    const struct capture_live_opts *o, GError **err);
/* Does this build have AF_PACKET fanout (Linux PACKET_FANOUT)? */
bool capture_fanout_is_supported(void);
/* -w: also save every packet read (pcap format); path is opened with
 * outfile_open() ("-" is standard output). */
bool capture_dump_open(struct capture *cap, const char *path, GError **err);
/* Live: wait up to timeout_ms for packets; CAPTURE_AGAIN on timeout or
 * interruption. Files never return CAPTURE_AGAIN. */
enum capture_status capture_next(struct capture *cap, struct frame *f,
    GError **err);
/* Interrupt a blocked capture_next (async-signal-safe). */
void capture_break(struct capture *cap);
/* The time of the first frame read (false before one is). */
bool capture_first_ts(const struct capture *cap, int64_t *ts);
/* A signal asked the reading of files to stop: capture_next() then
 * gives the end of the input, at the next read of a file, or at once
 * for a read the signal interrupted (async-signal-safe: a flag). */
void capture_interrupt(void);
bool capture_interrupted(void);
/* Live: libpcap's received / dropped / interface-dropped counts. */
bool capture_stats(struct capture *cap, uint64_t *recv, uint64_t *drop,
    uint64_t *ifdrop);
/* A pcapng file's count of the packets its capture dropped, from its
 * interface statistics blocks (isb_ifdrop + isb_osdrop); false when it
 * has none (classic pcap has no such count). After the file's last
 * record: it may move the file's stream. */
bool capture_file_drops(struct capture *cap, uint64_t *drops);
/* Bytes of the file consumed so far. */
uint64_t capture_offset(const struct capture *cap);
/* The frames the filter left out after the last frame returned (at the
 * end of a file: to count before the next file's). */
uint64_t capture_skipped_tail(const struct capture *cap);
void capture_close(struct capture *cap);

/* Check a filter expression compiles (for a usage error up front). */
bool capture_filter_check(const char *filter, GError **err);

#endif
