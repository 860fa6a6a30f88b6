// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forge - turn a text scenario of TCP segments into a real pcap file.
 *
 * Test-only code: correctness and loud errors matter more than speed.
 *
 * Scenario language (".scn").  One statement per line, '#' outside double
 * quotes starts a comment, blank lines are ignored.
 *
 * Directives (take effect for the lines that follow them):
 *	link en10mb|raw|null|loop|sll|sll2|ipv4|ipv6	(default en10mb)
 *	snaplen N					(default 262144)
 *	tsprec micro|nano				(default micro)
 *	client ADDR:PORT, server ADDR:PORT		(IPv6 as [ADDR]:PORT)
 *	vlan ID | vlan OUTER,INNER | vlan none
 *	time T						(base epoch)
 * link, snaplen and tsprec describe the whole file, so they may not appear
 * after the first segment.
 *
 * Segments:
 *	TIME DIR FLAGS SEQ ACK [key=value | word]...
 * TIME is seconds after the base ("1.5") or after the previous segment
 * ("+0.25"), with up to 9 fractional digits.  DIR is '>' (client to server)
 * or '<'.  FLAGS is any set of F S R P A U E C N (N: AE, the low bit of
 * the byte before the flags), or '.' for none.  SEQ and
 * ACK are absolute 32-bit numbers, written as given.
 *
 * Keys: len= data="..." win= urg= mss= ws= sackok ts=V,E sack=L-R,...
 * tfo[=HEX] nop eol opt=HEX doff= ttl= ipid= df badsum badipsum caplen=
 * iplen= ipopt=HEX frag=OFF[,more] ext6=hbh,rt,dst,frag eth_pad= proto=udp
 * icmp=TYPE/CODE icmpfrom=router fragment=N[,rev] pkttype=N ifindex=N.
 * pkttype= and ifindex= set a Linux cooked frame's packet type (v1, v2)
 * and interface index (v2): as -i any captures a segment a host forwards
 * once per interface.
 * With fragment=N the segment's IP datagram is written as the fragments a
 * router would cut it into (RFC 791, RFC 8200 4.5): N bytes of payload
 * each (a multiple of 8), the last the rest, all at the segment's time,
 * in order or, with ",rev", last first. IPv4 fragments copy the header
 * (DF kept, MF and the offset set, the checksum computed again, wrong
 * in each with badipsum); IPv6
 * ones get a Fragment header right after the fixed header, with the
 * segment's IPv4-style id, its extension headers (ext6=) in the
 * fragmentable part (a Fragment header among them, frag=, is an inner
 * one). caplen= applies to each fragment.
 * With icmp=, the frame written is not the segment but the ICMP error
 * (ICMPv4, or ICMPv6 between IPv6 endpoints) that answers it: sent back to
 * the segment's sender by its destination (by 192.0.2.254 or 2001:db8::fe,
 * a router, with icmpfrom=router), quoting the segment's IP header (with
 * its IPv6 extension headers) and the first 8 bytes of its TCP header
 * (RFC 792, RFC 4443).
 * TCP options are emitted in the order written, then padded with zero (EOL)
 * bytes to a multiple of four.
 *
 * Choices the brief left open, so tests can rely on them:
 *  - Capture point is the client host: on sll/sll2, '>' frames are
 *    "outgoing" (packet type 4) and '<' frames are "to us" (0).
 *  - With micro precision, nanoseconds are truncated, not rounded.
 *  - The IPv4 ID (and IPv6 fragment ID) defaults to a per-file counter
 *    starting at 1 and incremented for every segment; ipid= overrides one
 *    segment without disturbing the counter.
 *  - "frag=" on IPv6 parameterises a "frag" listed in ext6=, or appends a
 *    Fragment header after the other extension headers.
 *  - Lying fields (iplen=, doff=, frag offsets) are still covered by
 *    correct checksums; only badsum/badipsum produce wrong ones.
 *  - vlan on a non-Ethernet link is an error rather than silently dropped,
 *    because a test asking for a tag it does not get would test nothing.
 *  - caplen= larger than the frame is clamped, not an error.
 */

/*
 * inet_pton() is POSIX and u_char/u_int (used by <pcap/pcap.h>) are BSD
 * types; a strict -std=c11 hides both unless asked for explicitly.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "forge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#define NSEC_PER_SEC		1000000000LL
#define DEFAULT_SNAPLEN		262144u
#define DEFAULT_BASE_NS		(1700000000LL * NSEC_PER_SEC)

/*
 * DLT_NULL/DLT_LOOP carry the sender's AF_ value.  AF_INET is 2
 * everywhere, but AF_INET6 differs per OS (Linux 10); 24 is the BSD value
 * and is what every reader (libpcap, tcpdump, Wireshark) accepts.
 */
#define NULL_AF_INET		2
#define NULL_AF_INET6		24

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_8021Q		0x8100
#define ETHERTYPE_8021AD	0x88a8
#define ARPHRD_ETHER_VAL	1	/* <net/if_arp.h> is Linux-only */
#define SLL_PKT_HOST		0
#define SLL_PKT_OUTGOING	4
#define SLL2_IFINDEX		1

#define IPPROTO_HOPOPTS_VAL	0
#define IPPROTO_TCP_VAL		6
#define IPPROTO_UDP_VAL		17
#define IPPROTO_ROUTING_VAL	43
#define IPPROTO_FRAGMENT_VAL	44
#define IPPROTO_DSTOPTS_VAL	60

#define MAX_TCPOPT		40	/* 15 words of header minus 5 fixed */
#define MAX_IPOPT		40
#define MAX_EXT6		8
#define MAX_HEX			255

static const uint8_t client_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t server_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

enum link_kind {
	LINK_EN10MB,
	LINK_RAW,
	LINK_NULL,
	LINK_LOOP,
	LINK_SLL,
	LINK_SLL2,
	LINK_IPV4,
	LINK_IPV6,
};

static const struct {
	const char *name;
	int dlt;
} link_defs[] = {
	[LINK_EN10MB]	= { "en10mb", DLT_EN10MB },
	[LINK_RAW]	= { "raw", DLT_RAW },
	[LINK_NULL]	= { "null", DLT_NULL },
	[LINK_LOOP]	= { "loop", DLT_LOOP },
	[LINK_SLL]	= { "sll", DLT_LINUX_SLL },
	[LINK_SLL2]	= { "sll2", DLT_LINUX_SLL2 },
	[LINK_IPV4]	= { "ipv4", DLT_IPV4 },
	[LINK_IPV6]	= { "ipv6", DLT_IPV6 },
};

struct endpoint {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};

struct record {
	int64_t ts_ns;		/* absolute, nanoseconds since the epoch */
	uint32_t caplen;
	GByteArray *frame;	/* the full frame; only caplen is dumped */
};

struct forge {
	/* Describe the whole file: frozen once a segment was seen. */
	enum link_kind link;
	uint32_t snaplen;
	bool nano;

	/* Plain state that later lines may change. */
	struct endpoint client;
	struct endpoint server;
	unsigned int nvlan;
	uint16_t vlan[2];	/* outermost first */
	int64_t base_ns;
	int64_t prev_ns;	/* what "+D" is relative to */
	uint32_t next_ipid;

	unsigned int lineno;
	bool no_segments;	/* parsing forge_frame()'s header part */
	GArray *records;	/* struct record */
};

