/* decode.h - link, network and TCP decoding into host-order scalars.
 *
 * decode_frame() never allocates, never does I/O and never reads packet
 * memory except through rd.h. The output borrows nothing but the payload
 * pointer, valid until the next capture_next().
 */
#ifndef SYNFIN_DECODE_H
#define SYNFIN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>	/* decode_addr4(): x86-64 has it always */
#endif

#include "rd.h"

/* TCP header flag bits, as on the wire (RFC 9293 3.1, RFC 3168). */
enum {
	TH_FIN = 0x01,
	TH_SYN = 0x02,
	TH_RST = 0x04,
	TH_PSH = 0x08,
	TH_ACK = 0x10,
	TH_URG = 0x20,
	TH_ECE = 0x40,
	TH_CWR = 0x80,
	/* AE (RFC 9768 AccECN; once NS, RFC 3540): the low bit of the byte
	 * before, kept in tcp_seg.ae; the ladder's flags carry it here. */
	TH_AE = 0x100,
};

enum decode_result {
	DECODE_OK,		/* a whole TCP header, in pkt */
	DECODE_TRUNCATED,	/* the capture cut a header (snaplen) */
	DECODE_NOT_TCP,		/* not TCP, or a non-first fragment */
	DECODE_MALFORMED,	/* lying lengths, bad versions, bad offsets */
	DECODE_UNSUPPORTED,	/* a link or network layer we do not decode */
	DECODE_MAX
};

/* Decode-level findings (p0f-style quirk bits): odd but survivable. */
enum {
	DEC_TCP_OPT_BAD_LEN = 1u << 0,	/* option length < 2 or past the header */
	DEC_TCP_OPT_BAD_SIZE = 1u << 1,	/* known option with the wrong size */
	DEC_TCP_OPT_DUP = 1u << 2,	/* the same option twice */
	DEC_TCP_WSCALE_CLAMP = 1u << 3,	/* window scale > 14 (RFC 7323 2.3) */
	DEC_IP_FRAG_FIRST = 1u << 4,	/* first fragment of a fragmented datagram */
	DEC_ETH_PADDING = 1u << 5,	/* link frame longer than the IP datagram */
	DEC_IP_BAD_CSUM = 1u << 6,	/* IPv4 header checksum wrong (if verified) */
	DEC_TCP_BAD_CSUM = 1u << 7,	/* TCP checksum wrong (if verified) */
	DEC_TCP_CSUM_UNKNOWN = 1u << 8,	/* payload not captured whole: unverifiable */
	DEC_TCP_PAYLOAD_CUT = 1u << 9,	/* payload cut by the snaplen (counted) */
	DEC_IP_FRAG_LATER = 1u << 10,	/* a TCP fragment that is no segment
					   (DECODE_NOT_TCP): without a
					   reassembler, a non-first one;
					   with one, one dropped at once
					   (a bad IPv4 header checksum) */
	DEC_TCP_HDR_CUT = 1u << 11,	/* TCP header cut by the snaplen past
					   its flags: what was captured
					   decoded (options captured whole),
					   no payload */
	DEC_TCP_WIN_CUT = 1u << 12,	/* ...before its window (and urgent
					   pointer): win reads 0xffff */
	DEC_ICMP_ERR = 1u << 13,	/* not a segment: an ICMP destination
					   unreachable about one (decode.c,
					   decode_icmp()) */
	DEC_ICMP_FROM_DST = 1u << 14,	/* ...sent by that segment's
					   destination */
	DEC_IP_REASSEMBLED = 1u << 15,	/* the datagram of fragments this
					   frame completed (ipfrag.h) */
};

#define TCP_MAX_SACK 4

