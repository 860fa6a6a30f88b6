/* pcapng.c - the pcapng reader of the files libpcap stops in, and the
 * drop counts of a pcapng file's interface statistics.
 *
 * libpcap 1.10 reads a pcapng file as one link type and one snapshot
 * length, the first interface's, and one byte order: at a second interface
 * of another type (a capture on eth0 and tun0, or on eth0 and "any"), or
 * a section of the other byte order, pcap_next_ex() fails and the rest of
 * the file is lost. capture.c reads such a file again from the start here
 * and goes on from the record libpcap stopped at; every frame carries its
 * own interface's link type.
 *
 * The format (draft-ietf-opsawg-pcapng): blocks of a 32-bit type, a
 * 32-bit total length (a multiple of 4, at least 12) repeated at the end,
 * and a body; numbers in the byte order of the section header block that
 * begins the section. Interface numbers count the interface description
 * blocks of their section. Timestamps are 64-bit counts of the
 * interface's if_tsresol (10^-6 s when absent) from its if_tsoffset
 * seconds.
 */
#include "config.h"

#include "pcapng.h"

#include <errno.h>
#include <glib.h>
#include <pcap/dlt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rd.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u		/* the obsolete packet block */
#define BT_SPB 3u
#define BT_ISB 5u
#define BT_EPB 6u
#define NG_BOM 0x1A2B3C4Du
#define NG_MAX_BLOCK (16u << 20)	/* libpcap's largest, too */
#define NG_MAX_CAPLEN 262144u	/* libpcap's MAXIMUM_SNAPLEN */
#define NG_MAX_IFACES 65536u

struct ng_iface {
	int dlt;
	uint32_t snap;		/* caplen limit: libpcap's adjusted snaplen */
	bool dec;		/* if_tsresol a power of 10 (else of 2) */
	uint8_t exp;		/* its exponent */
	int64_t tsoff;		/* if_tsoffset, seconds */
	bool has_drops;
	uint64_t drops;		/* the last statistics block's */
};

struct ng_reader {
	FILE *fp;
	bool swapped;		/* this section's byte order is not ours */
	GArray *ifs;		/* struct ng_iface, this section's */
	uint64_t sections;
	uint64_t extra;		/* ng_extra_descriptions() */
	bool has_drops;
	uint64_t drops_done;	/* earlier sections' */
	uint8_t *blk;		/* the block being read */
	size_t blk_cap;
	uint64_t pos;		/* where the next block starts */
	uint64_t err_at;
	char msg[256];
	struct ng_frame last;	/* the last packet returned */
	bool again;		/* return it once more (ng_unread()) */
	bool failed;		/* an error: ng_next() returns it again */
	bool eof;		/* the end of the file reached */
};

struct ng_reader *
ng_open(FILE *fp)
{
	struct ng_reader *ng = g_new0(struct ng_reader, 1);
	off_t at = ftello(fp);

	ng->fp = fp;
	ng->pos = at > 0 ? (uint64_t)at : 0;
	ng->ifs = g_array_new(FALSE, TRUE, sizeof(struct ng_iface));
	return ng;
}

void
ng_close(struct ng_reader *ng)
{
	if (!ng)
		return;
	g_array_free(ng->ifs, TRUE);
	g_free(ng->blk);
	g_free(ng);
}

const char *
ng_error(const struct ng_reader *ng)
{
	return ng->msg;
}

uint64_t
ng_error_offset(const struct ng_reader *ng)
{
	return ng->err_at;
}

uint64_t
ng_offset(const struct ng_reader *ng)
{
	return ng->pos;
}

uint64_t
ng_extra_descriptions(const struct ng_reader *ng)
{
	return ng->extra;
}

static void
ng_sum_drops(const GArray *ifs, bool *has, uint64_t *sum)
{
	for (guint i = 0; i < ifs->len; i++) {
		const struct ng_iface *fi =
		    &g_array_index(ifs, struct ng_iface, i);
		if (fi->has_drops) {
			*has = true;
			*sum += fi->drops;
		}
	}
}

bool
ng_drops(const struct ng_reader *ng, uint64_t *drops)
{
	bool has = ng->has_drops;
	uint64_t sum = ng->drops_done;

	ng_sum_drops(ng->ifs, &has, &sum);
	*drops = sum;
	return has;
}