enum key_id {
	K_LEN, K_DATA, K_WIN, K_URG, K_DOFF, K_TTL, K_IPID, K_DF, K_BADSUM,
	K_BADIPSUM, K_CAPLEN, K_IPLEN, K_IPOPT, K_FRAG, K_EXT6, K_ETH_PAD,
	K_PROTO, K_ICMP, K_ICMPFROM, K_FRAGMENT, K_PKTTYPE, K_IFINDEX,
	/* TCP options: repeatable, since crafting duplicates is a use case */
	K_MSS, K_WS, K_SACKOK, K_TS, K_SACK, K_TFO, K_NOP, K_EOL, K_OPT,
};

enum key_arg {
	ARG_NONE,
	ARG_REQUIRED,
	ARG_OPTIONAL,
};

static const struct key_def {
	const char *name;
	enum key_id id;
	enum key_arg arg;
	bool repeat;
	bool tcp_only;
} key_defs[] = {
	{ "len",	K_LEN,		ARG_REQUIRED,	false,	false },
	{ "data",	K_DATA,		ARG_REQUIRED,	false,	false },
	{ "win",	K_WIN,		ARG_REQUIRED,	false,	true },
	{ "urg",	K_URG,		ARG_REQUIRED,	false,	true },
	{ "doff",	K_DOFF,		ARG_REQUIRED,	false,	true },
	{ "ttl",	K_TTL,		ARG_REQUIRED,	false,	false },
	{ "ipid",	K_IPID,		ARG_REQUIRED,	false,	false },
	{ "df",		K_DF,		ARG_NONE,	false,	false },
	{ "badsum",	K_BADSUM,	ARG_NONE,	false,	false },
	{ "badipsum",	K_BADIPSUM,	ARG_NONE,	false,	false },
	{ "caplen",	K_CAPLEN,	ARG_REQUIRED,	false,	false },
	{ "iplen",	K_IPLEN,	ARG_REQUIRED,	false,	false },
	{ "ipopt",	K_IPOPT,	ARG_REQUIRED,	false,	false },
	{ "frag",	K_FRAG,		ARG_REQUIRED,	false,	false },
	{ "ext6",	K_EXT6,		ARG_REQUIRED,	false,	false },
	{ "eth_pad",	K_ETH_PAD,	ARG_REQUIRED,	false,	false },
	{ "proto",	K_PROTO,	ARG_REQUIRED,	false,	false },
	{ "icmp",	K_ICMP,		ARG_REQUIRED,	false,	false },
	{ "icmpfrom",	K_ICMPFROM,	ARG_REQUIRED,	false,	false },
	{ "fragment",	K_FRAGMENT,	ARG_REQUIRED,	false,	false },
	{ "pkttype",	K_PKTTYPE,	ARG_REQUIRED,	false,	false },
	{ "ifindex",	K_IFINDEX,	ARG_REQUIRED,	false,	false },
	{ "mss",	K_MSS,		ARG_REQUIRED,	true,	true },
	{ "ws",		K_WS,		ARG_REQUIRED,	true,	true },
	{ "sackok",	K_SACKOK,	ARG_NONE,	true,	true },
	{ "ts",		K_TS,		ARG_REQUIRED,	true,	true },
	{ "sack",	K_SACK,		ARG_REQUIRED,	true,	true },
	{ "tfo",	K_TFO,		ARG_OPTIONAL,	true,	true },
	{ "nop",	K_NOP,		ARG_NONE,	true,	true },
	{ "eol",	K_EOL,		ARG_NONE,	true,	true },
	{ "opt",	K_OPT,		ARG_REQUIRED,	true,	true },
};

/* Everything one segment line asks for. */
struct seg {
	int64_t t_ns;
	bool t_plus;
	bool to_server;
	uint16_t flags;		/* the flags byte; bit 8: AE (N) */
	uint32_t seq;
	uint32_t ack;

	uint8_t *payload;	/* g_malloc'd */
	size_t paylen;
	bool have_payload;

	uint8_t opt[MAX_TCPOPT];
	size_t optlen;
	uint8_t ipopt[MAX_IPOPT];
	size_t ipoptlen;
	uint8_t ext6[MAX_EXT6 + 1];	/* +1: room for frag= to append one */
	size_t n_ext6;

	uint16_t win;
	uint16_t urg;
	int doff;		/* -1: computed */
	uint8_t ttl;
	int64_t ipid;		/* -1: per-file counter */
	int64_t caplen;		/* -1: whole frame */
	int64_t iplen;		/* -1: computed */
	bool df;
	bool badsum;
	bool badipsum;
	bool udp;
	int icmp_type;		/* -1: a segment, else the ICMP error about it */
	uint8_t icmp_code;
	bool icmp_router;	/* sent by a router, not the destination */
	bool frag;
	bool frag_more;
	uint16_t frag_off;	/* in 8-byte units */
	uint32_t eth_pad;
	int pkttype;		/* pkttype=, -1: by direction */
	int64_t ifindex;	/* ifindex=, -1: SLL2_IFINDEX */
	uint32_t fragment;	/* fragment=: payload bytes a fragment */
	bool fragment_rev;
	size_t ip_off;		/* build_frame(): where IP begins */
	size_t ip_end;		/* ...and ends (before eth_pad) */
	uint32_t ip_id;		/* ...the id it used */

	uint32_t seen;		/* bit per non-repeatable key_id */
	const char *tcp_only;	/* first TCP-only key, to reject proto=udp */
};

G_DEFINE_QUARK(forge-error, forge_error)

/* Report a scenario error as "LINE: what" (see FORGE_ERROR_SCENARIO). */
static G_GNUC_PRINTF(3, 4) bool
scn_fail(const struct forge *f, GError **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, FORGE_ERROR, FORGE_ERROR_SCENARIO, "%u: %s",
		    f->lineno, msg);
	g_free(msg);
	return false;
}

static void
forge_init(struct forge *f)
{
	memset(f, 0, sizeof(*f));
	f->link = LINK_EN10MB;
	f->snaplen = DEFAULT_SNAPLEN;
	f->client.family = AF_INET;
	memcpy(f->client.addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	f->client.port = 40000;
	f->server.family = AF_INET;
	memcpy(f->server.addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	f->server.port = 80;
	f->base_ns = DEFAULT_BASE_NS;
	f->prev_ns = DEFAULT_BASE_NS;
	f->next_ipid = 1;
	f->records = g_array_new(FALSE, FALSE, sizeof(struct record));
}

static void
forge_clear(struct forge *f)
{
	for (guint i = 0; i < f->records->len; i++)
		g_byte_array_unref(g_array_index(f->records, struct record,
						 i).frame);
	g_array_free(f->records, TRUE);
}

/* ---- small lexical helpers ------------------------------------------ */

/* Strict decimal: digits only (no sign, no spaces, no 0x), <= max. */
static bool
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!g_ascii_isdigit(*s))
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (!g_ascii_isdigit(*s))
			return false;
		d = (unsigned int)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* "SEC[.FRAC]" with 1..9 fractional digits, into nanoseconds. */
static bool
parse_time(const char *s, int64_t *ns)
{
	uint64_t sec = 0;
	uint64_t frac = 0;
	int ndig = 0;
	const char *dot = strchr(s, '.');
	char intpart[16];
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s);

	if (ilen == 0 || ilen >= sizeof(intpart))
		return false;
	memcpy(intpart, s, ilen);
	intpart[ilen] = '\0';
	/* pcap stores 32-bit seconds; anything larger is a typo. */
	if (!parse_uint(intpart, UINT32_MAX, &sec))
		return false;
	if (dot) {
		for (s = dot + 1; *s; s++) {
			if (!g_ascii_isdigit(*s) || ++ndig > 9)
				return false;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (ndig == 0)
			return false;
	}
	for (; ndig < 9; ndig++)
		frac *= 10;
	*ns = (int64_t)(sec * NSEC_PER_SEC + frac);
	return true;
}

/* Even number of hex digits, 1..cap bytes. */
static bool
parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *n)
{
	size_t len = strlen(s);

	if (len == 0 || len % 2 || len / 2 > cap)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = g_ascii_xdigit_value(s[2 * i]);
		int lo = g_ascii_xdigit_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return true;
}

