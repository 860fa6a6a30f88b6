/* pipeline.c - the main loop. Time is capture time; expiry sweeps run when
 * the clock advances by a second or more, never per packet. */
#include "config.h"

#include "pipeline.h"

#include <errno.h>
#include <inttypes.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "conn.h"
#include "decode.h"
#include "flow.h"
#include "hugemem.h"
#include "ipfrag.h"
#include "outfile.h"
#include "parallel.h"
#include "seq.h"

#define NS 1000000000LL

/*
 * A capture on several interfaces at once (-i any, Linux cooked v1/v2; a
 * pcapng file of several, dumpcap -i a -i b, whatever their link type)
 * holds a segment a host forwards, bridges or NATs once per interface it
 * crosses: a router's ingress copy (packet type HOST) and egress one
 * (OUTGOING, TTL one less), a bridge port's and the bridge's, a macvlan's
 * and its parent's; microseconds apart, or milliseconds behind a queue.
 * Analysed twice, every segment would be a retransmission. A segment with
 * the same addresses, ports, numbers, flags, window, length, timestamps,
 * SACK blocks and IPv4 identification as one seen before is such a copy,
 * left out (interface_copy): with an IPv4 identification other than 0
 * (a stack gives each datagram its own: a retransmission or a second
 * duplicate ACK has another) within COPY_WINDOW_IPID; without one (IPv6,
 * an id of 0) from another interface (Linux cooked v2's interface index,
 * the pcapng interface) or another way (the packet type; v1 has no
 * index), since a retransmission goes out of the same interface the same
 * way, no sooner than a round trip: within COPY_WINDOW_IPID with
 * timestamps (a retransmission has a new TSval), else within
 * COPY_WINDOW. The segments seen are kept in a table
 * of COPY_SLOTS, COPY_WAYS to a key; a copy whose entry was taken is
 * analysed as before.
 */
#define COPY_SLOTS 16384
#define COPY_WAYS 4
#define COPY_WINDOW (2 * 1000000LL)	/* ns */
#define COPY_WINDOW_IPID (100 * 1000000LL)	/* ns: IPv4, id not 0 */

struct copy_seen {
	uint64_t key;
	int64_t ts;		/* 0: empty */
	uint64_t iface;		/* interface index << 8 | packet type */
};

/* A segment with payload seen, for copies cut smaller on the way out. */
struct copy_span {
	uint64_t key;		/* 4-tuple, ack, timestamps */
	int64_t ts;		/* 0: empty; else its last piece's */
	uint64_t iface;
	uint32_t seq, end;
	uint32_t piece, least;	/* its longest piece, its shortest */
	bool joined;		/* pieces end to end, from one interface */
};

#define COPY_SPANS 4096
#define COPY_SPAN_WAYS 8

struct copies {
	struct copy_seen slot[COPY_SLOTS];
	struct copy_span span[COPY_SPANS];
};


struct pipeline {
	const struct synfin_config *cfg;
	struct decode_opts dopts;
	int ether_dlt;		/* frames decode_frame_ether() decodes:
				   DLT_EN10MB, or -1 (none) */
	struct flow_table flows;
	struct par *par;	/* -j N >= 2: the threads, else NULL */
	struct report rep;
	struct stats st;
	int64_t clock;		/* capture clock: the latest time seen */
	/* The clock of the next sweep: a second after the last one's
	 * (capture times are clamped below 2^33 s, capture.c: no
	 * overflow). */
	int64_t next_sweep;
	uint64_t frame_no;	/* 1-based across all inputs */
	/* Frames read that are no TCP segment counted in st.tcp_packets
	 * (frame_unusual()), which is st.packets less these: set at the
	 * end (pipeline_finish()), not counted frame by frame. */
	uint64_t not_tcp;
	bool stop;		/* -c reached */
	/* progress line (files, standard error a terminal, or --progress) */
	bool progress;
	int64_t prog_last;	/* wall clock of the last update (us) */
	int64_t prog_start;
	uint64_t prog_done;	/* bytes of the files already finished */
	uint64_t prog_total;	/* bytes of all files (0: unknown) */
	struct capture *cur;	/* the capture being read */
	struct copies *copies;	/* NULL: --keep-copies */
};

static bool
emit_cb(struct conn *c, void *user)
{
	struct pipeline *pl = user;

	report_conn(&pl->rep, &pl->st, c);
	return false;
}

static void
pipeline_init(struct pipeline *pl, const struct synfin_config *cfg, FILE *out)
{
	struct conn_cfg cc = {
		.two_msl_ns = (int64_t)(cfg->msl * 2 * NS),
		.ladder = cfg->ladder && cfg->format == FMT_TEXT,
	};

	memset(pl, 0, sizeof(*pl));
	pl->next_sweep = NS;	/* the clock from 0, no sweep yet */
	pl->cfg = cfg;
	pl->dopts.verify_checksums = cfg->verify_checksums;
	/* decode_frame_ether() verifies no checksums */
	pl->ether_dlt = cfg->verify_checksums ? -1 : DLT_EN10MB;
	pl->dopts.frag = ipfrag_new();
	if (!cfg->keep_copies)
		pl->copies = g_new0(struct copies, 1);
	flow_table_init(&pl->flows, &cc, (int64_t)(cfg->idle_timeout * NS),
	    cfg->max_flows, emit_cb, pl);
	report_init(&pl->rep, cfg, &cc, out);
	/* Write each record at once when someone may be waiting for it: a
	 * live capture, or a capture read from a pipe (tcpdump -w - |). */
	pl->rep.flush_each = cfg->iface != NULL;
	for (char **r = cfg->reads; r && *r; r++) {
		struct stat sb;
		if (strcmp(*r, "-") == 0 || stat(*r, &sb) != 0 ||
		    !S_ISREG(sb.st_mode))
			pl->rep.flush_each = true;
	}
	report_begin(&pl->rep);
}