struct tcp_opts {
	uint16_t mss;		/* MSS option value (kind 2) */
	uint8_t wscale;		/* window scale shift, clamped to 14 (kind 3) */
	uint8_t nsack;		/* SACK blocks present (kind 5) */
	uint32_t tsval, tsecr;	/* timestamps (kind 8) */
	uint8_t tfo_len;	/* TFO cookie length (kind 34; 0 = request) */
	bool has_mss, has_ws, sack_ok, has_ts, has_tfo;
	uint8_t ws_sent;	/* the window scale as sent, before the clamp */
	/* Last, so that a copy may leave them out (struct pkt): */
	uint32_t sack[TCP_MAX_SACK][2];	/* SACK blocks: left, right edges;
					   the first nsack only are set
					   (decode_frame_ether()) */
};

struct tcp_seg {
	uint16_t sport, dport;	/* ports */
	uint32_t seq, ack;	/* sequence and acknowledgment numbers */
	uint16_t win;		/* raw window field (unscaled) */
	uint16_t urp_unread;	/* (the urgent pointer's place: not
				   decoded, nothing reads it) */
	bool ae;		/* the AE flag (TH_AE) */
	uint8_t flags;		/* TH_* (after ae: decode_seg_flags()) */
	uint8_t hlen;		/* header length in bytes (doff * 4) */
	uint32_t paylen;	/* payload length from the IP length, not caplen */
	const uint8_t *payload;	/* captured payload bytes (borrowed) */
	uint32_t paycap;	/* payload bytes actually captured */
	struct tcp_opts opt;	/* decoded options: last (PKT_NO_SACK) */
};

struct pkt {
	uint8_t af;		/* 4 or 6 */
	uint8_t src[16], dst[16];	/* addresses, IPv4 in the first 4 bytes */
	uint16_t vlan;		/* outermost VLAN id (0: none) */
	uint16_t ipid;		/* the (innermost) IPv4 header's
				   identification; 0 for IPv6 */
	uint32_t quirks;	/* DEC_* bits */
	struct tcp_seg tcp;	/* the TCP segment */
};

/* A pkt's bytes before its SACK blocks, which nothing after the decoder
 * reads: what -j hands a thread (with nsack set to 0). */
#define PKT_NO_SACK offsetof(struct pkt, tcp.opt.sack)

struct ipfrag;

struct decode_opts {
	bool verify_checksums;	/* compute IPv4 header and TCP checksums */
	/* IP fragments go to this reassembler (ipfrag.h), the frame's time
	 * ts with them; NULL: the first fragment of a TCP segment is
	 * decoded with the bytes it carries, the others are counted
	 * (DEC_IP_FRAG_LATER). */
	struct ipfrag *frag;
	int64_t ts;
};

/* A Linux cooked frame's interface and direction: its interface index
 * (v2) << 8 | its packet type (HOST, OUTGOING...); false for another link
 * type or a header cut short. */
bool decode_cooked_iface(int dlt, const uint8_t *data, size_t caplen,
    uint64_t *iface);

/* Link types we decode (DLT_ numbers from pcap/dlt.h). */
bool decode_dlt_is_supported(int dlt);

/* For tests: decode_frame() and decode_tcp_options() without their fast
 * paths for the common frame and option layouts, so that the two ways can
 * be compared. */
extern bool decode_fast_off;

/* caplen bytes were captured of a frame wirelen bytes long. */
enum decode_result decode_frame(int dlt, const uint8_t *data, size_t caplen,
    size_t wirelen, const struct decode_opts *opts, struct pkt *pkt);


/* Walk TCP options (RFC 9293 3.1) from a bounded region; returns DEC_ bits. */
uint32_t decode_tcp_options(const uint8_t *p, size_t len, struct tcp_opts *o);

/* Text form of an address: dotted quad, or RFC 5952 for IPv6; empty when
 * it does not fit len with its NUL. */
void decode_addr_str(uint8_t af, const uint8_t *addr, char *buf, size_t len);
/* The same into t, not terminated, decode_addr_fmt() (below); its
 * length. */
#define DECODE_ADDR_MAX 48