/* "a.b.c.d:port" or "[v6]:port".  Bare IPv6 is rejected: ':' is ambiguous. */
static bool
parse_endpoint(const char *text, struct endpoint *ep)
{
	char *s = g_strdup(text);
	char *host;
	char *port;
	struct endpoint e = { 0 };
	uint64_t v = 0;
	bool ok = false;

	if (s[0] == '[') {
		char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			goto out;
		*close = '\0';
		host = s + 1;
		port = close + 2;
		e.family = AF_INET6;
	} else {
		char *colon = strchr(s, ':');

		if (!colon || strchr(colon + 1, ':'))
			goto out;
		*colon = '\0';
		host = s;
		port = colon + 1;
		e.family = AF_INET;
	}
	if (inet_pton(e.family, host, e.addr) != 1)
		goto out;
	if (!parse_uint(port, 65535, &v))
		goto out;
	e.port = (uint16_t)v;
	*ep = e;
	ok = true;
out:
	g_free(s);
	return ok;
}

/*
 * Split a line in place into whitespace-separated tokens.  Double quotes
 * group, so data="a b # c" is one token, and '#' outside quotes starts a
 * comment even when glued to a token.  False on an unterminated quote.
 */
static bool
tokenize(char *p, GPtrArray *toks)
{
	for (;;) {
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' ||
		       *p == '\f')
			p++;
		if (*p == '\0' || *p == '#')
			return true;
		g_ptr_array_add(toks, p);
		for (; *p; p++) {
			if (quoted) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					quoted = false;
			} else if (*p == '"') {
				quoted = true;
			} else if (*p == ' ' || *p == '\t' || *p == '\r' ||
				   *p == '\v' || *p == '\f' || *p == '#') {
				break;
			}
		}
		if (quoted)
			return false;
		if (*p == '#') {
			*p = '\0';
			return true;
		}
		if (*p)
			*p++ = '\0';
	}
}

/* ---- segment keys --------------------------------------------------- */

static bool
key_num(const struct forge *f, const char *key, const char *val,
	uint64_t max, uint64_t *out, GError **err)
{
	if (!parse_uint(val, max, out))
		return scn_fail(f, err, "%s=%s: expected a number 0..%" PRIu64,
				key, val, max);
	return true;
}

static bool
opt_append(const struct forge *f, struct seg *s, const uint8_t *b, size_t n,
	   GError **err)
{
	if (s->optlen + n > MAX_TCPOPT)
		return scn_fail(f, err,
				"TCP options exceed %d bytes (use doff= and a short opt= to lie instead)",
				MAX_TCPOPT);
	memcpy(s->opt + s->optlen, b, n);
	s->optlen += n;
	return true;
}

/* data="..." with \n \r \t \0 \\ \" and \xHH escapes. */
static bool
key_data(const struct forge *f, struct seg *s, const char *v, GError **err)
{
	size_t len = strlen(v);
	uint8_t *out;
	size_t n = 0;
	const char *p;

	if (len < 2 || v[0] != '"')
		return scn_fail(f, err, "data= needs a double-quoted string");
	out = g_malloc(len);
	for (p = v + 1; *p && *p != '"'; p++) {
		int hi, lo;

		if (*p != '\\') {
			out[n++] = (uint8_t)*p;
			continue;
		}
		switch (*++p) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case '0': out[n++] = '\0'; break;
		case '\\': out[n++] = '\\'; break;
		case '"': out[n++] = '"'; break;
		case 'x':
			hi = g_ascii_xdigit_value(p[1]);
			lo = hi < 0 ? -1 : g_ascii_xdigit_value(p[2]);
			if (lo < 0)
				goto bad_escape;
			out[n++] = (uint8_t)(hi << 4 | lo);
			p += 2;
			break;
		default:
			goto bad_escape;
		}
	}
	if (*p != '"' || p[1] != '\0') {
		g_free(out);
		return scn_fail(f, err,
				"data=: text after the closing quote");
	}
	if (n > 65535) {
		g_free(out);
		return scn_fail(f, err, "data=: payload longer than 65535");
	}
	s->payload = out;
	s->paylen = n;
	return true;

bad_escape:
	g_free(out);
	return scn_fail(f, err,
			"data=: bad escape (use \\n \\r \\t \\0 \\\\ \\\" \\xHH)");
}

static bool
key_sack(const struct forge *f, struct seg *s, char *v, GError **err)
{
	uint8_t b[2 + 4 * 8];
	size_t n = 2;
	char *blk = v;

	while (blk) {
		char *next = strchr(blk, ',');
		char *dash;
		uint64_t l = 0, r = 0;

		if (next)
			*next++ = '\0';
		dash = strchr(blk, '-');
		if (n == sizeof(b))
			return scn_fail(f, err, "sack=: at most 4 blocks");
		if (!dash)
			goto bad;
		*dash = '\0';
		if (!parse_uint(blk, UINT32_MAX, &l) ||
		    !parse_uint(dash + 1, UINT32_MAX, &r))
			goto bad;
		for (int i = 0; i < 4; i++) {
			b[n + i] = (uint8_t)(l >> (24 - 8 * i));
			b[n + 4 + i] = (uint8_t)(r >> (24 - 8 * i));
		}
		n += 8;
		blk = next;
	}
	b[0] = 5;
	b[1] = (uint8_t)n;
	return opt_append(f, s, b, n, err);
bad:
	return scn_fail(f, err, "sack=: expected L-R[,L-R...] 32-bit numbers");
}

static bool
key_frag(const struct forge *f, struct seg *s, char *v, GError **err)
{
	char *comma = strchr(v, ',');
	uint64_t off = 0;

	if (comma) {
		*comma = '\0';
		if (strcmp(comma + 1, "more") != 0)
			return scn_fail(f, err,
					"frag=: expected OFFSET or OFFSET,more");
		s->frag_more = true;
	}
	if (!key_num(f, "frag", v, 8191, &off, err))
		return false;
	s->frag = true;
	s->frag_off = (uint16_t)off;
	return true;
}

static bool
key_ext6(const struct forge *f, struct seg *s, char *v, GError **err)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} kinds[] = {
		{ "hbh", IPPROTO_HOPOPTS_VAL },
		{ "rt", IPPROTO_ROUTING_VAL },
		{ "dst", IPPROTO_DSTOPTS_VAL },
		{ "frag", IPPROTO_FRAGMENT_VAL },
	};
	char *item = v;

	while (item) {
		char *next = strchr(item, ',');
		size_t k;

		if (next)
			*next++ = '\0';
		for (k = 0; k < G_N_ELEMENTS(kinds); k++)
			if (strcmp(item, kinds[k].name) == 0)
				break;
		if (k == G_N_ELEMENTS(kinds))
			return scn_fail(f, err,
					"ext6=: unknown header '%s' (hbh, rt, dst, frag)",
					item);
		if (s->n_ext6 == MAX_EXT6)
			return scn_fail(f, err, "ext6=: at most %d headers",
					MAX_EXT6);
		s->ext6[s->n_ext6++] = kinds[k].proto;
		item = next;
	}
	return true;
}