/* A frame read, decoded, not yet analyzed. */
struct ahead {
	/* First: the address of a slot is its pkt's, which
	 * flow_segment_tcp() is handed (where GCC kept &a->pkt on the
	 * stack across the frames' loop). */
	struct pkt pkt;
	/* The frame; of one decoded by read_decode() at once, only what
	 * frame_commit() reads: ts_ns, and skipped unless none is. */
	struct frame f;
	/* The decoder's result; AHEAD_COPY: DECODE_OK, but a copy from
	 * another interface (copies), not analyzed. */
	enum decode_result r;
	uint32_t hash;		/* one thread: the segment's flow hash (of
				   a frame that is none, a hint) */
};
#define AHEAD_COPY DECODE_MAX

static uint64_t
copy_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/*
 * A router whose way in merges segments (GRO) and whose way out cuts them
 * again (GSO: an interface without TSO, a shaping qdisc) shows one large
 * segment coming in and MSS-sized ones going out, each with the next
 * identification: not the same datagram. A segment from another interface
 * or way within COPY_WINDOW_IPID, with the same 4-tuple, ack and
 * timestamps, whose bytes lie inside a larger segment's, is such a piece,
 * a copy too. (A retransmission goes out the same way.) And the other way
 * round, at a tunnel's end: the pieces come in on the underlay, and the
 * segment GRO merged them into comes out of the tunnel's device. Pieces
 * one interface shows end to end, with the same ack and timestamps, are
 * held as one span (joined): a segment from another interface whose bytes
 * lie inside it, more than any piece's or fewer than every one's, is a
 * copy.
 */
static bool
piece_of_seen(struct copies *cp, const struct pkt *p, uint64_t base,
    uint64_t iface, int64_t ts)
{
	const struct tcp_seg *t = &p->tcp;

	if (!t->paylen || (t->flags & (TH_SYN | TH_RST)))
		return false;
	uint64_t k = copy_mix(copy_mix(base, (uint64_t)t->ack << 32 |
	    t->opt.tsval), (uint64_t)t->opt.tsecr << 1 | t->opt.has_ts);
	uint32_t seq = t->seq, end = t->seq + t->paylen;
	struct copy_span *free = NULL, *prev = NULL;
	for (unsigned w = 0; w < COPY_SPAN_WAYS; w++) {
		struct copy_span *e = &cp->span[(k + w) & (COPY_SPANS - 1)];
		bool live = e->ts && e->key == k && ts >= e->ts &&
		    ts - e->ts <= COPY_WINDOW_IPID;
		/* Inside one larger segment; or, in joined pieces, longer
		 * than any of them (merged) or shorter than all (cut again):
		 * one of a piece's own length from another interface is a
		 * retransmission going out another way. */
		if (live && e->iface != iface && seq_ge(seq, e->seq) &&
		    seq_le(end, e->end) && (e->joined ?
		    end - seq > e->piece || end - seq < e->least :
		    end - seq < e->end - e->seq))
			return true;
		if (live && e->iface == iface && e->end == seq)
			prev = e;	/* this one follows it */
		if (!free || (free->ts && (!e->ts || e->ts < free->ts)))
			free = e;	/* empty, else the oldest */
	}
	if (prev) {
		prev->end = end;
		prev->ts = ts;
		if (end - seq > prev->piece)
			prev->piece = end - seq;
		if (end - seq < prev->least)
			prev->least = end - seq;
		prev->joined = true;
		return false;
	}
	*free = (struct copy_span){ k, ts, iface, seq, end, end - seq,
	    end - seq, false };
	return false;
}

/* Is decoded frame a a copy (struct copies) of one seen just before? */
static __attribute__((noinline)) bool
copy_of_seen(struct copies *cp, const struct ahead *a)
{
	const struct pkt *p = &a->pkt;
	const struct tcp_seg *t = &p->tcp;
	uint64_t iface = 0, k = p->af;

	/* The interface: Linux cooked's index and packet type, and the
	 * pcapng interface of a file of several (dumpcap -i a -i b). */
	if (!decode_cooked_iface(a->f.dlt, a->f.data, a->f.caplen, &iface) &&
	    !a->f.iface)
		return false;
	iface ^= (uint64_t)a->f.iface << 40;
	for (unsigned i = 0; i < 16; i += 8) {
		uint64_t s, d;
		memcpy(&s, p->src + i, 8);
		memcpy(&d, p->dst + i, 8);
		k = copy_mix(copy_mix(k, s), d);
	}
	k = copy_mix(k, (uint64_t)t->sport << 16 | t->dport);
	uint64_t base = k;	/* the 4-tuple: piece_of_seen() */
	k = copy_mix(k, (uint64_t)t->flags << 16 | t->win);
	k = copy_mix(k, (uint64_t)t->seq << 32 | t->ack);
	k = copy_mix(k, (uint64_t)t->paylen << 32 | (p->quirks &
	    (DEC_ICMP_ERR | DEC_ICMP_FROM_DST)) << 1 | t->opt.has_ts);
	k = copy_mix(k, (uint64_t)t->opt.tsval << 32 | t->opt.tsecr);
	k = copy_mix(k, (uint64_t)p->ipid << 8 | t->opt.nsack);
	for (unsigned i = 0; i < t->opt.nsack && i < TCP_MAX_SACK; i++)
		k = copy_mix(k, (uint64_t)t->opt.sack[i][0] << 32 |
		    t->opt.sack[i][1]);
	/* The same IPv4 datagram (its identification too: a retransmission
	 * or another duplicate ACK has a new one) is a copy however it went
	 * and after a queue's wait; else only from another interface or
	 * direction, and soon after: after a queue's wait too when it has
	 * timestamps, since a segment sent again has a new TSval (it is
	 * stamped when sent, RFC 7323 5.4: a tick later) unless it went in
	 * the same tick, the same way (a fast retransmission on a LAN), and
	 * the same way it is no copy anyway. */
	bool same_ip = p->af == 4 && p->ipid != 0;
	bool long_win = same_ip || t->opt.has_ts;
	int64_t ts = a->f.ts_ns ? a->f.ts_ns : 1;
	struct copy_seen *free = NULL;
	for (unsigned w = 0; w < COPY_WAYS; w++) {
		struct copy_seen *e = &cp->slot[(k + w) & (COPY_SLOTS - 1)];
		if (e->ts && e->key == k) {
			/* Either way round: dumpcap writes a file of several
			 * interfaces a buffer of each at a time, so a copy
			 * may come before the segment it copies. */
			int64_t apart = ts >= e->ts ? ts - e->ts : e->ts - ts;
			if (apart <= (long_win ? COPY_WINDOW_IPID :
			    COPY_WINDOW) && (same_ip || e->iface != iface))
				return true;
			free = e;	/* this one's again: from now */
			break;
		}
		if (!free || (free->ts && (!e->ts || e->ts < free->ts)))
			free = e;	/* empty, else the oldest */
	}
	*free = (struct copy_seen){ k, ts, iface };
	return piece_of_seen(cp, p, base, iface, ts);
}

