/* badfiles.c - hostile capture files against the synfin binary.
 *
 * SPEC.md: a file that ends mid-record still yields the report of
 * everything before the cut and an error on standard error naming the file
 * and the byte offset, exit 2. This program builds small valid captures
 * (classic pcap with microsecond and nanosecond magic in both byte orders,
 * written through libpcap's pcap_dump by the forge and byte-swapped here;
 * pcapng written by hand, libpcap cannot dump it), breaks them in every
 * way the formats allow, runs `timeout 20 $SYNFIN -q -F json -r FILE` on
 * each and checks the exit status, the report and the error.
 *
 * Expected values come from the file layouts built here (pcap-savefile(5);
 * pcapng, draft-ietf-opsawg-pcapng), never from synfin's output:
 *   - a cut exactly at a record (block) boundary is a shorter valid file:
 *     exit 0 and the report of the whole records;
 *   - any other cut: exit 2, the report of the whole records before it,
 *     and "FILE: ... at byte offset N" where N is where the cut record
 *     (block) starts; a cut inside the file header (classic: the first 24
 *     bytes; pcapng: up to the end of the first interface description)
 *     makes the file unreadable: exit 2, no report, the offset of the cut
 *     header block (0 for classic pcap);
 *   - "connections" is the number of distinct 4-tuples among the whole
 *     records, each reported once, their packet counts adding up.
 * libpcap's own rules (read through pcap_next_ex) that decide the rest:
 *   - classic: a record header claiming caplen > 262144 (libpcap's maximum
 *     for Ethernet) is an error at that record; caplen larger than the
 *     file's snaplen but below the maximum is read whole and cut to the
 *     snaplen by libpcap (not an error); caplen 0 is a valid empty frame;
 *     wirelen < caplen is passed through as written (version 2.4);
 *   - pcapng: blocks of unknown type are skipped (the draft: "a reader
 *     [...] MUST skip" unknown blocks); a block length < 12, not a multiple
 *     of 4, larger than the file or different in the trailer, an EPB naming
 *     an undefined interface, an EPB longer than its snaplen or its
 *     block: an error at that block; a section in the other byte order
 *     is read on (by src/pcapng.c, where libpcap stops).
 *
 * Run by `make check` (SYNFIN is set by the Makefile); -v prints each
 * case. A hang fails (timeout's status 124), so does a crash (a signal).
 * `badfiles -w DIR` only writes the files (each cut once, mid-record) into
 * DIR for other tools (tests/valgrind.sh); those synfin cannot open at all
 * are named hdr-*.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1
#define _GNU_SOURCE 1	/* memmem */

#include "forge.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

extern char **environ;

#define MAX_CAPLEN_EN10MB	262144u	/* libpcap: max_snaplen_for_dlt() */
#define CLASSIC_HDR		24u
#define CLASSIC_REC_HDR		16u

static const char *synfin;
static char *tmpdir;
static bool verbose;
static bool write_only;		/* -w DIR: write the files, run nothing */
static size_t stride = 1;	/* cut every stride-th offset (sanitizers) */
static unsigned int passes, fails;

/* ---- the base capture ---------------------------------------------- */

/*
 * Two connections, interleaved, so a cut changes the connection count:
 * A = 10.0.0.1:40000 (records 0 1 3 6-10), B = 10.0.0.1:40001 (2 4 5).
 * Frames differ in size (options, a 5-byte payload: odd, so pcapng pads).
 */
static const char base_scn[] =
	"link en10mb\n"
	"time 1700000000\n"
	"server 10.0.0.2:80\n"
	"client 10.0.0.1:40000\n"
	"0.000 > S 1000 0 mss=1460\n"
	"0.010 < SA 5000 1001 mss=1460\n"
	"client 10.0.0.1:40001\n"
	"0.015 > S 7000 0\n"
	"client 10.0.0.1:40000\n"
	"0.020 > A 1001 5001\n"
	"client 10.0.0.1:40001\n"
	"0.025 < SA 9000 7001\n"
	"0.030 > A 7001 9001\n"
	"client 10.0.0.1:40000\n"
	"0.040 > PA 1001 5001 len=5\n"
	"0.050 < A 5001 1006\n"
	"0.060 > FA 1006 5001\n"
	"0.070 < FA 5001 1007\n"
	"0.080 > A 1007 5002\n";
static const int base_tuple[] = { 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0 };
#define NREC G_N_ELEMENTS(base_tuple)

struct rec {
	uint32_t sec, usec;	/* as forged (microseconds) */
	uint32_t caplen, wirelen;
	const uint8_t *data;
	int tuple;		/* -1: not one of the base records */
};

static struct rec recs[NREC];
static uint8_t *base_bytes;	/* the forged file (pcap_dump's own bytes) */
static size_t base_len;

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Read back the records of the forged file (pcap_dump writes host order;
 * the magic tells which). */
static void
base_load(void)
{
	GError *err = NULL;

	base_bytes = forge_write_mem(base_scn, &base_len, &err);
	if (!base_bytes) {
		fprintf(stderr, "badfiles: forge: %s\n", err->message);
		exit(99);
	}
	bool swap = le32(base_bytes) != 0xa1b2c3d4;
	if (swap && le32(base_bytes) != 0xd4c3b2a1) {
		fprintf(stderr, "badfiles: forge wrote an unknown magic\n");
		exit(99);
	}
	size_t off = CLASSIC_HDR;
	for (size_t i = 0; i < NREC; i++) {
		const uint8_t *h = base_bytes + off;
		uint32_t v[4];
		for (int j = 0; j < 4; j++)
			v[j] = swap ? GUINT32_SWAP_LE_BE(le32(h + 4 * j)) :
			    le32(h + 4 * j);
		recs[i] = (struct rec){ v[0], v[1], v[2], v[3],
		    h + CLASSIC_REC_HDR, base_tuple[i] };
		off += CLASSIC_REC_HDR + v[2];
	}
	if (off != base_len) {
		fprintf(stderr, "badfiles: forge wrote %zu bytes, expected "
		    "%zu\n", base_len, off);
		exit(99);
	}
}

