/* decode.c - L2 / IPv4 / IPv6 / TCP decoding (rd.h reads only).
 *
 * Lengths are clamped layer by layer (p0f): the bytes usable at a layer are
 * the lesser of what was captured and what the layer below says it carries.
 * A header the snaplen cut is DECODE_TRUNCATED (a capture artefact, counted),
 * but for a TCP header cut past its flags (DEC_TCP_HDR_CUT), analysed;
 * a length field that lies about the frame is DECODE_MALFORMED.
 */
#include "config.h"

#include "decode.h"
#include "ipfrag.h"

#include <pcap/dlt.h>
#include <string.h>
#ifdef __SSE2__
/* ipv6_hex(), ipv6_zero_fields(): x86-64 has it always */
#include <emmintrin.h>
#endif

#include "rd.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_QINQ_OLD2 0x9200
#define ETHERTYPE_PPPOE 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define GRE_ETHERNET 0x6558	/* transparent Ethernet bridging */
#define GRE_ERSPAN_2 0x88be
#define GRE_ERSPAN_3 0x22eb
#define UDP_VXLAN 4789
#define UDP_GENEVE 6081
#define UDP_VXLAN_LINUX 8472	/* Linux's VXLAN port before IANA's (flannel) */
#define UDP_GTP_U 2152		/* GTP user plane, 3GPP TS 29.281 */
#define UDP_TEREDO 3544		/* RFC 4380 */
#define MAX_GTP_EXT 8		/* GTP-U extension headers walked */

#define MAX_VLAN_TAGS 4		/* QinQ and a little more; then give up */
#define MAX_MPLS_LABELS 8
#define MAX_IPV6_EXT 8		/* extension headers walked before giving up */
#define MAX_ENCAP 3		/* tunnels inside tunnels decoded */

#define IPPROTO_IPIP_ 4
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58
#define IP6_HBH 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_AH 51
#define IP6_NONE 59
#define IP6_DSTOPTS 60
#define IP6_MOBILITY 135

/* DLT_NULL carries the sender's host-order AF_ value; BSDs disagree on
 * AF_INET6 (24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin). */
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

/* decode.h's names for decode_fast() */
_Static_assert(DECODE_DLT_EN10MB == DLT_EN10MB &&
    DECODE_ETHERTYPE_IPV4 == ETHERTYPE_IPV4 &&
    DECODE_ETHERTYPE_IPV6 == ETHERTYPE_IPV6 &&
    DECODE_IPPROTO_TCP == IPPROTO_TCP_, "decode.h's constants");

const char *
decode_result_name(enum decode_result r)
{
	static const char *const names[] = {
		[DECODE_OK] = "ok",
		[DECODE_TRUNCATED] = "truncated",
		[DECODE_NOT_TCP] = "not_tcp",
		[DECODE_MALFORMED] = "malformed",
		[DECODE_UNSUPPORTED] = "unsupported",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == DECODE_MAX,
	    "decode_result names");
	return (unsigned)r < DECODE_MAX ? names[r] : "?";
}

bool
decode_dlt_is_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_PPP_ETHER:
	case DLT_C_HDLC:
	case DLT_ATM_RFC1483:
	case DLT_IEEE802_11:
	case DLT_IEEE802_11_RADIO:
	case DLT_IEEE802_11_RADIO_AVS:
	case DLT_PRISM_HEADER:
	case DLT_PPI:
	case DLT_PFLOG:
	case DLT_ENC:
	case DLT_NFLOG:
	case DLT_PKTAP:
	case DLT_IPOIB:
	case DLT_NETANALYZER:
	case DLT_NETANALYZER_TRANSPARENT:
		return true;
	default:
		return false;
	}
}

/* Each byte's decimal digits and a dot, in 4 bytes: one copy an octet
 * (decode_dotted_quad()). */
#define OQ_D(v, k) ((v) < 10 ? ((k) == 0 ? '0' + (v) : (k) == 1 ? '.' : 0) : \
	(v) < 100 ? ((k) == 0 ? '0' + (v) / 10 : (k) == 1 ? '0' + (v) % 10 : \
	(k) == 2 ? '.' : 0) : \
	((k) == 0 ? '0' + (v) / 100 : (k) == 1 ? '0' + (v) / 10 % 10 : \
	(k) == 2 ? '0' + (v) % 10 : '.'))
#define OQ_1(v) { (char)OQ_D(v, 0), (char)OQ_D(v, 1), (char)OQ_D(v, 2), \
	(char)OQ_D(v, 3) }
#define OQ_4(v) OQ_1(v), OQ_1((v) + 1), OQ_1((v) + 2), OQ_1((v) + 3)
#define OQ_16(v) OQ_4(v), OQ_4((v) + 4), OQ_4((v) + 8), OQ_4((v) + 12)
#define OQ_64(v) OQ_16(v), OQ_16((v) + 16), OQ_16((v) + 32), OQ_16((v) + 48)
const char decode_octet_dot[256][4] = {
	OQ_64(0), OQ_64(64), OQ_64(128), OQ_64(192)
};
/* ...and their length, the dot's with them. */
#define OL_1(v) ((v) < 10 ? 2 : (v) < 100 ? 3 : 4)
#define OL_4(v) OL_1(v), OL_1((v) + 1), OL_1((v) + 2), OL_1((v) + 3)
#define OL_16(v) OL_4(v), OL_4((v) + 4), OL_4((v) + 8), OL_4((v) + 12)
#define OL_64(v) OL_16(v), OL_16((v) + 16), OL_16((v) + 32), OL_16((v) + 48)
const uint8_t decode_octet_len[256] = {
	OL_64(0), OL_64(64), OL_64(128), OL_64(192)
};

/* The eight fields of an IPv6 address in hex, leading zeros included,
 * each field's four digits and a ':' in 8 bytes of its own (field i's at
 * 8 * i: "dddd:\0\0\0"), so that a field is written with one move from
 * its first digit on (hex_put()); the 8 bytes after them zero, for the
 * last field's move. The digits that are not '0' as a mask, a bit each
 * (field i's first digit at 1 << 4 * i). */
#define IPV6_HEX 72
static inline unsigned
ipv6_hex(const uint8_t *addr, char hx[IPV6_HEX])
{
#ifdef __SSE2__
	/* the 32 digits at once: each byte's high and low half side by
	 * side, then '0' + d, or 'a' - 10 + d above 9 */
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)addr);
	__m128i m15 = _mm_set1_epi8(15), z = _mm_setzero_si128();
	__m128i hi = _mm_and_si128(_mm_srli_epi16(a, 4), m15);
	__m128i lo = _mm_and_si128(a, m15);
	__m128i d[2] = { _mm_unpacklo_epi8(hi, lo), _mm_unpackhi_epi8(hi, lo) };
	__m128i colon = _mm_set1_epi32(':');
	unsigned zero = 0;

	for (int k = 0; k < 2; k++) {
		zero |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d[k], z)) <<
		    16 * k;
		__m128i above = _mm_and_si128(_mm_cmpgt_epi8(d[k],
		    _mm_set1_epi8(9)), _mm_set1_epi8('a' - 10 - '0'));
		d[k] = _mm_add_epi8(d[k], _mm_add_epi8(above,
		    _mm_set1_epi8('0')));
		_mm_storeu_si128((__m128i *)(void *)(hx + 32 * k),
		    _mm_unpacklo_epi32(d[k], colon));
		_mm_storeu_si128((__m128i *)(void *)(hx + 32 * k + 16),
		    _mm_unpackhi_epi32(d[k], colon));
	}
#else
	unsigned zero = 0;

	memset(hx, 0, IPV6_HEX);
	for (unsigned i = 0; i < 16; i++) {
		for (unsigned k = 0; k < 2; k++) {
			unsigned v = k ? addr[i] & 15 : addr[i] >> 4;
			unsigned at = 8 * (i / 2) + 2 * (i % 2) + k;

			hx[at] = (char)(v < 10 ? '0' + v : 'a' - 10 + v);
			zero |= (unsigned)(v == 0) << (4 * (i / 2) +
			    2 * (i % 2) + k);
		}
		hx[8 * (i / 2) + 4] = ':';
	}
#endif
	memset(hx + 64, 0, 8);
	return ~zero;
}

/* Field i of ipv6_hex()'s hx without its leading zeros ("0" for zero),
 * and a ':' after it (room for 8 at t); their number and the colon's.
 * digit: ipv6_hex()'s mask. */