/* A frame decoded with one thread (frame_decode(), read_decode()): a
 * segment's flow hash, and its lookup's bucket fetched now. Any frame's,
 * without a test of the decoder's result: the decoder leaves no field of
 * pkt unset (decode_frame_whole() clears it first), and the hash of a
 * frame that is no segment is only prefetch_ahead()'s hint, harmless. */
static inline __attribute__((always_inline)) void
hash_ahead(struct pipeline *pl, struct ahead *a)
{
	a->hash = flow_table_hash(&pl->flows, &a->pkt);
	flow_prefetch_bucket(&pl->flows, a->hash);
}

/* Decoding changes nothing the analysis reads: a frame may be decoded
 * ahead of those before it are analyzed. It changes the reassembler
 * (ipfrag.h) and the copies seen (struct copies), both in the order frames
 * are read, which is the order they are decoded. With one thread, the
 * lookup's bucket is fetched now (flow_prefetch_bucket()). Inline: out
 * of line, it saved three registers and moved six arguments for every
 * frame. par is pl->par, a constant NULL where the caller knows it is. */
static inline __attribute__((always_inline)) void
frame_decode(struct pipeline *pl, struct ahead *a, struct par *par)
{
	/* Ethernet without checksums to verify (pl->ether_dlt: else none),
	 * of one interface (the copies' test reads what
	 * decode_frame_ether() leaves out) */
	bool fast = G_LIKELY(a->f.dlt == pl->ether_dlt && !a->f.iface);
	/* Nothing after the decoder reads the payload, and the frame may
	 * be gone when a frame read ahead is analyzed (as with -j): no
	 * payload pointer (decode_frame_ether() stores none). The frame's
	 * time is for the fragment reassembler. */
	pl->dopts.ts = a->f.ts_ns;
	if (fast) {
		a->r = decode_frame_ether(a->f.data, a->f.caplen,
		    a->f.wirelen, a->f.ts_ns, &pl->dopts, &a->pkt);
	} else {
		a->r = decode_frame(a->f.dlt, a->f.data, a->f.caplen,
		    a->f.wirelen, &pl->dopts, &a->pkt);
		a->pkt.tcp.payload = NULL;
	}
	if (G_UNLIKELY((!fast && a->f.dlt != DLT_EN10MB) || a->f.iface) &&
	    a->r == DECODE_OK && pl->copies && copy_of_seen(pl->copies, a))
		a->r = AHEAD_COPY;
	if (!par)
		hash_ahead(pl, a);
}

/* frame_commit()'s frame that is not the usual one: counted; whether it
 * is analyzed. */
static __attribute__((noinline)) bool
frame_unusual(struct pipeline *pl, const struct ahead *a)
{
	const struct pkt *pkt = &a->pkt;

	/* No segment of st.tcp_packets, but the one counted last below. */
	pl->not_tcp++;
	switch (a->r) {
	case DECODE_OK:
		break;
	case AHEAD_COPY:
		pl->st.derr[DERR_COPY]++;
		return false;
	case DECODE_TRUNCATED:
		pl->st.derr[DERR_TRUNCATED]++;
		return false;
	case DECODE_MALFORMED:
		pl->st.derr[DERR_MALFORMED]++;
		return false;
	case DECODE_UNSUPPORTED:
		pl->st.derr[DERR_UNSUPPORTED]++;
		return false;
	case DECODE_NOT_TCP:
	default:
		/* A TCP fragment dropped at once: its IPv4 header checksum
		 * was wrong (--verify-checksums). (Those held are counted
		 * when their datagram is given up: pipeline_finish().) */
		if (pkt->quirks & DEC_IP_FRAG_LATER)
			pl->st.derr[pkt->quirks & DEC_IP_BAD_CSUM ?
			    DERR_BAD_CHECKSUM : DERR_FRAGMENT]++;
		return false;
	}
	if (pkt->quirks & DEC_IP_BAD_CSUM) {
		/* A bad IPv4 header checksum: the datagram is dropped
		 * before TCP sees it, silently, as a host (and Zeek) does. */
		pl->st.derr[DERR_BAD_CHECKSUM]++;
		return false;
	}
	if (pkt->quirks & DEC_TCP_BAD_CSUM)
		pl->st.derr[DERR_BAD_CHECKSUM]++;
	else if (!(pkt->quirks & DEC_ICMP_ERR))	/* an ICMP error: to its
						   connection, not TCP */
		pl->not_tcp--;
	return true;
}