static bool
seg_key(const struct forge *f, struct seg *s, char *tok, GError **err)
{
	const struct key_def *def = NULL;
	char *val = strchr(tok, '=');
	uint8_t b[2 + MAX_HEX];
	uint64_t v = 0, v2 = 0;
	size_t n;
	char *comma;

	if (val)
		*val++ = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(key_defs); i++) {
		if (strcmp(tok, key_defs[i].name) == 0) {
			def = &key_defs[i];
			break;
		}
	}
	if (!def)
		return scn_fail(f, err, "unknown key '%s'", tok);
	if (def->arg == ARG_NONE && val)
		return scn_fail(f, err, "'%s' takes no value", tok);
	if (def->arg == ARG_REQUIRED && (!val || !*val))
		return scn_fail(f, err, "'%s' needs a value (%s=...)", tok,
				tok);
	if (!def->repeat) {
		if (s->seen & (1u << def->id))
			return scn_fail(f, err, "'%s' given twice", tok);
		s->seen |= 1u << def->id;
	}
	if (def->tcp_only && !s->tcp_only)
		s->tcp_only = def->name;

	switch (def->id) {
	case K_LEN:
	case K_DATA:
		if (s->have_payload)
			return scn_fail(f, err,
					"len= and data= are mutually exclusive");
		s->have_payload = true;
		if (def->id == K_DATA)
			return key_data(f, s, val, err);
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		s->paylen = (size_t)v;
		s->payload = g_malloc(s->paylen ? s->paylen : 1);
		for (size_t i = 0; i < s->paylen; i++)
			s->payload[i] = (uint8_t)('a' + i % 26);
		return true;
	case K_WIN:
	case K_URG:
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		*(def->id == K_WIN ? &s->win : &s->urg) = (uint16_t)v;
		return true;
	case K_DOFF:
		if (!key_num(f, tok, val, 15, &v, err))
			return false;
		s->doff = (int)v;
		return true;
	case K_TTL:
		if (!key_num(f, tok, val, 255, &v, err))
			return false;
		s->ttl = (uint8_t)v;
		return true;
	case K_IPID:
		/* 32 bits for the IPv6 fragment ID; IPv4 checks 16 later. */
		if (!key_num(f, tok, val, UINT32_MAX, &v, err))
			return false;
		s->ipid = (int64_t)v;
		return true;
	case K_DF:
		s->df = true;
		return true;
	case K_BADSUM:
		s->badsum = true;
		return true;
	case K_BADIPSUM:
		s->badipsum = true;
		return true;
	case K_CAPLEN:
		if (!key_num(f, tok, val, UINT32_MAX, &v, err))
			return false;
		s->caplen = (int64_t)v;
		return true;
	case K_IPLEN:
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		s->iplen = (int64_t)v;
		return true;
	case K_IPOPT:
		if (!parse_hex(val, s->ipopt, MAX_IPOPT, &s->ipoptlen))
			return scn_fail(f, err,
					"ipopt=: expected 1..%d bytes as hex digit pairs",
					MAX_IPOPT);
		return true;
	case K_FRAG:
		return key_frag(f, s, val, err);
	case K_EXT6:
		return key_ext6(f, s, val, err);
	case K_ETH_PAD:
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		s->eth_pad = (uint32_t)v;
		return true;
	case K_ICMP: {
		char *slash = strchr(val, '/');
		if (!slash)
			return scn_fail(f, err, "icmp=: expected TYPE/CODE");
		*slash = '\0';
		if (!key_num(f, tok, val, 255, &v, err) ||
		    !key_num(f, tok, slash + 1, 255, &v2, err))
			return false;
		s->icmp_type = (int)v;
		s->icmp_code = (uint8_t)v2;
		return true;
	}
	case K_PKTTYPE:
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		s->pkttype = (int)v;
		return true;
	case K_IFINDEX:
		if (!key_num(f, tok, val, UINT32_MAX, &v, err))
			return false;
		s->ifindex = (int64_t)v;
		return true;
	case K_FRAGMENT:
		comma = strchr(val, ',');
		if (comma) {
			if (strcmp(comma + 1, "rev") != 0)
				return scn_fail(f, err,
						"fragment=: expected N or N,rev");
			*comma = '\0';
			s->fragment_rev = true;
		}
		if (!key_num(f, tok, val, 65528, &v, err))
			return false;
		if (v == 0 || v % 8)
			return scn_fail(f, err,
					"fragment=: N must be a positive multiple of 8");
		s->fragment = (uint32_t)v;
		return true;
	case K_ICMPFROM:
		if (strcmp(val, "router") != 0)
			return scn_fail(f, err, "icmpfrom=: expected router");
		s->icmp_router = true;
		return true;
	case K_PROTO:
		if (strcmp(val, "udp") == 0)
			s->udp = true;
		else if (strcmp(val, "tcp") != 0)
			return scn_fail(f, err, "proto=: expected tcp or udp");
		return true;
	case K_MSS:
		if (!key_num(f, tok, val, 65535, &v, err))
			return false;
		return opt_append(f, s, (uint8_t[]){ 2, 4, (uint8_t)(v >> 8),
						     (uint8_t)v }, 4, err);
	case K_WS:
		if (!key_num(f, tok, val, 255, &v, err))
			return false;
		return opt_append(f, s, (uint8_t[]){ 3, 3, (uint8_t)v }, 3,
				  err);
	case K_SACKOK:
		return opt_append(f, s, (uint8_t[]){ 4, 2 }, 2, err);
	case K_TS:
		comma = strchr(val, ',');
		if (!comma)
			return scn_fail(f, err, "ts=: expected VAL,ECR");
		*comma = '\0';
		if (!key_num(f, "ts", val, UINT32_MAX, &v, err) ||
		    !key_num(f, "ts", comma + 1, UINT32_MAX, &v2, err))
			return false;
		b[0] = 8;
		b[1] = 10;
		for (int i = 0; i < 4; i++) {
			b[2 + i] = (uint8_t)(v >> (24 - 8 * i));
			b[6 + i] = (uint8_t)(v2 >> (24 - 8 * i));
		}
		return opt_append(f, s, b, 10, err);
	case K_SACK:
		return key_sack(f, s, val, err);
	case K_TFO:
		/* RFC 7413 option; no value is the empty cookie request. */
		n = 0;
		if (val && !parse_hex(val, b + 2, MAX_HEX - 2, &n))
			return scn_fail(f, err,
					"tfo=: expected cookie bytes as hex digit pairs");
		b[0] = 34;
		b[1] = (uint8_t)(2 + n);
		return opt_append(f, s, b, 2 + n, err);
	case K_NOP:
		return opt_append(f, s, (uint8_t[]){ 1 }, 1, err);
	case K_EOL:
		return opt_append(f, s, (uint8_t[]){ 0 }, 1, err);
	case K_OPT:
		if (!parse_hex(val, b, MAX_HEX, &n))
			return scn_fail(f, err,
					"opt=: expected bytes as hex digit pairs");
		return opt_append(f, s, b, n, err);
	}
	return scn_fail(f, err, "internal: unhandled key '%s'", tok);
}