static inline size_t
hex_put(char *t, const char *hx, unsigned digit, unsigned i)
{
	/* the leading '0' digits, three at most: the low bits clear in the
	 * field's four of digit */
	size_t skip = (size_t)__builtin_ctz(digit >> 4 * i | 8);

	memcpy(t, hx + 8 * i + skip, 8);
	return 5 - skip;
}

/* The zero fields of an IPv6 address, a bit each (field i's at 1 << i). */
static inline unsigned
ipv6_zero_fields(const uint8_t *addr)
{
#ifdef __SSE2__
	/* each 16-bit lane that is zero sets two bits of the byte mask:
	 * the even ones, moved together */
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)addr);
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(a,
	    _mm_setzero_si128())) & 0x5555;

	m = (m | m >> 1) & 0x3333;
	m = (m | m >> 2) & 0x0f0f;
	return (m | m >> 4) & 0xff;
#else
	unsigned zero = 0;

	for (unsigned i = 0; i < 8; i++)
		zero |= (unsigned)((addr[2 * i] | addr[2 * i + 1]) == 0) << i;
	return zero;
#endif
}

/*
 * decode_addr_fmt() of an IPv6 address (out of line: its registers and
 * its frame are not the dotted quad's to pay for).  The zero fields as a
 * mask, so that the runs are found a run at a time, and the fields'
 * digits made at once (ipv6_hex()), each field's written with one move
 * from its first digit that is not a leading zero, a ':' after it (the
 * last one dropped), not a digit at a time with a test each.
 */
size_t
decode_ipv6_fmt(const uint8_t *addr, char t[DECODE_ADDR_MAX])
{
	unsigned zero = ipv6_zero_fields(addr), best = 8, blen = 0;
	size_t n = 0;
	char hx[IPV6_HEX];

	/* the longest run of zero fields, the first of equal ones */
	for (unsigned m = zero; m != 0;) {
		unsigned at = (unsigned)__builtin_ctz(m);
		unsigned len = (unsigned)__builtin_ctz(~(m >> at));

		if (len > blen)
			best = at, blen = len;
		m &= ~0u << (at + len);	/* at + len <= 8 */
	}
	if (blen < 2)
		best = 8, blen = 0;	/* no "::" */
	if (best == 0 && (blen == 6 ||
	    (blen == 5 && addr[10] == 0xff && addr[11] == 0xff))) {
		/* "::" or "::ffff:", then the dotted quad */
		memcpy(t, "::ffff:", 8);
		n = blen == 6 ? 2 : 7;
		return n + decode_dotted_quad(addr + 12, t + n);
	}
	unsigned digit = ipv6_hex(addr, hx);
	for (unsigned i = 0; i < best; i++)
		n += hex_put(t + n, hx, digit, i);
	if (best == 8)
		return n - 1;	/* the last field's ':' */
	/* "::": the field before it wrote the first ':', or none did */
	t[n] = ':';
	t[n + 1] = ':';
	n += 1 + (best == 0);
	for (unsigned i = best + blen; i < 8; i++)
		n += hex_put(t + n, hx, digit, i);
	/* the last field's ':', but not the end of "::" */
	return best + blen == 8 ? n : n - 1;
}