static void progress_update(struct pipeline *pl, bool force);

/* Analyze a decoded frame: in frame order; with shown, every 4,096 frames
 * show how far the input is (the progress line). Inline: out of line, it
 * saved registers and made a stack frame for each frame, and
 * capture_ahead() kept its own across the call. par as frame_decode()'s.
 * none_skipped: the capture has no filter (capture_head.at_once), so no
 * frame is left out before this one, and a->f.skipped is not read. */
static inline __attribute__((always_inline)) void
frame_commit(struct pipeline *pl, struct ahead *a, struct par *par,
    bool shown, bool none_skipped)
{
	const struct frame *f = &a->f;
	struct pkt *pkt = &a->pkt;
	/* (in a register: nothing the analysis calls counts frames) */
	uint64_t k = ++pl->st.packets;

	/* The frame's number in the input files, frames the filter left
	 * out included (as tshark and Wireshark number them). */
	pl->frame_no += 1 + (none_skipped ? 0 : f->skipped);
	/* The clock never runs backwards: a capture whose timestamps jump
	 * back does not rewind the timers. (Stored every frame, a
	 * conditional move where a branch and the store's copy were.) */
	int64_t clock = f->ts_ns > pl->clock ? f->ts_ns : pl->clock;
	pl->clock = clock;
	if (clock >= pl->next_sweep) {
		if (par)
			par_sweep(par, pl->frame_no, pl->clock);
		else
			flow_expire(&pl->flows, pl->clock);
		pl->next_sweep = pl->clock + NS;
	}

	/* The usual frame at once: a segment, no copy, no checksum or ICMP
	 * finding, nothing to count; the others counted out of line. */
	bool usual = G_LIKELY(a->r == DECODE_OK && !(pkt->quirks &
	    (DEC_IP_BAD_CSUM | DEC_TCP_BAD_CSUM | DEC_ICMP_ERR)));
	if (!usual && !frame_unusual(pl, a))
		goto shown;
	if (par) {
		par_segment(par, pkt, f->ts_ns, pl->frame_no);
		goto shown;
	}
	if (G_LIKELY(usual))	/* no ICMP error: no test of it again */
		flow_segment_tcp(&pl->flows, pkt, a->hash, f->ts_ns,
		    pl->frame_no);
	else
		flow_segment(&pl->flows, pkt, a->hash, f->ts_ns,
		    pl->frame_no);
	/* (a multiple of 4,096 is one of 64 too: one test per frame) */
	if (G_LIKELY((k & 63) != 0))
		return;
	hugemem_heap();	/* what the heap grew by for records */
shown:
	if (shown && (k & 4095) == 0)
		progress_update(pl, false);
}

static void
pipeline_frame(struct pipeline *pl, const struct frame *f)
{
	struct ahead a = { .f = *f };

	frame_decode(pl, &a, pl->par);
	frame_commit(pl, &a, pl->par, false, false);
}

static uint64_t
open_count(const struct pipeline *pl)
{
	return pl->par ? par_open(pl->par) : flow_count(&pl->flows);
}

/* g_format_size(), with a plain space where GLib puts a no-break one
 * (U+00A0), which a terminal in the C locale shows as junk. */
static void
format_size(char *buf, size_t n, uint64_t v)
{
	g_autofree char *s = g_format_size(v);
	g_autofree char *t = NULL;
	char **w = g_strsplit(s, "\xc2\xa0", -1);

	t = g_strjoinv(" ", w);
	g_strfreev(w);
	g_snprintf(buf, n, "%s", t);
}

/* The progress line: bytes read of total, packets/s, connections open.
 * Written with \r and cleared at the end, so it never mixes with a report
 * on the terminal; a few updates a second, checked every 4096 packets. */
static void
progress_update(struct pipeline *pl, bool force)
{
	int64_t now = g_get_monotonic_time();
	char done[32], total[32];

	if (!pl->progress || (!force && now - pl->prog_last < 250000))
		return;
	pl->prog_last = now;
	uint64_t off = pl->prog_done + (pl->cur ? capture_offset(pl->cur) : 0);
	double secs = (double)(now - pl->prog_start) / 1e6;
	double pps = secs > 0 ? (double)pl->st.packets / secs : 0;
	format_size(done, sizeof(done), off);
	if (pl->prog_total) {
		format_size(total, sizeof(total), pl->prog_total);
		fprintf(stderr, "\rsynfin: %3.0f%% %s of %s, %.0f packets/s, "
		    "%" PRIu64 " connections open\033[K", off >= pl->prog_total ? 100.0 :
		    100.0 * (double)off / (double)pl->prog_total, done, total,
		    pps, open_count(pl));
	} else {
		fprintf(stderr, "\rsynfin: %s read, %.0f packets/s, "
		    "%" PRIu64 " connections open\033[K", done, pps,
		    open_count(pl));
	}
	fflush(stderr);
}

