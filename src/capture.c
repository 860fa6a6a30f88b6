/* capture.c - libpcap offline reading with the errors a user needs. */
#define _GNU_SOURCE 1	/* fopencookie() */
#include "config.h"

#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if_packet.h>	/* PACKET_FANOUT */
#include <sys/socket.h>
#endif

#include "decode.h"
#include "hugemem.h"
#include "outfile.h"
#include "pcapng.h"
#include "rd.h"

struct capture {
	/* First (capture.h): the link type, the offset after the last
	 * whole record, the records read, and what capture_next() hands out
	 * at once. */
	struct capture_head h;
	pcap_t *p;
	char *name;		/* as given on the command line */
	bool pcapng;		/* blocks of any length: offsets by ftell */
	bool sum_ok;		/* classic 2.4: caplen is the record's size */
	bool maybe_drift;	/* a record at the snaplen: the sum may be off */
	uint32_t snap;		/* the file's snaplen as libpcap applies it */
	uint64_t skip;		/* of them, left out by the filter since the
				   last frame returned (frame.skipped) */
	bool live;		/* -i */
	bool nano;		/* timestamps in ns (else us) */
	int fd;			/* live: selectable fd, -1 if none */
	int wait_ms;		/* live: poll timeout */
	pcap_dumper_t *dump;	/* -w */
	int64_t last_flush;	/* -w: last flush (wall clock, us) */
	char *iobuf;		/* the file's stdio buffer */
	struct own_reader *own;	/* classic pcap read here (own_next()) */
	struct bpf_program prog;	/* a file's -f */
	bool has_prog;
	/* A pcapng file libpcap stopped in (ng_takeover()): read on by
	 * pcapng.c, frames of any link type. */
	struct ng_reader *ng;
	struct ng_merge *merge;	/* several interfaces: ng_next_frame() */
	/* Standard input from a pipe: its first bytes (head_check()). */
	const struct head_cookie *head;
	bool head_checked;
	char *filter;		/* -f, compiled again for each link type */
	GArray *ng_progs;	/* struct ng_prog */
	bool at_eof;		/* the file read to its end */
	bool got_first;		/* a frame handed out: first_ts is its time */
	int64_t first_ts;
};

/*
 * The frames of a pcapng file of several interfaces, put back in time
 * order. dumpcap writes such a file a buffer of one interface at a time
 * (each interface's ring hands over its packets in blocks), so that one
 * interface's frames may come after later ones of another: a router's
 * segment out on b before it came in on a, a server's answer before the
 * client's question. Analysed in that order, the connections would look
 * reordered. Frames are held, copied, in a heap by time (file order among
 * equal times) and handed out once one NG_MERGE_NS later has been read,
 * or once NG_MERGE_BYTES are held (past that a file's frames come as far
 * in order as the bytes held allow), and at the end of the input.
 */
#define NG_MERGE_NS (2 * 1000000000LL)
#define NG_MERGE_BYTES (32u << 20)

struct ng_held {
	struct frame f;		/* f.data: the copy */
	uint64_t seq;		/* file order */
};

struct ng_merge {
	struct ng_held *heap;
	size_t n, cap;
	uint64_t seq;
	size_t bytes;		/* frame bytes held */
	int64_t newest;		/* the latest stamp read */
	uint8_t *out;		/* the frame handed out last: freed at the next */
	bool done;		/* the input ended, or failed */
	bool failed;
	GError *err;		/* the failure, until handed out */
};

/* -f compiled for a link type other than the file's first. */
struct ng_prog {
	int dlt;
	bool ok;		/* compiled; else that type's frames skipped */
	struct bpf_program prog;
};

/* libpcap reads a file through stdio, two fread()s a record; with the
 * default 4 KiB buffer that is a read(2) every few packets. */
#define CAPTURE_IOBUF (1u << 20)

G_DEFINE_QUARK(synfin-error-quark, synfin_error)

/* Capture time in ns. A file may hold any 64-bit seconds (pcapng): they
 * are clamped to [1970, 2242), 2^33 s, so that the ns value and every
 * deadline computed from it (time + timeouts of up to years) stay far
 * from INT64_MAX. */
#define CAPTURE_MAX_SEC ((int64_t)1 << 33)

static int64_t
capture_ts_ns(int64_t sec, int64_t sub, bool nano)
{
	if (sec < 0)
		sec = 0;
	if (sec >= CAPTURE_MAX_SEC)
		sec = CAPTURE_MAX_SEC - 1;
	if (sub < 0)
		sub = 0;
	sub = nano ? sub : sub * 1000;
	if (sub > 999999999)
		sub = 999999999;
	return sec * 1000000000 + sub;
}

/*
 * Classic pcap files are read here, not by pcap_next_ex(). libpcap reads a
 * file through stdio, two fread()s a record, and copies every frame into
 * its own buffer: a sixth of synfin's instructions on a capture of
 * headers. Here the file is read half a megabyte at a time into one
 * buffer and each frame is handed out where it lies (a megabyte's buffer
 * took 128 page faults more, 1.7 ms on the benchmark's virtual machine,
 * to save a read call per megabyte). libpcap still opens the file
 * (its header checks, its errors), compiles the filter (which
 * capture_next() applies to a file's frames either way) and reads
 * everything else: pcapng, versions other than 2.4, the modified formats,
 * pipes.
 *
 * A record is judged as libpcap 1.10's pcap_next_packet() (sf-pcap.c)
 * judges it, in its words, so that the report and the error are the same
 * whichever reads (tests/badfiles compares the two on every cut and
 * damaged file, fuzz_pipeline on every input):
 *   - a record header cut by the end of the file: "truncated dump file;
 *     tried to read 16 header bytes, only got N";
 *   - caplen above 262144, libpcap's maximum for every link type synfin
 *     reads (max_snaplen_for_dlt()): "invalid packet capture length N,
 *     bigger than snaplen of S" (the file's snaplen, which libpcap caps at
 *     that maximum, so the caplen is above both);
 *   - caplen above the file's snaplen: the frame is its first snaplen
 *     bytes, the rest is skipped;
 *   - a body cut by the end of the file: "truncated dump file; tried to
 *     read N captured bytes, only got M" (N the snaplen when fewer than
 *     snaplen bytes are left of a record longer than it);
 *   - the stamps are two 32-bit words, seconds and the fraction signed as
 *     libpcap reads it, microseconds scaled to nanoseconds.
 * SYNFIN_LIBPCAP_READ=1 (for tests) leaves every file to libpcap.
 */
#define OWN_MAX_CAPLEN 262144u	/* libpcap's MAXIMUM_SNAPLEN */
#define OWN_READ (1u << 19)	/* the least a read asks for */
#define OWN_BUF (OWN_READ + 16 + OWN_MAX_CAPLEN)