void
decode_addr_str(uint8_t af, const uint8_t *addr, char *buf, size_t len)
{
	char t[DECODE_ADDR_MAX];
	size_t n = decode_addr_fmt(af, addr, t);

	if (n + 1 > len) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* ---- TCP ---------------------------------------------------------------- */

bool decode_fast_off;

static uint32_t
opt_seen(uint64_t *seen, unsigned kind)
{
	/* Only the kinds below are tracked (2..34): one bit each, no
	 * aliasing (kind 34 must not collide with kind 2). */
	uint64_t bit = 1ull << (kind & 63);

	if (*seen & bit)
		return DEC_TCP_OPT_DUP;
	*seen |= bit;
	return 0;
}

/* The options in r, one by one, into o (zeroed); DEC_ bits. */
static __attribute__((noinline)) uint32_t
tcp_options_walk(struct rd r, struct tcp_opts *o)
{
	uint32_t q = 0;
	uint64_t seen = 0;

	while (r.left > 0) {
		uint8_t kind = rd_u8(&r);

		if (kind == 0)		/* EOL: the rest is padding */
			break;
		if (kind == 1)		/* NOP */
			continue;
		if (r.left < 1) {
			q |= DEC_TCP_OPT_BAD_LEN;
			break;
		}
		/* len counts kind and length bytes; 2 <= len <= what is left
		 * (conntrack's "silly options" stop the walk). */
		size_t olen = rd_u8(&r);
		if (olen < 2 || olen - 2 > r.left) {
			q |= DEC_TCP_OPT_BAD_LEN;
			break;
		}
		/* The value, olen - 2 bytes: each case below reads it only
		 * once it has checked olen. */
		const uint8_t *v = rd_take(&r, olen - 2);
		switch (kind) {
		case 2:		/* MSS, RFC 9293 3.2 */
			q |= opt_seen(&seen, kind);
			if (olen != 4) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			o->mss = ld_be16(v);
			o->has_mss = true;
			break;
		case 3:		/* window scale, RFC 7323 2 */
			q |= opt_seen(&seen, kind);
			if (olen != 3) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			q |= decode_opt_wscale(o, v[0]);
			break;
		case 4:		/* SACK permitted, RFC 2018 */
			q |= opt_seen(&seen, kind);
			if (olen != 2) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			o->sack_ok = true;
			break;
		case 5:		/* SACK blocks: 2 + 8n (an empty one is legal) */
			q |= opt_seen(&seen, kind);
			if ((olen - 2) % 8 != 0) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			for (size_t at = 0; at + 8 <= olen - 2 &&
			    o->nsack < TCP_MAX_SACK; at += 8) {
				o->sack[o->nsack][0] = ld_be32(v + at);
				o->sack[o->nsack][1] = ld_be32(v + at + 4);
				o->nsack++;
			}
			break;
		case 8:		/* timestamps, RFC 7323 3 */
			q |= opt_seen(&seen, kind);
			if (olen != 10) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			o->tsval = ld_be32(v);
			o->tsecr = ld_be32(v + 4);
			o->has_ts = true;
			break;
		case 34:	/* TCP Fast Open, RFC 7413: cookie 0 or 4..16 */
			q |= opt_seen(&seen, kind);
			if (olen != 2 && (olen < 6 || olen > 18)) {
				q |= DEC_TCP_OPT_BAD_SIZE;
				break;
			}
			o->has_tfo = true;
			o->tfo_len = (uint8_t)(olen - 2);
			break;
		default:	/* others are skipped whole */
			break;
		}
	}
	return q;
}


/* The options of len bytes at p into o; DEC_ bits. The common layouts at
 * once (all of them the walk, under decode_fast_off, for the tests). */
static inline __attribute__((always_inline)) uint32_t
tcp_options(const uint8_t *p, size_t len, struct tcp_opts *o)
{
	uint32_t q;

	memset(o, 0, sizeof(*o));
	if (!decode_fast_off && decode_opts_common(p, len, o, &q))
		return q;
	return tcp_options_walk(rd_init(p, len), o);
}

uint32_t
decode_tcp_options(const uint8_t *p, size_t len, struct tcp_opts *o)
{
	return tcp_options(p, len, o);
}

static enum decode_result
decode_tcp(struct rd *r, size_t seglen, const uint8_t *src, const uint8_t *dst,
    uint8_t af, const struct decode_opts *opts, struct pkt *pkt)
{
	struct tcp_seg *t = &pkt->tcp;
	struct rd seg = *r;	/* whole segment, for the checksum */

	if (seglen < 20)
		return DECODE_MALFORMED;	/* the IP length says too short */
	/* The ports, numbers, offset and flags are the first 14 bytes: what
	 * tcpdump -s 68 leaves of TCP over IPv6 (14 + 40 + 14). Without the
	 * window (DEC_TCP_WIN_CUT) the segment is still analysed. */
	bool win_cut = r->left < 20;
	const uint8_t *h = rd_take(r, win_cut ? 14 : 20);
	if (!h)
		return DECODE_TRUNCATED;
	t->sport = ld_be16(h);
	t->dport = ld_be16(h + 2);
	t->seq = ld_be32(h + 4);
	t->ack = ld_be32(h + 8);
	uint8_t doff = h[12] >> 4;
	t->flags = h[13];
	t->ae = h[12] & 1;
	/* h + 16: the checksum; a cut window reads as open, not as zero */
	t->win = win_cut ? 0xffff : ld_be16(h + 14);
	t->hlen = (uint8_t)(doff * 4);
	if (doff < 5 || t->hlen > seglen)
		return DECODE_MALFORMED;
	t->paylen = (uint32_t)(seglen - t->hlen);
	if (win_cut || r->left < (size_t)t->hlen - 20) {
		/* The snaplen cut the window, or the options (a SYN's 20
		 * bytes of them under tcpdump -s 68): analysed with the
		 * options captured whole; the cut one is no finding
		 * (DEC_TCP_OPT_BAD_LEN), and there is no payload. */
		pkt->quirks |= DEC_TCP_HDR_CUT | (win_cut ? DEC_TCP_WIN_CUT :
		    decode_tcp_options(r->p, r->left, &t->opt) &
		    ~(uint32_t)DEC_TCP_OPT_BAD_LEN);
		if (t->paylen)
			pkt->quirks |= DEC_TCP_PAYLOAD_CUT;
		if (opts && opts->verify_checksums)
			pkt->quirks |= DEC_TCP_CSUM_UNKNOWN;
		rd_skip(r, r->left);
		return DECODE_OK;
	}
	struct rd o;
	rd_sub(r, (size_t)t->hlen - 20, &o);
	pkt->quirks |= tcp_options(o.p, o.left, &t->opt);

	t->paycap = (uint32_t)(r->left < t->paylen ? r->left : t->paylen);
	t->payload = t->paycap ? r->p : NULL;
	if (t->paycap < t->paylen)
		pkt->quirks |= DEC_TCP_PAYLOAD_CUT;

	if (opts && opts->verify_checksums) {
		/* The checksum covers the whole segment: a cut one, or the
		 * first fragment of one, cannot be judged either way. */
		if (seg.left < seglen || (pkt->quirks & DEC_IP_FRAG_FIRST)) {
			pkt->quirks |= DEC_TCP_CSUM_UNKNOWN;
		} else {
			/* Pseudo-header (RFC 9293 3.1, RFC 8200 8.1). */
			size_t alen = af == 6 ? 16 : 4;
			struct rd a = rd_init(src, alen), b = rd_init(dst, alen);
			uint32_t sum = rd_sum16(&a, 0);
			sum = rd_sum16(&b, sum);
			sum += IPPROTO_TCP_ + (uint32_t)(seglen & 0xffff) +
			    (uint32_t)(seglen >> 16);
			rd_clamp(&seg, seglen);
			sum = rd_sum16(&seg, sum);
			if (sum != 0xffff)
				pkt->quirks |= DEC_TCP_BAD_CSUM;
		}
	}
	return DECODE_OK;
}

/* ---- IP and the tunnels in it ------------------------------------------ */

/* What every layer needs: the options, the packet being filled, the bytes
 * of the frame the snaplen left out (wirelen - caplen), how many tunnels
 * deep it is, and whether a VLAN tag was seen (the outermost one is the
 * packet's). */
struct dctx {
	const struct decode_opts *opts;
	struct pkt *pkt;
	size_t wire_extra;
	unsigned depth;
	bool tagged;
	bool reassembled;	/* decoding a datagram of fragments: its
				   gaps are the snaplen's, judged by each
				   fragment (frag_add()) */
	uint64_t iface;		/* Linux cooked: the interface index << 8
				   | the packet type (fragments of one
				   datagram come by one interface) */
	bool cut_unknown;	/* the link layer may have cut the packet
				   without saying so (NFLOG's size limit):
				   a datagram short of its IP length is cut,
				   not malformed */
};

static enum decode_result decode_ipv4(struct rd *r, struct dctx *x);
static enum decode_result decode_ipv6(struct rd *r, struct dctx *x);
static enum decode_result decode_ether(struct rd *r, struct dctx *x);
static enum decode_result decode_ethertype(uint16_t et, struct rd *r,
    struct dctx *x);
static enum decode_result decode_pppoe(struct rd *r, struct dctx *x);
static enum decode_result decode_by_version(struct rd *r, struct dctx *x);

/* GRE (RFC 2784, RFC 2890 key and sequence number) version 0: IP, an
 * Ethernet frame (transparent bridging), or ERSPAN's mirrored frame
 * (types I/II and III, Cisco's remote SPAN). Version 1 (PPTP) and
 * RFC 1701 source routing are not decoded. */
static enum decode_result
decode_gre(struct rd *r, struct dctx *x)
{
	/* (A tunnel's own header cut short is no TCP the capture lost,
	 * as far as anyone can tell: not counted, as UDP's.) */
	const uint8_t *g = rd_take(r, 4);

	if (!g)
		return DECODE_NOT_TCP;
	uint16_t fl = ld_be16(g), proto = ld_be16(g + 2);
	if ((fl & 7) != 0 || (fl & 0x4000))
		return DECODE_NOT_TCP;
	size_t skip = ((fl & 0x8000) ? 4 : 0) + ((fl & 0x2000) ? 4 : 0) +
	    ((fl & 0x1000) ? 4 : 0);
	rd_skip(r, skip);
	if (r->err)
		return DECODE_NOT_TCP;
	switch (proto) {
	case GRE_ETHERNET:
		return decode_ether(r, x);
	case GRE_ERSPAN_2:	/* type II has a sequence number and a header */
		if (fl & 0x1000)
			rd_skip(r, 8);
		return r->err ? DECODE_NOT_TCP : decode_ether(r, x);
	case GRE_ERSPAN_3: {	/* 12 bytes, 8 more with its O bit */
		const uint8_t *e = rd_take(r, 12);
		if (e && (e[11] & 1))
			rd_skip(r, 8);
		return r->err ? DECODE_NOT_TCP : decode_ether(r, x);
	}
	default:
		return decode_ethertype(proto, r, x);
	}
}

/* An IPv6 extension header decode_ipv6() walks on to what it carries. */
static bool
ipv6_ext(uint8_t nxt)
{
	return nxt == IP6_HBH || nxt == IP6_ROUTING || nxt == IP6_DSTOPTS ||
	    nxt == IP6_MOBILITY || nxt == IP6_FRAGMENT || nxt == IP6_AH;
}

/* GTP-U (3GPP TS 29.281 5.1): version 1, protocol type GTP, a G-PDU
 * (message 255) whose T-PDU is an IPv4 or IPv6 datagram, after the
 * optional sequence number, N-PDU number and extension headers (each
 * its length in 4-byte words first, the next one's type last). Echoes,
 * error indications and the rest carry no user's packet. */
static enum decode_result
decode_gtpu(struct rd *r, struct dctx *x)
{
	const uint8_t *h = rd_take(r, 8);

	if (!h || h[0] >> 5 != 1 || !(h[0] & 0x10) || h[1] != 255)
		return DECODE_NOT_TCP;
	rd_clamp(r, ld_be16(h + 2));	/* the bytes after these 8 */
	if (h[0] & 0x07) {		/* E, S or PN: 4 more bytes */
		const uint8_t *o = rd_take(r, 4);
		if (!o)
			return DECODE_NOT_TCP;
		/* The next type counts only with the E flag. */
		uint8_t next = (h[0] & 0x04) ? o[3] : 0;
		for (int i = 0; next != 0; i++) {
			if (i >= MAX_GTP_EXT || r->left < 1 || r->p[0] == 0)
				return DECODE_NOT_TCP;
			size_t elen = (size_t)r->p[0] * 4;
			const uint8_t *e = rd_take(r, elen);
			if (!e)
				return DECODE_NOT_TCP;
			next = e[elen - 1];
		}
	}
	if (r->left < 1)
		return DECODE_NOT_TCP;
	return decode_by_version(r, x);
}

/* Is a the Teredo prefix, 2001:0::/32 (RFC 4380 2.6)? */
static bool
teredo_addr(const uint8_t *a)
{
	return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0;
}

/* Teredo (RFC 4380 5.1.1): an IPv6 packet over UDP, after an optional
 * authentication indicator (0x0001, then the lengths of a client
 * identifier and an authentication value, those, an 8-byte nonce and a
 * confirmation byte) and origin indication (0x0000, port and address:
 * 8 bytes). plen: the UDP payload's length on the wire. Found as Zeek
 * finds it: on port 3544 (server), or elsewhere (a relay's port, the
 * client's) when the IPv6 header has a Teredo address at either end;
 * its payload length must fill the datagram. */
static enum decode_result
decode_teredo(struct rd *r, size_t plen, bool port, struct dctx *x)
{
	struct rd t = *r;

	if (t.left >= 2 && t.p[0] == 0 && t.p[1] == 1) {
		const uint8_t *a = rd_take(&t, 4);
		if (a)
			rd_skip(&t, (size_t)a[2] + a[3] + 9);
	}
	if (!t.err && t.left >= 2 && t.p[0] == 0 && t.p[1] == 0)
		rd_skip(&t, 8);
	size_t used = r->left - t.left;
	if (t.err || t.left < 1 || t.p[0] >> 4 != 6 || plen < used ||
	    (t.left >= 6 && (size_t)ld_be16(t.p + 4) + 40 != plen - used))
		return DECODE_NOT_TCP;
	/* Its header cut by the snaplen: Teredo by its port alone (its
	 * addresses cut too), a TCP segment cut short when the next header
	 * can be TCP's, as in any tunnel. */
	if (t.left < 40 ? !port || (t.left >= 7 && t.p[6] != IPPROTO_TCP_ &&
	    !ipv6_ext(t.p[6])) : !(port || teredo_addr(t.p + 8) ||
	    teredo_addr(t.p + 24)))
		return DECODE_NOT_TCP;
	*r = t;
	return decode_ipv6(r, x);
}

/* UDP: the tunnels, on their ports: VXLAN (RFC 7348; on 4789, and on
 * 8472, Linux's default before IANA's, which flannel uses), Geneve (RFC
 * 8926), GTP-U and Teredo (which also goes by its addresses). Anything
 * else over UDP is no TCP. */
static enum decode_result
decode_udp(struct rd *r, struct dctx *x)
{
	const uint8_t *u = rd_take(r, 8);

	if (!u)
		return DECODE_NOT_TCP;
	uint16_t sport = ld_be16(u), dport = ld_be16(u + 2);
	uint16_t ulen = ld_be16(u + 4);
	if (ulen >= 8)
		rd_clamp(r, ulen - 8u);
	if (dport == UDP_VXLAN || dport == UDP_VXLAN_LINUX) {
		const uint8_t *v = rd_take(r, 8);
		if (!v || !(v[0] & 0x08))	/* the I flag: a valid VNI */
			return DECODE_NOT_TCP;
		/* Not IANA's port: the reserved byte too. */
		if (dport == UDP_VXLAN_LINUX && v[7] != 0)
			return DECODE_NOT_TCP;
		return decode_ether(r, x);
	}
	if (dport == UDP_GENEVE) {
		const uint8_t *g = rd_take(r, 8);
		if (!g || g[0] >> 6 != 0)	/* version 0 */
			return DECODE_NOT_TCP;
		rd_skip(r, (size_t)(g[0] & 0x3f) * 4);	/* its options */
		if (r->err)
			return DECODE_NOT_TCP;
		uint16_t pt = ld_be16(g + 2);
		return pt == GRE_ETHERNET ? decode_ether(r, x) :
		    decode_ethertype(pt, r, x);
	}
	if (dport == UDP_GTP_U || sport == UDP_GTP_U)
		return decode_gtpu(r, x);
	/* Teredo by its addresses: an IPv6 header (maybe after the two
	 * Teredo headers, which begin with a 0 byte), on a UDP length that
	 * gives the datagram's. */
	bool tport = dport == UDP_TEREDO || sport == UDP_TEREDO;
	if (ulen >= 8 && r->left >= (tport ? 1 : 40) &&
	    (r->p[0] >> 4 == 6 || r->p[0] == 0))
		return decode_teredo(r, ulen - 8u, tport, x);
	return DECODE_NOT_TCP;
}

/* An IPv6 extension header's length from its type and length byte: a
 * fragment header's 8, an authentication header's in 4-byte units less 2
 * (RFC 4302 2.2), the others' in 8-byte units less 1 (RFC 8200 4). */
static size_t
ipv6_ext_len(uint8_t nxt, uint8_t hlen)
{
	if (nxt == IP6_FRAGMENT)
		return 8;
	if (nxt == IP6_AH)
		return ((size_t)hlen + 2) * 4;
	return ((size_t)hlen + 1) * 8;
}

/*
 * An ICMP destination unreachable (ICMPv4 type 3 but code 4, fragmentation
 * needed, which path MTU discovery answers; ICMPv6 type 1) about a TCP
 * segment: the header of that segment's datagram and the first 8 bytes of
 * its TCP header (RFC 792, RFC 4443 3.1; RFC 1812 4.3.2.3 allows more).
 * pkt becomes that segment's 4-tuple and seq, sent from its sender, with
 * DEC_ICMP_ERR, the ICMP type and code in tcp.win, and DEC_ICMP_FROM_DST
 * when the ICMP came from the segment's destination (the peer itself, not
 * a router or firewall on the path). Anything else, or cut short: not TCP.
 */
static enum decode_result
decode_icmp(uint8_t proto, struct rd *r, size_t len, struct dctx *x)
{
	struct pkt *pkt = x->pkt;
	struct rd msg = *r;	/* the whole message, for its checksum */
	const uint8_t *ic = rd_take(r, 8);

	if (!ic || !((proto == IPPROTO_ICMP_ && pkt->af == 4 && ic[0] == 3 &&
	    ic[1] != 4) || (proto == IPPROTO_ICMPV6_ && pkt->af == 6 &&
	    ic[0] == 1)))
		return DECODE_NOT_TCP;
	/* --verify-checksums: a wrong one is dropped as a wrong IP header's
	 * is (DEC_IP_BAD_CSUM); one cut by the snaplen (fewer bytes than
	 * the IP length gives it) cannot be judged. */
	if (x->opts && x->opts->verify_checksums && msg.left == len) {
		uint32_t sum = 0;
		if (pkt->af == 6) {	/* RFC 4443 2.3: the pseudo-header */
			struct rd a = rd_init(pkt->src, 16);
			struct rd b = rd_init(pkt->dst, 16);
			sum = rd_sum16(&a, sum);
			sum = rd_sum16(&b, sum);
			sum += (uint32_t)(msg.left >> 16) +
			    (uint32_t)(msg.left & 0xffff) + IPPROTO_ICMPV6_;
		}
		if (rd_sum16(&msg, sum) != 0xffff)
			pkt->quirks |= DEC_IP_BAD_CSUM;
	}
	uint8_t from[16];
	memcpy(from, pkt->src, sizeof(from));
	const uint8_t *ip;
	if (pkt->af == 4) {
		ip = rd_take(r, 20);
		if (!ip || ip[0] >> 4 != 4 || (ip[0] & 0x0f) < 5 ||
		    ip[9] != IPPROTO_TCP_ || (ld_be16(ip + 6) & 0x1fff) != 0)
			return DECODE_NOT_TCP;
		rd_skip(r, (size_t)(ip[0] & 0x0f) * 4 - 20);	/* options */
		memcpy(pkt->src, ip + 12, 4);
		memcpy(pkt->dst, ip + 16, 4);
	} else {
		ip = rd_take(r, 40);
		if (!ip || ip[0] >> 4 != 6)
			return DECODE_NOT_TCP;
		memcpy(pkt->src, ip + 8, 16);
		memcpy(pkt->dst, ip + 24, 16);
		/* The quoted extension headers, as decode_ipv6() walks
		 * them (a first fragment's: a later one quotes no TCP). */
		uint8_t nxt = ip[6];
		for (int i = 0; nxt != IPPROTO_TCP_; i++) {
			const uint8_t *e = rd_take(r, 8);
			if (i >= MAX_IPV6_EXT || !e)
				return DECODE_NOT_TCP;
			if (!ipv6_ext(nxt) || (nxt == IP6_FRAGMENT &&
			    ld_be16(e + 2) >> 3 != 0))
				return DECODE_NOT_TCP;
			size_t elen = ipv6_ext_len(nxt, e[1]);
			rd_skip(r, elen - 8);
			if (r->err)
				return DECODE_NOT_TCP;
			nxt = e[0];
		}
	}
	const uint8_t *th = rd_take(r, 8);
	if (!th)
		return DECODE_NOT_TCP;
	memset(&pkt->tcp, 0, sizeof(pkt->tcp));
	pkt->tcp.sport = ld_be16(th);
	pkt->tcp.dport = ld_be16(th + 2);
	pkt->tcp.seq = ld_be32(th + 4);
	pkt->tcp.win = (uint16_t)(ic[0] << 8 | ic[1]);
	pkt->quirks |= DEC_ICMP_ERR;
	if (memcmp(from, pkt->dst, pkt->af == 4 ? 4 : 16) == 0)
		pkt->quirks |= DEC_ICMP_FROM_DST;
	return DECODE_OK;
}

/* An IP payload that is not TCP: a tunnel to decode, an ICMP error about
 * a TCP segment, or none. r holds the payload's len bytes at most. */
static enum decode_result
decode_encap(uint8_t proto, struct rd *r, size_t len, struct dctx *x)
{
	rd_clamp(r, len);
	if (proto == IPPROTO_ICMP_ || proto == IPPROTO_ICMPV6_)
		return decode_icmp(proto, r, len, x);	/* at any depth */
	if (x->depth >= MAX_ENCAP)
		return DECODE_NOT_TCP;
	x->depth++;
	switch (proto) {
	case IPPROTO_IPIP_:
		return decode_ipv4(r, x);
	case IPPROTO_IPV6_:
		return decode_ipv6(r, x);
	case IPPROTO_GRE_:
		return decode_gre(r, x);
	case IPPROTO_UDP_:
		return decode_udp(r, x);
	default:
		return DECODE_NOT_TCP;
	}
}

/* Protocols whose fragments are reassembled: those decoded here. */
static bool
frag_wanted(uint8_t af, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
	case IPPROTO_UDP_:
	case IPPROTO_GRE_:
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
	case IP6_AH:
		return true;
	case IP6_DSTOPTS:
	case IP6_ROUTING:
	case IP6_HBH:
		return af == 6;
	default:
		return false;
	}
}