/* decode_addr_fmt()'s dotted quad, inline in its writers (a call less
 * for a few dozen instructions): each octet's digits and dot from
 * decode.c's tables, four bytes at once (room for 16: the last dot is
 * written, then dropped). */
extern const char decode_octet_dot[256][4];
extern const uint8_t decode_octet_len[256];

static inline size_t
decode_dotted_quad(const uint8_t *a, char *out)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		memcpy(out + n, decode_octet_dot[v], 4);
		n += decode_octet_len[v];
	}
	return n - 1;
}

/* decode_addr_fmt() of an IPv6 address. */
size_t decode_ipv6_fmt(const uint8_t *addr, char t[DECODE_ADDR_MAX]);

/* The text of an address as glibc's inet_ntop() writes it, without its
 * sprintf() per field (a tenth of a short-connection run's formatting):
 * RFC 5952 for IPv6 (lowercase, no leading zeros, the longest run of two
 * or more zero fields as "::", the first on a tie), and the dotted quad
 * after "::ffff:" (mapped, RFC 5952 5) or "::" (the old compatible form)
 * as inet_ntop has it. tests/check_decode.c compares the two. */
static inline size_t
decode_addr_fmt(uint8_t af, const uint8_t *addr, char t[DECODE_ADDR_MAX])
{
	return af != 6 ? decode_dotted_quad(addr, t) :
	    decode_ipv6_fmt(addr, t);
}

const char *decode_result_name(enum decode_result r);

/* ---- the usual Ethernet frame, inline in its reader --------------------
 *
 * decode_frame_ether(), and decode_frame()'s way for the usual frame
 * (decode_fast()), inline: one thread's reader (pipeline.c) decodes every
 * frame of an Ethernet capture with it, where a call kept the frame's
 * fields in its arguments and the result in memory, and the flow hash
 * read back the addresses and ports the decoder had just stored. Packet
 * bytes through rd.h's loaders only, bounds checked as in decode.c. */

#define DECODE_DLT_EN10MB 1		/* DLT_EN10MB (pcap/dlt.h) */
#define DECODE_ETHERTYPE_IPV4 0x0800
#define DECODE_ETHERTYPE_IPV6 0x86dd
#define DECODE_IPPROTO_TCP 6

/* decode_frame() the whole way (any link type dlt). */
enum decode_result decode_frame_whole(int dlt, const uint8_t *data,
    size_t caplen, size_t wirelen, const struct decode_opts *opts,
    struct pkt *pkt);
/* decode_frame_ether()'s frame the whole way (no payload pointer), with
 * opts but for its time, ts. */
enum decode_result decode_whole_no_payload(const uint8_t *data,
    size_t caplen, size_t wirelen, const struct decode_opts *opts,
    int64_t ts, struct pkt *pkt);
/* decode_fast()'s frame whose options are no common layout: the walk, out
 * of line and last (a tail call). res is the frame's result. */
enum decode_result decode_options_walk_pkt(struct pkt *pkt,
    const uint8_t *p, size_t len, enum decode_result res);

/* The window scale option's shift v: clamped to 14 (RFC 7323 2.3). */
static inline uint32_t
decode_opt_wscale(struct tcp_opts *o, uint8_t v)
{
	o->wscale = o->ws_sent = v;
	o->has_ws = true;
	if (v > 14) {
		o->wscale = 14;
		return DEC_TCP_WSCALE_CLAMP;
	}
	return 0;
}

/* The timestamps option's TSval and TSecr at p into o: on a little-endian
 * host one load, a byte swap, a rotation and one store of both (the
 * fields in a row), as decode_seg_head() does the sequence numbers. */
_Static_assert(offsetof(struct tcp_opts, tsecr) ==
    offsetof(struct tcp_opts, tsval) + 4, "tcp_opts: tsval, tsecr in a row");