struct own_reader {
	struct capture_buf b;	/* first: the buffer, its unread bytes */
	/* The file's offset of b.buf[0]: the offset after the last whole
	 * record is base + b.pos (own_off()), not counted per record in
	 * capture_head.off. */
	uint64_t base;
	FILE *fp;
	bool swapped;		/* the file's byte order is not ours */
	bool micro;		/* microsecond stamps (else ns) */
	char msg[PCAP_ERRBUF_SIZE];	/* the error, in libpcap's words */
};

/* SYNFIN_LIBPCAP_READ set (not to 0): leave every file to libpcap. */
static bool
libpcap_reads_all(void)
{
	const char *e = getenv("SYNFIN_LIBPCAP_READ");

	return e && *e && strcmp(e, "0") != 0;
}

/* A classic pcap magic number: 1 microseconds, 2 nanoseconds (| 4 if in
 * the other byte order), 0 none. */
static int
own_magic(uint32_t m)
{
	switch (m) {
	case 0xa1b2c3d4: return 1;
	case 0xa1b23c4d: return 2;
	case 0xd4c3b2a1: return 1 | 4;
	case 0x4d3cb2a1: return 2 | 4;
	default: return 0;
	}
}

/* A reader for p's file when it is classic pcap 2.4 in a stream that can
 * seek (to read the magic number again: libpcap does not say whether the
 * stamps are microseconds), else NULL. */
static struct own_reader *
own_open(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	uint32_t m;

	if (!fp || libpcap_reads_all() ||
	    pcap_major_version(p) != 2 || pcap_minor_version(p) != 4 ||
	    ftello(fp) != 24 || fseeko(fp, 0, SEEK_SET) != 0)
		return NULL;
	bool got = fread(&m, 4, 1, fp) == 1;
	if (fseeko(fp, 24, SEEK_SET) != 0) {
		/* Cannot happen after the seek to 0; should it, libpcap
		 * cannot go on reading either. */
		g_error("capture: cannot seek back to the first record");
	}
	int k = got ? own_magic(m) : 0;
	if (!k || ((k & 4) != 0) != (pcap_is_swapped(p) != 0))
		return NULL;
	struct own_reader *o = g_new0(struct own_reader, 1);
	o->fp = fp;
	o->base = 24;	/* the first record's */
	o->swapped = k & 4;
	o->micro = k & 1;
	return o;	/* o->b.buf at the first read (own_fill()) */
}

/* Before any I/O on fp: will own_open() take it (a classic pcap magic
 * number at 0 of a file)? Then its reads go straight to its buffer, and
 * libpcap's two reads of the header bypass stdio's. */
static bool
own_likely(FILE *fp)
{
	uint32_t m;

	if (libpcap_reads_all() ||
	    pread(fileno(fp), &m, 4, 0) != 4 || !own_magic(m))
		return false;
	return setvbuf(fp, NULL, _IONBF, 0) == 0;
}

static void
own_free(struct own_reader *o)
{
	if (!o)
		return;
	hugemem_unmap(o->b.buf, OWN_BUF);
	g_free(o);
}

/* At least need unread bytes, if the file has them: the unread bytes. */
static size_t
own_fill(struct own_reader *o, size_t need)
{
	size_t have = o->b.end - o->b.pos;

	if (have >= need)
		return have;
	/* Every byte of it is written by the first read: mapped at once
	 * (hugemem.h), one system call where filling it took 192 page
	 * faults, 2.5 ms on the benchmark's virtual machine; and only then,
	 * not for a file opened to be checked and closed (pipeline.c). */
	if (!o->b.buf)
		o->b.buf = hugemem_mapped(OWN_BUF);
	memmove(o->b.buf, o->b.buf + o->b.pos, have);
	o->base += o->b.pos;
	o->b.pos = 0;
	o->b.end = have;
	while (o->b.end < need) {
		size_t n = fread(o->b.buf + o->b.end, 1, OWN_BUF - o->b.end,
		    o->fp);
		if (n == 0)
			break;		/* the end, or an error (ferror()) */
		o->b.end += n;
	}
	return o->b.end;
}

static enum capture_status capture_fail(struct capture *c, const char *why,
    GError **err);

/* A read error, or `tried` bytes of a record's header or body asked
 * for and `got` found before the end of the file. */
static enum capture_status
own_fail(struct capture *c, const char *what, size_t tried, size_t got,
    GError **err)
{
	struct own_reader *o = c->own;

	if (ferror(o->fp))
		g_snprintf(o->msg, sizeof(o->msg), "error reading dump file: "
		    "%s", g_strerror(errno));
	else
		g_snprintf(o->msg, sizeof(o->msg), "truncated dump file; tried "
		    "to read %zu %s bytes, only got %zu", tried, what, got);
	return capture_fail(c, o->msg, err);
}

/* The offset after the last whole record the own reader read. */
static uint64_t
own_off(const struct own_reader *o)
{
	return o->base + o->b.pos;
}

/* The next record: h and *d for capture_result(). */
static enum capture_status
own_next(struct capture *c, struct pcap_pkthdr *h, const u_char **d,
    GError **err)
{
	struct own_reader *o = c->own;
	size_t have = own_fill(o, 16);

	if (have < 16) {
		if (have == 0 && !ferror(o->fp))
			return CAPTURE_EOF;
		return own_fail(c, "header", 16, have, err);
	}
	uint32_t w[4];
	memcpy(w, o->b.buf + o->b.pos, 16);
	if (o->swapped)
		for (int i = 0; i < 4; i++)
			w[i] = GUINT32_SWAP_LE_BE(w[i]);
	uint32_t caplen = w[2];
	if (caplen > OWN_MAX_CAPLEN) {
		g_snprintf(o->msg, sizeof(o->msg), "invalid packet capture "
		    "length %u, bigger than snaplen of %u", caplen, c->snap);
		return capture_fail(c, o->msg, err);
	}
	size_t want = 16 + (size_t)caplen;
	if (have < want && (have = own_fill(o, want)) < want) {
		size_t got = have - 16;
		return own_fail(c, "captured", caplen > c->snap &&
		    got < c->snap ? c->snap : caplen, got, err);
	}
	*d = o->b.buf + o->b.pos + 16;
	o->b.pos += want;
	c->h.records++;
	/* As libpcap fills it: the 32-bit words sign-extended. */
	h->ts.tv_sec = (int32_t)w[0];
	h->ts.tv_usec = (int32_t)w[1] * (o->micro ? 1000L : 1L);
	h->caplen = caplen < c->snap ? caplen : c->snap;
	h->len = w[3];
	return CAPTURE_OK;
}

/* Where a pcapng error lies. libpcap reads the blocks it does not return
 * (interface descriptions, new sections, and blocks of unknown types, which
 * the format says to skip) inside pcap_next_ex(), so the offset after the
 * last packet is not always where the bad block starts. After an error the
 * stream stands inside the bad block or at its end (libpcap read its
 * header, part of it or all of it): walk the block headers from the block
 * boundary `from` to the first block that is broken, cut, or reaches
 * err_pos. At open, a walk that ends cleanly at the end of the file found
 * no interface description: it is missing there. Error path only, on a
 * regular file (the stream is left anywhere: nothing is read after an
 * error); -1 if it cannot walk. */