/* Whether a datagram of protocol proto may carry a TCP segment, for the
 * count of those given up (ip_fragment): TCP, a tunnel, an IPv6 extension
 * header or IPv4's AH before what it carries; UDP when the first
 * fragment's ports are a tunnel's (decode_udp(); not Teredo found by its
 * addresses). Not ICMP. */
static bool
frag_counted(uint8_t proto, uint32_t off, const struct rd *r, size_t cap)
{
	switch (proto) {
	case IPPROTO_TCP_:
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
	case IPPROTO_GRE_:
	case IP6_AH:
	case IP6_DSTOPTS:
	case IP6_ROUTING:
	case IP6_HBH:
		return true;
	case IPPROTO_UDP_: {
		if (off != 0 || cap < 4)
			return false;
		uint16_t sport = ld_be16(r->p), dport = ld_be16(r->p + 2);
		return dport == UDP_VXLAN || dport == UDP_VXLAN_LINUX ||
		    dport == UDP_GENEVE || dport == UDP_GTP_U ||
		    sport == UDP_GTP_U || dport == UDP_TEREDO ||
		    sport == UDP_TEREDO;
	}
	default:
		return false;
	}
}

/* Does the first fragment of an IPv6 datagram (len bytes on the wire, r
 * what was captured of them, nxt the Fragment header's next header) hold
 * every header through the upper layer's (RFC 8200 4.5, RFC 7112)? Linux
 * discards one that does not (ipv6frag_thdr_truncated()). Headers the
 * snaplen cut cannot be judged: whole. */