static int
ng_fail(struct ng_reader *ng, uint64_t at, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int
ng_fail(struct ng_reader *ng, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_vsnprintf(ng->msg, sizeof(ng->msg), fmt, ap);
	va_end(ap);
	ng->err_at = at;
	ng->failed = true;
	return -1;
}

/* The section's numbers, read through the bounded reader. */
static uint16_t
ng_u16(struct rd *r, bool swapped)
{
	uint16_t v = 0;

	rd_bytes(r, &v, 2);
	return swapped ? GUINT16_SWAP_LE_BE(v) : v;
}

static uint32_t
ng_u32(struct rd *r, bool swapped)
{
	uint32_t v = 0;

	rd_bytes(r, &v, 4);
	return swapped ? GUINT32_SWAP_LE_BE(v) : v;
}

static uint64_t
ng_u64(struct rd *r, bool swapped)
{
	uint64_t v = 0;

	rd_bytes(r, &v, 8);
	return swapped ? GUINT64_SWAP_LE_BE(v) : v;
}

/* Read n bytes at the stream's position, or say what was missing (the
 * errors in libpcap 1.10's words, sf-pcapng.c, as everywhere below: the
 * same words whichever reads the file). */
static int
ng_read(struct ng_reader *ng, void *dst, size_t n, uint64_t block)
{
	size_t got = fread(dst, 1, n, ng->fp);

	if (got == n)
		return 1;
	if (ferror(ng->fp))
		return ng_fail(ng, block, "error reading dump file: %s",
		    g_strerror(errno));
	return ng_fail(ng, block, "truncated pcapng dump file; tried to read "
	    "%zu bytes, only got %zu", n, got);
}

/*
 * The next block: its type, and its body (after the 8 bytes of type and
 * length, before the trailing length) in ng->blk. A section header sets
 * the byte order first, by its byte-order magic. 1, 0 at a clean end of
 * the file, -1 on an error.
 */
static int
ng_block(struct ng_reader *ng, uint32_t *type, size_t *body_len)
{
	uint64_t at = ng->pos;
	uint32_t h[2];
	size_t got = fread(h, 1, 8, ng->fp);

	if (got == 0 && !ferror(ng->fp))
		return 0;
	if (got != 8) {
		if (ferror(ng->fp))
			return ng_fail(ng, at, "error reading dump file: %s",
			    g_strerror(errno));
		return ng_fail(ng, at, "truncated pcapng dump file; tried to "
		    "read 8 bytes, only got %zu", got);
	}
	uint32_t len;
	if (h[0] == BT_SHB) {
		/* The byte-order magic comes before the length means
		 * anything. */
		uint32_t bom;
		if (ng_read(ng, &bom, 4, at) < 0)
			return -1;
		if (bom == NG_BOM)
			ng->swapped = false;
		else if (bom == GUINT32_SWAP_LE_BE(NG_BOM))
			ng->swapped = true;
		else
			return ng_fail(ng, at, "the file has a section with a "
			    "bad byte order magic field");
		len = ng->swapped ? GUINT32_SWAP_LE_BE(h[1]) : h[1];
		if (len >= 12 && len % 4 == 0 && len < 28)
			return ng_fail(ng, at, "block of type %u in pcapng "
			    "dump file is too short", BT_SHB);
	} else {
		len = ng->swapped ? GUINT32_SWAP_LE_BE(h[1]) : h[1];
	}
	*type = ng->swapped && h[0] != BT_SHB ? GUINT32_SWAP_LE_BE(h[0]) :
	    h[0];
	if (len < 12)
		return ng_fail(ng, at, "block in pcapng dump file has a length "
		    "of %u < 12", len);
	if (len % 4 != 0)
		return ng_fail(ng, at, "block in pcapng dump file has a length "
		    "of %u that is not a multiple of 4", len);
	if (len > NG_MAX_BLOCK)
		return ng_fail(ng, at, "pcapng block size %u > maximum %u",
		    len, NG_MAX_BLOCK);
	size_t rest = len - 8;	/* the body and the trailing length */
	if (rest > ng->blk_cap) {
		g_free(ng->blk);
		ng->blk_cap = rest < 65536 ? 65536 : rest;
		ng->blk = g_malloc(ng->blk_cap);
	}
	size_t off = 0;
	if (*type == BT_SHB) {
		memcpy(ng->blk, &(uint32_t){ ng->swapped ?
		    GUINT32_SWAP_LE_BE(NG_BOM) : NG_BOM }, 4);
		off = 4;
	}
	if (ng_read(ng, ng->blk + off, rest - off, at) < 0)
		return -1;
	uint32_t tail;
	memcpy(&tail, ng->blk + rest - 4, 4);
	if (ng->swapped)
		tail = GUINT32_SWAP_LE_BE(tail);
	if (tail != len)
		return ng_fail(ng, at, "block total length in header and "
		    "trailer don't match");
	*body_len = rest - 4;
	ng->pos = at + len;
	return 1;
}

/* The options after a block's fixed part: fn for each; fn's message
 * (non-NULL) or a cut option is an error. */
static const char *
ng_options(bool swapped, struct rd *r, uint32_t type,
    const char *(*fn)(uint16_t code, struct rd *v, bool swapped, void *arg),
    void *arg, char *buf, size_t bufsz)
{
	while (r->left != 0) {
		uint16_t code = ng_u16(r, swapped);
		uint16_t len = ng_u16(r, swapped);
		struct rd v;
		rd_sub(r, len, &v);
		rd_skip(r, (4 - len % 4) % 4);
		if (r->err) {
			g_snprintf(buf, bufsz, "block of type %u in pcapng "
			    "dump file is too short", type);
			return buf;
		}
		const char *e = fn(code, &v, swapped, arg);
		if (e)
			return e;
		if (code == 0)		/* opt_endofopt */
			break;
	}
	return NULL;
}

struct idb_opts {
	struct ng_iface *fi;
	bool saw_tsresol, saw_tsoffset;
	char msg[128];
};

/* libpcap's process_idb_options(), its checks and words. */
static const char *
idb_option(uint16_t code, struct rd *v, bool swapped, void *arg)
{
	struct idb_opts *o = arg;
	const char *name = "Interface Description Block";

	switch (code) {
	case 0:
		if (v->left == 0)
			return NULL;
		g_snprintf(o->msg, sizeof(o->msg), "%s has opt_endofopt option "
		    "with length %zu != 0", name, v->left);
		return o->msg;
	case 9: {			/* if_tsresol */
		if (v->left != 1) {
			g_snprintf(o->msg, sizeof(o->msg), "%s has if_tsresol "
			    "option with length %zu != 1", name, v->left);
			return o->msg;
		}
		if (o->saw_tsresol)
			return "Interface Description Block has more than one "
			    "if_tsresol option";
		o->saw_tsresol = true;
		uint8_t b = rd_u8(v);
		o->fi->dec = !(b & 0x80);
		o->fi->exp = b & 0x7f;
		if ((o->fi->dec && o->fi->exp > 19) ||
		    (!o->fi->dec && o->fi->exp > 63)) {
			g_snprintf(o->msg, sizeof(o->msg), "%s if_tsresol "
			    "option resolution %s^-%u is too high", name,
			    o->fi->dec ? "10" : "2", o->fi->exp);
			return o->msg;
		}
		return NULL;
	}
	case 14:			/* if_tsoffset */
		if (v->left != 8) {
			g_snprintf(o->msg, sizeof(o->msg), "%s has if_tsoffset "
			    "option with length %zu != 8", name, v->left);
			return o->msg;
		}
		if (o->saw_tsoffset)
			return "Interface Description Block has more than one "
			    "if_tsoffset option";
		o->saw_tsoffset = true;
		o->fi->tsoff = (int64_t)ng_u64(v, swapped);
		return NULL;
	default:
		return NULL;
	}
}

struct isb_counts {
	bool has;
	uint64_t drops;
};

static const char *
isb_option(uint16_t code, struct rd *v, bool swapped, void *arg)
{
	struct isb_counts *k = arg;

	/* isb_ifdrop (by the interface) and isb_osdrop (by the operating
	 * system): what the capture lost. */
	if ((code == 5 || code == 7) && v->left == 8) {
		k->drops += ng_u64(v, swapped);
		k->has = true;
	}
	return NULL;
}

static int
ng_section(struct ng_reader *ng, struct rd *r, uint64_t at)
{
	rd_skip(r, 4);		/* the byte-order magic, checked */
	uint16_t major = ng_u16(r, ng->swapped);
	if (r->err)
		return ng_fail(ng, at, "block of type %u in pcapng dump file "
		    "is too short", BT_SHB);
	if (major != 1)
		return ng_fail(ng, at, "unknown pcapng savefile major version "
		    "number %u", major);
	/* A new section numbers its interfaces from 0 again. */
	ng_sum_drops(ng->ifs, &ng->has_drops, &ng->drops_done);
	g_array_set_size(ng->ifs, 0);
	if (ng->sections++ > 0)
		ng->extra++;
	return 1;
}

/* A file's link type (LINKTYPE_) as libpcap hands it out (DLT_): the
 * same number but for the few whose DLT_ value differs between systems
 * (libpcap's linktype_to_dlt()). */
static int
ng_dlt(uint16_t linktype)
{
	switch (linktype) {
	case 101: return DLT_RAW;		/* LINKTYPE_RAW */
	case 100: return DLT_ATM_RFC1483;	/* LINKTYPE_ATM_RFC1483 */
	case 50: return DLT_PPP_SERIAL;		/* LINKTYPE_PPP_HDLC */
	case 51: return DLT_PPP_ETHER;		/* LINKTYPE_PPP_ETHER */
	case 108: return DLT_LOOP;		/* LINKTYPE_LOOP */
	case 109: return DLT_ENC;		/* LINKTYPE_ENC */
	case 258: return DLT_PKTAP;		/* LINKTYPE_PKTAP */
	default: return linktype;
	}
}

static int
ng_interface(struct ng_reader *ng, struct rd *r, uint64_t at)
{
	struct ng_iface fi = { .dec = true, .exp = 6 };
	struct idb_opts o = { .fi = &fi };
	char buf[96];

	fi.dlt = ng_dlt(ng_u16(r, ng->swapped));
	rd_skip(r, 2);
	uint32_t snap = ng_u32(r, ng->swapped);
	if (r->err)
		return ng_fail(ng, at, "block of type %u in pcapng dump file "
		    "is too short", BT_IDB);
	const char *e = ng_options(ng->swapped, r, BT_IDB, idb_option, &o, buf,
	    sizeof(buf));
	if (e)
		return ng_fail(ng, at, "%s", e);
	if (ng->ifs->len >= NG_MAX_IFACES)
		return ng_fail(ng, at, "more than %u interface descriptions "
		    "in one section", NG_MAX_IFACES);
	fi.snap = snap == 0 || snap > NG_MAX_CAPLEN ? NG_MAX_CAPLEN : snap;
	if (ng->sections > 1 || ng->ifs->len > 0)
		ng->extra++;
	g_array_append_val(ng->ifs, fi);
	return 1;
}

/* An interface statistics block's body: its interface and the packets
 * it says the capture dropped (isb_ifdrop + isb_osdrop, counts since the
 * capture began); false when it gives no count. */
static bool
isb_parse(bool swapped, struct rd *r, uint32_t *id, uint64_t *drops)
{
	struct isb_counts k = { false, 0 };
	char buf[96];

	*id = ng_u32(r, swapped);
	rd_skip(r, 8);		/* the time */
	if (r->err || ng_options(swapped, r, BT_ISB, isb_option, &k, buf,
	    sizeof(buf)) || !k.has)
		return false;
	*drops = k.drops;
	return true;
}

static void
ng_statistics(struct ng_reader *ng, struct rd *r)
{
	uint32_t id;
	uint64_t drops;

	if (!isb_parse(ng->swapped, r, &id, &drops) || id >= ng->ifs->len)
		return;		/* no count to take: nothing else needs it */
	struct ng_iface *fi = &g_array_index(ng->ifs, struct ng_iface, id);
	fi->has_drops = true;
	fi->drops = drops;
}

/* 64-bit count of the interface's units to ns since the epoch: its
 * seconds plus if_tsoffset (libpcap's order), then clamped as capture.c
 * clamps, [1970, 2242), the fraction kept. */
static int64_t
ng_time(const struct ng_iface *fi, uint64_t t)
{
	const int64_t max_sec = (int64_t)1 << 33;
	uint64_t units = 1;

	for (unsigned i = 0; i < fi->exp; i++)
		units *= fi->dec ? 10 : 2;
	uint64_t q = t / units;
	int64_t ns = (int64_t)((unsigned __int128)(t % units) *
	    1000000000u / units);
	int64_t s = q > ((uint64_t)1 << 62) ? (int64_t)1 << 62 : (int64_t)q;
	if (__builtin_add_overflow(s, fi->tsoff, &s))
		s = fi->tsoff < 0 ? INT64_MIN : INT64_MAX;
	if (s < 0)
		s = 0;
	if (s >= max_sec)
		s = max_sec - 1;
	return s * 1000000000 + ns;
}

/* The interface a packet block names, or NULL (the error set). */
static const struct ng_iface *
ng_iface_of(struct ng_reader *ng, uint32_t id, uint64_t at)
{
	if (id < ng->ifs->len)
		return &g_array_index(ng->ifs, struct ng_iface, id);
	ng_fail(ng, at, "a packet arrived on interface %u, but there's no "
	    "Interface Description Block for that interface", id);
	return NULL;
}

uint32_t
ng_interfaces(const struct ng_reader *ng)
{
	return ng->ifs->len;
}

void
ng_unread(struct ng_reader *ng)
{
	ng->again = true;
}

int
ng_next(struct ng_reader *ng, struct ng_frame *f)
{
	if (ng->again) {
		ng->again = false;
		*f = ng->last;
		return 1;
	}
	if (ng->failed)
		return -1;	/* the same error */
	for (;;) {
		uint64_t at = ng->pos;
		uint32_t type = 0;
		size_t len = 0;
		int k = ng_block(ng, &type, &len);
		if (k == 0)
			ng->eof = true;
		if (k <= 0)
			return k;
		struct rd r = rd_init(ng->blk, len);
		if (type != BT_SHB && ng->sections == 0)
			return ng_fail(ng, at, "block of type %u before any "
			    "section header", type);
		const struct ng_iface *fi;
		uint32_t id, caplen, wirelen;
		uint64_t ts;
		switch (type) {
		case BT_SHB:
			if (ng_section(ng, &r, at) < 0)
				return -1;
			continue;
		case BT_IDB:
			if (ng_interface(ng, &r, at) < 0)
				return -1;
			continue;
		case BT_ISB:
			ng_statistics(ng, &r);
			continue;
		case BT_EPB:
		case BT_PB:
			if (type == BT_EPB) {
				id = ng_u32(&r, ng->swapped);
			} else {
				id = ng_u16(&r, ng->swapped);
				rd_skip(&r, 2);	/* drops_count */
			}
			ts = (uint64_t)ng_u32(&r, ng->swapped) << 32;
			ts |= ng_u32(&r, ng->swapped);
			caplen = ng_u32(&r, ng->swapped);
			wirelen = ng_u32(&r, ng->swapped);
			if (r.err)
				return ng_fail(ng, at, "block of type %u in "
				    "pcapng dump file is too short", type);
			if (!(fi = ng_iface_of(ng, id, at)))
				return -1;
			if (caplen > fi->snap)
				return ng_fail(ng, at, "invalid packet capture "
				    "length %u, bigger than snaplen of %u",
				    caplen, fi->snap);
			f->ts_ns = ng_time(fi, ts);
			break;
		case BT_SPB:
			/* No interface number (the section's first), no
			 * time (0, as libpcap gives), and the captured
			 * length is what the block holds. */
			wirelen = ng_u32(&r, ng->swapped);
			if (r.err)
				return ng_fail(ng, at, "block of type %u in "
				    "pcapng dump file is too short", type);
			id = 0;
			if (!(fi = ng_iface_of(ng, id, at)))
				return -1;
			caplen = wirelen < fi->snap ? wirelen : fi->snap;
			f->ts_ns = ng_time(fi, 0);
			break;
		default:
			continue;	/* unknown: skipped */
		}
		f->data = rd_take(&r, caplen);
		if (!f->data && caplen)
			return ng_fail(ng, at, "block of type %u in pcapng "
			    "dump file is too short", type);
		f->caplen = caplen;
		f->wirelen = wirelen;
		f->dlt = fi->dlt;
		f->iface = id;
		ng->last = *f;
		return 1;
	}
}

/* The statistics blocks at the end of the file: see pcapng.h. */
bool
ng_tail_drops(FILE *fp, bool swapped, uint64_t *drops)
{
	struct stat st;
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	bool has = false;
	uint64_t sum = 0;

	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		g_hash_table_destroy(seen);
		return false;
	}
	uint64_t end = (uint64_t)st.st_size;
	uint8_t buf[4096];
	/* dumpcap writes a statistics block an interface at the end; a
	 * few hundred blocks back is past any such tail. */
	for (int n = 0; n < 512 && end >= 12; n++) {
		uint32_t len, h[2];
		if (fseeko(fp, (off_t)end - 4, SEEK_SET) != 0 ||
		    fread(&len, 4, 1, fp) != 1)
			break;
		if (swapped)
			len = GUINT32_SWAP_LE_BE(len);
		if (len < 12 || len % 4 != 0 || len > end ||
		    fseeko(fp, (off_t)(end - len), SEEK_SET) != 0 ||
		    fread(h, 4, 2, fp) != 2)
			break;
		uint32_t type = swapped ? GUINT32_SWAP_LE_BE(h[0]) : h[0];
		uint32_t len2 = swapped ? GUINT32_SWAP_LE_BE(h[1]) : h[1];
		if (len2 != len || type == BT_SHB || type == BT_EPB ||
		    type == BT_SPB || type == BT_PB)
			break;
		if (type == BT_ISB && len - 12 <= sizeof(buf) &&
		    fread(buf, 1, len - 12, fp) == len - 12) {
			struct rd r = rd_init(buf, len - 12);
			uint32_t id;
			uint64_t d;
			/* The last block of an interface is the one read
			 * first, walking back. */
			if (isb_parse(swapped, &r, &id, &d) &&
			    !g_hash_table_contains(seen,
			    GSIZE_TO_POINTER((gsize)id + 1))) {
				g_hash_table_add(seen,
				    GSIZE_TO_POINTER((gsize)id + 1));
				sum += d;
				has = true;
			}
		}
		end -= len;
	}
	g_hash_table_destroy(seen);
	*drops = sum;
	return has;
}