static int64_t
pcapng_error_block(FILE *fp, bool swapped, uint64_t from, int64_t err_pos,
    bool at_open)
{
	struct stat st;
	uint64_t pos = from;

	if (err_pos < 0 || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	while (pos <= size) {
		uint32_t h[2];
		if (size - pos < 8 || fseeko(fp, (off_t)pos, SEEK_SET) != 0 ||
		    fread(h, 4, 2, fp) != 2)
			return (int64_t)pos;	/* a cut or missing header */
		uint32_t type = swapped ? GUINT32_SWAP_LE_BE(h[0]) : h[0];
		uint32_t len = swapped ? GUINT32_SWAP_LE_BE(h[1]) : h[1];
		if (len < 12 || len % 4 != 0 || len > size - pos)
			return (int64_t)pos;	/* bad framing, or cut */
		if (pos + len >= (uint64_t)err_pos) {
			if (at_open && pos + len == size && type != 1 /* IDB */)
				return (int64_t)size;
			return (int64_t)pos;
		}
		pos += len;
	}
	return -1;
}

/* Where a file libpcap could not open went wrong: a classic pcap header
 * (or an unknown format) at 0; in pcapng the block libpcap stopped in
 * (it reads the section header and every block up to the first interface
 * description). -1 if the stream cannot be read again (a pipe). */
static int64_t
capture_open_error_offset(FILE *fp)
{
	int64_t err_pos = ftello(fp);
	uint32_t h[3];

	if (fseeko(fp, 0, SEEK_SET) != 0)
		return -1;
	if (fread(h, 4, 3, fp) != 3 || h[0] != 0x0A0D0D0A)
		return 0;
	if (h[2] != 0x1A2B3C4D && h[2] != 0x4D3C2B1A)
		return 0;	/* not pcapng after all: libpcap says so */
	return pcapng_error_block(fp, h[2] != 0x1A2B3C4D, 0, err_pos, true);
}

/* Where libpcap's file stream stands, or dflt when it cannot say (a
 * live capture has no stream). */
static uint64_t
stream_pos(pcap_t *p, uint64_t dflt)
{
	FILE *fp = pcap_file(p);
	long pos = fp ? ftell(fp) : -1;

	return pos >= 0 ? (uint64_t)pos : dflt;
}

/* Is fp a regular file (one that can be read again), not a pipe? */
static bool
regular_file(FILE *fp)
{
	struct stat st;

	return fp && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
}

/* Where the record or block a read failed on starts. Classic pcap: where
 * the last one ended, by sum, or, when a record at the snaplen may have
 * made the sum drift, by walking the record headers again from the file
 * header. pcapng: libpcap skips blocks it does not return inside
 * pcap_next_ex(), so walk the blocks to the bad one. The walks run once,
 * on an error, on a regular file (the stream is left anywhere: nothing is
 * read after an error). */
static uint64_t
capture_error_offset(struct capture *c)
{
	FILE *fp = pcap_file(c->p);

	if (!regular_file(fp))
		return c->h.off;
	if (c->pcapng) {
		int64_t b = pcapng_error_block(fp, pcap_is_swapped(c->p), 0,
		    ftello(fp), false);
		return b >= 0 ? (uint64_t)b : c->h.off;
	}
	if (!c->maybe_drift || fseeko(fp, 24, SEEK_SET) != 0)
		return c->h.off;
	/* Skip the record bodies by reading them: glibc's fseeko() costs
	 * an lseek(2) each, a second per million records of a cut file
	 * captured with a small snaplen. */
	enum { SKIPBUF = 65536 };
	char *skip = g_malloc(SKIPBUF);
	uint64_t pos = 24, ret = c->h.off;
	uint64_t i;
	for (i = 0; i < c->h.records; i++) {
		uint32_t h[4];
		if (fread(h, 4, 4, fp) != 4)
			break;
		uint32_t cap = pcap_is_swapped(c->p) ?
		    GUINT32_SWAP_LE_BE(h[2]) : h[2];
		pos += 16 + (uint64_t)cap;
		while (cap > 0) {
			size_t n = cap < SKIPBUF ? cap : SKIPBUF;
			if (fread(skip, 1, n, fp) != n)
				break;
			cap -= (uint32_t)n;
		}
		if (cap > 0)
			break;
	}
	if (i == c->h.records)
		ret = pos;
	g_free(skip);
	return ret;
}

/* The buffer of a capture not read by capture.c's own reader: empty, so
 * that capture_at_once() finds no record in it without a test of its
 * own. Never written (capture_at_once() moves pos past a record only). */
static struct capture_buf no_own;

/* What capture_next() hands out at once (struct capture's at_once,
 * sub_ns): after the capture is set up and whenever -w is opened. */
static void
at_once_set(struct capture *c)
{
	const struct own_reader *o = c->own;
	uint32_t most = c->snap < OWN_MAX_CAPLEN ? c->snap : OWN_MAX_CAPLEN;

	c->h.at_once = o && !o->swapped && !c->has_prog && !c->dump ?
	    most + 1 : 0;
	c->h.sub_ns = (o && o->micro ? 1000 : 1) * (c->nano ? 1 : 1000);
	c->h.sub_lim = (uint32_t)(1000000000 / c->h.sub_ns);
}

/*
 * A pcapng file of several interfaces (dumpcap -i a -i b, Wireshark's
 * capture on several), all described before its first packet: read by
 * pcapng.c from the start, which names each frame's interface
 * (frame.iface) where libpcap does not, so that pipeline.c can tell the
 * copies a segment leaves on each. A regular file only (read again from
 * the start); with one interface, or none before the first packet,
 * libpcap reads it.
 */
static void
ng_several(struct capture *c)
{
	FILE *fp = pcap_file(c->p);

	if (!c->pcapng || c->live || !fp || !regular_file(fp))
		return;
	off_t at = ftello(fp);
	if (at < 0 || fseeko(fp, 0, SEEK_SET) != 0)
		return;
	struct ng_reader *ng = ng_open(fp);
	struct ng_frame nf;
	int k = ng_next(ng, &nf);
	bool several = k == 1 && ng_interfaces(ng) > 1;
	/* (Where libpcap stood cannot be found again: pcapng.c reads on.) */
	if (several || fseeko(fp, at, SEEK_SET) != 0) {
		if (k == 1)
			ng_unread(ng);
		c->ng = ng;
		if (several)
			c->merge = g_new0(struct ng_merge, 1);
		return;
	}
	ng_close(ng);
}

static struct capture *
capture_setup(pcap_t *p, const char *name, const char *filter, GError **err)
{
	int dlt = pcap_datalink(p);

	if (!decode_dlt_is_supported(dlt)) {
		const char *dn = pcap_datalink_val_to_name(dlt);
		const char *dd = pcap_datalink_val_to_description(dlt);
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: link-layer type %d (%s%s%s%s) is not supported; "
		    "synfin reads Ethernet, Linux cooked v1/v2, raw IP, BSD "
		    "loopback, PPP, Cisco HDLC, 802.11 and a few more "
		    "(man synfin, -r)", name, dlt, dn ? "DLT_" : "unknown",
		    dn ? dn : "", dd ? ", " : "", dd ? dd : "");
		pcap_close(p);
		return NULL;
	}
	struct own_reader *own = own_open(p);
	struct bpf_program prog_keep = { 0, NULL };
	bool has_prog = false;
	if (filter && *filter) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			/* (Its words were checked at the start: this file's
			 * link type is what refuses it, among several files
			 * the one to name.) */
			const char *dn = pcap_datalink_val_to_name(dlt);
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "%s: bad filter '%s' for its link type %d "
			    "(%s%s): %s", name, filter, dlt,
			    dn ? "DLT_" : "unknown", dn ? dn : "",
			    pcap_geterr(p));
			own_free(own);
			pcap_close(p);
			return NULL;
		}
		/* A file's frames are filtered by capture_next(), which
		 * counts those dropped too (the offset of an error); a live
		 * capture's in the kernel where it can. */
		if (pcap_file(p)) {
			prog_keep = prog;
			has_prog = true;
		} else if (pcap_setfilter(p, &prog) < 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: cannot set filter: %s", name, pcap_geterr(p));
			pcap_freecode(&prog);
			own_free(own);
			pcap_close(p);
			return NULL;
		}
		if (!has_prog)
			pcap_freecode(&prog);
	}
	struct capture *c = g_new0(struct capture, 1);
	c->filter = filter && *filter ? g_strdup(filter) : NULL;
	c->own = own;
	c->h.own = own ? &own->b : &no_own;
	c->prog = prog_keep;
	c->has_prog = has_prog;
	c->p = p;
	c->name = g_strdup(name);
	c->h.dlt = dlt;
	c->fd = -1;
	c->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	/* A classic pcap file header is 24 bytes; pcapng sections vary. */
	c->pcapng = pcap_major_version(p) != 2;
	/* libpcap swaps caplen and len in files older than 2.4 (and in
	 * some 2.3 ones): there the returned caplen is not the record's. */
	c->sum_ok = pcap_major_version(p) == 2 && pcap_minor_version(p) == 4;
	c->snap = (uint32_t)pcap_snapshot(p);
	c->h.off = stream_pos(p, 24);
	at_once_set(c);
	ng_several(c);
	return c;
}