static bool
v6_first_whole(uint8_t nxt, const struct rd *r, size_t len)
{
	size_t pos = 0;

	for (int i = 0; i < MAX_IPV6_EXT && (nxt == IP6_HBH ||
	    nxt == IP6_ROUTING || nxt == IP6_DSTOPTS || nxt == IP6_AH); i++) {
		if (pos + 2 > r->left)
			return true;
		size_t elen = ipv6_ext_len(nxt, r->p[pos + 1]);
		nxt = r->p[pos];
		pos += elen;
	}
	size_t need = nxt == IPPROTO_TCP_ ? 20 : nxt == IPPROTO_UDP_ ||
	    nxt == IPPROTO_ICMPV6_ ? 8 : 1;
	return pos + need <= len;
}

/*
 * A fragment (at offset off, more to come or not) of the datagram of the
 * IP header just read (pkt's addresses, af, identification id, protocol
 * *proto), its *len bytes of payload at r, to the reassembler. True when
 * it completes the datagram: r then holds the datagram's payload, *len
 * and *proto are the datagram's. Else false, and *res: a fragment held or
 * given up is no segment (DECODE_NOT_TCP, counted by the reassembler); one
 * whose lengths lie is malformed (RFC 8200 4.5: not a multiple of 8 with
 * more to come, or past room, the largest payload a datagram can have).
 */
static bool
frag_add(struct dctx *x, uint8_t af, uint32_t id, uint32_t off, bool more,
    size_t room, struct rd *r, size_t *len, uint8_t *proto,
    enum decode_result *res)
{
	struct pkt *pkt = x->pkt;
	struct ipfrag_whole w;

	/* IPv4: Linux keeps a fragment with more to come to a multiple of 8
	 * bytes (ip_frag_queue()); IPv6 discards it (RFC 8200 4.5). */
	if (af == 4 && more)
		*len &= ~(size_t)7;
	if ((more && *len % 8 != 0) || off + *len > room ||
	    (af == 6 && off == 0 && !v6_first_whole(*proto, r, *len))) {
		*res = DECODE_MALFORMED;
		return false;
	}
	size_t cap = r->left < *len ? r->left : *len;
	if (cap < *len && !x->wire_extra && !x->reassembled &&
	    !x->cut_unknown) {
		*res = DECODE_TRUNCATED;	/* the length lied: malformed */
		return false;
	}
	if (pkt->quirks & DEC_IP_BAD_CSUM) {
		/* --verify-checksums: dropped before reassembly, as by the
		 * host; counted as a bad checksum (pipeline.c). */
		if (*proto == IPPROTO_TCP_)
			pkt->quirks |= DEC_IP_FRAG_LATER;
		*res = DECODE_NOT_TCP;
		return false;
	}
	struct ipfrag_piece p = {
		.af = af, .src = pkt->src, .dst = pkt->dst, .id = id,
		.proto = *proto, .counted = frag_counted(*proto, off, r, cap),
		.vlan = pkt->vlan, .iface = x->iface, .off = off,
		.len = (uint32_t)*len, .more = more, .data = r->p,
		.cap = (uint32_t)cap, .ts = x->opts->ts,
	};
	if (ipfrag_add(x->opts->frag, &p, &w) != IPFRAG_DONE) {
		*res = DECODE_NOT_TCP;
		return false;
	}
	*r = rd_init(w.data, w.cap);
	*len = w.len;
	*proto = w.proto;
	pkt->quirks |= DEC_IP_REASSEMBLED;
	/* Its bytes the snaplen cut from a fragment: a cut, not a lie. */
	x->reassembled = w.cap < w.len;
	return true;
}

static enum decode_result
decode_ipv4(struct rd *r, struct dctx *x)
{
	struct pkt *pkt = x->pkt;
	struct rd hdr = *r;
	const uint8_t *h = rd_take(r, 20);

	if (!h)
		return DECODE_TRUNCATED;
	if (h[0] >> 4 != 4)
		return DECODE_MALFORMED;
	size_t ihl = (size_t)(h[0] & 0x0f) * 4;
	size_t tot = ld_be16(h + 2);
	uint16_t frag = ld_be16(h + 6);
	uint8_t proto = h[9];
	/* (decode_frame() zeroed the addresses: IPv4 fills 4 bytes; in a
	 * tunnel, an outer IPv6 header's may be there.) */
	pkt->af = 4;
	pkt->ipid = ld_be16(h + 4);
	if (x->depth) {
		memset(pkt->src, 0, sizeof(pkt->src));
		memset(pkt->dst, 0, sizeof(pkt->dst));
	}
	memcpy(pkt->src, h + 12, 4);
	memcpy(pkt->dst, h + 16, 4);
	/* A total length of 0 in the frame's own IP header: a segment
	 * captured on the sending host before its NIC cut it (TCP
	 * segmentation offload): the frame's length is the datagram's, as
	 * Wireshark and Zeek take it. */
	if (tot == 0 && x->depth == 0)
		tot = hdr.left + x->wire_extra;
	if (ihl < 20 || tot < ihl)
		return DECODE_MALFORMED;
	/* The frame may carry link padding past tot (Ethernet minimum
	 * frame): clamp to tot so it never counts as payload. */
	if (hdr.left > tot) {
		pkt->quirks |= DEC_ETH_PADDING;
		rd_clamp(&hdr, tot);
		rd_clamp(r, tot - 20);
	}
	if (r->left < ihl - 20)
		return DECODE_TRUNCATED;
	rd_skip(r, ihl - 20);	/* IP options */
	if (x->opts && x->opts->verify_checksums) {
		struct rd c = rd_init(hdr.p, ihl);
		if (rd_sum16(&c, 0) != 0xffff)
			pkt->quirks |= DEC_IP_BAD_CSUM;
	}
	size_t len = tot - ihl;
	if ((frag & 0x3fff) != 0 && x->opts && x->opts->frag &&
	    frag_wanted(4, proto)) {
		enum decode_result res;
		if (!frag_add(x, 4, ld_be16(h + 4), (uint32_t)(frag & 0x1fff) * 8,
		    (frag & 0x2000) != 0, 65535 - ihl, r, &len, &proto, &res))
			return res;
		frag = 0;	/* whole: the datagram's payload in r */
	}
	/* Authentication headers (RFC 4302) before the payload. */
	for (int i = 0; proto == IP6_AH && (frag & 0x1fff) == 0; i++) {
		if (i >= MAX_IPV6_EXT || len < 8)
			return DECODE_MALFORMED;
		const uint8_t *a = rd_take(r, 2);
		if (!a)
			return DECODE_TRUNCATED;
		size_t alen = ((size_t)a[1] + 2) * 4;
		if (len < alen)
			return DECODE_MALFORMED;
		rd_skip(r, alen - 2);
		if (r->err)
			return DECODE_TRUNCATED;
		proto = a[0];
		len -= alen;
	}
	if ((frag & 0x1fff) != 0) {
		if (proto == IPPROTO_TCP_)
			pkt->quirks |= DEC_IP_FRAG_LATER;
		return DECODE_NOT_TCP;	/* non-first fragment: counted */
	}
	/* (An ICMP error's first fragment holds what it quotes, as a TCP
	 * segment's first fragment holds its header.) */
	if (proto != IPPROTO_TCP_)
		return (frag & 0x2000) && proto != IPPROTO_ICMP_ ?
		    DECODE_NOT_TCP : decode_encap(proto, r, len, x);
	if (frag & 0x2000)
		pkt->quirks |= DEC_IP_FRAG_FIRST;
	return decode_tcp(r, len, pkt->src, pkt->dst, 4, x->opts, pkt);
}