static inline __attribute__((always_inline)) void
decode_ts_pair(struct tcp_opts *o, const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t n = (uint64_t)ld_be32(p) << 32 | ld_be32(p + 4);

	n = n << 32 | n >> 32;		/* tsval in the low half */
	memcpy((uint8_t *)o + offsetof(struct tcp_opts, tsval), &n, 8);
#else
	o->tsval = ld_be32(p);
	o->tsecr = ld_be32(p + 4);
#endif
}

/*
 * The layouts nearly every segment carries, at once, each the same as the
 * walk makes of it: NOP, NOP, timestamps (RFC 7323 appendix A) on the
 * segments of a connection that uses them; none; and the SYNs' MSS, SACK
 * permitted, timestamps, NOP, window scale (Linux) and MSS, NOP, window
 * scale, NOP, NOP, SACK permitted (Windows). Into o (zeroed), their DEC_
 * bits in *q; false for any other layout, which is left to the walk. The
 * len bytes at p must be readable (checked by the caller).
 */
static inline __attribute__((always_inline)) bool
decode_opts_common(const uint8_t *p, size_t len, struct tcp_opts *o,
    uint32_t *q)
{
	const uint8_t *h = p;

	*q = 0;
	if (len == 0)
		return true;
	if (len == 12 && ld_be32(h) == 0x0101080a) {
		decode_ts_pair(o, h + 4);
		o->has_ts = true;
		return true;
	}
	if (len == 20 && ld_be32(h) >> 16 == 0x0204 &&
	    ld_be32(h + 4) == 0x0402080a && ld_be32(h + 16) >> 8 == 0x010303) {
		o->mss = ld_be16(h + 2);
		o->has_mss = true;
		o->sack_ok = true;
		decode_ts_pair(o, h + 8);
		o->has_ts = true;
		*q = decode_opt_wscale(o, h[19]);
		return true;
	}
	if (len == 12 && ld_be32(h) >> 16 == 0x0204 &&
	    ld_be32(h + 4) >> 8 == 0x010303 && ld_be32(h + 8) == 0x01010402) {
		o->mss = ld_be16(h + 2);
		o->has_mss = true;
		o->sack_ok = true;
		*q = decode_opt_wscale(o, h[7]);
		return true;
	}
	return false;
}

/* The IPv4 address at p into a (16 bytes), its last 12 bytes zero: with
 * SSE2 a load and a store. */
static inline __attribute__((always_inline)) void
decode_addr4(uint8_t *a, const uint8_t *p)
{
#ifdef __SSE2__
	uint32_t v;

	memcpy(&v, p, 4);
	_mm_storeu_si128((__m128i *)(void *)a, _mm_cvtsi32_si128((int)v));
#else
	memcpy(a, p, 4);
	memset(a + 4, 0, 12);
#endif
}

/* The ports and numbers of TCP header th into t: on a little-endian host
 * each pair a load, a byte swap, a rotation and a store of both (the
 * fields in a row: struct tcp_seg's bytes, through a byte pointer to it),
 * which the compiler does not make of four. */
_Static_assert(offsetof(struct tcp_seg, dport) ==
    offsetof(struct tcp_seg, sport) + 2 &&
    offsetof(struct tcp_seg, ack) == offsetof(struct tcp_seg, seq) + 4,
    "tcp_seg: ports, numbers in a row");
static inline __attribute__((always_inline)) void
decode_seg_head(struct tcp_seg *t, const uint8_t *th)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t p = ld_be32(th);
	uint64_t n = (uint64_t)ld_be32(th + 4) << 32 | ld_be32(th + 8);
	uint8_t *b = (uint8_t *)t;

	p = p << 16 | p >> 16;		/* sport in the low half */
	n = n << 32 | n >> 32;		/* seq in the low half */
	memcpy(b + offsetof(struct tcp_seg, sport), &p, 4);
	memcpy(b + offsetof(struct tcp_seg, seq), &n, 8);