/* A capture libpcap does not read, by its first bytes: compressed, or
 * another tool's format (the magic numbers Wireshark's wiretap reads
 * them by): what it is and how to read it, or NULL. */
static const char *
format_hint(const unsigned char *b, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *hint;
	} fmt[] = {
		{ "\x1f\x8b", 2, "gzip-compressed: zcat it to synfin -r -" },
		{ "BZh", 3, "bzip2-compressed: bzcat it to synfin -r -" },
		{ "\xfd" "7zXZ\0", 6, "xz-compressed: xzcat it to synfin -r -" },
		{ "\x28\xb5\x2f\xfd", 4,
		  "zstd-compressed: zstdcat it to synfin -r -" },
		{ "snoop\0\0\0", 8, "a Solaris snoop capture" },
		{ "GMBU", 4, "a Microsoft Network Monitor 2 capture" },
		{ "RTSS", 4, "a Microsoft Network Monitor 1 capture" },
		{ "XCP\0", 4, "a NetXRay or Sniffer capture" },
		{ "TRSNIFF data    \x1a", 17, "a Sniffer (DOS) capture" },
		{ "iptrace ", 8, "an AIX iptrace capture" },
		{ "ObserverPktBuffe", 16, "a Network Instruments Observer "
		  "capture" },
		{ "\x7fver", 4, "an EtherPeek or AiroPeek capture" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(fmt); i++)
		if (n >= fmt[i].len && memcmp(b, fmt[i].magic, fmt[i].len) == 0)
			return fmt[i].hint;
	return NULL;
}

/* A pipe (standard input, or a FIFO -r names: -r <(zcat f.pcapng.gz))
 * cannot be read again to tell why libpcap refused it, nor what a pcapng
 * file declared: it is read through this cookie, which keeps its first
 * bytes, what a file libpcap refuses begins with (format_hint()) and the
 * blocks of a pcapng file before its first packet (head_interfaces()). */
#define HEAD_KEEP (64 * 1024)

static volatile sig_atomic_t interrupted;	/* capture_interrupt() */

struct head_cookie {
	unsigned char b[HEAD_KEEP];
	size_t n;
	int fd;
	bool own_fd;	/* a FIFO -r named, closed with the stream */
};

static ssize_t
head_read(void *ck, char *buf, size_t n)
{
	struct head_cookie *h = ck;
	ssize_t r;

	do	/* (a signal that asks to stop ends the wait) */
		r = read(h->fd, buf, n);
	while (r < 0 && errno == EINTR && !interrupted);
	if (r > 0 && h->n < sizeof(h->b)) {
		size_t k = sizeof(h->b) - h->n;
		if (k > (size_t)r)
			k = (size_t)r;
		memcpy(h->b + h->n, buf, k);
		h->n += k;
	}
	return r;
}

/* The interfaces a pcapng stream's first section describes before its
 * first packet, as far as the bytes kept show them; 0 if they do not. */
static unsigned
head_interfaces(const struct head_cookie *h)
{
	struct rd r = rd_init(h->b, h->n);
	uint32_t type = rd_he32(&r), len = rd_he32(&r), bom = rd_he32(&r);

	if (r.err || type != 0x0A0D0D0A ||
	    (bom != 0x1A2B3C4D && bom != 0x4D3C2B1A))
		return 0;
	bool swapped = bom == 0x4D3C2B1A;	/* not this machine's order */
	if (swapped)
		len = GUINT32_SWAP_LE_BE(len);
	unsigned n = 0;
	for (size_t at = 0;;) {
		if (len < 12 || len % 4 || len > h->n - at)
			return 0;
		at += len;
		struct rd b = rd_init(h->b + at, h->n - at);
		type = rd_he32(&b);
		len = rd_he32(&b);
		if (b.err)
			return 0;
		if (swapped) {
			type = GUINT32_SWAP_LE_BE(type);
			len = GUINT32_SWAP_LE_BE(len);
		}
		if (type == 1)
			n++;
		else if (type == 2 || type == 3 || type == 6 ||
		    type == 0x0A0D0D0A)
			return n;	/* the first packet, or another section */
	}
}

/* Once, at the first packet: a pcapng file of several interfaces from a
 * pipe is read by libpcap, in file order, which names no frame's
 * interface (ng_several() needs a file it can read again): say what that
 * costs. */
static void
head_check(struct capture *c)
{
	c->head_checked = true;
	unsigned n = c->pcapng ? head_interfaces(c->head) : 0;
	if (n > 1)
		g_warning("%s: a pcapng capture of %u interfaces, read from a "
		    "pipe in file order: the copies each interface shows of a "
		    "segment are not left out, nor the frames put back in "
		    "time order; read it from a file (-r FILE) for both", c->name,
		    n);
}