static enum decode_result
decode_ipv6(struct rd *r, struct dctx *x)
{
	struct pkt *pkt = x->pkt;
	const uint8_t *h = rd_take(r, 40);

	if (!h)
		return DECODE_TRUNCATED;
	if (h[0] >> 4 != 6)
		return DECODE_MALFORMED;
	/* h + 1: traffic class, flow label; h + 7: hop limit */
	size_t plen = ld_be16(h + 4);
	uint8_t nxt = h[6];
	pkt->af = 6;
	pkt->ipid = 0;
	memcpy(pkt->src, h + 8, 16);
	memcpy(pkt->dst, h + 24, 16);
	/* A payload length of 0: a jumbogram (RFC 2675), or a segment
	 * captured before the NIC cut it (Linux BIG TCP): the frame's. */
	if (plen == 0 && x->depth == 0 && r->left > 0)
		plen = r->left + x->wire_extra;
	if (plen == 0)
		return DECODE_UNSUPPORTED;
	if (r->left > plen) {
		pkt->quirks |= DEC_ETH_PADDING;
		rd_clamp(r, plen);
	}

	/* Extension header chain (RFC 8200 4), at most MAX_IPV6_EXT. */
	for (int i = 0; nxt != IPPROTO_TCP_; i++) {
		size_t elen;

		if (i >= MAX_IPV6_EXT)
			return DECODE_MALFORMED;
		switch (nxt) {
		case IP6_HBH:
		case IP6_ROUTING:
		case IP6_DSTOPTS:
		case IP6_MOBILITY:
		case IP6_FRAGMENT:
		case IP6_AH:
			break;
		case IPPROTO_IPIP_:
		case IPPROTO_IPV6_:
		case IPPROTO_GRE_:
		case IPPROTO_UDP_:
		case IPPROTO_ICMPV6_:
			/* (Not the first piece of a fragmented tunnel.) */
			return (pkt->quirks & DEC_IP_FRAG_FIRST) ?
			    DECODE_NOT_TCP : decode_encap(nxt, r, plen, x);
		case IP6_NONE:
		default:
			return DECODE_NOT_TCP;
		}
		if (plen < 8)
			return DECODE_MALFORMED;
		if (r->left < 8)
			return DECODE_TRUNCATED;
		struct rd e = *r;
		uint8_t enxt = rd_u8(&e);
		uint8_t hlen = rd_u8(&e);
		elen = ipv6_ext_len(nxt, hlen);
		if (nxt == IP6_FRAGMENT) {
			uint16_t off = rd_be16(&e);
			uint32_t id = rd_be32(&e);
			/* (Only the first fragment's next header says what
			 * the datagram holds: RFC 8200 4.5.) */
			if ((off >> 3 != 0 || ((off & 1) &&
			    frag_wanted(6, enxt))) && x->opts &&
			    x->opts->frag) {
				enum decode_result res;
				rd_skip(r, 8);
				plen -= 8;
				if (!frag_add(x, 6, id, (uint32_t)(off >> 3) * 8,
				    off & 1, 65535, r, &plen, &enxt, &res))
					return res;
				nxt = enxt;	/* whole: its payload in r */
				continue;
			}
			if (off >> 3 != 0) {
				/* non-first fragment: counted; TCP only if
				 * the fragment header says it is next */
				if (enxt == IPPROTO_TCP_)
					pkt->quirks |= DEC_IP_FRAG_LATER;
				return DECODE_NOT_TCP;
			}
			if (off & 1)
				pkt->quirks |= DEC_IP_FRAG_FIRST;
		}
		if (plen < elen)
			return DECODE_MALFORMED;
		if (r->left < elen)
			return DECODE_TRUNCATED;
		rd_skip(r, elen);
		plen -= elen;
		nxt = enxt;
	}
	return decode_tcp(r, plen, pkt->src, pkt->dst, 6, x->opts, pkt);
}

static enum decode_result
decode_by_version(struct rd *r, struct dctx *x)
{
	if (r->left < 1)
		return DECODE_TRUNCATED;
	switch (r->p[0] >> 4) {
	case 4:
		return decode_ipv4(r, x);
	case 6:
		return decode_ipv6(r, x);
	default:
		return DECODE_NOT_TCP;
	}
}

/* From an EtherType on (Ethernet, Linux cooked captures, GRE): up to
 * MAX_VLAN_TAGS 802.1Q/802.1ad tags first, as libpcap puts them back into
 * a cooked capture's frames (-i any). */
static enum decode_result
decode_ethertype(uint16_t et, struct rd *r, struct dctx *x)
{
	for (int i = 0; et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ ||
	    et == ETHERTYPE_QINQ_OLD || et == ETHERTYPE_QINQ_OLD2; i++) {
		if (i >= MAX_VLAN_TAGS)
			return DECODE_MALFORMED;
		const uint8_t *t = rd_take(r, 4);
		if (!t)
			return DECODE_TRUNCATED;
		if (!x->tagged) {
			x->pkt->vlan = ld_be16(t) & 0x0fff;
			x->tagged = true;
		}
		et = ld_be16(t + 2);
	}
	switch (et) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(r, x);
	case ETHERTYPE_IPV6:
		return decode_ipv6(r, x);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		/* Pop labels to the bottom of stack, then guess the
		 * payload from the IP version nibble (RFC 3032). */
		for (int i = 0; i < MAX_MPLS_LABELS; i++) {
			uint32_t lse = rd_be32(r);
			if (r->err)
				return DECODE_TRUNCATED;
			if (lse & 0x100)
				return decode_by_version(r, x);
		}
		return DECODE_MALFORMED;
	case ETHERTYPE_PPPOE:
		return decode_pppoe(r, x);
	default:
		return DECODE_NOT_TCP;
	}
}

/* Ethernet II, or IEEE 802.3 with an LLC/SNAP header carrying an
 * EtherType (RFC 1042). */
/* ---- links other than Ethernet ------------------------------------------ */

/* PPP's protocol field (RFC 1661 2; 1 byte when compressed, RFC 1661
 * 6.5: the first byte odd), then its datagram. */
static enum decode_result
decode_ppp_proto(struct rd *r, struct dctx *x)
{
	uint16_t pp = rd_u8(r);

	if (!(pp & 1))
		pp = (uint16_t)(pp << 8 | rd_u8(r));
	if (r->err)
		return DECODE_TRUNCATED;
	switch (pp) {
	case PPP_IPV4:
		return decode_ipv4(r, x);
	case PPP_IPV6:
		return decode_ipv6(r, x);
	default:
		return DECODE_NOT_TCP;	/* LCP, IPCP, VJ-compressed TCP... */
	}
}

/* A PPPoE session (RFC 2516 4): version and type 1, code 0, the session,
 * its length; then PPP's protocol. */
static enum decode_result
decode_pppoe(struct rd *r, struct dctx *x)
{
	const uint8_t *p = rd_take(r, 6);

	if (!p)
		return DECODE_TRUNCATED;
	size_t plen = ld_be16(p + 4);
	if (p[0] != 0x11 || p[1] != 0 || plen < 2)
		return DECODE_NOT_TCP;
	rd_clamp(r, plen);
	return decode_ppp_proto(r, x);
}