static void
progress_clear(struct pipeline *pl)
{
	if (!pl->progress)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

/*
 * One thread reading a file decodes AHEAD frames ahead of the one it
 * analyzes (pipeline_capture()). A table far larger than the cache costs
 * two misses a segment (the bucket, then the record), and a new
 * connection's SYN one more for each other record of its bucket; here
 * they are under way while the frames before are analyzed: the bucket
 * from the frame's decoding (frame_decode()), the record's first line
 * RECORD_AHEAD frames before its turn (flow_prefetch_record()), the
 * chain's second record CHAIN_AHEAD frames before it
 * (flow_prefetch_chain()), each step three frames after the one it
 * reads. (AHEAD 4, RECORD_AHEAD 2 and no chain's step, until the
 * fifteenth session: on 10 million short connections, 0.925 of the time
 * in 4 paired runs; the waits of the SYNs' walks had been 5 % of it.)
 * Decoding reads only the frame and changes nothing the analysis reads
 * (frame_decode()), and the pkt it makes keeps no pointer into the
 * frame: the output is the same either way.
 */
#define AHEAD 8
#define RECORD_AHEAD 5
#define CHAIN_AHEAD 2
/* The chain's step only for a table this large (about 25 MB of records
 * and more): a smaller one stays in the cache, where the step was 9
 * instructions a packet for nothing (the 320k capture's 36,000 records:
 * 2.2 M). */
#define CHAIN_MIN 131072
/* The frames read ahead and the one analyzed, in a ring of a power of
 * two (an index is masked, not divided). */
#define RING 16
_Static_assert(RING > AHEAD && (RING & (RING - 1)) == 0, "ahead ring");
_Static_assert(RING == 2 * AHEAD, "ahead: half the ring (ahead_loop())");
/* A slot of the ring: a power of two bytes too, so that finding one is a
 * shift (struct ahead is 192 bytes: a multiply by 3 and a shift, each
 * time one was found). */
union ahead_slot {
	struct ahead a;
	uint8_t pad[256];
};
_Static_assert(sizeof(struct ahead) <= 256, "ahead slot");
#define SLOT sizeof(union ahead_slot)

/* The slot at byte offset at (any multiple of SLOT) of the ring: an add
 * and a mask where its index took a shift too. */
static inline __attribute__((always_inline)) struct ahead *
slot_at(union ahead_slot *ring, size_t at)
{
	return &((union ahead_slot *)(void *)((uint8_t *)ring +
	    (at & (RING * SLOT - 1))))->a;
}

/* The record of a frame read ahead, fetched (flow_prefetch_record()):
 * a frame that is no segment has the hash of what the decoder left in
 * its pkt (hash_ahead()), a hint as good as any, without a test. */
static inline __attribute__((always_inline)) void
prefetch_ahead(struct pipeline *pl, const struct ahead *b)
{
	flow_prefetch_record(&pl->flows, b->hash);
}

/* Read a frame into a and decode it (one thread): the usual record
 * (capture_at_once()) of an Ethernet capture decoded at once from what
 * was read, of which the ring keeps only what frame_commit() reads
 * (struct ahead). ether: the records handed out at once are such frames
 * (their link type is the file's, capture_head.dlt, and it is
 * pl->ether_dlt), and there are such records, so the capture has no
 * filter (capture_head.at_once): a constant in each of capture_ahead()'s
 * two loops; there a->f.skipped is not written (none is skipped:
 * frame_commit()). */
static inline __attribute__((always_inline)) enum capture_status
read_decode(struct pipeline *pl, struct capture *cap, struct ahead *a,
    bool ether, GError **err)
{
	struct frame f;

	/* (struct capture begins with its struct capture_head) */
	if (G_LIKELY(capture_at_once((struct capture_head *)(void *)cap,
	    &f))) {
		if (ether) {
			/* frame_decode()'s, from f: Ethernet, no interface
			 * (f.iface 0), so no copy to look for */
			a->f.ts_ns = f.ts_ns;
			a->r = decode_frame_ether(f.data, f.caplen,
			    f.wirelen, f.ts_ns, &pl->dopts, &a->pkt);
			hash_ahead(pl, a);
			return CAPTURE_OK;
		}
		a->f = f;
	} else {
		enum capture_status s = capture_next(cap, &a->f, err);
		if (s != CAPTURE_OK)
			return s;
	}
	frame_decode(pl, a, NULL);
	return CAPTURE_OK;
}

/* capture_ahead()'s loop once AHEAD frames are read: each frame read is
 * followed by the analysis of the one AHEAD before it; at is the offset
 * in bytes of the next to analyze in the ring (slot_at(), already
 * masked): done modulo RING, SLOT times (done counted by it alone, and
 * only its place in the ring matters after). The input's end or error
 * (s), or CAPTURE_OK when the output is gone (what is read ahead is
 * left). ether as read_decode()'s. */
static inline __attribute__((always_inline)) enum capture_status
ahead_loop(struct pipeline *pl, struct capture *cap, union ahead_slot *ring,
    size_t *atp, bool ether, GError **err)
{
	size_t at = 0;
	enum capture_status s;

	for (;;) {
		/* (AHEAD on, of a masked at: the other half of the ring) */
		s = read_decode(pl, cap, slot_at(ring, at ^ AHEAD * SLOT),
		    ether, err);
		if (s != CAPTURE_OK) {
			if (s == CAPTURE_AGAIN)	/* never from a file */
				continue;
			break;
		}
		prefetch_ahead(pl, slot_at(ring, at + RECORD_AHEAD * SLOT));
		if (pl->flows.n >= CHAIN_MIN)
			flow_prefetch_chain(&pl->flows,
			    slot_at(ring, at + CHAIN_AHEAD * SLOT)->hash,
			    NULL, 1);
		/* The oldest, now AHEAD are read after it. */
		frame_commit(pl, slot_at(ring, at), NULL, true, ether);
		at = (at + SLOT) & (RING * SLOT - 1);
		if (pl->rep.gone)
			break;
	}
	*atp = at;
	return s;
}

/* One thread reading a regular file, without -c (pipeline_capture()):
 * AHEAD frames ahead, in a loop of its own that tests nothing per frame
 * but the end of the input and the output's (pl->stop is never set
 * without -c). Once AHEAD are read, each frame read is followed by the
 * analysis of the one AHEAD before it: the loop counts those alone. */
static bool
capture_ahead(struct pipeline *pl, struct capture *cap, GError **err)
{
	union ahead_slot ring[RING];
	uint64_t n = 0, done = 0;	/* frames read, frames analyzed */
	enum capture_status s;
	/* (struct capture begins with its struct capture_head) */
	const struct capture_head *head = (void *)cap;
	/* read_decode()'s ether; with it, no frame of the capture is left
	 * out by a filter (at_once) */
	bool ether = head->dlt == pl->ether_dlt && head->at_once != 0;

	if (pl->rep.gone)
		return true;
	/* The first AHEAD: none analyzed yet. */
	while (n < AHEAD) {
		s = capture_next(cap, &ring[n].a.f, err);
		if (s != CAPTURE_OK) {
			if (s == CAPTURE_AGAIN)	/* never from a file */
				continue;
			goto end;
		}
		frame_decode(pl, &ring[n].a, NULL);	/* one thread */
		if (++n > RECORD_AHEAD)
			prefetch_ahead(pl, &ring[RECORD_AHEAD].a);
	}
	/* Then AHEAD read and not analyzed at every turn, in one of two
	 * copies of the loop: the link type of the frames handed out at
	 * once is the file's (capture.c sets it once), tested here once
	 * rather than for every frame, and so is the filter. */
	size_t at;
	if (ether)
		s = ahead_loop(pl, cap, ring, &at, true, err);
	else
		s = ahead_loop(pl, cap, ring, &at, false, err);
	if (s == CAPTURE_OK)	/* the output is gone */
		return true;
	done = at / SLOT;	/* its place in the ring: all that counts */
	n = done + AHEAD;
end:
	/* The end of the input: the frames read ahead. */
	while (done < n)
		frame_commit(pl, &ring[done++ & (RING - 1)].a, NULL, true,
		    ether);
	return s != CAPTURE_ERROR;
}

/* Read one capture to its end; false on a read error (err set), after
 * analyzing every frame before it. One thread reading a regular file reads
 * AHEAD frames ahead (capture_ahead()); elsewhere a frame at a time: -c
 * stops at a frame (none is read past it), and where someone waits for
 * each record (a pipe), reading ahead would wait for AHEAD more frames. */
static bool
pipeline_capture(struct pipeline *pl, struct capture *cap, GError **err)
{
	enum capture_status s = CAPTURE_OK;

	if (!pl->par && !pl->cfg->count && !pl->rep.flush_each)
		return capture_ahead(pl, cap, err);
	while (s == CAPTURE_OK && !pl->stop && !pl->rep.gone) {
		struct ahead a;
		s = capture_next(cap, &a.f, err);
		if (s == CAPTURE_AGAIN) {
			s = CAPTURE_OK;	/* never from a file */
			continue;
		}
		if (s != CAPTURE_OK)
			break;
		frame_decode(pl, &a, pl->par);
		frame_commit(pl, &a, pl->par, true, false);
		if (pl->cfg->count && pl->st.packets >= pl->cfg->count)
			pl->stop = true;
	}
	return s != CAPTURE_ERROR;
}

static void
pipeline_finish(struct pipeline *pl)
{
	/* Fragments of datagrams never made whole: no segment. */
	ipfrag_flush(pl->dopts.frag);
	pl->st.derr[DERR_FRAGMENT] += ipfrag_dropped(pl->dopts.frag);
	ipfrag_free(pl->dopts.frag);
	pl->dopts.frag = NULL;
	g_free(pl->copies);
	pl->copies = NULL;
	if (pl->par) {
		par_finish(pl->par, pl->clock, &pl->st);
		pl->par = NULL;
	} else {
		flow_flush(&pl->flows, pl->clock);
		pl->st.evicted = pl->flows.evicted;
	}
	pl->st.tcp_packets = pl->st.packets - pl->not_tcp;
	report_end(&pl->rep, &pl->st);
	report_destroy(&pl->rep);
	flow_table_destroy(&pl->flows);
}

/* fclose(), and whether every write before it went through too. */
static bool
close_out(FILE *out)
{
	bool ok = !ferror(out);

	return fclose(out) == 0 && ok;
}

static int
exit_status(const struct pipeline *pl, bool failed)
{
	if (failed)
		return 2;
	if (pl->cfg->check && pl->st.with_anomalies)
		return 1;
	return 0;
}

/* ---- live capture ------------------------------------------------------ */

static volatile sig_atomic_t live_stop;
static struct capture *live_cap;

/* SIGINT or SIGTERM: the first stops the reading (a live capture's, or
 * the files', at their next read, or at once for a pipe that keeps a
 * read waiting), and everything still open is reported with the
 * summary, as at the end of the input; a second exits at once. */
static void
on_signal(int sig)
{
	if (live_stop)
		_exit(128 + sig);	/* a second signal: at once */
	live_stop = 1;
	capture_interrupt();
	capture_break(live_cap);
}

/* Without SA_RESTART: a read of a pipe that waits for data returns. */
static void
catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	live_stop = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* catch_signals() undone, once the report is written. */
static void
default_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

static int64_t
wall_ns(void)
{
	return g_get_real_time() * 1000;
}

/* -Z: give up root once the interface is open, before any output file is
 * opened, in tcpdump's order ("after opening the capture device ... but
 * before opening any savefiles for output", tcpdump(1) -Z): the files are
 * then created by USER and owned by it, and root writes none of them.
 * As in tcpdump, only root drops privileges; any other user already runs
 * as itself and -Z changes nothing. */
static bool
drop_privileges(const char *user, GError **err)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-Z %s: no such user", user);
		return false;
	}
	if (getuid() != 0 && geteuid() != 0)
		return true;
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-Z %s: cannot drop privileges: %s", user,
		    g_strerror(errno));
		return false;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-Z %s: root privileges could be regained", user);
		return false;
	}
	return true;
}