/* ---- writing captures ------------------------------------------------ */

enum blk_kind { BLK_HDR, BLK_PKT, BLK_OTHER };

struct blk {
	size_t start, end;
	enum blk_kind kind;
	int tuple;		/* BLK_PKT: the record's connection */
};

struct cap {
	GByteArray *b;
	GArray *blks;		/* struct blk, in file order */
	size_t open_end;	/* what libpcap reads when opening */
	bool swap;		/* written in the other byte order */
};

static void
cap_init(struct cap *c, bool swap)
{
	c->b = g_byte_array_new();
	c->blks = g_array_new(FALSE, FALSE, sizeof(struct blk));
	c->open_end = 0;
	c->swap = swap;
}

static void
cap_free(struct cap *c)
{
	g_byte_array_unref(c->b);
	g_array_free(c->blks, TRUE);
}

static void
cap_blk(struct cap *c, size_t start, enum blk_kind k, int tuple)
{
	struct blk b = { start, c->b->len, k, tuple };
	g_array_append_val(c->blks, b);
}

static void
put(struct cap *c, const void *p, size_t n)
{
	g_byte_array_append(c->b, p, (guint)n);
}

/* Host-order value in the file's byte order (little endian unless swap;
 * the forge's own output is checked against this below). */
static void
put32(struct cap *c, uint32_t v)
{
	uint8_t b[4];
	if (c->swap)
		v = GUINT32_SWAP_LE_BE(v);
	memcpy(b, &v, 4);
	put(c, b, 4);
}

static void
put16(struct cap *c, uint16_t v)
{
	uint8_t b[2];
	if (c->swap)
		v = GUINT16_SWAP_LE_BE(v);
	memcpy(b, &v, 2);
	put(c, b, 2);
}

static void
set32(struct cap *c, size_t at, uint32_t v)
{
	if (c->swap)
		v = GUINT32_SWAP_LE_BE(v);
	memcpy(c->b->data + at, &v, 4);
}

static const struct blk *
blk_at(const struct cap *c, guint i)
{
	return &g_array_index(c->blks, struct blk, i);
}

/* The i-th packet block. */
static const struct blk *
pkt_blk(const struct cap *c, unsigned int i)
{
	for (guint j = 0; j < c->blks->len; j++)
		if (blk_at(c, j)->kind == BLK_PKT && i-- == 0)
			return blk_at(c, j);
	return NULL;
}

/* Classic pcap in host (swap false) or the other byte order. */
struct classic_opts {
	bool nano;
	uint32_t snaplen;
};