/* ---- frame assembly ------------------------------------------------- */

static void
put8(GByteArray *b, unsigned int v)
{
	uint8_t c = (uint8_t)v;

	g_byte_array_append(b, &c, 1);
}

static void
put16(GByteArray *b, unsigned int v)
{
	uint8_t c[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	g_byte_array_append(b, c, 2);
}

static void
put32(GByteArray *b, uint32_t v)
{
	uint8_t c[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	g_byte_array_append(b, c, 4);
}

static void
putn(GByteArray *b, const void *p, size_t n)
{
	if (n)
		g_byte_array_append(b, p, (guint)n);
}

static void
putzero(GByteArray *b, size_t n)
{
	static const uint8_t zeros[64];

	while (n) {
		size_t k = MIN(n, sizeof(zeros));

		putn(b, zeros, k);
		n -= k;
	}
}

static size_t
round4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* RFC 1071 partial sum of big-endian 16-bit words; odd tail padded. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Turn a correct checksum into a wrong one.  Flipping all bits would be
 * the obvious choice but is NOT wrong in one's complement when it maps
 * 0x0000 <-> 0xffff (both are zero), so flip a pattern instead and never
 * produce 0, which means "no checksum" for UDP over IPv4.
 */
static uint16_t
csum_spoil(uint16_t c)
{
	uint16_t bad = c ^ 0x5a5a;

	if (bad == 0 || bad == 0xffff)
		bad = c ^ 0x0101;
	return bad;
}

static void
store16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put_link(const struct forge *f, const struct seg *s, GByteArray *b,
	 bool to_server, bool v6)
{
	const uint8_t *smac = to_server ? client_mac : server_mac;
	const uint8_t *dmac = to_server ? server_mac : client_mac;
	unsigned int ethertype = v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
	unsigned int pkttype = s && s->pkttype >= 0 ? (unsigned int)s->pkttype :
		to_server ? SLL_PKT_OUTGOING : SLL_PKT_HOST;
	uint32_t ifindex = s && s->ifindex >= 0 ? (uint32_t)s->ifindex :
		SLL2_IFINDEX;
	uint32_t af = v6 ? NULL_AF_INET6 : NULL_AF_INET;

	switch (f->link) {
	case LINK_EN10MB:
		putn(b, dmac, 6);
		putn(b, smac, 6);
		if (f->nvlan == 2) {
			put16(b, ETHERTYPE_8021AD);
			put16(b, f->vlan[0]);
			put16(b, ETHERTYPE_8021Q);
			put16(b, f->vlan[1]);
		} else if (f->nvlan == 1) {
			put16(b, ETHERTYPE_8021Q);
			put16(b, f->vlan[0]);
		}
		put16(b, ethertype);
		break;
	case LINK_NULL:
		/* Host byte order: that is what makes DLT_NULL awkward. */
		putn(b, &af, 4);
		break;
	case LINK_LOOP:
		put32(b, af);
		break;
	case LINK_SLL:
		put16(b, pkttype);
		put16(b, ARPHRD_ETHER_VAL);
		put16(b, 6);
		putn(b, smac, 6);
		putzero(b, 2);
		put16(b, ethertype);
		break;
	case LINK_SLL2:
		put16(b, ethertype);
		put16(b, 0);
		put32(b, ifindex);
		put16(b, ARPHRD_ETHER_VAL);
		put8(b, pkttype);
		put8(b, 6);
		putn(b, smac, 6);
		putzero(b, 2);
		break;
	case LINK_RAW:
	case LINK_IPV4:
	case LINK_IPV6:
		break;
	}
}

static bool build_frame(struct forge *f, struct seg *s, GByteArray *b,
    GError **err);

/* icmp=: the ICMP error answering segment s (see the top of the file). */
static bool
build_icmp(struct forge *f, struct seg *s, GByteArray *b, GError **err)
{
	static const uint8_t router4[4] = { 192, 0, 2, 254 };
	static const uint8_t router6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    [15] = 0xfe };
	const struct endpoint *to = s->to_server ? &f->client : &f->server;
	const struct endpoint *peer = s->to_server ? &f->server : &f->client;
	bool v6 = to->family == AF_INET6;
	const uint8_t *from = s->icmp_router ? (v6 ? router6 : router4) :
	    peer->addr;
	struct seg inner = *s;
	GByteArray *in = g_byte_array_new();
	enum link_kind link = f->link;
	unsigned int nvlan = f->nvlan;

	/* The segment itself, from its IP header on. */
	inner.icmp_type = -1;
	f->link = LINK_RAW;
	f->nvlan = 0;
	bool ok = build_frame(f, &inner, in, err);
	f->link = link;
	f->nvlan = nvlan;
	if (!ok) {
		g_byte_array_unref(in);
		return false;
	}
	size_t ihl = v6 ? 40 + 8 * inner.n_ext6 :
	    (size_t)(in->data[0] & 0x0f) * 4;
	size_t quote = in->len < ihl + 8 ? in->len : ihl + 8;
	size_t icmplen = 8 + quote;

	put_link(f, s, b, !s->to_server, v6);
	size_t ip_off = b->len;
	if (!v6) {
		put8(b, 0x45);
		put8(b, 0);
		put16(b, (unsigned int)(20 + icmplen));
		put16(b, f->next_ipid++ & 0xffff);
		put16(b, 0);
		put8(b, 64);
		put8(b, 1);		/* ICMP */
		put16(b, 0);
		putn(b, from, 4);
		putn(b, to->addr, 4);
		store16(b->data + ip_off + 10,
		    csum_fold(csum_add(0, b->data + ip_off, 20)));
	} else {
		put32(b, 0x60000000);
		put16(b, (unsigned int)icmplen);
		put8(b, 58);		/* ICMPv6 */
		put8(b, 64);
		putn(b, from, 16);
		putn(b, to->addr, 16);
	}
	size_t ic_off = b->len;
	put8(b, (unsigned int)s->icmp_type);
	put8(b, s->icmp_code);
	put16(b, 0);
	put32(b, 0);		/* unused (or the next-hop MTU) */
	putn(b, in->data, quote);
	uint32_t sum = 0;
	if (v6) {		/* RFC 4443 2.3: the pseudo-header too */
		sum = csum_add(sum, from, 16);
		sum = csum_add(sum, to->addr, 16);
		sum += (uint32_t)icmplen + 58;
	}
	sum = csum_add(sum, b->data + ic_off, icmplen);
	store16(b->data + ic_off + 2, csum_fold(sum));
	g_byte_array_unref(in);
	return true;
}

static bool
build_frame(struct forge *f, struct seg *s, GByteArray *b, GError **err)
{
	if (s->icmp_type >= 0)
		return build_icmp(f, s, b, err);
	const struct endpoint *src = s->to_server ? &f->client : &f->server;
	const struct endpoint *dst = s->to_server ? &f->server : &f->client;
	bool v6 = src->family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	unsigned int proto = s->udp ? IPPROTO_UDP_VAL : IPPROTO_TCP_VAL;
	size_t l4hdr = s->udp ? 8 : 20 + round4(s->optlen);
	size_t l4len = l4hdr + s->paylen;
	size_t iphdr, ip_off, l4_off;
	uint32_t ipid;
	uint32_t sum;
	uint16_t c;

	if (src->family != dst->family)
		return scn_fail(f, err,
				"client and server must both be IPv4 or both IPv6");
	if (f->link == LINK_IPV4 && v6)
		return scn_fail(f, err, "link ipv4 cannot carry IPv6 addresses");
	if (f->link == LINK_IPV6 && !v6)
		return scn_fail(f, err, "link ipv6 cannot carry IPv4 addresses");
	if (f->nvlan && f->link != LINK_EN10MB)
		return scn_fail(f, err,
				"vlan tags need link en10mb (use 'vlan none')");
	if (v6 && (s->ipoptlen || s->df || s->badipsum))
		return scn_fail(f, err,
				"ipopt=, df and badipsum are IPv4-only");
	if (!v6 && s->n_ext6)
		return scn_fail(f, err, "ext6= is IPv6-only");

	/* Consume a counter value even when overridden: stable numbering. */
	ipid = s->ipid >= 0 ? (uint32_t)s->ipid : f->next_ipid;
	f->next_ipid++;
	if (!v6 && ipid > 0xffff)
		return scn_fail(f, err, "ipid=%" PRIu32 " exceeds 16 bits",
				ipid);

	if (v6 && s->frag) {
		size_t i;

		for (i = 0; i < s->n_ext6; i++)
			if (s->ext6[i] == IPPROTO_FRAGMENT_VAL)
				break;
		if (i == s->n_ext6)
			s->ext6[s->n_ext6++] = IPPROTO_FRAGMENT_VAL;
	}
	iphdr = v6 ? 40 + 8 * s->n_ext6 : 20 + round4(s->ipoptlen);
	/* No jumbograms: both length fields are 16 bits. */
	if ((v6 ? iphdr - 40 : iphdr) + l4len > 65535)
		return scn_fail(f, err, "IP packet too large (%zu bytes)",
				iphdr + l4len);

	put_link(f, s, b, s->to_server, v6);

	ip_off = b->len;
	s->ip_off = ip_off;
	s->ip_id = ipid;
	if (!v6) {
		unsigned int fl = s->frag_off;

		if (s->df)
			fl |= 0x4000;
		if (s->frag_more)
			fl |= 0x2000;
		put8(b, 0x40 | (unsigned int)(iphdr / 4));
		put8(b, 0);
		put16(b, s->iplen >= 0 ? (unsigned int)s->iplen :
			 (unsigned int)(iphdr + l4len));
		put16(b, ipid);
		put16(b, fl);
		put8(b, s->ttl);
		put8(b, proto);
		put16(b, 0);
		putn(b, src->addr, 4);
		putn(b, dst->addr, 4);
		putn(b, s->ipopt, s->ipoptlen);
		putzero(b, round4(s->ipoptlen) - s->ipoptlen);
		c = csum_fold(csum_add(0, b->data + ip_off, iphdr));
		store16(b->data + ip_off + 10, s->badipsum ? csum_spoil(c) : c);
	} else {
		put32(b, 0x60000000);
		put16(b, s->iplen >= 0 ? (unsigned int)s->iplen :
			 (unsigned int)(iphdr - 40 + l4len));
		put8(b, s->n_ext6 ? s->ext6[0] : proto);
		put8(b, s->ttl);
		putn(b, src->addr, 16);
		putn(b, dst->addr, 16);
		for (size_t i = 0; i < s->n_ext6; i++) {
			unsigned int nh = i + 1 < s->n_ext6 ? s->ext6[i + 1] :
				proto;

			put8(b, nh);
			switch (s->ext6[i]) {
			case IPPROTO_FRAGMENT_VAL:
				put8(b, 0);
				put16(b, (unsigned int)s->frag_off << 3 |
					 s->frag_more);
				put32(b, ipid);
				break;
			case IPPROTO_ROUTING_VAL:
				/* Type 0, no addresses, segments left 0. */
				put8(b, 0);
				put8(b, 0);
				put8(b, 0);
				put32(b, 0);
				break;
			default:
				/* HBH/DST: one PadN option fills 6 bytes. */
				put8(b, 0);
				put8(b, 1);
				put8(b, 4);
				put32(b, 0);
				break;
			}
		}
	}

	l4_off = b->len;
	put16(b, src->port);
	put16(b, dst->port);
	if (s->udp) {
		put16(b, (unsigned int)l4len);
		put16(b, 0);
	} else {
		unsigned int doff = s->doff >= 0 ? (unsigned int)s->doff :
			(unsigned int)(l4hdr / 4);

		put32(b, s->seq);
		put32(b, s->ack);
		put8(b, doff << 4 | (s->flags >> 8 & 1u));
		put8(b, s->flags & 0xffu);
		put16(b, s->win);
		put16(b, 0);
		put16(b, s->urg);
		putn(b, s->opt, s->optlen);
		putzero(b, round4(s->optlen) - s->optlen);
	}
	putn(b, s->payload, s->paylen);

	/*
	 * Pseudo-header: addresses, protocol, and the real L4 length (not a
	 * lying iplen=), so the checksum matches the bytes actually sent.
	 * With segments-left 0 the routing header's final destination is the
	 * IPv6 destination itself.
	 */
	sum = csum_add(0, src->addr, alen);
	sum = csum_add(sum, dst->addr, alen);
	sum += proto;
	sum += (uint32_t)l4len;
	sum = csum_add(sum, b->data + l4_off, l4len);
	c = csum_fold(sum);
	if (s->udp && c == 0)
		c = 0xffff;	/* 0 would mean "no checksum" */
	store16(b->data + l4_off + (s->udp ? 6 : 16),
		s->badsum ? csum_spoil(c) : c);

	s->ip_end = b->len;
	putzero(b, s->eth_pad);
	return true;
}

/*
 * The whole frame b of segment s (build_frame()) cut into IP fragments of
 * s->fragment payload bytes (fragment=), each appended to out as a frame.
 */
static bool
fragment_frame(struct forge *f, const struct seg *s, const GByteArray *b,
	       GPtrArray *out, GError **err)
{
	const uint8_t *ip = b->data + s->ip_off;
	bool v6 = (ip[0] >> 4) == 6;
	size_t hl = v6 ? 40 : (size_t)(ip[0] & 0x0f) * 4;
	size_t plen = s->ip_end - s->ip_off - hl;

	if (s->icmp_type >= 0 || (s->frag && !v6))
		return scn_fail(f, err,
				"fragment= cannot go with icmp= (nor, on IPv4, frag=)");
	if (plen <= s->fragment)
		return scn_fail(f, err,
				"fragment=%u: the payload is only %zu bytes",
				s->fragment, plen);
	for (size_t off = 0; off < plen; off += s->fragment) {
		size_t n = MIN(s->fragment, plen - off);
		bool more = off + n < plen;
		GByteArray *fr = g_byte_array_new();

		putn(fr, b->data, s->ip_off);	/* the link header */
		if (!v6) {
			size_t h = fr->len;
			unsigned int fl = (ip[6] & 0x40) << 8;	/* DF */
			uint16_t c;

			putn(fr, ip, hl);
			store16(fr->data + h + 2, (uint16_t)(hl + n));
			store16(fr->data + h + 6, (uint16_t)(fl |
				(more ? 0x2000 : 0) | (off / 8)));
			store16(fr->data + h + 10, 0);
			c = csum_fold(csum_add(0, fr->data + h, hl));
			store16(fr->data + h + 10,
				s->badipsum ? csum_spoil(c) : c);
		} else {
			size_t h = fr->len;

			putn(fr, ip, 40);
			store16(fr->data + h + 4, (uint16_t)(8 + n));
			fr->data[h + 6] = IPPROTO_FRAGMENT_VAL;
			put8(fr, ip[6]);	/* the fragmentable part's */
			put8(fr, 0);
			put16(fr, (unsigned int)(off | more));
			put32(fr, s->ip_id);
		}
		putn(fr, ip + hl + off, n);
		putzero(fr, s->eth_pad);
		g_ptr_array_add(out, fr);
	}
	if (s->fragment_rev)
		for (guint i = 0, j = out->len - 1; i < j; i++, j--) {
			gpointer t = out->pdata[i];
			out->pdata[i] = out->pdata[j];
			out->pdata[j] = t;
		}
	return true;
}

/* ---- lines ---------------------------------------------------------- */

static bool
parse_flags(const char *s, uint16_t *out)
{
	/* Bit i of the TCP flags byte is letters[i]; N is AE (RFC 9768,
	 * once NS), the low bit of the byte before. */
	static const char letters[] = "FSRPAUECN";
	unsigned int fl = 0;

	if (strcmp(s, ".") == 0) {
		*out = 0;
		return true;
	}
	for (; *s; s++) {
		const char *c = strchr(letters, *s);
		unsigned int bit;

		if (!c)
			return false;
		bit = 1u << (c - letters);
		if (fl & bit)
			return false;
		fl |= bit;
	}
	*out = (uint16_t)fl;
	return true;
}

static bool
do_segment(struct forge *f, char **tok, guint ntok, GError **err)
{
	struct seg s = {
		.win = 65535,
		.doff = -1,
		.icmp_type = -1,
		.ttl = 64,
		.ipid = -1,
		.caplen = -1,
		.iplen = -1,
		.pkttype = -1,
		.ifindex = -1,
	};
	struct record r = { 0 };
	GPtrArray *frames = NULL;
	uint64_t v = 0;
	bool ok = false;

	if (f->no_segments)
		return scn_fail(f, err,
				"segment line in forge_frame() header directives");
	if (ntok < 5) {
		scn_fail(f, err, "segment needs TIME DIR FLAGS SEQ ACK");
		goto out;
	}
	s.t_plus = tok[0][0] == '+';
	if (!parse_time(tok[0] + s.t_plus, &s.t_ns)) {
		scn_fail(f, err, "bad time '%s' (SEC[.FRAC] or +SEC[.FRAC], at most 9 fractional digits)",
			 tok[0]);
		goto out;
	}
	if (strcmp(tok[1], ">") == 0) {
		s.to_server = true;
	} else if (strcmp(tok[1], "<") != 0) {
		scn_fail(f, err, "bad direction '%s' (> or <)", tok[1]);
		goto out;
	}
	if (!parse_flags(tok[2], &s.flags)) {
		scn_fail(f, err, "bad flags '%s' (letters FSRPAUECN, no repeats, or '.')",
			 tok[2]);
		goto out;
	}
	if (!parse_uint(tok[3], UINT32_MAX, &v)) {
		scn_fail(f, err, "bad SEQ '%s' (0..4294967295)", tok[3]);
		goto out;
	}
	s.seq = (uint32_t)v;
	if (!parse_uint(tok[4], UINT32_MAX, &v)) {
		scn_fail(f, err, "bad ACK '%s' (0..4294967295)", tok[4]);
		goto out;
	}
	s.ack = (uint32_t)v;
	for (guint i = 5; i < ntok; i++)
		if (!seg_key(f, &s, tok[i], err))
			goto out;
	if (s.udp && s.tcp_only) {
		scn_fail(f, err, "'%s' is TCP-only but proto=udp", s.tcp_only);
		goto out;
	}

	r.ts_ns = s.t_plus ? f->prev_ns + s.t_ns : f->base_ns + s.t_ns;
	if (r.ts_ns / NSEC_PER_SEC > UINT32_MAX) {
		scn_fail(f, err, "timestamp beyond 32-bit pcap seconds");
		goto out;
	}
	r.frame = g_byte_array_new();
	if (!build_frame(f, &s, r.frame, err)) {
		g_byte_array_unref(r.frame);
		goto out;
	}
	frames = g_ptr_array_new();
	if (!s.fragment) {
		g_ptr_array_add(frames, r.frame);
	} else {
		bool cut = fragment_frame(f, &s, r.frame, frames, err);
		g_byte_array_unref(r.frame);
		if (!cut) {
			g_ptr_array_foreach(frames, (GFunc)(void (*)(void))
					    g_byte_array_unref, NULL);
			goto out;
		}
	}
	for (guint i = 0; i < frames->len; i++) {
		r.frame = frames->pdata[i];
		r.caplen = MIN(r.frame->len, f->snaplen);
		if (s.caplen >= 0 && (uint64_t)s.caplen < r.caplen)
			r.caplen = (uint32_t)s.caplen;
		g_array_append_val(f->records, r);
	}
	f->prev_ns = r.ts_ns;
	ok = true;
out:
	if (frames)
		g_ptr_array_free(frames, TRUE);
	g_free(s.payload);
	return ok;
}

static bool
do_directive(struct forge *f, char **tok, guint ntok, GError **err)
{
	static const char *const names[] = {
		"link", "snaplen", "tsprec", "client", "server", "vlan", "time",
	};
	const char *name = tok[0];
	const char *arg;
	bool known = false;
	bool frozen = f->records->len > 0;
	uint64_t v = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		known |= strcmp(name, names[i]) == 0;
	if (!known)
		return scn_fail(f, err, "unknown directive '%s'", name);
	if (ntok != 2)
		return scn_fail(f, err, "'%s' needs exactly one argument", name);
	arg = tok[1];

	if (strcmp(name, "link") == 0) {
		size_t i;

		if (frozen)
			return scn_fail(f, err,
					"link is fixed per file: it must precede the first segment");
		for (i = 0; i < G_N_ELEMENTS(link_defs); i++)
			if (strcmp(arg, link_defs[i].name) == 0)
				break;
		if (i == G_N_ELEMENTS(link_defs))
			return scn_fail(f, err, "unknown link type '%s'", arg);
		f->link = (enum link_kind)i;
	} else if (strcmp(name, "snaplen") == 0) {
		if (frozen)
			return scn_fail(f, err,
					"snaplen is fixed per file: it must precede the first segment");
		if (!parse_uint(arg, INT32_MAX, &v) || v == 0)
			return scn_fail(f, err, "bad snaplen '%s'", arg);
		f->snaplen = (uint32_t)v;
	} else if (strcmp(name, "tsprec") == 0) {
		if (frozen)
			return scn_fail(f, err,
					"tsprec is fixed per file: it must precede the first segment");
		if (strcmp(arg, "nano") == 0)
			f->nano = true;
		else if (strcmp(arg, "micro") == 0)
			f->nano = false;
		else
			return scn_fail(f, err, "tsprec: expected micro or nano");
	} else if (strcmp(name, "client") == 0 || strcmp(name, "server") == 0) {
		if (!parse_endpoint(arg, name[0] == 'c' ? &f->client :
				    &f->server))
			return scn_fail(f, err,
					"bad address '%s' (a.b.c.d:PORT or [v6]:PORT)",
					arg);
	} else if (strcmp(name, "vlan") == 0) {
		char *comma = strchr(arg, ',');
		char *first = g_strndup(arg, comma ? (size_t)(comma - arg) :
					strlen(arg));
		uint64_t inner = 0;
		bool ok;

		if (strcmp(arg, "none") == 0) {
			f->nvlan = 0;
			g_free(first);
			return true;
		}
		ok = parse_uint(first, 4095, &v) &&
		     (!comma || parse_uint(comma + 1, 4095, &inner));
		g_free(first);
		if (!ok)
			return scn_fail(f, err,
					"bad vlan '%s' (ID, OUTER,INNER with IDs 0..4095, or none)",
					arg);
		f->vlan[0] = (uint16_t)v;
		f->nvlan = 1;
		if (comma) {
			f->vlan[1] = (uint16_t)inner;
			f->nvlan = 2;
		}
	} else {
		int64_t ns;

		if (!parse_time(arg, &ns))
			return scn_fail(f, err, "bad time '%s'", arg);
		f->base_ns = ns;
		/*
		 * Relative "+D" after a new base still follows the previous
		 * packet: re-basing must not silently move time backwards.
		 */
		if (!frozen)
			f->prev_ns = ns;
	}
	return true;
}

static bool
process_line(struct forge *f, char *line, GError **err)
{
	GPtrArray *toks = g_ptr_array_new();
	bool ok;

	if (!tokenize(line, toks)) {
		ok = scn_fail(f, err, "unterminated double quote");
	} else if (toks->len == 0) {
		ok = true;
	} else {
		char **t = (char **)toks->pdata;

		if (g_ascii_isdigit(t[0][0]) || t[0][0] == '+')
			ok = do_segment(f, t, toks->len, err);
		else
			ok = do_directive(f, t, toks->len, err);
	}
	g_ptr_array_free(toks, TRUE);
	return ok;
}

static bool
process_text(struct forge *f, const char *text, GError **err)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char *line = g_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		bool ok;

		f->lineno++;
		ok = process_line(f, line, err);
		g_free(line);
		if (!ok)
			return false;
		if (!nl)
			break;
		p = nl + 1;
	}
	return true;
}