static int
head_close(void *ck)
{
	struct head_cookie *h = ck;
	int r = h->own_fd ? close(h->fd) : 0;

	g_free(h);	/* standard input itself stays open */
	return r;
}

struct capture *
capture_open_file(const char *path, const char *filter, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;

	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) != 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: %s", path, g_strerror(errno));
			return NULL;
		}
		if (S_ISDIR(st.st_mode)) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: is a directory", path);
			return NULL;
		}
	}
	/* Our own stream, not pcap_open_offline()'s (closed on failure):
	 * after a failure it can tell where the header broke; and a 1 MiB
	 * buffer for a file. */
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp = NULL;
	char *iobuf = NULL;
	struct head_cookie *head = NULL;
	if (is_stdin ? lseek(STDIN_FILENO, 0, SEEK_CUR) < 0 :
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY |
		    O_CLOEXEC);
		if (fd < 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: %s", path, g_strerror(errno));
			return NULL;
		}
		head = g_new0(struct head_cookie, 1);
		head->fd = fd;
		head->own_fd = !is_stdin;
		fp = fopencookie(head, "rb", (cookie_io_functions_t){
		    .read = head_read, .close = head_close });
		if (!fp) {
			if (head->own_fd)
				close(fd);
			g_free(head);
			head = NULL;
		}
	}
	if (!fp)
		fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (!is_stdin && !head && !own_likely(fp)) {
		iobuf = g_malloc(CAPTURE_IOBUF);
		setvbuf(fp, iobuf, _IOFBF, CAPTURE_IOBUF);
	}
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		int64_t at = capture_open_error_offset(fp);
		char where[64] = "";
		if (at >= 0)
			g_snprintf(where, sizeof(where), " at byte offset %"
			    G_GINT64_FORMAT, at);
		/* A compressed capture, which libpcap does not read: say
		 * how to read it. */
		unsigned char b[24];
		size_t nb = 0;
		if (head) {
			nb = MIN(head->n, sizeof(b));
			memcpy(b, head->b, nb);
			uint32_t m = 0;
			memcpy(&m, b, nb < 4 ? nb : 4);
			/* No magic number libpcap knows: the format is
			 * unknown from byte 0. */
			if (nb >= 4 && !own_magic(m) && m != 0x0A0D0D0A &&
			    m != 0xa1b2cd34 && m != 0x34cdb2a1)
				g_strlcpy(where, " at byte offset 0",
				    sizeof(where));
		} else if (fseeko(fp, 0, SEEK_SET) == 0) {
			nb = fread(b, 1, sizeof(b), fp);
		}
		const char *hint = format_hint(b, nb);
		bool other = hint && !strstr(hint, "synfin -r -");
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: not a readable pcap or pcapng capture (%s)%s%s%s%s",
		    is_stdin ? "standard input" : path, ebuf, where,
		    hint ? "; it is " : "", hint ? hint : "",
		    other ? ": convert it with Wireshark's editcap -F pcapng" :
		    "");
		if (fp != stdin)
			fclose(fp);	/* frees head */
		g_free(iobuf);
		return NULL;
	}
	struct capture *c = capture_setup(p, strcmp(path, "-") == 0 ?
	    "standard input" : path, filter, err);
	if (c) {
		c->iobuf = iobuf;
		c->head = head;	/* the stream's, freed when it closes */
	}
	else
		g_free(iobuf);	/* capture_setup() closed the file */
	return c;
}

struct capture *
capture_open_fp(FILE *fp, const char *name, const char *filter, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);

	if (!p) {
		fclose(fp);
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: not a readable pcap or pcapng capture (%s)", name, ebuf);
		return NULL;
	}
	return capture_setup(p, name, filter, err);
}

bool
capture_fanout_is_supported(void)
{
#ifdef PACKET_FANOUT
	return true;
#else
	return false;
#endif
}

/*
 * --fanout: join the AF_PACKET fanout group `group` of this network
 * namespace, so that the kernel hands each packet to one member socket.
 *
 * PACKET_FANOUT_HASH picks the member from a hash of the packet's flow,
 * and that hash is symmetric: both directions of a TCP connection go to
 * the same member, which is what lets each synfin see whole connections.
 * The evidence, in the kernel source: net/packet/af_packet.c
 * fanout_demux_hash() is reciprocal_scale(__skb_get_hash_symmetric(skb),
 * num), since commit eb70db875671 ("packet: Use symmetric hash for
 * PACKET_FANOUT_HASH", Linux 4.7, 2016: the ordinary skb_get_hash() had
 * stopped being symmetric, and may be the NIC's RSS hash). That hash is
 * computed from protocol, addresses and ports only, after
 * __flow_hash_consistentify() in net/core/flow_dissector.c orders the two
 * addresses and the two ports, so A->B and B->A give the same keys. Two
 * later fixes matter: 64ae13ed4784 ("net: core: fix flow symmetric
 * hash", 2022, in 6.0 and the stable kernels of the time) - before it,
 * two IPv4 addresses whose 32-bit difference is exactly 2^31 hashed
 * differently per direction; and a5e2151ff9d5 ("net/ipv6: SKB symmetric
 * hash should incorporate transport ports", 2023) - before it, IPv6
 * packets with a flow label were hashed on the addresses only, still
 * symmetric but one member for all connections between two hosts.
 *
 * PACKET_FANOUT_FLAG_DEFRAG: IPv4 fragments carry no ports past the
 * first, so without it the fragments of a segment are hashed on the
 * addresses alone and land on another member than the rest of their
 * connection. With it the kernel reassembles them before hashing
 * (ip_check_defrag) and the member gets the whole datagram: it is the
 * same connection either way, and it is what Suricata does. IPv6
 * fragments are not reassembled (see the man page).
 *
 * No PACKET_FANOUT_FLAG_ROLLOVER: it moves packets to another member when
 * one is full, which would split connections; a full member drops and
 * says so in its summary instead.
 *
 * All members must ask for the same mode and flags on the same
 * interface, or the kernel refuses with EINVAL.
 */
static bool
capture_join_fanout(struct capture *c, const char *iface, int group,
    GError **err)
{
#ifdef PACKET_FANOUT
	uint32_t arg = (uint32_t)group |
	    (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	int fd = pcap_fileno(c->p);

	if (fd >= 0 && setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg,
	    sizeof(arg)) == 0)
		return true;
	int e = fd >= 0 ? errno : ENOTSOCK;
	switch (e) {
	case EINVAL:
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: --fanout %d: the kernel refused to join: group %d "
		    "already exists in this network namespace on another "
		    "interface or in another fanout mode (the members of a "
		    "group must all be synfin --fanout %d on one interface); "
		    "choose another group number", iface, group, group,
		    group);
		break;
	case ENOSPC:
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: --fanout %d: the group is full", iface, group);
		break;
	case EPERM:
	case EACCES:
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: --fanout %d: not permitted to join the group (%s)",
		    iface, group, g_strerror(e));
		break;
	case ENOPROTOOPT:
	case ENOTSOCK:
	case EOPNOTSUPP:
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: --fanout %d: this capture is not an AF_PACKET socket "
		    "that can join a fanout group (%s)", iface, group,
		    g_strerror(e));
		break;
	default:
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: --fanout %d: cannot join the group: %s", iface,
		    group, g_strerror(e));
	}
	return false;