static void
classic_hdr(struct cap *c, const struct classic_opts *o)
{
	put32(c, o->nano ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(c, 2);
	put16(c, 4);
	put32(c, 0);		/* thiszone */
	put32(c, 0);		/* sigfigs */
	put32(c, o->snaplen ? o->snaplen : 262144);
	put32(c, 1);		/* LINKTYPE_ETHERNET */
	cap_blk(c, 0, BLK_HDR, -1);
	c->open_end = c->b->len;
}

static void
classic_rec(struct cap *c, const struct rec *r, bool nano)
{
	size_t start = c->b->len;
	put32(c, r->sec);
	put32(c, nano ? r->usec * 1000 : r->usec);
	put32(c, r->caplen);
	put32(c, r->wirelen);
	put(c, r->data, r->caplen);
	cap_blk(c, start, BLK_PKT, r->tuple);
}

static void
classic_build(struct cap *c, bool swap, const struct classic_opts *o)
{
	cap_init(c, swap);
	classic_hdr(c, o);
	for (size_t i = 0; i < NREC; i++)
		classic_rec(c, &recs[i], o->nano);
}

/* pcapng: SHB (no options), IDB (EN10MB; with nano an if_tsresol of 9),
 * EPBs on interface 0. */
enum {
	BT_SHB = 0x0A0D0D0A, BT_IDB = 1, BT_EPB = 6, BT_UNKNOWN = 0x0000ABCD,
	BT_CUSTOM = 0x00000BAD,
};

static void
ng_shb(struct cap *c, enum blk_kind k)
{
	size_t start = c->b->len;
	put32(c, BT_SHB);
	put32(c, 28);
	put32(c, 0x1A2B3C4D);
	put16(c, 1);
	put16(c, 0);
	put32(c, 0xffffffff);	/* section length: unknown (-1) */
	put32(c, 0xffffffff);
	put32(c, 28);
	cap_blk(c, start, k, -1);
}

static void
ng_idb(struct cap *c, bool nano, uint32_t snaplen, enum blk_kind k)
{
	size_t start = c->b->len;
	uint32_t len = nano ? 32 : 20;
	put32(c, BT_IDB);
	put32(c, len);
	put16(c, 1);		/* LINKTYPE_ETHERNET */
	put16(c, 0);
	put32(c, snaplen ? snaplen : 262144);
	if (nano) {
		put16(c, 9);	/* if_tsresol */
		put16(c, 1);
		put(c, "\x09\0\0\0", 4);	/* 10^-9, padded */
		put16(c, 0);	/* opt_endofopt */
		put16(c, 0);
	}
	put32(c, len);
	cap_blk(c, start, k, -1);
}

static void
ng_epb(struct cap *c, const struct rec *r, bool nano, uint32_t iface)
{
	size_t start = c->b->len;
	uint32_t pad = (4 - r->caplen % 4) % 4;
	uint32_t len = 32 + r->caplen + pad;
	uint64_t t = nano ? (uint64_t)r->sec * 1000000000u + r->usec * 1000u :
	    (uint64_t)r->sec * 1000000u + r->usec;
	put32(c, BT_EPB);
	put32(c, len);
	put32(c, iface);
	put32(c, (uint32_t)(t >> 32));
	put32(c, (uint32_t)t);
	put32(c, r->caplen);
	put32(c, r->wirelen);
	put(c, r->data, r->caplen);
	put(c, "\0\0\0", pad);
	put32(c, len);
	cap_blk(c, start, BLK_PKT, r->tuple);
}

/* A block of a type the reader does not know, with a body of n bytes. */
static void
ng_unknown(struct cap *c, uint32_t type, size_t n)
{
	size_t start = c->b->len;
	uint32_t len = 12 + (uint32_t)((n + 3) / 4 * 4);
	put32(c, type);
	put32(c, len);
	for (size_t i = 0; i < len - 12; i++)
		g_byte_array_append(c->b, (const guint8 *)"u", 1);
	put32(c, len);
	cap_blk(c, start, BLK_OTHER, -1);
}

struct ng_opts {
	bool nano;
	bool unknown;		/* unknown blocks all over the file */
	uint32_t snaplen;
};

static void
ng_build(struct cap *c, bool swap, const struct ng_opts *o)
{
	cap_init(c, swap);
	ng_shb(c, BLK_HDR);
	if (o->unknown)		/* before the first IDB: skipped at open */
		ng_unknown(c, BT_CUSTOM, 5);
	ng_idb(c, o->nano, o->snaplen, BLK_HDR);
	c->open_end = c->b->len;
	for (size_t i = 0; i < NREC; i++) {
		ng_epb(c, &recs[i], o->nano, 0);
		if (o->unknown && (i == 1 || i == 3)) {
			/* Two in a row after record 3: the block after the
			 * last packet is not always the one that breaks. */
			ng_unknown(c, BT_UNKNOWN, i);
			if (i == 3)
				ng_unknown(c, BT_UNKNOWN | 0x80000000, 9);
		}
	}
	if (o->unknown)
		ng_unknown(c, BT_UNKNOWN, 0);
}

/* ---- running synfin ---------------------------------------------------- */

struct result {
	int rc;			/* exit status; -1 on a signal */
	int sig;
	char *out, *err;
	bool have_summary;
	uint64_t packets, tcp_packets, connections;
	unsigned int conn_lines;
	uint64_t conn_pkts;	/* sum of the records' packet counts */
	bool have_off;
	uint64_t off;		/* "byte offset N" in the error */
};

static void
result_clear(struct result *r)
{
	g_free(r->out);
	g_free(r->err);
	memset(r, 0, sizeof(*r));
}

static void
parse_output(struct result *r)
{
	char **lines = g_strsplit(r->out, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "{\"type\":\"conn\"")) {
			uint64_t a, b;
			const char *p = strstr(*l, "\"packets\":{\"client\":");
			r->conn_lines++;
			if (p && sscanf(p, "\"packets\":{\"client\":%" SCNu64
			    ",\"server\":%" SCNu64, &a, &b) == 2)
				r->conn_pkts += a + b;
		} else if (g_str_has_prefix(*l, "{\"type\":\"summary\"")) {
			r->have_summary = sscanf(*l, "{\"type\":\"summary\","
			    "\"packets\":%" SCNu64 ",\"tcp_packets\":%" SCNu64
			    ",\"connections\":%" SCNu64, &r->packets,
			    &r->tcp_packets, &r->connections) == 3;
		}
	}
	g_strfreev(lines);
	const char *o = strstr(r->err, "byte offset ");
	if (o) {
		char *end;
		errno = 0;
		r->off = g_ascii_strtoull(o + strlen("byte offset "), &end, 10);
		r->have_off = end != o + strlen("byte offset ") && !errno;
	}
}

/* timeout 20 $SYNFIN -q -F json [extra...] -r path, with
 * SYNFIN_LIBPCAP_READ=1 if libpcap_read: r's status and outputs. */
static void
spawn(const char *path, const char *const *extra, bool libpcap_read,
    struct result *r)
{
	const char *argv[32];
	int n = 0;
	char *outp = g_build_filename(tmpdir, "out", NULL);
	char *errp = g_build_filename(tmpdir, "err", NULL);
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;
	char **env = g_get_environ();

	env = g_environ_setenv(env, "SYNFIN_LIBPCAP_READ",
	    libpcap_read ? "1" : "0", TRUE);
	argv[n++] = "timeout";
	argv[n++] = "20";
	argv[n++] = synfin;
	argv[n++] = "-q";
	argv[n++] = "-F";
	argv[n++] = "json";
	for (; extra && *extra && n < 28; extra++)
		argv[n++] = *extra;
	argv[n++] = "-r";
	argv[n++] = path;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, outp,
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, errp,
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (posix_spawnp(&pid, "timeout", &fa, NULL, (char *const *)argv,
	    env) != 0) {
		perror("badfiles: posix_spawnp timeout");
		exit(99);
	}
	posix_spawn_file_actions_destroy(&fa);
	g_strfreev(env);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st)) {
		r->rc = WEXITSTATUS(st);
	} else {
		r->rc = -1;
		r->sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
	if (!g_file_get_contents(outp, &r->out, NULL, NULL))
		r->out = g_strdup("");
	if (!g_file_get_contents(errp, &r->err, NULL, NULL))
		r->err = g_strdup("");
	g_free(outp);
	g_free(errp);
}

/* Does the file start with a classic pcap magic number (either order,
 * micro- or nanoseconds)? */
static bool
is_classic(const char *path)
{
	uint8_t m[4];
	FILE *fp = fopen(path, "rb");
	bool yes = false;

	if (fp && fread(m, 1, 4, fp) == 4) {
		uint32_t v = le32(m);
		yes = v == 0xa1b2c3d4 || v == 0xa1b23c4d ||
		    v == 0xd4c3b2a1 || v == 0x4d3cb2a1;
	}
	if (fp)
		fclose(fp);
	return yes;
}

/*
 * synfin reads classic pcap itself (src/capture.c own_next()), as libpcap
 * would: each classic file is run again with SYNFIN_LIBPCAP_READ=1, which
 * leaves it to pcap_next_ex(), and the two runs must agree on the status,
 * the report and the error, byte for byte.
 */