#else
	t->sport = ld_be16(th);
	t->dport = ld_be16(th + 2);
	t->seq = ld_be32(th + 4);
	t->ack = ld_be32(th + 8);
#endif
}

/* The AE bit and the flags of TCP header th into t: on a little-endian
 * host one load, a mask and one store of both (the fields in a row). */
_Static_assert(offsetof(struct tcp_seg, flags) ==
    offsetof(struct tcp_seg, ae) + 1, "tcp_seg: ae, flags in a row");
static inline __attribute__((always_inline)) void
decode_seg_flags(struct tcp_seg *t, const uint8_t *th)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* th[12]'s low bit (AE, 0 or 1: a bool's byte), th[13] whole */
	uint16_t v = ld_le16(th + 12) & 0xff01;

	memcpy((uint8_t *)t + offsetof(struct tcp_seg, ae), &v, 2);
#else
	t->flags = th[13];
	t->ae = th[12] & 1;
#endif
}

/* decode_fast()'s frame the whole way (a tail call); ts as
 * decode_fast()'s. */
static inline __attribute__((always_inline)) enum decode_result
decode_fast_whole(const uint8_t *d, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, int64_t ts, struct pkt *pkt, bool full)
{
	if (!full)
		return decode_whole_no_payload(d, caplen, wirelen, opts, ts,
		    pkt);
	return decode_frame_whole(DECODE_DLT_EN10MB, d, caplen, wirelen, opts,
	    pkt);
}

/* decode_fast()'s TCP header, after an IP header of iph bytes (a
 * constant in each of its two copies) whose length field counts plen TCP
 * bytes. */
static inline __attribute__((always_inline)) enum decode_result
decode_fast_tcp(const uint8_t *d, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, int64_t ts, struct pkt *pkt, bool full,
    size_t iph, size_t plen)
{
	const uint8_t *ip = d + 14;
	const uint8_t *th = ip + iph;
	size_t hlen = (size_t)(th[12] & 0xf0) >> 2;	/* doff * 4 */
	/* The TCP bytes captured, the IP length's at most: the header's
	 * all (so it fits the IP length too). */
	size_t cap = caplen - 14 - iph, avail = cap < plen ? cap : plen;
	if (hlen < 20 || avail < hlen)
		return decode_fast_whole(d, caplen, wirelen, opts, ts, pkt,
		    full);
	struct tcp_seg *t = &pkt->tcp;
	enum decode_result res = DECODE_OK;
	/* (the quirks stored once, before the walk; the padding only
	 * full: nothing after the decoder reads it) */
	uint32_t quirks = full && cap > plen ? DEC_ETH_PADDING : 0;

	decode_seg_head(t, th);
	decode_seg_flags(t, th);
	t->win = ld_be16(th + 14);
	t->hlen = (uint8_t)hlen;
	t->paylen = (uint32_t)(plen - hlen);
	/* (paycap, like payload, only full: nothing after the decoder
	 * reads it) */
	uint32_t paycap = (uint32_t)(avail - hlen);	/* <= paylen: avail
							   <= plen */
	if (full) {
		t->paycap = paycap;
		t->payload = paycap ? th + hlen : NULL;
	}
	if (__builtin_expect(paycap < t->paylen, 0)) {	/* snaplen */
		quirks |= DEC_TCP_PAYLOAD_CUT;
		if (caplen >= wirelen)
			res = DECODE_MALFORMED;	/* as below */
	}
	/* The options last: the walk is a tail call. */
	uint32_t q;
	memset(&t->opt, 0, offsetof(struct tcp_opts, sack));
	if (!decode_opts_common(th + 20, hlen - 20, &t->opt, &q)) {
		pkt->quirks = quirks;
		return decode_options_walk_pkt(pkt, th + 20, hlen - 20, res);
	}
	pkt->quirks = quirks | q;
	return res;
}