/* Cisco HDLC: address, control, then an EtherType. */
static enum decode_result
decode_chdlc(struct rd *r, struct dctx *x)
{
	const uint8_t *h = rd_take(r, 4);

	return h ? decode_ethertype(ld_be16(h + 2), r, x) : DECODE_TRUNCATED;
}

/* PPP in a capture (LINKTYPE_PPP, LINKTYPE_PPP_HDLC): RFC 1662's address
 * and control (0xff 0x03) when there, or (PPP_HDLC, first byte 0x0f or
 * 0x8f) Cisco's HDLC framing. */
static enum decode_result
decode_ppp(struct rd *r, struct dctx *x)
{
	if (r->left >= 2 && r->p[0] == 0xff && r->p[1] == 0x03)
		rd_skip(r, 2);
	else if (r->left >= 1 && (r->p[0] == 0x0f || r->p[0] == 0x8f))
		return decode_chdlc(r, x);
	return decode_ppp_proto(r, x);
}

/* LLC with SNAP (RFC 1042: 0xaa 0xaa 0x03, OUI 0 or 802.1H's 0x0000f8),
 * then an EtherType: 802.11's data and ATM's RFC 1483. */
static enum decode_result
decode_llc_snap(struct rd *r, struct dctx *x)
{
	const uint8_t *l = rd_take(r, 8);

	if (!l)
		return DECODE_TRUNCATED;
	if (l[0] != 0xaa || l[1] != 0xaa || l[2] != 0x03 || l[3] != 0 ||
	    l[4] != 0 || (l[5] != 0 && l[5] != 0xf8))
		return DECODE_NOT_TCP;
	return decode_ethertype(ld_be16(l + 6), r, x);
}

/* An 802.11 frame (IEEE 802.11-2020 9.2): data frames with a body, not
 * protected (a capture of an encrypted network shows nothing of TCP),
 * not an A-MSDU; then LLC/SNAP. The frame check sequence at the end, if
 * captured, lies past the IP length. */
static enum decode_result
decode_80211(struct rd *r, struct dctx *x, bool datapad)
{
	const uint8_t *h = rd_take(r, 24);
	size_t hlen = 24;

	if (!h)
		return DECODE_TRUNCATED;
	unsigned type = (h[0] >> 2) & 3, sub = h[0] >> 4;
	bool qos = sub & 8, order = h[1] & 0x80;
	if (type != 2 || (sub & 4) || (h[1] & 0x40))
		return DECODE_NOT_TCP;	/* not data, no body, protected */
	if ((h[1] & 3) == 3) {
		rd_skip(r, 6);		/* a fourth address (WDS, mesh) */
		hlen += 6;
	}
	if (qos) {
		const uint8_t *q = rd_take(r, 2);
		if (!q)
			return DECODE_TRUNCATED;
		if (q[0] & 0x80)
			return DECODE_NOT_TCP;	/* A-MSDU */
		hlen += 2;
		if (order) {
			rd_skip(r, 4);	/* HT control */
			hlen += 4;
		}
	}
	/* Radiotap's data pad flag: the body starts on 4 bytes (some
	 * drivers pad the header, a QoS one's 26 to 28). */
	if (datapad)
		rd_skip(r, (4 - hlen % 4) % 4);
	if (r->err)
		return DECODE_TRUNCATED;
	return decode_llc_snap(r, x);
}

/* Radiotap (radiotap.org): its length, a frame whose FCS the card found
 * bad (flags 0x40), which is noise, not a segment, and the data pad flag
 * (0x20). */
static enum decode_result
decode_radiotap(struct rd *r, struct dctx *x)
{
	if (r->left < 8)
		return DECODE_TRUNCATED;
	size_t len = ld_le16(r->p + 2), off = 4;
	if (r->p[0] != 0 || len < 8)
		return DECODE_MALFORMED;
	if (r->left < len)
		return DECODE_TRUNCATED;
	struct rd h = rd_init(r->p, len);
	uint32_t present = ld_le32(h.p + 4), w = present;
	while (w & 0x80000000u) {	/* more present words */
		off += 4;
		if (off + 4 > len)
			return DECODE_MALFORMED;
		w = ld_le32(h.p + off);
	}
	off += 4;
	if (present & 1)	/* TSFT: 8 bytes, aligned to 8 */
		off = ((off + 7) & ~(size_t)7) + 8;
	uint8_t flags = (present & 2) && off < len ? h.p[off] : 0;
	if (flags & 0x40)
		return DECODE_NOT_TCP;	/* bad FCS */
	rd_skip(r, len);
	return decode_80211(r, x, flags & 0x20);
}

/* NFLOG (Linux's nfnetlink_log, LINKTYPE_NFLOG): family, version, group,
 * then TLVs in the capturing host's byte order, each padded to 4 bytes;
 * the packet is the NFULA_PAYLOAD one (type 9). libpcap gives the TLVs in
 * this host's order; a file read here untouched may have the other. */
static enum decode_result
decode_nflog(struct rd *r, struct dctx *x)
{
	const uint8_t *h = rd_take(r, 4);

	if (!h)
		return DECODE_TRUNCATED;
	bool whole = false;	/* TLVs to the end, none the payload */
	for (int swapped = 0; swapped < 2; swapped++) {
		struct rd t = *r;
		while (t.left >= 4) {
			uint16_t len, type;
			memcpy(&len, t.p, 2);
			memcpy(&type, t.p + 2, 2);
			if (swapped) {
				len = __builtin_bswap16(len);
				type = __builtin_bswap16(type);
			}
			/* The payload may be cut by the snaplen: its TLV
			 * says more than was captured. (In the other byte
			 * order a type is a multiple of 256, never 9.) */
			bool payload = (type & 0x7fff) == 9;
			if (len < 4 || (len > t.left && !payload))
				break;	/* the other byte order, or a lie */
			if (payload) {
				struct rd pl;
				rd_skip(&t, 4);
				rd_sub(&t, (size_t)len - 4 < t.left ? (size_t)len - 4 :
				    t.left, &pl);
				/* The logger's size limit (nft's log
				 * snaplen, --nflog-size) cuts it too, its
				 * length then the cut one. */
				x->cut_unknown = true;
				return h[0] == 10 ? decode_ipv6(&pl, x) :
				    h[0] == 2 ? decode_ipv4(&pl, x) :
				    decode_by_version(&pl, x);
			}
			size_t pad = (size_t)(len + 3) & ~(size_t)3;
			rd_skip(&t, pad < t.left ? pad : t.left);
		}
		if (t.left == 0)
			whole = true;
	}
	/* No payload logged: not TCP. Else the record ends within a TLV:
	 * cut (truncated_segment), or, not cut, its lengths lie. */
	return whole ? DECODE_NOT_TCP : DECODE_TRUNCATED;
}


static enum decode_result
decode_ether(struct rd *r, struct dctx *x)
{
	const uint8_t *h = rd_take(r, 14);	/* MACs, EtherType */

	if (!h)
		return DECODE_TRUNCATED;
	uint16_t et = ld_be16(h + 12);
	if (et < 0x0600) {	/* 802.3 length field */
		static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
		rd_clamp(r, et);
		const uint8_t *l = rd_take(r, 8);
		if (!l || memcmp(l, snap, 6) != 0)
			return DECODE_NOT_TCP;	/* other LLC */
		et = ld_be16(l + 6);
	}
	return decode_ethertype(et, r, x);
}

/* ---- the usual Ethernet frame's out-of-line ways (decode.h) ---------- */

enum decode_result
decode_options_walk_pkt(struct pkt *pkt, const uint8_t *p, size_t len,
    enum decode_result res)
{
	pkt->quirks |= tcp_options_walk(rd_init(p, len), &pkt->tcp.opt);
	return res;
}

bool
decode_cooked_iface(int dlt, const uint8_t *data, size_t caplen,
    uint64_t *iface)
{
	switch (dlt) {
	case DLT_LINUX_SLL:	/* the packet type first */
		if (caplen < 2)
			return false;
		*iface = ld_be16(data);
		return true;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:	/* the interface index at 4, packet type 10 */
		if (caplen < 11)
			return false;
		*iface = (uint64_t)ld_be32(data + 4) << 8 | data[10];
		return true;
#endif
	default:
		return false;
	}
}

/* The frame from its link layer (dlt) on; PPI and PKTAP name the link of
 * what they carry, decoded here again (once: not PPI or PKTAP again). */