static void
run(const char *path, const char *const *extra, struct result *r)
{
	memset(r, 0, sizeof(*r));
	if (write_only) {
		r->out = g_strdup("");
		r->err = g_strdup("");
		return;
	}
	spawn(path, extra, false, r);
	parse_output(r);
	if (!is_classic(path))
		return;
	struct result l;
	memset(&l, 0, sizeof(l));
	spawn(path, extra, true, &l);
	if (l.rc == r->rc && strcmp(l.out, r->out) == 0 &&
	    strcmp(l.err, r->err) == 0) {
		passes++;
	} else {
		fails++;
		printf("FAIL %s: synfin's reader and libpcap's disagree: exit "
		    "%d and %d\n--- synfin's:\n%s\n%s--- libpcap's:\n%s\n%s",
		    path, r->rc, l.rc, r->err, r->out, l.err, l.out);
	}
	result_clear(&l);
}

static char *
write_file(const char *name, const uint8_t *data, size_t len)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	GError *e = NULL;

	if (!g_file_set_contents(path, (const char *)data, (gssize)len, &e)) {
		fprintf(stderr, "badfiles: %s\n", e->message);
		exit(99);
	}
	return path;
}

/* ---- expectations ------------------------------------------------------ */

struct expect {
	int rc;
	bool opened;		/* a report is written */
	uint64_t packets;	/* whole records before the cut */
	uint64_t tcp_packets;	/* of them decoded as TCP */
	uint64_t connections;
	bool want_off;
	uint64_t off;
};

static unsigned int
distinct_tuples(const struct cap *c, size_t upto)
{
	unsigned int seen = 0, n = 0;
	for (guint i = 0; i < c->blks->len; i++) {
		const struct blk *b = blk_at(c, i);
		if (b->kind != BLK_PKT || b->end > upto || b->tuple < 0)
			continue;
		if (!(seen & 1u << b->tuple))
			n++;
		seen |= 1u << b->tuple;
	}
	return n;
}

/* What a prefix of `len` bytes of c must give (see the top of the file). */
static struct expect
expect_cut(const struct cap *c, size_t len)
{
	struct expect e = { 0 };
	const struct blk *cut = NULL;

	for (guint i = 0; i < c->blks->len; i++) {
		const struct blk *b = blk_at(c, i);
		if (b->kind == BLK_PKT && b->end <= len) {
			e.packets++;
			if (b->tuple >= 0)	/* else an empty frame */
				e.tcp_packets++;
		}
		if (b->start < len && len < b->end)
			cut = b;
	}
	e.connections = distinct_tuples(c, len);
	e.opened = len >= c->open_end;
	if (!e.opened) {
		/* The header is cut (or a header block is missing, as when
		 * the file ends before the first interface description). */
		e.rc = 2;
		e.want_off = true;
		e.off = cut ? cut->start : len;
		e.packets = e.tcp_packets = e.connections = 0;
	} else if (cut) {
		e.rc = 2;
		e.want_off = true;
		e.off = cut->start;
	}
	return e;
}

/* ---- checking ------------------------------------------------------------ */

static void G_GNUC_PRINTF(3, 4)
check(bool ok, const struct result *r, const char *fmt, ...)
{
	va_list ap;

	if (ok || write_only) {
		passes++;
		return;
	}
	fails++;
	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (r && fails <= 40)
		printf("  exit %d%s%s\n  stderr: %s  stdout tail: %.300s\n",
		    r->rc, r->sig ? " signal " : "",
		    r->sig ? g_strsignal(r->sig) : "", r->err,
		    strlen(r->out) > 300 ? r->out + strlen(r->out) - 300 :
		    r->out);
}

/* The result against an expectation; what names the case. */
static bool
verify(const char *what, const char *path, const struct result *r,
    const struct expect *e)
{
	unsigned int f0 = fails;

	check(r->rc != 124, r, "%s: hang (killed by timeout 20)", what);
	check(r->rc >= 0, r, "%s: crashed", what);
	check(r->rc == e->rc, r, "%s: exit %d, want %d", what, r->rc, e->rc);
	if (e->opened) {
		check(r->have_summary, r, "%s: no summary line", what);
		check(r->packets == e->packets, r, "%s: %" PRIu64
		    " packets, want %" PRIu64, what, r->packets, e->packets);
		check(r->tcp_packets == e->tcp_packets, r, "%s: %" PRIu64
		    " tcp packets, want %" PRIu64, what, r->tcp_packets,
		    e->tcp_packets);
		check(r->connections == e->connections, r, "%s: %" PRIu64
		    " connections, want %" PRIu64, what, r->connections,
		    e->connections);
		check(r->conn_lines == e->connections, r, "%s: %u conn "
		    "records, want %" PRIu64, what, r->conn_lines,
		    e->connections);
		check(r->conn_pkts == e->tcp_packets, r, "%s: the records "
		    "count %" PRIu64 " packets, want %" PRIu64, what,
		    r->conn_pkts, e->tcp_packets);
	} else {
		check(!*r->out, r, "%s: a report from an unreadable file",
		    what);
	}
	if (e->rc == 2) {
		check(strstr(r->err, path) != NULL, r,
		    "%s: the error does not name %s", what, path);
		check(strstr(r->err, "\n") == r->err + strlen(r->err) - 1, r,
		    "%s: not one error line", what);
	}
	if (e->want_off) {
		check(r->have_off, r, "%s: no byte offset in the error", what);
		check(!r->have_off || r->off == e->off, r,
		    "%s: byte offset %" PRIu64 ", want %" PRIu64, what, r->off,
		    e->off);
	}
	if (verbose)
		printf("%s %s: exit %d%s", fails == f0 ? "ok  " : "FAIL",
		    what, r->rc, *r->err ? ", " : "\n");
	if (verbose && *r->err)
		fputs(r->err, stdout);
	return fails == f0;
}