static int
pipeline_run_live(const struct synfin_config *cfg)
{
	g_autoptr(GError) err = NULL;
	struct capture_live_opts lo = {
		.snaplen = cfg->snaplen, .no_promisc = cfg->no_promisc,
		.buffer_kib = cfg->buffer_size, .fanout = cfg->fanout,
	};
	struct pipeline pl;
	FILE *out = stdout;
	bool failed = false;

	struct capture *cap = capture_open_live(cfg->iface, cfg->filter, &lo,
	    &err);
	if (!cap) {
		g_printerr("synfin: %s\n", err->message);
		return 2;
	}
	if ((cfg->user && !drop_privileges(cfg->user, &err)) ||
	    (cfg->write && !capture_dump_open(cap, cfg->write, &err)) ||
	    (cfg->output && !(out = outfile_open(cfg->output, &err)))) {
		g_printerr("synfin: %s\n", err->message);
		capture_close(cap);
		return 2;
	}

	live_cap = cap;
	catch_signals();

	pipeline_init(&pl, cfg, out);
	pl.clock = wall_ns();
	pl.next_sweep = pl.clock + NS;
	while (!live_stop && !pl.stop && !pl.rep.gone) {
		struct frame f;
		enum capture_status s = capture_next(cap, &f, &err);
		if (s == CAPTURE_OK) {
			pipeline_frame(&pl, &f);
			if (cfg->count && pl.st.packets >= cfg->count)
				pl.stop = true;
			continue;
		}
		if (s == CAPTURE_ERROR) {
			/* The interface went down, or worse: report what was
			 * analyzed, then the error. */
			g_printerr("synfin: %s\n", err->message);
			g_clear_error(&err);
			failed = true;
			break;
		}
		/* Idle link: the wall clock drives TIME_WAIT and idle expiry. */
		int64_t now = wall_ns();
		if (now > pl.clock)
			pl.clock = now;
		if (pl.clock >= pl.next_sweep) {
			flow_expire(&pl.flows, pl.clock);
			pl.next_sweep = pl.clock + NS;
		}
	}
	uint64_t recv = 0, drop = 0, ifdrop = 0;
	if (capture_stats(cap, &recv, &drop, &ifdrop)) {
		pl.st.dropped = drop + ifdrop;
		pl.st.if_dropped = ifdrop;
		pl.st.received = recv;
		pl.st.live = true;
	}
	int64_t now = wall_ns();
	if (now > pl.clock)
		pl.clock = now;
	pipeline_finish(&pl);
	default_signals();
	live_cap = NULL;
	capture_close(cap);
	bool gone = pl.rep.gone;	/* (as pipeline_run()) */
	if (out != stdout && !close_out(out) && !gone) {
		g_printerr("synfin: %s: %s\n", cfg->output, g_strerror(errno));
		failed = true;
	}
	return exit_status(&pl, failed || gone);
}