static enum decode_result
decode_link(int dlt, struct rd *r, struct dctx *x)
{
	enum decode_result res;

	switch (dlt) {
	case DLT_EN10MB:
		res = decode_ether(r, x);
		break;
	case DLT_LINUX_SLL: {	/* 16-byte cooked header, protocol last */
		decode_cooked_iface(dlt, r->p, r->left, &x->iface);
		rd_skip(r, 14);
		uint16_t proto = rd_be16(r);
		if (r->err) {
			res = DECODE_TRUNCATED;	/* judged below */
			break;
		}
		res = decode_ethertype(proto, r, x);
		break;
	}
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: {	/* 20-byte cooked header, protocol first */
		decode_cooked_iface(dlt, r->p, r->left, &x->iface);
		uint16_t proto = rd_be16(r);
		rd_skip(r, 18);
		if (r->err) {
			res = DECODE_TRUNCATED;	/* judged below */
			break;
		}
		res = decode_ethertype(proto, r, x);
		break;
	}
#endif
	case DLT_RAW:
		res = decode_by_version(r, x);
		break;
	case DLT_IPV4:
		res = decode_ipv4(r, x);
		break;
	case DLT_IPV6:
		res = decode_ipv6(r, x);
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		uint32_t af = dlt == DLT_LOOP ? rd_be32(r) : rd_he32(r);
		if (r->err) {
			res = DECODE_TRUNCATED;	/* judged below */
			break;
		}
		/* A capture read on another host may have the other
		 * byte order: accept both. */
		if (af > 0xffff)
			af = __builtin_bswap32(af);
		if (af == BSD_AF_INET)
			res = decode_ipv4(r, x);
		else if (af == BSD_AF_INET6_BSD || af == BSD_AF_INET6_FREEBSD ||
		    af == BSD_AF_INET6_DARWIN)
			res = decode_ipv6(r, x);
		else
			res = DECODE_NOT_TCP;
		break;
	}
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		res = decode_ppp(r, x);
		break;
	case DLT_PPP_ETHER:
		res = decode_pppoe(r, x);
		break;
	case DLT_C_HDLC:
		res = decode_chdlc(r, x);
		break;
	case DLT_IPOIB: {
		/* RFC 4391 6's header: an EtherType, 2 reserved bytes; or,
		 * as Linux captures it (tcpdump's reading), 40 bytes of
		 * hardware addresses before them. The short form when its
		 * EtherType and the IP version after it agree. */
		size_t skip = 4;
		if (r->left >= 5 && !((ld_be16(r->p) == ETHERTYPE_IPV4 &&
		    r->p[4] >> 4 == 4) || (ld_be16(r->p) == ETHERTYPE_IPV6 &&
		    r->p[4] >> 4 == 6)))
			skip = 44;
		if (r->left < skip) {
			res = DECODE_TRUNCATED;
			break;
		}
		uint16_t et = ld_be16(r->p + skip - 4);
		rd_skip(r, skip);
		res = decode_ethertype(et, r, x);
		break;
	}
	case DLT_ATM_RFC1483:
		res = decode_llc_snap(r, x);
		break;
	case DLT_IEEE802_11:
		res = decode_80211(r, x, false);
		break;
	case DLT_IEEE802_11_RADIO:
		res = decode_radiotap(r, x);
		break;
	case DLT_IEEE802_11_RADIO_AVS:
	case DLT_PRISM_HEADER: {
		/* AVS: magic 0x8021100x and the header's length (both big
		 * endian); Prism: a message code and length (host order,
		 * 144 bytes). */
		if (r->left < 8) {
			res = DECODE_TRUNCATED;
			break;
		}
		uint32_t magic = ld_be32(r->p), len = ld_be32(r->p + 4);
		if ((magic & 0xfffff000u) != 0x80211000u) {
			if (dlt != DLT_PRISM_HEADER) {
				res = DECODE_MALFORMED;
				break;
			}
			memcpy(&len, r->p + 4, 4);
			if (len > 0xffff)
				len = __builtin_bswap32(len);
		}
		if (len < 8) {
			res = DECODE_MALFORMED;
			break;
		}
		rd_skip(r, len);
		res = r->err ? DECODE_TRUNCATED : decode_80211(r, x, false);
		break;
	}
	case DLT_PPI:		/* version, flags, length, the link (LE) */
	case DLT_PKTAP: {	/* Apple's struct pktap_header: its length,
				   the type of what follows (1: a packet),
				   the packet's link (LE) */
		bool ppi = dlt == DLT_PPI;
		if (r->left < (ppi ? 8u : 12u)) {
			res = DECODE_TRUNCATED;
			break;
		}
		size_t len = ppi ? ld_le16(r->p + 2) : ld_le32(r->p);
		int inner = (int)ld_le32(r->p + (ppi ? 4 : 8));
		if (len < (ppi ? 8u : 12u)) {
			res = DECODE_MALFORMED;
			break;
		}
		if ((!ppi && ld_le32(r->p + 4) != 1) || inner == DLT_PPI ||
		    inner == DLT_PKTAP || !decode_dlt_is_supported(inner)) {
			res = DECODE_NOT_TCP;
			break;
		}
		rd_skip(r, len);
		res = r->err ? DECODE_TRUNCATED : decode_link(inner, r, x);
		break;
	}
	case DLT_PFLOG: {	/* OpenBSD/FreeBSD pf: its length, family */
		if (r->left < 2) {
			res = DECODE_TRUNCATED;
			break;
		}
		size_t len = ((size_t)r->p[0] + 3) & ~(size_t)3;
		uint8_t af = r->p[1];
		if (len < 4) {
			res = DECODE_MALFORMED;
			break;
		}
		rd_skip(r, len);
		res = r->err ? DECODE_TRUNCATED : af == BSD_AF_INET ?
		    decode_ipv4(r, x) : decode_by_version(r, x);
		break;
	}
	case DLT_ENC:		/* OpenBSD IPsec: family, SPI, flags */
		rd_skip(r, 12);
		res = r->err ? DECODE_TRUNCATED : decode_by_version(r, x);
		break;
	case DLT_NFLOG:
		res = decode_nflog(r, x);
		break;
	case DLT_NETANALYZER:	/* Hilscher: 4 bytes, then Ethernet */
	case DLT_NETANALYZER_TRANSPARENT:	/* ...and preamble, SFD */
		rd_skip(r, dlt == DLT_NETANALYZER ? 4 : 12);
		res = r->err ? DECODE_TRUNCATED : decode_ether(r, x);
		break;
	default:
		return DECODE_UNSUPPORTED;
	}
	return res;
}


enum decode_result
decode_frame_whole(int dlt, const uint8_t *data, size_t caplen,
    size_t wirelen, const struct decode_opts *opts, struct pkt *pkt)
{
	struct rd r = rd_init(data, caplen);
	enum decode_result res;

	memset(pkt, 0, offsetof(struct pkt, tcp));
	memset(&pkt->tcp, 0, sizeof(pkt->tcp));
	struct dctx x = { .opts = opts, .pkt = pkt,
	    .wire_extra = wirelen > caplen ? wirelen - caplen : 0 };
	res = decode_link(dlt, &r, &x);
	if (res == DECODE_UNSUPPORTED && !decode_dlt_is_supported(dlt))
		return res;
	/* A header cut where the wire had it is truncation; where the wire
	 * did not have it either, the lengths lied (malformed). */
	if (res == DECODE_TRUNCATED && caplen >= wirelen && !x.reassembled &&
	    !x.cut_unknown)
		res = DECODE_MALFORMED;
	/* The same for payload the IP length promises: cut by a snaplen it
	 * is counted; missing from the wire too, the length lied. */
	if (res == DECODE_OK &&
	    (pkt->quirks & (DEC_TCP_PAYLOAD_CUT | DEC_TCP_HDR_CUT)) &&
	    caplen >= wirelen && !x.reassembled && !x.cut_unknown)
		res = DECODE_MALFORMED;
	return res;
}

enum decode_result
decode_whole_no_payload(const uint8_t *data, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, int64_t ts, struct pkt *pkt)
{
	struct decode_opts o = *opts;

	o.ts = ts;
	enum decode_result r = decode_frame_whole(DLT_EN10MB, data, caplen,
	    wirelen, &o, pkt);

	pkt->tcp.payload = NULL;
	return r;
}

enum decode_result
decode_frame(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, struct pkt *pkt)
{
	if (dlt == DLT_EN10MB && data && !decode_fast_off &&
	    !(opts && opts->verify_checksums))
		return decode_fast(data, caplen, wirelen, opts, 0, pkt, true);
	return decode_frame_whole(dlt, data, caplen, wirelen, opts, pkt);
}