/* One file, one expectation. */
static bool
case_run(const char *what, const char *name, const uint8_t *data, size_t len,
    const struct expect *e, struct result *r)
{
	char *path = write_file(name, data, len);
	run(path, NULL, r);
	bool ok = verify(what, path, r, e);
	g_free(path);
	return ok;
}

/* Within a byte of a block's start or end. */
static bool
near_boundary(const struct cap *c, size_t len)
{
	for (guint i = 0; i < c->blks->len; i++) {
		const struct blk *b = blk_at(c, i);
		if (len + 1 >= b->start && len <= b->start + 1)
			return true;
		if (len + 1 >= b->end && len <= b->end + 1)
			return true;
	}
	return false;
}

/* A sanitizer build of synfin starts slowly (some 50 ms): cut at every
 * 13th offset and around every boundary instead of everywhere. */
static bool
is_sanitizer_build(const char *path)
{
	gchar *bin = NULL;
	gsize n = 0;
	bool yes = false;

	if (g_file_get_contents(path, &bin, &n, NULL))
		yes = memmem(bin, n, "__asan_init", 11) != NULL;
	g_free(bin);
	return yes;
}

/* Cut c in the middle of each packet record (block) and read it with a
 * filter (-f) that keeps connection B only: the error still names where
 * the cut record starts and counts every whole record before it, those
 * the filter dropped included. */
static void
cut_filtered(const char *fmt, const struct cap *c)
{
	static const char *const extra[] = { "-f", "tcp port 40001", NULL };
	unsigned int f0 = fails, n = 0;
	char name[64];

	if (write_only)
		return;
	g_snprintf(name, sizeof(name), "cutf-%s.pcap", fmt);
	for (unsigned int i = 0; pkt_blk(c, i); i++) {
		const struct blk *b = pkt_blk(c, i);
		size_t len = (b->start + b->end) / 2;
		struct expect e = expect_cut(c, len);
		struct result r;
		char *path = write_file(name, c->b->data, len);
		char want[64];
		run(path, extra, &r);
		g_snprintf(want, sizeof(want), "(after record %" PRIu64 ")",
		    e.packets);
		check(r.rc == 2 && r.have_off && r.off == e.off &&
		    strstr(r.err, want) != NULL, &r, "%s cut at %zu of %u "
		    "with -f: want exit 2, offset %" PRIu64 ", %s", fmt, len,
		    c->b->len, e.off, want);
		result_clear(&r);
		g_free(path);
		n++;
	}
	printf("%s %s with -f: %u cuts\n", fails == f0 ? "ok  " : "FAIL",
	    fmt, n);
}

/* Cut c at every byte offset 0..size. */
static void
cut_everywhere(const char *fmt, const struct cap *c)
{
	unsigned int f0 = fails, n = 0;
	char name[64];

	g_snprintf(name, sizeof(name), "cut-%s.pcap", fmt);
	if (write_only) {	/* one cut, in the middle of the 5th record */
		const struct blk *b = pkt_blk(c, 4);
		g_free(write_file(name, c->b->data, (b->start + b->end) / 2));
		return;
	}
	for (size_t len = 0; len <= c->b->len; len++) {
		if (stride > 1 && len % stride != 0 && !near_boundary(c, len))
			continue;
		struct expect e = expect_cut(c, len);
		struct result r;
		char what[96];
		g_snprintf(what, sizeof(what), "%s cut at %zu of %u", fmt, len,
		    c->b->len);
		bool was_verbose = verbose;
		verbose = false;	/* one line per format, not per cut */
		case_run(what, name, c->b->data, len, &e, &r);
		verbose = was_verbose;
		result_clear(&r);
		n++;
		if (fails - f0 > 20) {
			printf("%s: too many failures, stopping the cuts\n",
			    fmt);
			break;
		}
	}
	printf("%s %s: %u cuts (%u bytes, %u blocks)%s\n",
	    fails == f0 ? "ok  " : "FAIL", fmt, n, c->b->len, c->blks->len,
	    stride > 1 ? ", sampled (sanitizer build)" : "");
}

/* The whole file must give exactly the base capture's report. */
static char *base_report;

static void
same_report(const char *what, const char *name, const struct cap *c)
{
	struct expect e = expect_cut(c, c->b->len);
	struct result r;

	case_run(what, name, c->b->data, c->b->len, &e, &r);
	check(base_report && strcmp(r.out, base_report) == 0, &r,
	    "%s: the report differs from the base capture's", what);
	result_clear(&r);
}

/* ---- the matrix ---------------------------------------------------------- */

static void
formats(void)
{
	static const struct {
		const char *name;
		bool ng, swap, nano, unknown;
	} f[] = {
		{ "pcap-us-host", false, false, false, false },
		{ "pcap-ns-host", false, false, true, false },
		{ "pcap-us-swapped", false, true, false, false },
		{ "pcap-ns-swapped", false, true, true, false },
		{ "pcapng-us-host", true, false, false, false },
		{ "pcapng-ns-swapped", true, true, true, false },
		{ "pcapng-unknown-blocks", true, false, false, true },
		{ "pcapng-unknown-swapped", true, true, true, true },
	};
	struct result r;
	struct expect e;

	/* The base, as pcap_dump wrote it: the reference report. */
	struct cap c;
	classic_build(&c, false, &(struct classic_opts){ 0 });
	check(c.b->len == base_len && memcmp(c.b->data, base_bytes,
	    base_len) == 0, NULL, "the hand-written classic pcap differs "
	    "from pcap_dump's");
	e = expect_cut(&c, c.b->len);
	case_run("base capture", "base.pcap", c.b->data, c.b->len, &e, &r);
	check(e.connections == 2 && r.rc == 0, &r, "base capture");
	base_report = g_strdup(r.out);
	result_clear(&r);
	cap_free(&c);

	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		char what[96], name[96];
		if (f[i].ng)
			ng_build(&c, f[i].swap, &(struct ng_opts){
			    .nano = f[i].nano, .unknown = f[i].unknown });
		else
			classic_build(&c, f[i].swap, &(struct classic_opts){
			    .nano = f[i].nano });
		g_snprintf(what, sizeof(what), "%s: whole file", f[i].name);
		g_snprintf(name, sizeof(name), "%s.pcap", f[i].name);
		same_report(what, name, &c);
		cut_everywhere(f[i].name, &c);
		cut_filtered(f[i].name, &c);
		cap_free(&c);
	}
}