bool
ng_at_eof(const struct ng_reader *ng)
{
	return ng->eof && !ng->again;
}

/* Every statistics block of the file: a walk over the block headers
 * from the start, a megabyte read at a time, that looks into section
 * headers, interface descriptions and statistics only (their numbering
 * and byte order). It stops at the first block it cannot frame. */
bool
ng_file_drops(FILE *fp, uint64_t *drops)
{
	enum { BUF = 1 << 20 };
	int fd = fileno(fp);
	uint8_t *buf = g_malloc(BUF);
	uint64_t pos = 0, at = 0;	/* the block; buf holds [at, at+n) */
	size_t n = 0;
	struct ng_reader *ng = ng_open(fp);

	*drops = 0;
	ng->pos = 0;
	for (;;) {
		if (pos < at || pos + 12 > at + n) {
			ssize_t r = pread(fd, buf, BUF, (off_t)pos);
			if (r < 12)
				break;
			at = pos;
			n = (size_t)r;
		}
		const uint8_t *b = buf + (pos - at);
		uint32_t h[3];
		memcpy(h, b, 12);
		if (h[0] == BT_SHB) {
			if (h[2] == NG_BOM)
				ng->swapped = false;
			else if (h[2] == GUINT32_SWAP_LE_BE(NG_BOM))
				ng->swapped = true;
			else
				break;
		}
		uint32_t type = ng->swapped && h[0] != BT_SHB ?
		    GUINT32_SWAP_LE_BE(h[0]) : h[0];
		uint32_t len = ng->swapped ? GUINT32_SWAP_LE_BE(h[1]) : h[1];
		if (len < 12 || len % 4 != 0 || len > NG_MAX_BLOCK)
			break;
		if (type == BT_SHB || type == BT_IDB || type == BT_ISB) {
			if (pos + len > at + n) {
				ssize_t r = pread(fd, buf, BUF, (off_t)pos);
				if (r < (ssize_t)len)
					break;	/* cut, or bigger than BUF */
				at = pos;
				n = (size_t)r;
				b = buf;
			}
			struct rd r = rd_init(b + 8, len - 12);
			if (type == BT_SHB && ng_section(ng, &r, pos) < 0)
				break;
			if (type == BT_IDB && ng_interface(ng, &r, pos) < 0)
				break;
			if (type == BT_ISB)
				ng_statistics(ng, &r);
		}
		pos += len;
	}
	bool has = ng_drops(ng, drops);
	ng_close(ng);
	g_free(buf);
	return has;
}