#else
	(void)c;
	g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
	    "%s: --fanout %d: this build of synfin has no AF_PACKET fanout "
	    "(Linux only)", iface, group);
	return false;
#endif
}

struct capture *
capture_open_live(const char *iface, const char *filter,
    const struct capture_live_opts *o, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, ebuf);

	if (!p) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: %s", iface, ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(p, !o->no_promisc);
	/* Reports must not wait for a buffer to fill. */
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(p, o->buffer_kib * 1024);
	/* Nanoseconds where the platform has them; else microseconds. */
	if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0)
		pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	int r = pcap_activate(p);
	if (r < 0) {
		const char *why = pcap_geterr(p);
		switch (r) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: no such interface (synfin -L lists them)",
			    iface);
			break;
		case PCAP_ERROR_PERM_DENIED:
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: no permission to capture (%s); run synfin "
			    "as root, or give it the capabilities once: "
			    "setcap cap_net_raw,cap_net_admin=eip synfin",
			    iface, why);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: the interface is down", iface);
			break;
		default:
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: cannot capture: %s", iface,
			    *why ? why : pcap_statustostr(r));
		}
		pcap_close(p);
		return NULL;
	}
	if (r > 0)
		g_warning("%s: %s", iface, pcap_statustostr(r));
	struct capture *c = capture_setup(p, iface, filter, err);
	if (!c)
		return NULL;
	/* Joined last, with the filter in place: from the first packet the
	 * group hands over, this member filters as the others do. */
	if (o->fanout >= 0 && !capture_join_fanout(c, iface, o->fanout,
	    err)) {
		capture_close(c);
		return NULL;
	}
	c->live = true;
	c->wait_ms = 250;
	c->fd = pcap_get_selectable_fd(p);
	if (c->fd >= 0 && pcap_setnonblock(p, 1, ebuf) != 0)
		c->fd = -1;
	return c;
}



void
capture_break(struct capture *c)
{
	if (c)
		pcap_breakloop(c->p);
}

bool
capture_dump_open(struct capture *c, const char *path, GError **err)
{
	/* Opened by outfile_open(), as -o is, not by pcap_dump_open(): the
	 * same care as root in a directory others can write to. */
	FILE *fp = outfile_open(path, err);

	if (!fp) {
		g_prefix_error(err, "-w ");
		return false;
	}
	c->dump = pcap_dump_fopen(c->p, fp);
	if (!c->dump) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
		    "-w %s: %s", path, pcap_geterr(c->p));
		fclose(fp);
		return false;
	}
	at_once_set(c);	/* each record to the copy: none at once */
	return true;
}

bool
capture_stats(struct capture *c, uint64_t *recv, uint64_t *drop,
    uint64_t *ifdrop)
{
	struct pcap_stat ps;

	if (!c->live || pcap_stats(c->p, &ps) != 0)
		return false;
	*recv = ps.ps_recv;
	*drop = ps.ps_drop;
	*ifdrop = ps.ps_ifdrop;
	return true;
}

static void capture_count(struct capture *c, const struct pcap_pkthdr *h);
static enum capture_status capture_result(struct capture *c, int r,
    struct pcap_pkthdr *h, const u_char *d, struct frame *f, GError **err);

/*
 * libpcap failed in a pcapng file: was it at a second link type or
 * snapshot length, or a section in the other byte order, which it
 * refuses and pcapng.c reads? Then read the file again from the start
 * here, past the records libpcap returned, and go on with pcapng.c. Only
 * when libpcap's error is one of those: the blocks between its last
 * record and the next hold a further interface description or section
 * header, which pcapng.c reads without an error; any other error stays
 * libpcap's, in its words. A regular file only (read twice).
 */
static bool
ng_takeover(struct capture *c)
{
	FILE *fp = pcap_file(c->p);

	if (!c->pcapng || c->live || !regular_file(fp))
		return false;
	off_t stop = ftello(fp);
	if (stop < 0 || fseeko(fp, 0, SEEK_SET) != 0)
		return false;
	struct ng_reader *ng = ng_open(fp);
	struct ng_frame nf;
	for (uint64_t i = 0; i < c->h.records; i++) {
		if (ng_next(ng, &nf) != 1) {
			ng_close(ng);
			fseeko(fp, stop, SEEK_SET);
			return false;
		}
	}
	uint64_t extra = ng_extra_descriptions(ng);
	int k = ng_next(ng, &nf);
	if (ng_extra_descriptions(ng) == extra) {
		/* libpcap's error is another: its words, its offset (which
		 * capture_error_offset() finds where it stopped). */
		ng_close(ng);
		fseeko(fp, stop, SEEK_SET);
		return false;
	}
	/* Past the second kind of interface or section: read on; an error
	 * right after it is pcapng.c's, which ng_next() gives again. */
	if (k == 1)
		ng_unread(ng);
	c->ng = ng;
	return true;
}

/* The filter for frames of link type dlt: the file's first type's
 * program, or one compiled for dlt (a filter some types cannot take,
 * "ether host" on raw IP, skips their frames, with a warning). NULL: skip
 * the frame. */
static const struct bpf_program *
ng_filter(struct capture *c, int dlt, uint32_t iface)
{
	if (dlt == c->h.dlt)
		return &c->prog;
	if (!c->ng_progs)
		c->ng_progs = g_array_new(FALSE, TRUE, sizeof(struct ng_prog));
	for (guint i = 0; i < c->ng_progs->len; i++) {
		struct ng_prog *q = &g_array_index(c->ng_progs,
		    struct ng_prog, i);
		if (q->dlt == dlt)
			return q->ok ? &q->prog : NULL;
	}
	struct ng_prog q = { .dlt = dlt };
	pcap_t *d = pcap_open_dead(dlt, 262144);
	q.ok = d && pcap_compile(d, &q.prog, c->filter, 1,
	    PCAP_NETMASK_UNKNOWN) == 0;
	if (!q.ok) {
		const char *dn = pcap_datalink_val_to_name(dlt);
		g_warning("%s: the filter '%s' does not apply to link type %d "
		    "(%s%s) of interface %u: %s; its packets are skipped",
		    c->name, c->filter, dlt, dn ? "DLT_" : "unknown",
		    dn ? dn : "", iface, d ? pcap_geterr(d) : "no memory");
	}
	if (d)
		pcap_close(d);
	g_array_append_val(c->ng_progs, q);
	return q.ok ? &g_array_index(c->ng_progs, struct ng_prog,
	    c->ng_progs->len - 1).prog : NULL;
}

/* f, about to be returned: the frames the filter left out before it
 * (frame.skipped), counted from here on. */