unsigned
pipeline_jobs(const struct synfin_config *cfg, uint64_t bytes)
{
	if (cfg->jobs > 0)
		return (unsigned)cfg->jobs;
	/* Threads pay off past about 512 MB: below, starting them and the
	 * end of the input, whose records the reading thread formats alone,
	 * cost more than they share (2 cores, 2026-12-07, wall time, -j 2
	 * against -j 1: 1.22 on 320,000 packets of short connections, 62
	 * MB; 1.16 on 300,000 of the default mix, 234 MB; 1.18 on 3 million
	 * short headers only, 275 MB; 1.09 on 3 million short, 610 MB; 0.83
	 * on a million of the default mix, 750 MB; 0.92 on 863 MB of
	 * keep-alive connections; 0.88 on 10 million short connections,
	 * 7.5 GB, and 1.18 there after the fifteenth session's cuts to one
	 * thread's sweeps, which the reading thread's share does not get:
	 * a size cannot tell such a capture from the default mix's).
	 * --max-flows is one bound over all records, which one thread keeps
	 * exactly. */
	if (cfg->iface || cfg->max_flows || bytes < PIPELINE_MT_BYTES)
		return 1;
	unsigned n = g_get_num_processors();
	return n < 1 ? 1 : n > 8 ? 8 : n;
}

/* With more than one thread, start them (src/parallel.c). The tables are
 * sized for a record every KB of the files (a capture of headers only
 * holds one every few hundred bytes, of whole short HTTP connections
 * one every 1.8 KB), which flow_table_reserve() caps. */
static void
start_jobs(struct pipeline *pl, const struct synfin_config *cfg,
    unsigned jobs)
{
	uint64_t expect = pl->prog_total / 1024;

	if (jobs > 1) {
		/* The threads leave SIGINT and SIGTERM to the reading one,
		 * whose read they interrupt (catch_signals()). */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &block, &old);
		pl->par = par_new(jobs, &pl->flows.cfg, pl->flows.idle_ns,
		    cfg->max_flows, expect, &pl->rep);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	} else {
		flow_table_reserve(&pl->flows, expect);
		hugemem_heap_start();	/* the records, on huge pages */
	}
}

/* A file that begins this much before the files read before it end is
 * out of order (a warning): tcpdump -C's next file begins after the
 * last, give or take a multi-queue NIC's reordering. */
#define OUT_OF_ORDER_NS 1000000