/* Classic pcap, record by record, with one record's header rewritten. */
static void
classic_cases(void)
{
	struct cap c;
	struct result r;
	struct expect e;
	const struct blk *b;

	/* caplen > the file's snaplen (but under libpcap's maximum): libpcap
	 * reads the record whole and hands over snaplen bytes; not an error.
	 * With snaplen 56 the two SYNs with an MSS option (58 bytes) lose
	 * the end of their TCP options: the fixed header is whole, so they
	 * are analysed, each a truncated_segment on its connection; the
	 * 5-byte payload (59 bytes) is cut, counted, decoded. Every cut of
	 * this file must still name the right offset: the records are
	 * longer in the file than what libpcap returns. */
	classic_build(&c, false, &(struct classic_opts){ .snaplen = 56 });
	e = expect_cut(&c, c.b->len);
	case_run("caplen > snaplen (56): cut to the snaplen", "snap56.pcap",
	    c.b->data, c.b->len, &e, &r);
	check(strstr(r.out, "\"truncated_segment\":2") != NULL, &r,
	    "caplen > snaplen: 2 truncated_segment");
	result_clear(&r);
	if (!write_only) {
		/* every cut: offsets summed over records libpcap shortened */
		unsigned int f0 = fails;
		for (size_t len = c.open_end; len <= c.b->len; len++) {
			if (stride > 1 && len % stride != 0 &&
			    !near_boundary(&c, len))
				continue;
			char what[64];
			/* records 0 and 1 (the SYNs with MSS) are cut in
			 * their options only: analysed as whole ones */
			e = expect_cut(&c, len);
			g_snprintf(what, sizeof(what), "snap56 cut at %zu",
			    len);
			bool v = verbose;
			verbose = false;
			char *path = write_file("cut-snap56.pcap", c.b->data,
			    len);
			run(path, NULL, &r);
			verify(what, path, &r, &e);
			verbose = v;
			g_free(path);
			result_clear(&r);
		}
		printf("%s snap56: every cut after records longer than the "
		    "snaplen\n", fails == f0 ? "ok  " : "FAIL");
	}
	cap_free(&c);

	/* caplen > snaplen and > libpcap's maximum (262144): an error at
	 * that record; the three before it are reported. */
	classic_build(&c, false, &(struct classic_opts){ .snaplen = 65535 });
	b = pkt_blk(&c, 3);
	set32(&c, b->start + 8, MAX_CAPLEN_EN10MB + 1);
	e = expect_cut(&c, b->start);
	e.rc = 2;
	e.want_off = true;
	e.off = b->start;
	case_run("caplen 262145 > snaplen and maximum", "caplen-max.pcap",
	    c.b->data, c.b->len, &e, &r);
	result_clear(&r);
	/* caplen 0xffffffff */
	set32(&c, b->start + 8, 0xffffffff);
	case_run("caplen 0xffffffff", "caplen-huge.pcap", c.b->data,
	    c.b->len, &e, &r);
	result_clear(&r);
	cap_free(&c);

	/* caplen larger than the bytes left: the last record claims 100
	 * more; an error at its start, everything before reported. */
	classic_build(&c, false, &(struct classic_opts){ 0 });
	b = pkt_blk(&c, NREC - 1);
	set32(&c, b->start + 8, recs[NREC - 1].caplen + 100);
	e = expect_cut(&c, b->start);
	e.rc = 2;
	e.want_off = true;
	e.off = b->start;
	case_run("caplen > remaining bytes", "caplen-past-eof.pcap",
	    c.b->data, c.b->len, &e, &r);
	result_clear(&r);
	cap_free(&c);

	/* A middle record claims 8 bytes more: libpcap takes the next
	 * record's header as data and reads on out of step. The walk below
	 * is the format's own (pcap-savefile(5) + libpcap's maximum): where
	 * it stops and after how many records. No crash, whatever comes. */
	classic_build(&c, false, &(struct classic_opts){ 0 });
	b = pkt_blk(&c, 4);
	set32(&c, b->start + 8, recs[4].caplen + 8);
	{
		size_t pos = CLASSIC_HDR;
		uint64_t k = 0;
		bool err = false;
		while (pos < c.b->len) {
			uint32_t cl;
			if (c.b->len - pos < CLASSIC_REC_HDR) {
				err = true;
				break;
			}
			memcpy(&cl, c.b->data + pos + 8, 4);
			if (cl > MAX_CAPLEN_EN10MB ||
			    c.b->len - pos - CLASSIC_REC_HDR < cl) {
				err = true;
				break;
			}
			pos += CLASSIC_REC_HDR + cl;
			k++;
		}
		/* What the out-of-step records decode to is anyone's
		 * guess: check the exit, the count and the offset. */
		unsigned int f0 = fails;
		char *path = write_file("caplen-skew.pcap", c.b->data,
		    c.b->len);
		run(path, NULL, &r);
		check(r.rc == (err ? 2 : 0), &r, "caplen skew: exit %d, "
		    "want %d", r.rc, err ? 2 : 0);
		check(r.have_summary && r.packets == k, &r, "caplen skew: %"
		    PRIu64 " packets, want %" PRIu64, r.packets, k);
		check(!err || (r.have_off && r.off == pos && strstr(r.err,
		    path)), &r, "caplen skew: offset %" PRIu64 ", want %zu",
		    r.off, pos);
		if (verbose)
			printf("%s caplen 8 too large mid-file: %" PRIu64
			    " records, exit %d, %s", fails == f0 ? "ok  " :
			    "FAIL", k, r.rc, r.err);
		g_free(path);
		result_clear(&r);
	}
	cap_free(&c);

	/* Zero-length records: a valid empty frame (pcap-savefile(5) sets
	 * no minimum). Counted as a packet, a decode error, nothing else:
	 * caplen 0 wirelen 0 is malformed_packet (the wire had nothing
	 * either), caplen 0 wirelen 60 truncated_segment (the snaplen cut
	 * it all). */
	{
		struct rec z0 = { 1700000000, 15000, 0, 0, NULL, -1 };
		struct rec z60 = { 1700000000, 25000, 0, 60, NULL, -1 };
		cap_init(&c, false);
		classic_hdr(&c, &(struct classic_opts){ 0 });
		for (size_t i = 0; i < NREC; i++) {
			classic_rec(&c, &recs[i], false);
			if (i == 1)
				classic_rec(&c, &z0, false);
			if (i == 4)
				classic_rec(&c, &z60, false);
		}
		e = expect_cut(&c, c.b->len);
		case_run("zero-length records", "zero.pcap", c.b->data,
		    c.b->len, &e, &r);
		check(strstr(r.out, "\"decode_errors\":{\"truncated_segment\""
		    ":1,\"malformed_packet\":1}") != NULL, &r, "zero-length "
		    "records: one truncated_segment, one malformed_packet");
		result_clear(&r);
		/* zero-length records at the very end, then a cut after them */
		cut_everywhere("pcap-zero-length", &c);
		cap_free(&c);
	}

	/* wirelen < caplen (record 3 says the wire had 10 bytes): libpcap
	 * passes it on (version 2.4 never swaps the fields); the captured
	 * bytes are complete and consistent, so they decode as usual and
	 * the report is the base's. */
	classic_build(&c, false, &(struct classic_opts){ 0 });
	set32(&c, pkt_blk(&c, 3)->start + 12, 10);
	same_report("wirelen < caplen", "wirelen-short.pcap", &c);
	cap_free(&c);

	/* Wrong magic, unsupported version, a truncated header: unreadable,
	 * the error names the file and offset 0 (the file header). */
	classic_build(&c, false, &(struct classic_opts){ 0 });
	memcpy(c.b->data, "XXXX", 4);
	e = (struct expect){ .rc = 2, .want_off = true, .off = 0 };
	case_run("wrong magic", "hdr-magic.pcap", c.b->data, c.b->len, &e, &r);
	check(strstr(r.err, "not a readable pcap") != NULL, &r,
	    "wrong magic: says not a readable capture");
	result_clear(&r);
	classic_build(&c, false, &(struct classic_opts){ 0 });
	c.b->data[4] = 3;	/* version 3.4 */
	case_run("unsupported version 3.4", "hdr-version.pcap", c.b->data,
	    c.b->len, &e, &r);
	result_clear(&r);
	case_run("empty file", "hdr-empty.pcap", c.b->data, 0, &e, &r);
	result_clear(&r);
	case_run("truncated global header (23 bytes)", "hdr-cut23.pcap",
	    c.b->data, 23, &e, &r);
	result_clear(&r);
	cap_free(&c);

	/* A valid capture followed by garbage. The format decides: 20 bytes
	 * of text is a record header whose caplen is huge (an error at the
	 * end of the valid part); 5 bytes are a cut record header; 16 zero
	 * bytes are a valid empty record (one more packet, exit 0). */
	classic_build(&c, false, &(struct classic_opts){ 0 });
	{
		size_t valid = c.b->len;
		g_byte_array_append(c.b, (const guint8 *)"garbage bytes here!!",
		    20);
		e = expect_cut(&c, valid);
		e.rc = 2;
		e.want_off = true;
		e.off = valid;
		case_run("garbage after the capture (20 bytes)",
		    "garbage20.pcap", c.b->data, c.b->len, &e, &r);
		result_clear(&r);
		case_run("garbage after the capture (5 bytes)",
		    "garbage5.pcap", c.b->data, valid + 5, &e, &r);
		result_clear(&r);
		memset(c.b->data + valid, 0, 16);
		e = expect_cut(&c, valid);
		e.packets++;
		case_run("16 zero bytes after the capture (an empty record)",
		    "zeros16.pcap", c.b->data, valid + 16, &e, &r);
		result_clear(&r);
	}
	cap_free(&c);
}