static inline void
skipped_hand(struct capture *c, struct frame *f)
{
	f->skipped = c->skip;
	c->skip = 0;
}

/* The next frame of a file pcapng.c reads, in file order. */
static enum capture_status
ng_read_frame(struct capture *c, struct frame *f, GError **err)
{
	for (;;) {
		struct ng_frame nf;
		int k = ng_next(c->ng, &nf);
		if (k == 0) {
			c->at_eof = true;
			return CAPTURE_EOF;
		}
		if (k < 0)
			return capture_fail(c, ng_error(c->ng), err);
		c->h.records++;
		c->h.off = ng_offset(c->ng);
		struct pcap_pkthdr h = { .caplen = nf.caplen,
		    .len = nf.wirelen };
		h.ts.tv_sec = (time_t)(nf.ts_ns / 1000000000);
		h.ts.tv_usec = (suseconds_t)(nf.ts_ns % 1000000000 /
		    (c->nano ? 1 : 1000));
		if (c->has_prog) {
			const struct bpf_program *prog = ng_filter(c, nf.dlt,
			    nf.iface);
			if (!prog || !pcap_offline_filter(prog, &h, nf.data)) {
				if (!c->merge) {
					c->skip++;
					continue;
				}
				/* Put in time order with the others, so that
				 * the frames after it count it where
				 * reordercap would put it: no bytes, dlt -1
				 * (ng_next_frame()). */
				*f = (struct frame){ .ts_ns = nf.ts_ns,
				    .dlt = -1 };
				return CAPTURE_OK;
			}
		}
		skipped_hand(c, f);
		f->ts_ns = nf.ts_ns;
		f->caplen = nf.caplen;
		f->wirelen = nf.wirelen;
		f->dlt = nf.dlt;
		f->iface = ng_interfaces(c->ng) > 1 ? nf.iface + 1 : 0;
		f->data = nf.data;
		return CAPTURE_OK;
	}
}

/* What a frame held counts against NG_MERGE_BYTES: its bytes, or for
 * one the filter left out (no bytes) its place in the heap. */
static size_t
held_bytes(const struct frame *f)
{
	return f->dlt < 0 ? sizeof(struct ng_held) : f->caplen;
}

static bool
held_before(const struct ng_held *a, const struct ng_held *b)
{
	return a->f.ts_ns < b->f.ts_ns ||
	    (a->f.ts_ns == b->f.ts_ns && a->seq < b->seq);
}

static void
merge_push(struct ng_merge *m, const struct frame *f)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->heap = g_renew(struct ng_held, m->heap, m->cap);
	}
	struct ng_held h = { *f, m->seq++ };
	h.f.data = f->caplen ? g_memdup2(f->data, f->caplen) : NULL;
	m->bytes += held_bytes(f);
	size_t i = m->n++;
	for (; i > 0 && held_before(&h, &m->heap[(i - 1) / 2]);
	    i = (i - 1) / 2)
		m->heap[i] = m->heap[(i - 1) / 2];
	m->heap[i] = h;
	if (f->ts_ns > m->newest)
		m->newest = f->ts_ns;
}

/* The earliest frame held, out of the heap; m->out owns its bytes. */
static void
merge_pop(struct ng_merge *m, struct frame *f)
{
	struct ng_held top = m->heap[0], last = m->heap[--m->n];
	size_t i = 0;

	for (size_t ch; (ch = 2 * i + 1) < m->n; i = ch) {
		if (ch + 1 < m->n && held_before(&m->heap[ch + 1],
		    &m->heap[ch]))
			ch++;
		if (!held_before(&m->heap[ch], &last))
			break;
		m->heap[i] = m->heap[ch];
	}
	if (m->n)
		m->heap[i] = last;
	*f = top.f;
	m->bytes -= held_bytes(f);
	m->out = (uint8_t *)f->data;
}

static void
merge_free(struct ng_merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		g_free((void *)m->heap[i].f.data);
	g_free(m->heap);
	g_free(m->out);
	g_clear_error(&m->err);
	g_free(m);
}

/* The next frame of a pcapng file, in time order when it has several
 * interfaces (struct ng_merge); an error after the frames read before
 * it. */
static enum capture_status
ng_next_frame(struct capture *c, struct frame *f, GError **err)
{
	struct ng_merge *m = c->merge;

	if (!m)
		return ng_read_frame(c, f, err);
	g_free(m->out);
	m->out = NULL;
	for (;;) {
		if (m->n && (m->done || m->bytes > NG_MERGE_BYTES ||
		    m->heap[0].f.ts_ns < m->newest - NG_MERGE_NS)) {
			merge_pop(m, f);
			if (f->dlt < 0) {	/* one the filter left out */
				c->skip++;
				continue;
			}
			skipped_hand(c, f);
			return CAPTURE_OK;
		}
		if (m->done)
			break;
		struct frame r;
		GError *e = NULL;
		enum capture_status st = ng_read_frame(c, &r, &e);
		if (st == CAPTURE_OK) {
			merge_push(m, &r);
			continue;
		}
		m->done = true;
		m->failed = st == CAPTURE_ERROR;
		m->err = e;
		c->at_eof = false;	/* not before the frames held are out */
	}
	if (!m->failed) {
		c->at_eof = true;
		return CAPTURE_EOF;
	}
	if (m->err) {
		g_propagate_error(err, m->err);
		m->err = NULL;
		return CAPTURE_ERROR;
	}
	return capture_fail(c, ng_error(c->ng), err);	/* asked again */
}

void
capture_interrupt(void)
{
	interrupted = 1;
}

bool
capture_interrupted(void)
{
	return interrupted != 0;
}

/* Every other record, and the end of the input: the whole way. */
static enum capture_status
capture_next_file(struct capture *c, struct frame *f, GError **err)
{
	struct pcap_pkthdr *h = NULL;
	const u_char *d = NULL;

	if (c->live && c->fd >= 0) {
		int r = pcap_next_ex(c->p, &h, &d);
		if (r == 0) {
			/* Nothing buffered: sleep on the descriptor. */
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
			if (poll(&pfd, 1, c->wait_ms) <= 0)
				return CAPTURE_AGAIN;
			r = pcap_next_ex(c->p, &h, &d);
		}
		if (r == 1)
			capture_count(c, h);
		return capture_result(c, r, h, d, f, err);
	}
	for (;;) {
		struct pcap_pkthdr oh;
		int r;
		if (c->ng)
			return ng_next_frame(c, f, err);
		if (c->own) {
			enum capture_status st = own_next(c, &oh, &d, err);
			if (st != CAPTURE_OK)
				return st;
			h = &oh;
			r = 1;
		} else {
			r = pcap_next_ex(c->p, &h, &d);	/* before h, d */
			if (r == 1)
				capture_count(c, h);
			else if (r == PCAP_ERROR && ng_takeover(c))
				continue;
		}
		if (r == 1 && c->has_prog &&
		    !pcap_offline_filter(&c->prog, h, d)) {
			c->skip++;
			continue;
		}
		return capture_result(c, r, h, d, f, err);
	}
}