/* ---- output --------------------------------------------------------- */

static bool
dump_records(const struct forge *f, const char *path, GError **err)
{
	pcap_t *p;
	pcap_dumper_t *d;
	bool ok = true;
	int saved_errno = 0;

	p = pcap_open_dead_with_tstamp_precision(link_defs[f->link].dlt,
			(int)f->snaplen, f->nano ? PCAP_TSTAMP_PRECISION_NANO :
			PCAP_TSTAMP_PRECISION_MICRO);
	if (!p) {
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_IO,
			    "pcap_open_dead failed for %s", path);
		return false;
	}
	d = pcap_dump_open(p, path);
	if (!d) {
		/* libpcap's message already starts with the path. */
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_IO,
			    "cannot create pcap file: %s", pcap_geterr(p));
		pcap_close(p);
		return false;
	}
	for (guint i = 0; i < f->records->len; i++) {
		const struct record *r = &g_array_index(f->records,
							struct record, i);
		struct pcap_pkthdr h;
		int64_t sub = r->ts_ns % NSEC_PER_SEC;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(r->ts_ns / NSEC_PER_SEC);
		/* A nano-precision savefile keeps nanoseconds in tv_usec. */
		h.ts.tv_usec = (suseconds_t)(f->nano ? sub : sub / 1000);
		h.caplen = r->caplen;
		h.len = r->frame->len;
		pcap_dump((u_char *)d, &h, r->frame->data);
	}
	/* pcap_dump() is void: the stream's error flag is all we get. */
	if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
		saved_errno = errno;
		ok = false;
	}
	pcap_dump_close(d);
	pcap_close(p);
	if (!ok) {
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_IO,
			    "error writing %s: %s", path,
			    g_strerror(saved_errno));
		if (strcmp(path, "-") != 0)
			remove(path);
	}
	return ok;
}