/* pcapng: framing and semantic errors at a known block. */
static void
ng_cases(void)
{
	struct cap c;
	struct result r;
	struct expect e;
	const struct blk *b;

	/* Unknown-block framing errors: the second unknown block (after
	 * record 3, itself after another unknown block) is broken. */
	for (int v = 0; v < 4; v++) {
		static const char *what[] = {
			"pcapng block length 13 (not a multiple of 4)",
			"pcapng block length 8 (< 12)",
			"pcapng trailer length differs from the header",
			"pcapng block length 0xfffffff0 (past the end)",
		};
		ng_build(&c, v & 1, &(struct ng_opts){ .unknown = true });
		/* blocks: SHB U IDB E0 E1 U E2 E3 U U' E4 ... */
		b = NULL;
		unsigned int seen = 0;
		for (guint i = 0; i < c.blks->len; i++)
			if (blk_at(&c, i)->kind == BLK_OTHER && seen++ == 3) {
				b = blk_at(&c, i);
				break;
			}
		g_assert(b && b->start > pkt_blk(&c, 3)->end);
		switch (v) {
		case 0:
			set32(&c, b->start + 4, 13);
			break;
		case 1:
			set32(&c, b->start + 4, 8);
			break;
		case 2:
			set32(&c, b->end - 4, b->end - b->start + 4);
			break;
		case 3:
			set32(&c, b->start + 4, 0xfffffff0);
			break;
		}
		e = expect_cut(&c, b->start);
		e.rc = 2;
		e.want_off = true;
		e.off = b->start;
		char name[32];
		g_snprintf(name, sizeof(name), "ng-frame%d.pcapng", v);
		case_run(what[v], name, c.b->data, c.b->len, &e, &r);
		result_clear(&r);
		cap_free(&c);
	}

	/* An EPB on interface 1 with only interface 0 described. */
	ng_build(&c, false, &(struct ng_opts){ 0 });
	b = pkt_blk(&c, 5);
	set32(&c, b->start + 8, 1);
	e = expect_cut(&c, b->start);
	e.rc = 2;
	e.want_off = true;
	e.off = b->start;
	case_run("pcapng EPB on an undefined interface", "ng-iface.pcapng",
	    c.b->data, c.b->len, &e, &r);
	result_clear(&r);
	cap_free(&c);

	/* An EPB whose caplen runs past its block; one longer than the
	 * interface's snaplen. */
	ng_build(&c, false, &(struct ng_opts){ 0 });
	b = pkt_blk(&c, 6);
	set32(&c, b->start + 20, recs[6].caplen + 100);
	e = expect_cut(&c, b->start);
	e.rc = 2;
	e.want_off = true;
	e.off = b->start;
	case_run("pcapng EPB caplen past its block", "ng-epb-long.pcapng",
	    c.b->data, c.b->len, &e, &r);
	result_clear(&r);
	cap_free(&c);
	ng_build(&c, true, &(struct ng_opts){ .snaplen = 56 });
	/* record 0 (58 bytes) is the first longer than 56 */
	b = pkt_blk(&c, 0);
	e = expect_cut(&c, b->start);
	e.rc = 2;
	e.want_off = true;
	e.off = b->start;
	case_run("pcapng EPB caplen > snaplen", "ng-snaplen.pcapng",
	    c.b->data, c.b->len, &e, &r);
	result_clear(&r);
	cap_free(&c);

	/* A second section mid-file: in the same byte order it is valid
	 * (new SHB, new IDB, the packets go on); in the other byte order
	 * libpcap refuses it, and synfin reads on there (src/pcapng.c):
	 * the same report both ways. */
	for (int swapped = 0; swapped < 2; swapped++) {
		cap_init(&c, false);
		ng_shb(&c, BLK_HDR);
		ng_idb(&c, false, 0, BLK_HDR);
		c.open_end = c.b->len;
		for (size_t i = 0; i < NREC; i++) {
			if (i == 5) {
				c.swap = swapped;
				ng_shb(&c, BLK_OTHER);
				ng_idb(&c, false, 0, BLK_OTHER);
			}
			ng_epb(&c, &recs[i], false, 0);
		}
		same_report(swapped ? "pcapng section in the other byte order"
		    : "pcapng second section", swapped ? "ng-byteorder.pcapng"
		    : "ng-sections.pcapng", &c);
		cap_free(&c);
	}

	/* A valid pcapng followed by garbage: text (its "length" is not a
	 * multiple of 4), 5 bytes (a cut block header), 16 zero bytes (a
	 * block of length 0). All an error at the end of the valid part. */
	ng_build(&c, false, &(struct ng_opts){ 0 });
	{
		size_t valid = c.b->len;
		static const struct {
			const char *what, *name;
			const char *bytes;
			size_t n;
		} g[] = {
			{ "pcapng + garbage (20 bytes)", "ng-garbage20.pcapng",
			  "garbage bytes here!!", 20 },
			{ "pcapng + garbage (5 bytes)", "ng-garbage5.pcapng",
			  "garba", 5 },
			{ "pcapng + 16 zero bytes", "ng-zeros16.pcapng",
			  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16 },
		};
		for (size_t i = 0; i < G_N_ELEMENTS(g); i++) {
			g_byte_array_set_size(c.b, (guint)valid);
			g_byte_array_append(c.b, (const guint8 *)g[i].bytes,
			    (guint)g[i].n);
			e = expect_cut(&c, valid);
			e.rc = 2;
			e.want_off = true;
			e.off = valid;
			case_run(g[i].what, g[i].name, c.b->data, c.b->len, &e,
			    &r);
			result_clear(&r);
		}
	}
	cap_free(&c);
}