int
pipeline_run(const struct synfin_config *cfg)
{
	g_autoptr(GError) err = NULL;
	struct pipeline pl;
	FILE *out = stdout;
	bool failed = false;

	if (cfg->iface)
		return pipeline_run_live(cfg);
	/* Check every file before writing anything: a typo in the third
	 * file name should not cost a half-written report. */
	struct stat os;
	bool out_exists = cfg->output && stat(cfg->output, &os) == 0;
	for (char **r = cfg->reads; *r; r++) {
		struct stat rs;
		bool in = strcmp(*r, "-") == 0;	/* standard input */
		bool there = in ? fstat(STDIN_FILENO, &rs) == 0 :
		    stat(*r, &rs) == 0;
		/* The report must not overwrite a capture it reads, standard
		 * input redirected from it (-r - -o x < x) included. */
		if (out_exists && there && rs.st_dev == os.st_dev &&
		    rs.st_ino == os.st_ino) {
			g_printerr("synfin: %s: the output (-o) is one of the "
			    "input files%s\n", cfg->output,
			    in ? " (standard input)" : "");
			return 2;
		}
		if (in)
			continue;	/* checked as it is read */
		/* A pipe, FIFO or socket (-r <(zcat x.pcap.gz)) can be read
		 * once: checked as it is read, as standard input is. Any
		 * other file is checked here (/dev/null too). */
		if (there && (S_ISFIFO(rs.st_mode) || S_ISSOCK(rs.st_mode)))
			continue;
		struct capture *cap = capture_open_file(*r, cfg->filter, &err);
		if (!cap) {
			g_printerr("synfin: %s\n", err->message);
			return 2;
		}
		capture_close(cap);
	}
	if (cfg->output && !(out = outfile_open(cfg->output, &err))) {
		g_printerr("synfin: %s\n", err->message);
		return 2;
	}

	pipeline_init(&pl, cfg, out);
	pl.progress = cfg->progress || (!cfg->quiet && isatty(STDERR_FILENO));
	pl.prog_start = g_get_monotonic_time();
	for (char **r = cfg->reads; *r; r++) {
		struct stat sb;
		if (strcmp(*r, "-") != 0 && stat(*r, &sb) == 0 &&
		    S_ISREG(sb.st_mode))
			pl.prog_total += (uint64_t)sb.st_size;
	}
	catch_signals();
	start_jobs(&pl, cfg, pipeline_jobs(cfg, pl.prog_total));
	bool told_order = false;
	for (char **r = cfg->reads; *r && !pl.stop && !pl.rep.gone; r++) {
		struct capture *cap = capture_open_file(*r, cfg->filter, &err);
		if (!cap) {
			g_printerr("synfin: %s\n", err->message);
			g_clear_error(&err);
			failed = true;
			continue;
		}
		/* (its name in messages) */
		const char *name = strcmp(*r, "-") == 0 ? "standard input" : *r;
		pl.cur = cap;
		progress_update(&pl, true);
		int64_t before = pl.clock;	/* the files before: their end */
		bool ok = pipeline_capture(&pl, cap, &err);
		int64_t first;
		if (r != cfg->reads && !told_order &&
		    capture_first_ts(cap, &first) &&
		    first < before - OUT_OF_ORDER_NS) {
			told_order = true;	/* once a run */
			progress_clear(&pl);
			g_warning("%s begins %.6f s before the files before it "
			    "end: files are read in the order given, not "
			    "merged by time (mergecap merges them)", name,
			    (double)(before - first) / 1e9);
		}
		/* (The file's last frames the filter left out: the next
		 * file's numbers count them.) */
		pl.frame_no += capture_skipped_tail(cap);
		progress_update(&pl, true);
		pl.prog_done += capture_offset(cap);
		pl.cur = NULL;
		uint64_t drops;
		if (capture_file_drops(cap, &drops))
			pl.st.dropped += drops;
		if (!ok) {
			/* Report everything before the cut, then say where. */
			progress_clear(&pl);
			g_printerr("synfin: %s\n", err->message);
			g_clear_error(&err);
			failed = true;
		}
		if (capture_interrupted()) {
			progress_clear(&pl);
			g_printerr("synfin: interrupted: the report covers %s "
			    "up to byte %" PRIu64 "\n", name,
			    capture_offset(cap));
			pl.stop = true;
		}
		capture_close(cap);
	}
	progress_clear(&pl);
	pipeline_finish(&pl);
	default_signals();
	/* A reader that closed the pipe (synfin ... | head) ended the run
	 * without a word, as tcpdump's does; the status says the report
	 * was not all written. */
	bool gone = pl.rep.gone;
	if (out != stdout) {
		if (!close_out(out) && !gone) {
			g_printerr("synfin: %s: %s\n", cfg->output,
			    g_strerror(errno));
			failed = true;
		}
	} else if ((ferror(stdout) || fflush(stdout) != 0) && !gone &&
	    errno != EPIPE) {
		g_printerr("synfin: standard output: %s\n", g_strerror(errno));
		failed = true;
	}
	return exit_status(&pl, failed || gone);
}

int
pipeline_run_fp(const struct synfin_config *cfg, FILE *in, FILE *out,
    struct stats *st_out)
{
	g_autoptr(GError) err = NULL;
	struct pipeline pl;
	bool failed = false;
	struct capture *cap = capture_open_fp(in, "input", cfg->filter, &err);

	if (!cap)
		return 2;
	pipeline_init(&pl, cfg, out);
	start_jobs(&pl, cfg, pipeline_jobs(cfg, 0));	/* as given */
	if (!pipeline_capture(&pl, cap, &err))
		failed = true;
	capture_close(cap);
	pipeline_finish(&pl);
	if (st_out)
		*st_out = pl.st;
	return exit_status(&pl, failed);
}