/* capture_next_file(), unless a signal asked to stop (a file, or a pipe
 * read in blocking mode): then the end of the input, and so a read the
 * signal cut short, or the cut record it left, is no error. */
static __attribute__((noinline)) enum capture_status
capture_next_slow(struct capture *c, struct frame *f, GError **err)
{
	if (G_UNLIKELY(interrupted) && !c->live)
		return CAPTURE_EOF;
	enum capture_status s = capture_next_file(c, f, err);
	if (G_UNLIKELY(interrupted) && s == CAPTURE_ERROR && !c->live) {
		g_clear_error(err);
		return CAPTURE_EOF;
	}
	/* (The first frame comes this way: nothing is at once before.) */
	if (G_UNLIKELY(!c->got_first) && s == CAPTURE_OK) {
		c->got_first = true;
		c->first_ts = f->ts_ns;
	}
	return s;
}

bool
capture_first_ts(const struct capture *c, int64_t *ts)
{
	*ts = c->first_ts;
	return c->got_first;
}

enum capture_status
capture_next(struct capture *c, struct frame *f, GError **err)
{
	if (capture_at_once(&c->h, f))
		return CAPTURE_OK;
	return capture_next_slow(c, f, err);
}

/* libpcap returned a record: count it, and where it ends. */
static void
capture_count(struct capture *c, const struct pcap_pkthdr *h)
{
	/* The offset after this record, for a cut file's error and the
	 * progress line. Classic pcap: by sum (a 16-byte header plus caplen
	 * bytes), no syscall; ftell() per packet was a fifth of the run
	 * time. A record at the snaplen may have been longer in the file (a
	 * damaged or crafted file: libpcap reads it whole and returns it
	 * cut), so the sum may drift from there: an error then walks the
	 * record headers again (capture_error_offset()). pcapng blocks
	 * vary: the error walks the blocks, the progress line asks
	 * ftell(). */
	c->h.records++;
	if (!c->pcapng && c->sum_ok) {
		c->h.off += 16 + (uint64_t)h->caplen;
		if (h->caplen >= c->snap)
			c->maybe_drift = true;
	} else if (!c->pcapng && !c->live) {
		/* Files older than 2.4: libpcap may swap caplen and len.
		 * Rare: ask. */
		c->h.off = stream_pos(c->p, c->h.off);
	}
}

static enum capture_status
capture_result(struct capture *c, int r, struct pcap_pkthdr *h,
    const u_char *d, struct frame *f, GError **err)
{

	if (r == 1) {
		if (G_UNLIKELY(c->head && !c->head_checked))
			head_check(c);
		if (c->dump) {
			pcap_dump((u_char *)c->dump, h, d);
			int64_t now = g_get_monotonic_time();
			if (now - c->last_flush > 1000000) {
				pcap_dump_flush(c->dump);
				c->last_flush = now;
			}
		}
		/* Classic pcap seconds count from 1970 in 32 bits, unsigned
		 * (draft-ietf-opsawg-pcap: good to 2106), but libpcap reads
		 * them into a signed 32-bit field: after 2038-01-19 they came
		 * out negative and were clamped to 1970. */
		int64_t sec = h->ts.tv_sec;
		if (!c->pcapng && !c->live)
			sec = (uint32_t)h->ts.tv_sec;
		f->ts_ns = capture_ts_ns(sec, h->ts.tv_usec, c->nano);
		f->caplen = h->caplen;
		f->wirelen = h->len;
		f->dlt = c->h.dlt;
		f->iface = 0;
		f->data = d;
		skipped_hand(c, f);
		return CAPTURE_OK;
	}
	if (r == PCAP_ERROR_BREAK) {
		if (c->live)
			return CAPTURE_AGAIN;
		c->at_eof = true;
		return CAPTURE_EOF;
	}
	if (r == 0)
		return CAPTURE_AGAIN;
	if (c->live) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: capture failed: %s", c->name, pcap_geterr(c->p));
		return CAPTURE_ERROR;
	}
	return capture_fail(c, pcap_geterr(c->p), err);
}

/* A file's record or block `why` could not be read: where, and what the
 * report covers. */
static enum capture_status
capture_fail(struct capture *c, const char *why, GError **err)
{
	uint64_t at = c->ng ? ng_error_offset(c->ng) :
	    c->own ? own_off(c->own) : capture_error_offset(c);

	/* pcapng from a pipe: libpcap does not say where its blocks end,
	 * and they cannot be walked again. */
	if (c->pcapng && !c->ng && !regular_file(pcap_file(c->p))) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: %s (after record %" G_GUINT64_FORMAT "); the report "
		    "covers everything before it", c->name, why, c->h.records);
		return CAPTURE_ERROR;
	}
	g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
	    "%s: %s at byte offset %" G_GUINT64_FORMAT " (after record %"
	    G_GUINT64_FORMAT "); the report covers everything before it",
	    c->name, why, at, c->h.records);
	return CAPTURE_ERROR;
}

bool
capture_file_drops(struct capture *c, uint64_t *drops)
{
	*drops = 0;
	if (c->live || !c->pcapng)
		return false;
	if (c->ng && ng_at_eof(c->ng))
		return ng_drops(c->ng, drops);
	FILE *fp = pcap_file(c->p);
	if (!regular_file(fp))
		return false;
	/* Read to its end by libpcap, which skips them: every statistics
	 * block, the file read again (from the page cache, where it just
	 * was). Stopped before it (-c, an error): those at its end, where
	 * dumpcap writes them, walked back to, not the whole file read for
	 * them. */
	if (c->at_eof)
		return ng_file_drops(fp, drops);
	return ng_tail_drops(fp, pcap_is_swapped(c->p), drops);
}

uint64_t
capture_offset(const struct capture *c)
{
	if (c->own)
		return own_off(c->own);
	if (c->pcapng && !c->live) {
		return stream_pos(c->p, c->h.off);
	}
	return c->h.off;
}



void
capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->dump) {
		pcap_dump_flush(c->dump);
		pcap_dump_close(c->dump);
	}
	own_free(c->own);
	merge_free(c->merge);
	ng_close(c->ng);
	if (c->has_prog)
		pcap_freecode(&c->prog);
	if (c->ng_progs) {
		for (guint i = 0; i < c->ng_progs->len; i++) {
			struct ng_prog *q = &g_array_index(c->ng_progs,
			    struct ng_prog, i);
			if (q->ok)
				pcap_freecode(&q->prog);
		}
		g_array_free(c->ng_progs, TRUE);
	}
	g_free(c->filter);
	pcap_close(c->p);
	g_free(c->iobuf);	/* after the fclose() in pcap_close() */
	g_free(c->name);
	g_free(c);
}

bool
capture_filter_check(const char *filter, GError **err)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	bool ok = true;

	if (!p)
		return true;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "bad filter '%s': %s", filter, pcap_geterr(p));
		ok = false;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return ok;
}

uint64_t
capture_skipped_tail(const struct capture *c)
{
	return c->skip;
}