int
main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	write_only = argc == 3 && strcmp(argv[1], "-w") == 0;
	synfin = g_getenv("SYNFIN");
	if (!synfin)
		synfin = "./synfin";
	if (!write_only && !g_file_test(synfin, G_FILE_TEST_IS_EXECUTABLE)) {
		fprintf(stderr, "badfiles: %s is not executable (SYNFIN)\n",
		    synfin);
		return 99;
	}
	if (!write_only && is_sanitizer_build(synfin))
		stride = 13;
	GError *err = NULL;
	if (write_only) {
		if (g_mkdir_with_parents(argv[2], 0755) != 0) {
			fprintf(stderr, "badfiles: %s: %s\n", argv[2],
			    g_strerror(errno));
			return 99;
		}
		tmpdir = g_strdup(argv[2]);
	} else {
		tmpdir = g_dir_make_tmp("synfin-badfiles-XXXXXX", &err);
	}
	if (!tmpdir) {
		fprintf(stderr, "badfiles: %s\n", err->message);
		return 99;
	}
	base_load();
	formats();
	classic_cases();
	ng_cases();

	if (write_only) {
		/* the scratch outputs are no capture */
		char *o = g_build_filename(tmpdir, "out", NULL);
		char *e = g_build_filename(tmpdir, "err", NULL);
		g_unlink(o);
		g_unlink(e);
		g_free(o);
		g_free(e);
		g_free(tmpdir);
		g_free(base_report);
		g_free(base_bytes);
		return 0;
	}
	/* Remove what was written (only our own directory). */
	GDir *d = g_dir_open(tmpdir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(tmpdir, n, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	g_free(base_report);
	g_free(base_bytes);
	printf("%u checks passed, %u failed\n", passes, fails);
	return fails ? 1 : 0;
}