/*
 * Most frames at once: Ethernet II, IPv4 without options or IPv6 without
 * extension headers, not a fragment, a TCP header all captured, checksums
 * not verified. The same pkt and result as the whole way (decode.c); any
 * other frame, and any doubt, goes the whole way (decode_frame_whole(),
 * out of line, as is the option walk). One check of the captured length
 * covers the fixed headers (rd_take()'s bound, at once). Not full
 * (decode_frame_ether()): the frame's payload pointer, payload bytes
 * captured (tcp.paycap), VLAN, IPv4 identification and DEC_ETH_PADDING
 * are not stored by this way (the whole way stores them), a few
 * instructions a frame for what nothing after the decoder reads. Not
 * full, ts is the frame's time, for the whole way (opts->ts is not read:
 * the usual frame needs no time).
 */
static inline __attribute__((always_inline)) enum decode_result
decode_fast(const uint8_t *d, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, int64_t ts, struct pkt *pkt, bool full)
{
	if (caplen < 14 + 20 + 20)
		goto whole;
	const uint8_t *ip = d + 14;
	uint16_t et = ld_be16(d + 12);
	/* The network fields at once, in the branch that knows the
	 * version: a frame that goes the whole way after all is decoded
	 * again from the start (decode_frame_whole() clears them). */
	if (et == DECODE_ETHERTYPE_IPV4) {
		/* IHL 5, TCP, neither MF nor a fragment offset (DF may be:
		 * the big-endian 0x3fff, read little-endian, no swap) */
		size_t tot = ld_be16(ip + 2);
		if (ip[0] != 0x45 || ip[9] != DECODE_IPPROTO_TCP ||
		    (ld_le16(ip + 6) & 0xff3f) != 0 || tot < 40)
			goto whole;
		pkt->af = 4;
		decode_addr4(pkt->src, ip + 12);
		decode_addr4(pkt->dst, ip + 16);
		if (full) {
			pkt->vlan = 0;
			pkt->ipid = ld_be16(ip + 4);
		}
		return decode_fast_tcp(d, caplen, wirelen, opts, ts, pkt,
		    full, 20, tot - 20);
	} else if (et == DECODE_ETHERTYPE_IPV6) {
		/* TCP next; a payload length of 0 (a jumbogram, BIG TCP) or
		 * too short for a TCP header goes the whole way */
		if (caplen < 14 + 40 + 20 || ip[0] >> 4 != 6 ||
		    ip[6] != DECODE_IPPROTO_TCP)
			goto whole;
		size_t plen = ld_be16(ip + 4);
		if (plen < 20)
			goto whole;
		pkt->af = 6;
		memcpy(pkt->src, ip + 8, 16);
		memcpy(pkt->dst, ip + 24, 16);
		if (full) {
			pkt->vlan = 0;
			pkt->ipid = 0;
		}
		return decode_fast_tcp(d, caplen, wirelen, opts, ts, pkt,
		    full, 40, plen);
	}
whole:
	return decode_fast_whole(d, caplen, wirelen, opts, ts, pkt, full);
}

/* decode_frame() of a frame of DLT_EN10MB (Ethernet) with opts (not NULL)
 * that verify no checksums: for a caller that knows all three, without
 * their tests (nor decode_fast_off's), and reads no payload (nor
 * tcp.paycap), vlan or ipid (only the copies' test does, pipeline.c, which
 * a frame of one interface never goes to): those four may be left as they
 * were, and the quirk DEC_ETH_PADDING (no one's) unset on the fast way.
 * The SACK blocks past tcp.opt.nsack are left as they were. The frame's
 * time is ts, not opts->ts (set for the frames that need it only). */
static inline __attribute__((always_inline)) enum decode_result
decode_frame_ether(const uint8_t *data, size_t caplen, size_t wirelen,
    int64_t ts, const struct decode_opts *opts, struct pkt *pkt)
{
	return decode_fast(data, caplen, wirelen, opts, ts, pkt, false);
}

#endif