bool
forge_write_file(const char *scn_text, const char *pcap_path, GError **err)
{
	struct forge f;
	bool ok;

	g_return_val_if_fail(scn_text && pcap_path, false);
	forge_init(&f);
	/* Parse everything first so a bad scenario never leaves a file. */
	ok = process_text(&f, scn_text, err) &&
	     dump_records(&f, pcap_path, err);
	forge_clear(&f);
	return ok;
}

uint8_t *
forge_write_mem(const char *scn_text, size_t *len, GError **err)
{
	struct forge f;
	GError *e = NULL;
	char *tmp = NULL;
	char *data = NULL;
	gsize n = 0;
	int fd;

	g_return_val_if_fail(scn_text, NULL);
	forge_init(&f);
	if (!process_text(&f, scn_text, err))
		goto out;
	/*
	 * A real temporary file rather than open_memstream() +
	 * pcap_dump_fopen(): libpcap fcloses the FILE on some of its failure
	 * paths and not on others, so who owns the stream after an error is
	 * unclear.  A path keeps one simple writer shared with
	 * forge_write_file().
	 */
	fd = g_file_open_tmp("forge-XXXXXX.pcap", &tmp, &e);
	if (fd < 0) {
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_IO,
			    "temporary file: %s", e->message);
		g_error_free(e);
		goto out;
	}
	g_close(fd, NULL);
	if (dump_records(&f, tmp, err) &&
	    !g_file_get_contents(tmp, &data, &n, &e)) {
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_IO, "%s",
			    e->message);
		g_error_free(e);
	}
	g_unlink(tmp);
	g_free(tmp);
	if (data && len)
		*len = n;
out:
	forge_clear(&f);
	return (uint8_t *)data;
}

size_t
forge_frame(const char *header_directives, const char *segment_line,
	    uint8_t *buf, size_t cap, int *dlt, GError **err)
{
	struct forge f;
	char *line = NULL;
	size_t n;
	size_t ret = 0;
	const struct record *r;

	g_return_val_if_fail(segment_line && (buf || cap == 0), 0);
	forge_init(&f);
	f.no_segments = true;
	if (!process_text(&f, header_directives ? header_directives : "",
			  err))
		goto out;
	f.no_segments = false;

	/* One line; tolerate the trailing newline a caller may leave. */
	n = strlen(segment_line);
	if (n && segment_line[n - 1] == '\n')
		n--;
	line = g_strndup(segment_line, n);
	f.lineno++;
	if (strchr(line, '\n')) {
		scn_fail(&f, err, "forge_frame() takes a single segment line");
		goto out;
	}
	if (!process_line(&f, line, err))
		goto out;
	if (f.records->len != 1) {
		scn_fail(&f, err, "not a segment line");
		goto out;
	}
	r = &g_array_index(f.records, struct record, 0);
	if (r->frame->len > cap) {
		g_set_error(err, FORGE_ERROR, FORGE_ERROR_NOSPACE,
			    "frame needs %u bytes, buffer has %zu",
			    r->frame->len, cap);
		goto out;
	}
	memcpy(buf, r->frame->data, r->frame->len);
	if (dlt)
		*dlt = link_defs[f.link].dlt;
	ret = r->frame->len;
out:
	g_free(line);
	forge_clear(&f);
	return ret;
}
