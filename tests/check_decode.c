/* check_decode.c - decode_frame() and friends against the wire formats.
 *
 * Frames come from the test forge (tests/forge.c: every length and
 * checksum filled in, lies only on request) or are assembled by hand
 * below.  Expected values are what the scenario line asked for and what
 * the RFC layouts imply, worked out by hand in the comments: link header
 * sizes (Ethernet 14, +4 per 802.1Q/802.1ad tag, Linux cooked v1 16, v2
 * 20, BSD loopback 4), IPv4 20 + options (RFC 791), IPv6 40 + 8 per
 * extension header (RFC 8200), TCP 20 + options padded to 4 (RFC 9293).
 *
 * Every decode runs on a malloc'd copy of exactly caplen bytes, so an
 * ASan build (--enable-sanitizers) reports any read past the capture.
 */
#include <arpa/inet.h>
#include <check.h>
#include <glib.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "forge.h"

#define FRAME_MAX 2048

/* Endpoints from the documentation ranges (RFC 5737, RFC 3849). */
#define C4 "client 192.0.2.1:40000\nserver 198.51.100.2:80\n"
#define C6 "client [2001:db8::1]:40000\nserver [2001:db8::2]:443\n"
#define HDR4(link) "link " link "\n" C4
#define HDR6(link) "link " link "\n" C6

#define CSUM_BITS (DEC_IP_BAD_CSUM | DEC_TCP_BAD_CSUM | DEC_TCP_CSUM_UNKNOWN)

static const struct decode_opts verify = { .verify_checksums = true };

/* ---- helpers ------------------------------------------------------------ */

/* Forge one frame; fails the test on a scenario error. */
static size_t
forge(const char *hdr, const char *line, uint8_t *buf, int *dlt)
{
	GError *err = NULL;
	size_t n = forge_frame(hdr, line, buf, FRAME_MAX, dlt, &err);

	ck_assert_msg(n > 0, "forge: %s", err ? err->message : "?");
	return n;
}

/*
 * Decode the first caplen bytes of frame from a copy of exactly caplen
 * bytes.  *payoff (if given) gets the payload's offset in the frame, or
 * -1 when there is no payload pointer; pkt->tcp.payload is cleared, as
 * the copy is gone when this returns.
 */
static enum decode_result
dec(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
    const struct decode_opts *opts, struct pkt *pkt, long *payoff)
{
	uint8_t *copy = malloc(caplen);	/* malloc(0): ASan flags any read */
	enum decode_result res;

	ck_assert(caplen == 0 || copy != NULL);
	if (caplen)
		memcpy(copy, frame, caplen);
	memset(pkt, 0xa5, sizeof(*pkt));	/* no stale fields pass */
	res = decode_frame(dlt, copy, caplen, wirelen, opts, pkt);
	if (res == DECODE_OK && pkt->tcp.payload) {
		ck_assert(pkt->tcp.payload >= copy &&
		    pkt->tcp.payload + pkt->tcp.paycap <= copy + caplen);
		if (payoff)
			*payoff = (long)(pkt->tcp.payload - copy);
	} else if (payoff) {
		*payoff = -1;
	}
	pkt->tcp.payload = NULL;
	free(copy);
	return res;
}

static void
addr(uint8_t af, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	ck_assert_int_eq(inet_pton(af == 6 ? AF_INET6 : AF_INET, s, out), 1);
}

static void
assert_addr(uint8_t af, const uint8_t got[16], const char *want)
{
	uint8_t w[16];

	addr(af, want, w);
	ck_assert_msg(memcmp(got, w, 16) == 0, "address is not %s", want);
}

#define ck_assert_res(got, want) do {					\
	enum decode_result r_ = (got);					\
	ck_assert_msg(r_ == (want), "decode gave %s, expected %s",	\
	    decode_result_name(r_), decode_result_name(want));		\
} while (0)

/* ---- every link type ---------------------------------------------------- */

struct link_case {
	const char *name;
	const char *hdr, *line;
	int dlt;
	size_t l2;		/* link header bytes, by hand */
	uint8_t af;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, vlan;
	uint8_t hlen;		/* TCP header: 20 + options padded */
	uint32_t paylen;
};

/* A SYN from the client with MSS (20 + 4 = 24-byte TCP header). */
#define SYN_LINE "0 > S 3000000000 0 win=64240 mss=1460"
/* The server's SYN-ACK with MSS. */
#define SYNACK_LINE "0 < SA 7 3000000001 win=65160 mss=1440"
/* Data from the client: PSH|ACK, 11 bytes. */
#define DATA_LINE "0 > PA 3000000001 8 win=502 len=11"
/* FIN|ACK at the top of sequence space, zero window. */
#define FIN_LINE "0 < FA 4294967295 123456789 win=0"
/* SYN with ECE|CWR (RFC 3168 6.1.1 ECN-setup SYN). */
#define ECN_LINE "0 > SEC 1 0 win=1024"

#define V4C "192.0.2.1"
#define V4S "198.51.100.2"
#define V6C "2001:db8::1"
#define V6S "2001:db8::2"

#define SYN4(n, h, d, l2, vl) { n, h, SYN_LINE, d, l2, 4, V4C, V4S, 40000, \
	80, 3000000000u, 0, TH_SYN, 64240, vl, 24, 0 }
#define SYNACK6(n, h, d, l2, vl) { n, h, SYNACK_LINE, d, l2, 6, V6S, V6C, \
	443, 40000, 7, 3000000001u, TH_SYN | TH_ACK, 65160, vl, 24, 0 }
#define DATA4(n, h, d, l2, vl) { n, h, DATA_LINE, d, l2, 4, V4C, V4S, \
	40000, 80, 3000000001u, 8, TH_PSH | TH_ACK, 502, vl, 20, 11 }
#define FIN6(n, h, d, l2, vl) { n, h, FIN_LINE, d, l2, 6, V6S, V6C, 443, \
	40000, 4294967295u, 123456789, TH_FIN | TH_ACK, 0, vl, 20, 0 }

static const struct link_case link_cases[] = {
	SYN4("en10mb v4", HDR4("en10mb"), DLT_EN10MB, 14, 0),
	SYNACK6("en10mb v6", HDR6("en10mb"), DLT_EN10MB, 14, 0),
	DATA4("802.1Q v4", HDR4("en10mb") "vlan 100\n", DLT_EN10MB, 18, 100),
	FIN6("802.1Q v6", HDR6("en10mb") "vlan 4094\n", DLT_EN10MB, 18,
	    4094),
	/* QinQ: 802.1ad outer tag 10, 802.1Q inner 20; the outer one is
	 * the service VLAN reported. */
	SYN4("QinQ v4", HDR4("en10mb") "vlan 10,20\n", DLT_EN10MB, 22, 10),
	SYNACK6("QinQ v6", HDR6("en10mb") "vlan 10,20\n", DLT_EN10MB, 22, 10),
	DATA4("sll v4", HDR4("sll"), DLT_LINUX_SLL, 16, 0),
	SYNACK6("sll v6", HDR6("sll"), DLT_LINUX_SLL, 16, 0),
	SYN4("sll2 v4", HDR4("sll2"), DLT_LINUX_SLL2, 20, 0),
	FIN6("sll2 v6", HDR6("sll2"), DLT_LINUX_SLL2, 20, 0),
	DATA4("raw v4", HDR4("raw"), DLT_RAW, 0, 0),
	SYNACK6("raw v6", HDR6("raw"), DLT_RAW, 0, 0),
	SYN4("ipv4", HDR4("ipv4"), DLT_IPV4, 0, 0),
	FIN6("ipv6", HDR6("ipv6"), DLT_IPV6, 0, 0),
	DATA4("null v4", HDR4("null"), DLT_NULL, 4, 0),
	SYNACK6("null v6", HDR6("null"), DLT_NULL, 4, 0),
	SYN4("loop v4", HDR4("loop"), DLT_LOOP, 4, 0),
	FIN6("loop v6", HDR6("loop"), DLT_LOOP, 4, 0),
	{ "raw v4 ECN SYN", HDR4("raw"), ECN_LINE, DLT_RAW, 0, 4, V4C, V4S,
	  40000, 80, 1, 0, TH_SYN | TH_ECE | TH_CWR, 1024, 0, 20, 0 },
};

static void
check_link_case(const struct link_case *c, const uint8_t *f, size_t n,
    int dlt)
{
	struct pkt pkt;
	long payoff;
	size_t iph = c->af == 4 ? 20 : 40;

	/* The forge built the layout the formats prescribe. */
	ck_assert_int_eq(dlt, c->dlt);
	ck_assert_uint_eq(n, c->l2 + iph + c->hlen + c->paylen);
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, &payoff), DECODE_OK);
	ck_assert_uint_eq(pkt.af, c->af);
	assert_addr(c->af, pkt.src, c->src);
	assert_addr(c->af, pkt.dst, c->dst);
	ck_assert_uint_eq(pkt.vlan, c->vlan);
	ck_assert_uint_eq(pkt.tcp.sport, c->sport);
	ck_assert_uint_eq(pkt.tcp.dport, c->dport);
	ck_assert_uint_eq(pkt.tcp.seq, c->seq);
	ck_assert_uint_eq(pkt.tcp.ack, c->ack);
	ck_assert_uint_eq(pkt.tcp.flags, c->flags);
	ck_assert_uint_eq(pkt.tcp.win, c->win);
	ck_assert_uint_eq(pkt.tcp.hlen, c->hlen);
	ck_assert_uint_eq(pkt.tcp.paylen, c->paylen);
	ck_assert_uint_eq(pkt.tcp.paycap, c->paylen);
	ck_assert_int_eq(payoff, c->paylen ? (long)(n - c->paylen) : -1);
	ck_assert_int_eq(pkt.tcp.opt.has_mss, c->hlen == 24);
	ck_assert_uint_eq(pkt.quirks, 0);
	/* Correct checksums (the forge's default) verify clean. */
	ck_assert_res(dec(dlt, f, n, n, &verify, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, 0);
}

START_TEST(test_link)
{
	const struct link_case *c = &link_cases[_i];
	uint8_t f[FRAME_MAX];
	int dlt = -1;
	size_t n = forge(c->hdr, c->line, f, &dlt);

	check_link_case(c, f, n, dlt);
	ck_assert(decode_dlt_is_supported(dlt));
}
END_TEST

/* DLT_NULL holds the writer's host-order AF_ value: a capture from a host
 * of the other byte order has it swapped, and BSDs use 24, 28 or 30 for
 * AF_INET6 (NetBSD/OpenBSD, FreeBSD, Darwin). */
START_TEST(test_null_af)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("null"), SYN_LINE, f, &dlt);

	/* AF_INET = 2 in the other byte order. */
	uint8_t t = f[0];
	f[0] = f[3], f[3] = t;
	t = f[1], f[1] = f[2], f[2] = t;
	ck_assert_res(dec(DLT_NULL, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 4);
	ck_assert_uint_eq(pkt.tcp.seq, 3000000000u);

	static const uint32_t af6[] = { 24, 28, 30 };
	n = forge(HDR6("null"), SYNACK_LINE, f, &dlt);
	for (size_t i = 0; i < G_N_ELEMENTS(af6); i++) {
		for (int swap = 0; swap < 2; swap++) {
			uint32_t v = swap ? GUINT32_SWAP_LE_BE(af6[i]) : af6[i];
			memcpy(f, &v, 4);
			ck_assert_res(dec(DLT_NULL, f, n, n, NULL, &pkt, NULL),
			    DECODE_OK);
			ck_assert_uint_eq(pkt.af, 6);
			ck_assert_uint_eq(pkt.tcp.sport, 443);
		}
	}
	/* DLT_LOOP is always network order: AF_INET6 = 28 as 00 00 00 1c. */
	n = forge(HDR6("loop"), SYNACK_LINE, f, &dlt);
	f[3] = 28;
	ck_assert_res(dec(DLT_LOOP, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 6);
	/* An unknown family (AF_APPLETALK-ish 16) is not TCP/IP. */
	f[3] = 16;
	ck_assert_res(dec(DLT_LOOP, f, n, n, NULL, &pkt, NULL), DECODE_NOT_TCP);
}
END_TEST

/* 802.1Q TCI = PCP(3) DEI(1) VID(12): priority bits are not the VLAN. */
START_TEST(test_vlan_tci)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("en10mb") "vlan 100\n", SYN_LINE, f, &dlt);

	ck_assert_uint_eq(f[12], 0x81);	/* TPID 0x8100 at offset 12 */
	ck_assert_uint_eq(f[13], 0x00);
	f[14] |= 0xf0;			/* PCP 7, DEI 1 */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.vlan, 100);
}
END_TEST

/* Four stacked tags (QinQ and then some) still decode. */
START_TEST(test_vlan_stack)
{
	uint8_t f[FRAME_MAX], g[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("en10mb"), DATA_LINE, f, &dlt), m = 12;

	memcpy(g, f, 12);
	for (int i = 0; i < 4; i++) {
		static const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x00 };
		memcpy(g + m, tag, 4);
		g[m + 3] = (uint8_t)(i + 1);	/* VIDs 1, 2, 3, 4 */
		m += 4;
	}
	memcpy(g + m, f + 12, n - 12);
	m += n - 12;
	ck_assert_res(dec(dlt, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.vlan, 1);
	ck_assert_uint_eq(pkt.tcp.paylen, 11);
}
END_TEST

/* MPLS (RFC 3032): label stack entries until the S bit, then IP by the
 * version nibble.  LSE = label(20) TC(3) S(1) TTL(8). */
START_TEST(test_mpls)
{
	uint8_t f[FRAME_MAX], g[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR6("en10mb"), SYNACK_LINE, f, &dlt);

	/* Two labels: 16 (not bottom) and 17 (bottom, S=1), TTL 64:
	 * 16 << 12 = 0x10000 -> 00 01 00 40; 17 << 12 | 0x100 | 64 =
	 * 0x11140 -> 00 01 11 40. */
	static const uint8_t lse[8] = { 0x00, 0x01, 0x00, 0x40,
					0x00, 0x01, 0x11, 0x40 };
	memcpy(g, f, 12);
	g[12] = 0x88, g[13] = 0x47;
	memcpy(g + 14, lse, 8);
	memcpy(g + 22, f + 14, n - 14);
	ck_assert_res(dec(dlt, g, n + 8, n + 8, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 6);
	ck_assert_uint_eq(pkt.tcp.ack, 3000000001u);
	/* Cut inside the label stack: truncated. */
	ck_assert_res(dec(dlt, g, 20, n + 8, NULL, &pkt, NULL),
	    DECODE_TRUNCATED);
}
END_TEST

/* Other ethertypes are not TCP: ARP, and an 802.3 length field. */
START_TEST(test_ethertype_other)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("en10mb"), SYN_LINE, f, &dlt);

	f[12] = 0x08, f[13] = 0x06;	/* ARP */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_NOT_TCP);
	f[12] = 0x00, f[13] = 0x2c;	/* 802.3 length 44 */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_NOT_TCP);
	n = forge(HDR4("sll"), SYN_LINE, f, &dlt);
	f[14] = 0x86, f[15] = 0xdd;	/* says IPv6, carries IPv4 */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_MALFORMED);
}
END_TEST

/* ---- tunnels ----------------------------------------------------------- */

/* Outer headers put before an inner IP packet or Ethernet frame, by hand,
 * at o: each returns the bytes written. Lengths are the layout's: IPv4 20
 * (RFC 791), IPv6 40 (RFC 8200), GRE 4 + 4 per C/K/S bit (RFC 2784, 2890),
 * UDP 8 (RFC 768), VXLAN 8 (RFC 7348), Geneve 8 + options (RFC 8926),
 * PPPoE 6 + PPP's 2 (RFC 2516, 1661), LLC/SNAP 8 (RFC 1042). */
static size_t
put_eth(uint8_t *o, uint16_t et)
{
	memset(o, 0x02, 12);
	o[12] = (uint8_t)(et >> 8), o[13] = (uint8_t)et;
	return 14;
}

static size_t
put_ip4(uint8_t *o, uint8_t proto, size_t payload)
{
	memset(o, 0, 20);
	o[0] = 0x45;
	o[2] = (uint8_t)((20 + payload) >> 8), o[3] = (uint8_t)(20 + payload);
	o[8] = 64, o[9] = proto;
	o[12] = 203, o[13] = 0, o[14] = 113, o[15] = 1;	/* 203.0.113.1 */
	o[16] = 203, o[17] = 0, o[18] = 113, o[19] = 2;
	return 20;
}

static size_t
put_ip6(uint8_t *o, uint8_t nxt, size_t payload)
{
	memset(o, 0, 40);
	o[0] = 0x60;
	o[4] = (uint8_t)(payload >> 8), o[5] = (uint8_t)payload;
	o[6] = nxt, o[7] = 64;
	o[8] = 0x20, o[9] = 0x01, o[10] = 0x0d, o[11] = 0xb8, o[23] = 0x0a;
	o[24] = 0x20, o[25] = 0x01, o[26] = 0x0d, o[27] = 0xb8, o[39] = 0x0b;
	return 40;
}

static size_t
put_udp(uint8_t *o, uint16_t dport, size_t payload)
{
	memset(o, 0, 8);
	o[0] = 0xc0, o[1] = 0x01;
	o[2] = (uint8_t)(dport >> 8), o[3] = (uint8_t)dport;
	o[4] = (uint8_t)((8 + payload) >> 8), o[5] = (uint8_t)(8 + payload);
	return 8;
}

/* The inner TCP segment as the tests want it back: 192.0.2.1:40000 ->
 * 198.51.100.2:80, PSH|ACK, seq 3000000001, 11 bytes. */
#define assert_inner(pkt) do {						\
	uint8_t a4_[2][16];						\
	addr(4, "192.0.2.1", a4_[0]);					\
	addr(4, "198.51.100.2", a4_[1]);				\
	ck_assert_uint_eq((pkt)->af, 4);				\
	ck_assert(memcmp((pkt)->src, a4_[0], 16) == 0);			\
	ck_assert(memcmp((pkt)->dst, a4_[1], 16) == 0);			\
	ck_assert_uint_eq((pkt)->tcp.sport, 40000);			\
	ck_assert_uint_eq((pkt)->tcp.dport, 80);			\
	ck_assert_uint_eq((pkt)->tcp.seq, 3000000001u);			\
	ck_assert_uint_eq((pkt)->tcp.flags, 0x18);			\
	ck_assert_uint_eq((pkt)->tcp.paylen, 11);			\
} while (0)

/* The segment in each tunnel a capture point commonly sees, wrapped by
 * hand around the forged packet (IP, or its Ethernet frame): the TCP
 * segment inside is decoded, its addresses the inner ones. */
START_TEST(test_tunnels)
{
	uint8_t ip[FRAME_MAX], eth[FRAME_MAX], g[FRAME_MAX];
	struct pkt pkt;
	int dlt, edlt;
	size_t n = forge(HDR4("raw"), DATA_LINE, ip, &dlt);
	size_t e = forge(HDR4("en10mb"), DATA_LINE, eth, &edlt);
	size_t m;

	ck_assert_uint_eq(n, 20 + 20 + 11);
	ck_assert_uint_eq(e, 14 + n);

	/* IP in IP (protocol 4), over Ethernet. */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 4, n);
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);

	/* IPv4 in IPv6 (next header 4), and IPv4 in IPv4 in IPv6 in
	 * IPv4 (41): three tunnels deep, the most decoded; a fourth is
	 * not. */
	m = put_eth(g, 0x86dd);
	m += put_ip6(g + m, 4, n);
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 41, 40 + 20 + n);
	m += put_ip6(g + m, 4, 20 + n);
	m += put_ip4(g + m, 4, n);
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 4, 20 + 40 + 20 + n);
	m += put_ip4(g + m, 41, 40 + 20 + n);
	m += put_ip6(g + m, 4, 20 + n);
	m += put_ip4(g + m, 4, n);
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* GRE with key and sequence number (flags 0x3000: 8 more bytes),
	 * protocol 0x0800. */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 47, 12 + n);
	static const uint8_t gre_ks[12] = { 0x30, 0x00, 0x08, 0x00,
					    0, 0, 0, 7, 0, 0, 0, 1 };
	memcpy(g + m, gre_ks, 12), m += 12;
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	/* Cut inside the GRE header: no TCP to count as lost. */
	ck_assert_res(dec(DLT_EN10MB, g, 14 + 20 + 6, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* ERSPAN type II: GRE with S (seq), protocol 0x88be, an 8-byte
	 * ERSPAN header, then the mirrored Ethernet frame. */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 47, 8 + 8 + e);
	static const uint8_t gre_erspan[16] = { 0x10, 0x00, 0x88, 0xbe,
						0, 0, 0, 1,
						0x10, 0x64, 0, 1, 0, 0, 0, 0 };
	memcpy(g + m, gre_erspan, 16), m += 16;
	memcpy(g + m, eth, e), m += e;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);

	/* VXLAN (UDP 4789, I flag) and Geneve (UDP 6081, one 4-byte word
	 * of options, protocol 0x6558), over IPv6. */
	m = put_eth(g, 0x86dd);
	m += put_ip6(g + m, 17, 8 + 8 + e);
	m += put_udp(g + m, 4789, 8 + e);
	static const uint8_t vxlan[8] = { 0x08, 0, 0, 0, 0, 0, 42, 0 };
	memcpy(g + m, vxlan, 8), m += 8;
	memcpy(g + m, eth, e), m += e;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 17, 8 + 12 + e);
	m += put_udp(g + m, 6081, 12 + e);
	static const uint8_t geneve[12] = { 0x01, 0, 0x65, 0x58, 0, 0, 42, 0,
					    0, 0, 0, 0 };
	memcpy(g + m, geneve, 12), m += 12;
	memcpy(g + m, eth, e), m += e;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	/* Other UDP is no TCP. */
	g[14 + 20 + 2] = 0, g[14 + 20 + 3] = 53;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* VXLAN on 8472, Linux's own port (flannel): the same header, its
	 * reserved last byte 0; anything there and it is no VXLAN. */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 17, 8 + 8 + e);
	m += put_udp(g + m, 8472, 8 + e);
	memcpy(g + m, vxlan, 8), m += 8;
	memcpy(g + m, eth, e), m += e;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	g[14 + 20 + 8 + 7] = 1;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* GTP-U (3GPP TS 29.281 5.1), the 2152 as the source port only:
	 * 0x30 (version 1, PT 1, no E/S/PN), G-PDU 255, length n, TEID;
	 * then the IPv4 datagram. */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 17, 8 + 8 + n);
	m += put_udp(g + m, 5906, 8 + n);
	g[m - 8] = 2152 >> 8, g[m - 7] = 2152 & 0xff;
	uint8_t gtp[8] = { 0x30, 255, 0, 0, 0, 0, 0, 7 };
	gtp[2] = (uint8_t)(n >> 8), gtp[3] = (uint8_t)n;
	memcpy(g + m, gtp, 8), m += 8;
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	/* An echo request (message 1) carries no user packet. */
	g[14 + 20 + 8 + 1] = 1;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);
	/* With E and S (0x36): sequence number 2 bytes, N-PDU 1, next
	 * extension 0x85 (PDU session container); that extension is one
	 * 4-byte word (length 1: the length byte, 2 bytes, next type 0). */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 17, 8 + 16 + n);
	m += put_udp(g + m, 2152, 16 + n);
	static const uint8_t gtp_ext[16] = { 0x36, 255, 0, 0, 0, 0, 0, 7,
					     0, 1, 0, 0x85,
					     1, 0x10, 0x05, 0 };
	memcpy(g + m, gtp_ext, 16);
	g[m + 2] = (uint8_t)((n + 8) >> 8), g[m + 3] = (uint8_t)(n + 8);
	m += 16;
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	/* An extension of length 0 would never end: no TCP. */
	g[14 + 20 + 8 + 12] = 0;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* Teredo (RFC 4380 5.1.1): IPv6 over UDP 3544, after an origin
	 * indication (0x0000, port, address: 8 bytes). The inner packet is
	 * the forged one's TCP segment in an IPv6 header of put_ip6()'s
	 * addresses, not a Teredo prefix: the port alone tells. */
	size_t tcpn = n - 20;
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 17, 8 + 8 + 40 + tcpn);
	m += put_udp(g + m, 3544, 8 + 40 + tcpn);
	memset(g + m, 0, 8), m += 8;
	m += put_ip6(g + m, 6, tcpn);
	memcpy(g + m, ip + 20, tcpn), m += tcpn;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 6);
	ck_assert_uint_eq(pkt.tcp.dport, 80);
	ck_assert_uint_eq(pkt.tcp.seq, 3000000001u);
	ck_assert_uint_eq(pkt.tcp.paylen, 11);
	/* Elsewhere (a relay's port) it takes a Teredo address,
	 * 2001:0::/32, at one end: not put_ip6()'s 2001:db8::. */
	size_t ip6at = 14 + 20 + 8 + 8;
	g[14 + 20 + 2] = 0x80, g[14 + 20 + 3] = 0x84;	/* port 32900 */
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);
	g[ip6at + 10] = 0, g[ip6at + 11] = 0;	/* source 2001:0:.. */
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.seq, 3000000001u);
	/* Its payload length must fill the datagram: one byte short, and
	 * it is no Teredo. */
	g[ip6at + 5]--;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);
	/* Cut by the snaplen inside the IPv6 header (20 of its 40 bytes):
	 * on port 3544, a TCP segment cut short (its next header, 6, is
	 * there), as in any tunnel; an ICMPv6 one (58) is none; on another
	 * port nothing tells it is Teredo. */
	g[ip6at + 5]++;
	g[14 + 20 + 2] = 3544 >> 8, g[14 + 20 + 3] = 3544 & 0xff;
	size_t cut = ip6at + 20;
	ck_assert_res(dec(DLT_EN10MB, g, cut, m, NULL, &pkt, NULL),
	    DECODE_TRUNCATED);
	g[ip6at + 6] = 58;
	ck_assert_res(dec(DLT_EN10MB, g, cut, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);
	g[ip6at + 6] = 6;
	g[14 + 20 + 2] = 0x80, g[14 + 20 + 3] = 0x84;
	ck_assert_res(dec(DLT_EN10MB, g, cut, m, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);

	/* PPPoE session (0x8864): 11 00, session 1, length n + 2, PPP
	 * protocol 0x0021 (IPv4). */
	m = put_eth(g, 0x8864);
	uint8_t pppoe[8] = { 0x11, 0x00, 0x00, 0x01, 0, 0, 0x00, 0x21 };
	pppoe[4] = (uint8_t)((n + 2) >> 8), pppoe[5] = (uint8_t)(n + 2);
	memcpy(g + m, pppoe, 8), m += 8;
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);

	/* IEEE 802.3 with LLC/SNAP (RFC 1042): length n + 8, AA AA 03,
	 * OUI 0, EtherType 0x0800. */
	m = put_eth(g, (uint16_t)(n + 8));
	static const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0 };
	memcpy(g + m, snap, 8), m += 8;
	memcpy(g + m, ip, n), m += n;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);

	/* IPv4 with an authentication header (RFC 4302: next header 6,
	 * payload length 4, so (4 + 2) * 4 = 24 bytes). */
	m = put_eth(g, 0x0800);
	m += put_ip4(g + m, 51, 24 + n - 20);
	memcpy(g + 14 + 12, ip + 12, 8);	/* the inner addresses */
	memset(g + m, 0, 24);
	g[m] = 6, g[m + 1] = 4;
	m += 24;
	memcpy(g + m, ip + 20, n - 20), m += n - 20;
	ck_assert_res(dec(DLT_EN10MB, g, m, m, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
}
END_TEST

/* Tags where libpcap puts them back: after a Linux cooked header's
 * protocol (what -i any captures), and the old 0x9200 TPID. */
START_TEST(test_vlan_elsewhere)
{
	uint8_t f[FRAME_MAX], g[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("sll"), DATA_LINE, f, &dlt);

	/* SLL: protocol at 14..15 becomes 0x8100, then TCI 200, 0x0800. */
	memcpy(g, f, 14);
	g[14] = 0x81, g[15] = 0x00, g[16] = 0x00, g[17] = 200;
	g[18] = 0x08, g[19] = 0x00;
	memcpy(g + 20, f + 16, n - 16);
	ck_assert_res(dec(dlt, g, n + 4, n + 4, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	ck_assert_uint_eq(pkt.vlan, 200);

	/* SLL2: protocol first (0..1), the tag after the 20 bytes. */
	n = forge(HDR4("sll2"), DATA_LINE, f, &dlt);
	memcpy(g, f, 20);
	g[0] = 0x81, g[1] = 0x00;
	g[20] = 0x00, g[21] = 201, g[22] = 0x08, g[23] = 0x00;
	memcpy(g + 24, f + 20, n - 20);
	ck_assert_res(dec(dlt, g, n + 4, n + 4, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	ck_assert_uint_eq(pkt.vlan, 201);

	/* Ethernet, TPID 0x9200. */
	n = forge(HDR4("en10mb"), DATA_LINE, f, &dlt);
	memcpy(g, f, 12);
	g[12] = 0x92, g[13] = 0x00, g[14] = 0x00, g[15] = 202;
	memcpy(g + 16, f + 12, n - 12);
	ck_assert_res(dec(dlt, g, n + 4, n + 4, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	ck_assert_uint_eq(pkt.vlan, 202);
}
END_TEST

/* A total length of 0 (IPv4) or payload length of 0 (IPv6): a segment
 * captured on the sending host before its NIC cut it (TSO; Linux BIG
 * TCP). The frame's length is the datagram's: 11 bytes of payload, the
 * same as with the length filled in. Cut by a snaplen, the frame's
 * length on the wire. */
START_TEST(test_ip_length_zero)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("en10mb"), DATA_LINE, f, &dlt);

	f[14 + 2] = 0, f[14 + 3] = 0;
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	assert_inner(&pkt);
	ck_assert_uint_eq(pkt.tcp.paycap, 11);
	ck_assert_res(dec(dlt, f, n - 5, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 11);
	ck_assert_uint_eq(pkt.tcp.paycap, 6);

	n = forge(HDR6("en10mb"), DATA_LINE, f, &dlt);
	f[14 + 4] = 0, f[14 + 5] = 0;
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 6);
	ck_assert_uint_eq(pkt.tcp.paylen, 11);
	/* Nothing after the IPv6 header at all: unsupported, as before. */
	ck_assert_res(dec(dlt, f, 14 + 40, 14 + 40, NULL, &pkt, NULL),
	    DECODE_UNSUPPORTED);
}
END_TEST

START_TEST(test_unsupported_dlt)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("raw"), SYN_LINE, f, &dlt);
	static const int other[] = { DLT_FDDI, DLT_IEEE802, DLT_SLIP,
				     DLT_USB_LINUX, -1, 99999 };

	for (size_t i = 0; i < G_N_ELEMENTS(other); i++) {
		ck_assert(!decode_dlt_is_supported(other[i]));
		ck_assert_res(dec(other[i], f, n, n, NULL, &pkt, NULL),
		    DECODE_UNSUPPORTED);
	}
}
END_TEST

/*
 * Link layers besides Ethernet, cooked, raw and loopback: each header
 * written byte by byte from its definition (tcpdump.org's link-layer
 * header types, the RFCs named), in front of the same IPv4 SYN (or its
 * Ethernet frame); the segment must decode exactly as from raw IP.
 */
struct link_hdr {
	const char *name;
	int dlt;
	const char *hex;	/* the header, before the IP datagram */
	bool ether;		/* before the Ethernet frame instead */
	const char *tail;	/* after it (an FCS), or NULL */
	enum decode_result res;
};

#define WIFI_DATA "080100000000000000000000000000000000000000000000" \
	"aaaa030000000800"	/* data, ToDS; 3 addresses; RFC 1042 SNAP */
static const struct link_hdr link_hdrs[] = {
	/* PPP (RFC 1661, RFC 1662): address and control, protocol 0x0021 */
	{ "ppp hdlc-like", DLT_PPP, "ff030021", false, NULL, DECODE_OK },
	{ "ppp bare", DLT_PPP, "0021", false, NULL, DECODE_OK },
	{ "ppp compressed protocol", DLT_PPP, "21", false, NULL, DECODE_OK },
	{ "ppp lcp", DLT_PPP, "ff03c021", false, NULL, DECODE_NOT_TCP },
	{ "ppp-hdlc", DLT_PPP_SERIAL, "ff030021", false, NULL, DECODE_OK },
	/* ...or Cisco HDLC in it: address 0x0f, control 0, EtherType */
	{ "ppp-hdlc cisco", DLT_PPP_SERIAL, "0f000800", false, NULL,
	  DECODE_OK },
	{ "cisco hdlc", DLT_C_HDLC, "8f000800", false, NULL, DECODE_OK },
	/* PPPoE session (RFC 2516): 0x11, code 0, session 1, length
	 * 46 = 2 + 44 (the SYN's 44 bytes, PPP's protocol) */
	{ "pppoe", DLT_PPP_ETHER, "11000001002e0021", false, NULL, DECODE_OK },
	{ "atm rfc1483", DLT_ATM_RFC1483, "aaaa030000000800", false, NULL,
	  DECODE_OK },
	{ "ipoib", DLT_IPOIB, "08000000", false, NULL, DECODE_OK },
	/* 802.11 (IEEE 802.11-2020 9.2.4.1): data, ToDS, 24 bytes */
	{ "802.11 data", DLT_IEEE802_11, WIFI_DATA, false, NULL, DECODE_OK },
	/* QoS data (subtype 8), FromDS: 24 + 2 bytes of QoS control */
	{ "802.11 qos data", DLT_IEEE802_11,
	  "8802000000000000000000000000000000000000000000000000"
	  "aaaa030000000800", false, NULL, DECODE_OK },
	/* QoS data with the order bit: 4 bytes of HT control more */
	{ "802.11 qos ht", DLT_IEEE802_11,
	  "8882000000000000000000000000000000000000000000000000"
	  "00000000aaaa030000000800", false, NULL, DECODE_OK },
	/* WDS: ToDS and FromDS, a fourth address (6 bytes) */
	{ "802.11 wds", DLT_IEEE802_11,
	  "080300000000000000000000000000000000000000000000"
	  "000000000000aaaa030000000800", false, NULL, DECODE_OK },
	{ "802.11 protected", DLT_IEEE802_11,
	  "084100000000000000000000000000000000000000000000"
	  "aaaa030000000800", false, NULL, DECODE_NOT_TCP },
	{ "802.11 null data", DLT_IEEE802_11,
	  "480100000000000000000000000000000000000000000000", false, NULL,
	  DECODE_NOT_TCP },
	{ "802.11 beacon", DLT_IEEE802_11,
	  "800000000000000000000000000000000000000000000000", false, NULL,
	  DECODE_NOT_TCP },
	/* Radiotap (radiotap.org): version 0, length 8, nothing present */
	{ "radiotap", DLT_IEEE802_11_RADIO, "0000080000000000" WIFI_DATA,
	  false, NULL, DECODE_OK },
	/* flags present (bit 1), FCS at the end (0x10): 4 bytes after the
	 * datagram, past its IP length */
	{ "radiotap fcs", DLT_IEEE802_11_RADIO, "000009000200000010" WIFI_DATA,
	  false, "deadbeef", DECODE_OK },
	/* TSFT and flags: TSFT aligned to 8 at 8, flags at 16; length 17;
	 * flags 0x40: the card found the FCS bad, the frame is noise */
	{ "radiotap bad fcs", DLT_IEEE802_11_RADIO,
	  "00001100030000000000000000000000" "40" WIFI_DATA, false, NULL,
	  DECODE_NOT_TCP },
	{ "radiotap tsft good fcs", DLT_IEEE802_11_RADIO,
	  "00001100030000000000000000000000" "00" WIFI_DATA, false, NULL,
	  DECODE_OK },
	/* AVS: magic 0x80211001, length 16 (big endian) */
	{ "avs", DLT_IEEE802_11_RADIO_AVS, "8021100100000010"
	  "0000000000000000" WIFI_DATA, false, NULL, DECODE_OK },
	/* PPI: version 0, flags 0, length 8 (LE), link 105 (LE) */
	{ "ppi 802.11", DLT_PPI, "0000080069000000" WIFI_DATA, false, NULL,
	  DECODE_OK },
	/* pf (OpenBSD): its length 61, padded to 64; family 2 */
	{ "pflog", DLT_PFLOG, "3d02"
	  "0000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000"
	  "00000000", false, NULL, DECODE_OK },
	/* enc (OpenBSD IPsec): family, SPI, flags */
	{ "enc", DLT_ENC, "020000000000000100000000", false, NULL,
	  DECODE_OK },
	/* NFLOG: family 2, version 0, group 5; a packet-header TLV
	 * (length 8, type 1), the payload TLV (length 48 = 4 + 44, type 9),
	 * in little-endian (this host's) order */
	{ "nflog", DLT_NFLOG, "02000005080001000800010030000900", false,
	  NULL, DECODE_OK },
	/* ...written by a big-endian host and read untouched */
	{ "nflog big-endian", DLT_NFLOG, "02000005000800010800010000300009",
	  false, NULL, DECODE_OK },
	/* no payload TLV: the datagram after the TLVs is none (its first
	 * bytes read as a TLV longer than the record): lengths that lie */
	{ "nflog no payload TLV", DLT_NFLOG, "020000050800010008000100", false,
	  NULL, DECODE_MALFORMED },
	/* PKTAP (Apple's struct pktap_header, LE): its length 12, the type
	 * of what follows 1 (a packet), its link 12 (DLT_RAW) */
	{ "pktap raw", DLT_PKTAP, "0c000000010000000c000000", false, NULL,
	  DECODE_OK },
	{ "pktap not a packet", DLT_PKTAP, "0c000000020000000c000000", false,
	  NULL, DECODE_NOT_TCP },
	/* radiotap's data pad flag (0x20): the QoS header's 26 bytes padded
	 * to 28 before the body */
	{ "radiotap data pad", DLT_IEEE802_11_RADIO, "000009000200000020"
	  "8802000000000000000000000000000000000000000000000000" "0000"
	  "aaaa030000000800", false, NULL, DECODE_OK },
	/* IPoIB as Linux captures it: 40 bytes of addresses first */
	{ "ipoib linux", DLT_IPOIB, "0000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000" "08000000", false, NULL,
	  DECODE_OK },
	/* netANALYZER: 4 bytes, then Ethernet; transparent: and the
	 * preamble and SFD (8 bytes) */
	{ "netanalyzer", DLT_NETANALYZER, "00000000", true, NULL, DECODE_OK },
	{ "netanalyzer transparent", DLT_NETANALYZER_TRANSPARENT,
	  "0000000055555555555555d5", true, NULL, DECODE_OK },
};

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2)
		out[n++] = (uint8_t)g_ascii_strtoull((char[]){ h[0], h[1], 0 },
		    NULL, 16);
	return n;
}

START_TEST(test_link_types)
{
	const struct link_hdr *c = &link_hdrs[_i];
	uint8_t ip[FRAME_MAX], f[FRAME_MAX];
	struct pkt ref, pkt;
	int dlt;
	size_t n = forge(c->ether ? HDR4("en10mb") : HDR4("raw"), SYN_LINE, ip,
	    &dlt);
	size_t h = unhex(c->hex, f);

	ck_assert_msg(decode_dlt_is_supported(c->dlt), "%s", c->name);
	ck_assert_res(dec(dlt, ip, n, n, NULL, &ref, NULL), DECODE_OK);
	memcpy(f + h, ip, n);
	n += h;
	if (c->tail)
		n += unhex(c->tail, f + n);
	ck_assert_res(dec(c->dlt, f, n, n, NULL, &pkt, NULL), c->res);
	if (c->res != DECODE_OK)
		return;
	const struct tcp_seg *a = &pkt.tcp, *b = &ref.tcp;
	ck_assert_msg(a->sport == b->sport && a->dport == b->dport &&
	    a->seq == b->seq && a->ack == b->ack && a->win == b->win &&
	    a->flags == b->flags && a->hlen == b->hlen &&
	    a->paylen == b->paylen && a->paycap == b->paycap &&
	    a->opt.has_mss && a->opt.mss == b->opt.mss &&
	    memcmp(pkt.src, ref.src, 16) == 0 && memcmp(pkt.dst, ref.dst,
	    16) == 0 && pkt.af == ref.af, "%s: not the raw segment", c->name);
	ck_assert_uint_eq(pkt.quirks & ~(uint32_t)DEC_ETH_PADDING,
	    ref.quirks);
	ck_assert_uint_eq(!!(pkt.quirks & DEC_ETH_PADDING), c->tail != NULL);
	/* Every cut of the frame is truncated (a header) or a payload
	 * short of the IP length, never a read past it. */
	for (size_t k = 0; k < n; k++) {
		enum decode_result r = dec(c->dlt, f, k, n, NULL, &pkt, NULL);
		ck_assert_msg(r == DECODE_TRUNCATED || r == DECODE_OK ||
		    r == DECODE_NOT_TCP, "%s cut at %zu: %s", c->name, k,
		    decode_result_name(r));
	}
}
END_TEST

/*
 * NFLOG records cut: by the snaplen inside the payload (its TLV says more
 * than was captured: analysed with what was, as any cut frame); by the
 * logger's own size limit (nft log snaplen: the TLV's length is the cut
 * one, and nothing says the frame was cut: the IP length is the
 * datagram's, a cut payload and not a malformed one); by the snaplen
 * before the payload TLV (truncated). A segment of 20 bytes of TCP
 * header and 100 of payload, 140 bytes of IPv4.
 */
START_TEST(test_nflog_cut)
{
	uint8_t ip[FRAME_MAX], f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("raw"), "0 > PA 1 2 len=100", ip, &dlt);
	/* family 2, version 0, group 5; a TLV of 8 (type 1); the payload
	 * TLV, length 4 + 140 = 144 (0x90), type 9 (this host's order) */
	size_t h = unhex("020000050800010008000100" "90000900", f);

	ck_assert_uint_eq(n, 140);
	memcpy(f + h, ip, n);
	ck_assert_res(dec(DLT_NFLOG, f, h + n, h + n, NULL, &pkt, NULL),
	    DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 100);
	/* the snaplen keeps 60 of the 140 bytes: 40 of payload */
	ck_assert_res(dec(DLT_NFLOG, f, h + 60, h + n, NULL, &pkt, NULL),
	    DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 20);
	ck_assert(pkt.quirks & DEC_TCP_PAYLOAD_CUT);
	/* the logger kept 60: the TLV says 64, the record is whole */
	f[h - 4] = 64;
	ck_assert_res(dec(DLT_NFLOG, f, h + 60, h + 60, NULL, &pkt, NULL),
	    DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 20);
	/* the snaplen cut the record before its payload TLV */
	ck_assert_res(dec(DLT_NFLOG, f, 10, h + n, NULL, &pkt, NULL),
	    DECODE_TRUNCATED);
	/* a record of TLVs to its end, none a payload: nothing logged */
	ck_assert_res(dec(DLT_NFLOG, f, 12, 12, NULL, &pkt, NULL),
	    DECODE_NOT_TCP);
}
END_TEST

/* A SYN assembled by hand, to check decoder and forge against the RFCs
 * rather than against each other (raw IPv4, RFC 791 / RFC 9293 3.1):
 *
 *  45 00 00 2c  version 4, IHL 5; total length 44 = 20 + 24
 *  00 01 40 00  id 1; DF
 *  40 06 4e 94  TTL 64, TCP; header checksum, by RFC 1071:
 *               4500+002c+0001+4000+4006+c000+0201+c633+6402 = 0x2b169,
 *               folded 0xb16b, complemented 0x4e94
 *  c0 00 02 01  192.0.2.1
 *  c6 33 64 02  198.51.100.2
 *  9c 40 00 50  ports 40000 -> 80
 *  00 00 03 e8  seq 1000
 *  00 00 00 00  ack 0
 *  60 02 fa f0  data offset 6 (24 bytes), SYN; window 64240
 *  10 86 00 00  checksum; urgent 0.  Pseudo-header c000+0201+c633+6402
 *               +0006+0018 = 0x1ec54; segment 9c40+0050+03e8+6002+faf0
 *               +0204+05b4 = 0x20322; total 0x3ef76 -> 0xef79 -> ~ 0x1086
 *  02 04 05 b4  MSS 1460
 */
static const uint8_t hand_syn[44] = {
	0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00,
	0x40, 0x06, 0x4e, 0x94, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x02,
	0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
	0x10, 0x86, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
};

START_TEST(test_hand_syn)
{
	uint8_t f[sizeof(hand_syn)];
	struct pkt pkt;

	memcpy(f, hand_syn, sizeof(f));
	ck_assert_res(dec(DLT_RAW, f, 44, 44, &verify, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.af, 4);
	assert_addr(4, pkt.src, "192.0.2.1");
	assert_addr(4, pkt.dst, "198.51.100.2");
	ck_assert_uint_eq(pkt.tcp.sport, 40000);
	ck_assert_uint_eq(pkt.tcp.dport, 80);
	ck_assert_uint_eq(pkt.tcp.seq, 1000);
	ck_assert_uint_eq(pkt.tcp.ack, 0);
	ck_assert_uint_eq(pkt.tcp.flags, TH_SYN);
	ck_assert_uint_eq(pkt.tcp.win, 64240);
	ck_assert_uint_eq(pkt.tcp.hlen, 24);
	ck_assert_uint_eq(pkt.tcp.paylen, 0);
	ck_assert(pkt.tcp.opt.has_mss);
	ck_assert_uint_eq(pkt.tcp.opt.mss, 1460);
	ck_assert_uint_eq(pkt.quirks, 0);	/* both checksums good */
	/* The same bytes as DLT_IPV4. */
	ck_assert_res(dec(DLT_IPV4, f, 44, 44, &verify, &pkt, NULL),
	    DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, 0);
	/* One bit flipped in the TCP window: only the TCP sum breaks. */
	f[35] ^= 0x01;
	ck_assert_res(dec(DLT_RAW, f, 44, 44, &verify, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks & CSUM_BITS, DEC_TCP_BAD_CSUM);
	/* ...and one in the TTL: the IP sum too (TTL is not in the TCP
	 * pseudo-header). */
	f[8] ^= 0x01;
	ck_assert_res(dec(DLT_RAW, f, 44, 44, &verify, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks & CSUM_BITS,
	    DEC_TCP_BAD_CSUM | DEC_IP_BAD_CSUM);
	/* Without verification, no checksum bits at all. */
	ck_assert_res(dec(DLT_RAW, f, 44, 44, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, 0);
}
END_TEST

/* ---- network layer cases ------------------------------------------------ */

struct ip_case {
	const char *name;
	const char *hdr, *line;
	enum decode_result res;
	uint32_t quirks;	/* exact DEC_ bits when res is OK or NOT_TCP */
	uint8_t hlen;		/* TCP header bytes when OK */
	uint32_t paylen;	/* when OK */
	size_t len;		/* whole frame length, by hand (0: skip) */
};

static const struct ip_case ip_cases[] = {
	/* IPv4 options (RFC 791 3.1): IHL grows by their padded length. */
	{ "ipv4 4 NOPs", HDR4("raw"), "0 > A 1 2 ipopt=01010101 len=10",
	  DECODE_OK, 0, 20, 10, 24 + 20 + 10 },
	/* Record route, 7 bytes (type 7, len 7, pointer 4, one slot),
	 * padded with EOL to 8: IHL 7. */
	{ "ipv4 record route", HDR4("en10mb"),
	  "0 > A 1 2 ipopt=07070400000000 len=3",
	  DECODE_OK, 0, 20, 3, 14 + 28 + 20 + 3 },
	/* The maximum: 40 bytes of options, IHL 15. */
	{ "ipv4 40 bytes of options", HDR4("raw"),
	  "0 > S 1 0 mss=1460 ipopt=01010101010101010101010101010101"
	  "010101010101010101010101010101010101010101010100",
	  DECODE_OK, 0, 24, 0, 60 + 24 },
	/* Fragments (RFC 791 3.2): MF with offset 0 is the first one and
	 * holds the TCP header; any offset > 0 does not. */
	{ "ipv4 first fragment", HDR4("raw"), "0 > PA 1 2 len=100 frag=0,more",
	  DECODE_OK, DEC_IP_FRAG_FIRST, 20, 100, 20 + 20 + 100 },
	{ "ipv4 first fragment on sll", HDR4("sll"),
	  "0 > S 1 0 mss=1460 frag=0,more",
	  DECODE_OK, DEC_IP_FRAG_FIRST, 24, 0, 16 + 20 + 24 },
	{ "ipv4 offset 0 no MF: not a fragment", HDR4("raw"),
	  "0 > A 1 2 frag=0 df", DECODE_OK, 0, 20, 0, 40 },
	{ "ipv4 middle fragment", HDR4("raw"), "0 > A 1 2 len=8 frag=1,more",
	  DECODE_NOT_TCP, DEC_IP_FRAG_LATER, 0, 0, 48 },
	{ "ipv4 last fragment", HDR4("en10mb"), "0 > A 1 2 len=8 frag=185",
	  DECODE_NOT_TCP, DEC_IP_FRAG_LATER, 0, 0, 14 + 48 },
	{ "ipv4 max offset", HDR4("raw"), "0 > A 1 2 frag=8191",
	  DECODE_NOT_TCP, DEC_IP_FRAG_LATER, 0, 0, 40 },
	/* A later fragment of UDP is not a TCP fragment to count. */
	{ "ipv4 udp later fragment", HDR4("raw"), "0 > . 0 0 proto=udp frag=2",
	  DECODE_NOT_TCP, 0, 0, 0, 28 },
	/* IPv6 extension headers (RFC 8200 4): 8 bytes each here. */
	{ "ipv6 hbh", HDR6("raw"), "0 > A 1 2 ext6=hbh len=5",
	  DECODE_OK, 0, 20, 5, 48 + 20 + 5 },
	{ "ipv6 routing", HDR6("raw"), "0 > A 1 2 ext6=rt len=5",
	  DECODE_OK, 0, 20, 5, 48 + 20 + 5 },
	{ "ipv6 dstopts", HDR6("ipv6"), "0 > A 1 2 ext6=dst",
	  DECODE_OK, 0, 20, 0, 48 + 20 },
	{ "ipv6 atomic fragment", HDR6("raw"), "0 > A 1 2 ext6=frag len=1",
	  DECODE_OK, 0, 20, 1, 48 + 20 + 1 },
	{ "ipv6 hbh,rt", HDR6("en10mb"), "0 > S 1 0 ext6=hbh,rt mss=1220",
	  DECODE_OK, 0, 24, 0, 14 + 56 + 24 },
	{ "ipv6 hbh,dst,rt,dst", HDR6("sll2"),
	  "0 > A 1 2 ext6=hbh,dst,rt,dst len=33",
	  DECODE_OK, 0, 20, 33, 20 + 72 + 20 + 33 },
	{ "ipv6 hbh,dst,rt,frag first", HDR6("raw"),
	  "0 > PA 1 2 ext6=hbh,dst,rt,frag frag=0,more len=16",
	  DECODE_OK, DEC_IP_FRAG_FIRST, 20, 16, 72 + 20 + 16 },
	/* Eight extension headers: the most walked (STYLE.md rule 5)... */
	{ "ipv6 8 ext headers", HDR6("raw"),
	  "0 > A 1 2 ext6=hbh,dst,dst,dst,dst,dst,rt,dst len=2",
	  DECODE_OK, 0, 20, 2, 104 + 20 + 2 },
	/* ...a ninth (frag= appends one) is refused. */
	{ "ipv6 9 ext headers", HDR6("raw"),
	  "0 > A 1 2 ext6=hbh,dst,dst,dst,dst,dst,rt,dst frag=0",
	  DECODE_MALFORMED, 0, 0, 0, 112 + 20 },
	{ "ipv6 first fragment", HDR6("raw"), "0 > A 1 2 frag=0,more len=50",
	  DECODE_OK, DEC_IP_FRAG_FIRST, 20, 50, 48 + 20 + 50 },
	{ "ipv6 non-first fragment", HDR6("raw"), "0 > A 1 2 frag=1,more",
	  DECODE_NOT_TCP, DEC_IP_FRAG_LATER, 0, 0, 48 + 20 },
	{ "ipv6 last fragment after hbh", HDR6("null"),
	  "0 > A 1 2 ext6=hbh,frag frag=3",
	  DECODE_NOT_TCP, DEC_IP_FRAG_LATER, 0, 0, 4 + 56 + 20 },
	{ "ipv6 udp later fragment", HDR6("raw"), "0 > . 0 0 proto=udp frag=9",
	  DECODE_NOT_TCP, 0, 0, 0, 48 + 8 },
	/* Not TCP at all. */
	{ "ipv4 udp", HDR4("en10mb"), "0 > . 0 0 proto=udp len=12",
	  DECODE_NOT_TCP, 0, 0, 0, 14 + 20 + 8 + 12 },
	{ "ipv6 udp", HDR6("raw"), "0 > . 0 0 proto=udp", DECODE_NOT_TCP,
	  0, 0, 0, 48 },
	{ "ipv6 hbh udp", HDR6("raw"), "0 > . 0 0 proto=udp ext6=hbh",
	  DECODE_NOT_TCP, 0, 0, 0, 56 },
	/* Ethernet pads frames to 60 bytes: the IP length, not the
	 * caplen, bounds the payload. */
	{ "ipv4 eth padding", HDR4("en10mb"), "0 > A 1 2 eth_pad=6",
	  DECODE_OK, DEC_ETH_PADDING, 20, 0, 60 },
	{ "ipv4 eth padding with data", HDR4("en10mb"),
	  "0 > PA 1 2 len=2 eth_pad=4", DECODE_OK, DEC_ETH_PADDING, 20, 2,
	  60 },
	{ "ipv4 vlan padding, options", HDR4("en10mb") "vlan 5\n",
	  "0 > A 1 2 ipopt=01010101 eth_pad=10",
	  DECODE_OK, DEC_ETH_PADDING, 20, 0, 18 + 24 + 20 + 10 },
	{ "ipv6 trailer", HDR6("en10mb"), "0 > PA 1 2 len=1 eth_pad=3",
	  DECODE_OK, DEC_ETH_PADDING, 20, 1, 14 + 40 + 20 + 1 + 3 },
	/* Data offset (RFC 9293 3.1): at least 5 words, and within the
	 * segment the IP length gives. */
	{ "doff 4", HDR4("raw"), "0 > A 1 2 doff=4", DECODE_MALFORMED, 0, 0,
	  0, 40 },
	{ "doff 0", HDR6("raw"), "0 > A 1 2 doff=0 len=20", DECODE_MALFORMED,
	  0, 0, 0, 80 },
	{ "doff 15 past the segment", HDR4("raw"), "0 > A 1 2 doff=15",
	  DECODE_MALFORMED, 0, 0, 0, 40 },
	{ "doff 6 past the segment by 1", HDR4("raw"),
	  "0 > A 1 2 doff=6 len=3", DECODE_MALFORMED, 0, 0, 0, 43 },
	/* doff 6 over 4 payload bytes: they become the options ('a' = 97,
	 * 'b' = 98: kind 97, length 98 > 2 left: a bad length), payload 0. */
	{ "doff 6 eats the payload", HDR4("raw"), "0 > A 1 2 doff=6 len=4",
	  DECODE_OK, DEC_TCP_OPT_BAD_LEN, 24, 0, 44 },
	/* Lying IP lengths (the bytes are all there, caplen == wirelen). */
	{ "ipv4 total < IHL", HDR4("raw"), "0 > A 1 2 iplen=19",
	  DECODE_MALFORMED, 0, 0, 0, 40 },
	{ "ipv4 total < IHL + 20", HDR4("raw"), "0 > A 1 2 iplen=39",
	  DECODE_MALFORMED, 0, 0, 0, 40 },
	{ "ipv4 total > frame", HDR4("raw"), "0 > A 1 2 iplen=1000",
	  DECODE_MALFORMED, 0, 0, 0, 40 },
	{ "ipv4 total > frame, data", HDR4("en10mb"),
	  "0 > PA 1 2 len=10 iplen=51", DECODE_MALFORMED, 0, 0, 0, 64 },
	{ "ipv4 total < TCP header", HDR4("en10mb"),
	  "0 > S 1 2 mss=1460 iplen=41", DECODE_MALFORMED, 0, 0, 0, 58 },
	/* Shorter than the frame: the rest is a trailer (like padding). */
	{ "ipv4 total < frame", HDR4("raw"), "0 > PA 1 2 len=10 iplen=45",
	  DECODE_OK, DEC_ETH_PADDING, 20, 5, 50 },
	{ "ipv6 payload length < 20", HDR6("raw"), "0 > A 1 2 iplen=19",
	  DECODE_MALFORMED, 0, 0, 0, 60 },
	{ "ipv6 payload length > frame", HDR6("raw"),
	  "0 > A 1 2 len=5 iplen=26", DECODE_MALFORMED, 0, 0, 0, 65 },
	{ "ipv6 payload length < ext header", HDR6("raw"),
	  "0 > A 1 2 ext6=hbh iplen=7", DECODE_MALFORMED, 0, 0, 0, 68 },
	{ "ipv6 payload length = ext header", HDR6("raw"),
	  "0 > A 1 2 ext6=dst iplen=8", DECODE_MALFORMED, 0, 0, 0, 68 },
};

START_TEST(test_ip)
{
	const struct ip_case *c = &ip_cases[_i];
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	long payoff;
	size_t n = forge(c->hdr, c->line, f, &dlt);

	if (c->len)
		ck_assert_uint_eq(n, c->len);
	enum decode_result r = dec(dlt, f, n, n, NULL, &pkt, &payoff);
	ck_assert_msg(r == c->res, "%s: decode gave %s, expected %s", c->name,
	    decode_result_name(r), decode_result_name(c->res));
	if (r == DECODE_MALFORMED)
		return;
	ck_assert_msg(pkt.quirks == c->quirks, "%s: quirks %#x, expected %#x",
	    c->name, pkt.quirks, c->quirks);
	if (r != DECODE_OK)
		return;
	ck_assert_uint_eq(pkt.tcp.hlen, c->hlen);
	ck_assert_uint_eq(pkt.tcp.paylen, c->paylen);
	ck_assert_uint_eq(pkt.tcp.paycap, c->paylen);
	ck_assert(!(pkt.quirks & DEC_TCP_PAYLOAD_CUT));
	ck_assert_uint_eq(pkt.tcp.seq, 1);
	if (c->paylen)	/* the payload is the frame's first data byte */
		ck_assert_uint_eq(f[payoff], 'a');
	else
		ck_assert_int_eq(payoff, -1);
}
END_TEST

/* An AH header (RFC 4302 2.2) is sized in 4-byte words minus 2: turn the
 * forge's 8-byte destination options header into an AH of length field 0
 * (= (0 + 2) * 4 = 8 bytes) by changing the Next Header that names it. */
/* ICMP destination unreachable about a TCP segment (decode_icmp()): the
 * segment's 4-tuple and seq, DEC_ICMP_ERR, type and code in win; every
 * cut of the frame decodes to no TCP, never past the bytes. */
START_TEST(test_icmp_error)
{
	uint8_t f[FRAME_MAX];
	struct pkt p;
	int dlt;
	size_t n;

	/* From the server's own address: port unreachable about the
	 * client's SYN at 1000. */
	n = forge(HDR4("en10mb"), "0 > S 1000 0 icmp=3/3", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_OK);
	ck_assert(p.quirks & DEC_ICMP_ERR);
	ck_assert(p.quirks & DEC_ICMP_FROM_DST);
	ck_assert_int_eq(p.af, 4);
	ck_assert(memcmp(p.src, (uint8_t[]){ 192, 0, 2, 1 }, 4) == 0);
	ck_assert(memcmp(p.dst, (uint8_t[]){ 198, 51, 100, 2 }, 4) == 0);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_uint_eq(p.tcp.dport, 80);
	ck_assert_uint_eq(p.tcp.seq, 1000);
	ck_assert_uint_eq(p.tcp.flags, 0);
	ck_assert_uint_eq(p.tcp.paylen, 0);
	ck_assert_uint_eq(p.tcp.win, 0x0303);
	/* Its checksum, with --verify-checksums: right, then spoiled. */
	ck_assert_int_eq(dec(dlt, f, n, n, &verify, &p, NULL), DECODE_OK);
	ck_assert(!(p.quirks & CSUM_BITS));
	f[14 + 20 + 2] ^= 0x01;	/* the ICMP checksum, after Ethernet, IP */
	ck_assert_int_eq(dec(dlt, f, n, n, &verify, &p, NULL), DECODE_OK);
	ck_assert(p.quirks & DEC_IP_BAD_CSUM);
	f[14 + 20 + 2] ^= 0x01;
	/* Every cut: no TCP (a quote cut short tells nothing), or the
	 * outer headers' truncation; never a read past the cut (ASan). */
	for (size_t k = 0; k < n; k++) {
		enum decode_result r = dec(dlt, f, k, n, NULL, &p, NULL);
		ck_assert_msg(r == DECODE_NOT_TCP || r == DECODE_TRUNCATED,
		    "cut at %zu: %s", k, decode_result_name(r));
	}

	/* From a router: no DEC_ICMP_FROM_DST. */
	n = forge(HDR4("raw"), "0 < A 5000 1001 icmp=3/13 icmpfrom=router",
	    f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_OK);
	ck_assert(p.quirks & DEC_ICMP_ERR);
	ck_assert(!(p.quirks & DEC_ICMP_FROM_DST));
	ck_assert_uint_eq(p.tcp.sport, 80);	/* the server's segment */
	ck_assert_uint_eq(p.tcp.seq, 5000);
	ck_assert_uint_eq(p.tcp.win, 0x030d);

	/* ICMPv6 destination unreachable, port (1/4). */
	n = forge(HDR6("sll2"), "0 > S 7000 0 icmp=1/4", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_OK);
	ck_assert(p.quirks & DEC_ICMP_FROM_DST);
	ck_assert_int_eq(p.af, 6);
	ck_assert_uint_eq(p.tcp.dport, 443);
	ck_assert_uint_eq(p.tcp.win, 0x0104);
	ck_assert_int_eq(dec(dlt, f, n, n, &verify, &p, NULL), DECODE_OK);
	ck_assert(!(p.quirks & CSUM_BITS));	/* with its pseudo-header */
	/* Quoting a segment with extension headers (hop-by-hop, a first
	 * fragment's header): walked to the TCP header. */
	n = forge(HDR6("raw"), "0 > S 7000 0 ext6=hbh,frag icmp=1/1", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_OK);
	ck_assert_uint_eq(p.tcp.seq, 7000);
	ck_assert_uint_eq(p.tcp.win, 0x0101);

	/* Not errors about a connection: fragmentation needed (path MTU
	 * discovery), ICMPv6 packet too big, another type. */
	n = forge(HDR4("en10mb"), "0 > A 1001 5001 icmp=3/4", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_NOT_TCP);
	n = forge(HDR6("raw"), "0 > A 1001 5001 icmp=2/0", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_NOT_TCP);
	n = forge(HDR4("raw"), "0 > A 1001 5001 icmp=11/0", f, &dlt);
	ck_assert_int_eq(dec(dlt, f, n, n, NULL, &p, NULL), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_ipv6_ah)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR6("raw"), "0 > A 1 2 ext6=dst len=4", f, &dlt);

	ck_assert_uint_eq(f[6], 60);	/* IPv6 next header: dstopts */
	ck_assert_uint_eq(f[41], 0);	/* its Hdr Ext Len */
	f[6] = 51;
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 4);
	/* AH length 10: (10 + 2) * 4 = 48 bytes, more than the 32 the
	 * payload length leaves (8 + 20 + 4). */
	f[41] = 10;
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_MALFORMED);
	/* No Next Header (59) after the extension header: not TCP. */
	f[6] = 60, f[41] = 0, f[40] = 59;
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_NOT_TCP);
}
END_TEST

/* Bad version nibbles and IHL values. */
START_TEST(test_ip_version)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(HDR4("raw"), SYN_LINE, f, &dlt);

	f[0] = 0x44;		/* IHL 4: 16 bytes < 20 */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_MALFORMED);
	f[0] = 0x4f;		/* IHL 15: 60 bytes > total length 44 */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_MALFORMED);
	f[0] = 0x65;		/* IPv6 nibble on an IPv4-only link */
	ck_assert_res(dec(DLT_IPV4, f, n, n, NULL, &pkt, NULL),
	    DECODE_MALFORMED);
	f[0] = 0x55;		/* version 5 on a raw link: not IP we know */
	ck_assert_res(dec(DLT_RAW, f, n, n, NULL, &pkt, NULL), DECODE_NOT_TCP);
	n = forge(HDR6("ipv6"), SYN_LINE, f, &dlt);
	f[0] = 0x40;		/* IPv4 nibble on an IPv6-only link */
	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_MALFORMED);
}
END_TEST

/* Snaplen cut inside the payload: the header is whole, so OK; the
 * payload length still comes from the IP length. */
START_TEST(test_payload_cut)
{
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	long payoff;
	/* 14 + 20 + 40 (options mss, nop, ws, sackok, ts: 4+1+3+2+10 = 20)
	 * + 100 = 174 bytes. */
	size_t n = forge(HDR4("en10mb"),
	    "0 > PA 1 2 mss=1460 nop ws=7 sackok ts=5,6 len=100", f, &dlt);

	ck_assert_uint_eq(n, 14 + 20 + 40 + 100);
	/* Keep 60 of the 100 payload bytes (a tcpdump -s 134). */
	ck_assert_res(dec(dlt, f, n - 40, n, &verify, &pkt, &payoff),
	    DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.hlen, 40);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 60);
	ck_assert_int_eq(payoff, 74);
	/* Cut, and so unverifiable: neither good nor bad. */
	ck_assert_uint_eq(pkt.quirks,
	    DEC_TCP_PAYLOAD_CUT | DEC_TCP_CSUM_UNKNOWN);
	ck_assert(pkt.tcp.opt.has_ts && pkt.tcp.opt.tsval == 5);
	/* All the payload cut: no payload pointer, the length stays. */
	ck_assert_res(dec(dlt, f, 74, n, NULL, &pkt, &payoff), DECODE_OK);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 0);
	ck_assert_int_eq(payoff, -1);
	ck_assert_uint_eq(pkt.quirks, DEC_TCP_PAYLOAD_CUT);
	/* One byte of options missing (the timestamps' last): the fixed
	 * header is whole, so the segment is analysed, with the options
	 * captured whole and no payload. */
	ck_assert_res(dec(dlt, f, 73, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, DEC_TCP_HDR_CUT | DEC_TCP_PAYLOAD_CUT);
	ck_assert_uint_eq(pkt.tcp.hlen, 40);
	ck_assert_uint_eq(pkt.tcp.paylen, 100);
	ck_assert_uint_eq(pkt.tcp.paycap, 0);
	ck_assert(pkt.tcp.opt.has_mss && pkt.tcp.opt.mss == 1460);
	ck_assert(pkt.tcp.opt.has_ws && pkt.tcp.opt.wscale == 7);
	ck_assert(pkt.tcp.opt.sack_ok && !pkt.tcp.opt.has_ts);
	/* The window cut (48 = 14 + 20 + 14: ports, numbers, offset and
	 * flags): analysed, the window read as open; one byte less, the
	 * flags cut: truncated. */
	ck_assert_res(dec(dlt, f, 48, n, NULL, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, DEC_TCP_HDR_CUT | DEC_TCP_WIN_CUT |
	    DEC_TCP_PAYLOAD_CUT);
	ck_assert_uint_eq(pkt.tcp.flags, TH_PSH | TH_ACK);
	ck_assert_uint_eq(pkt.tcp.seq, 1);
	ck_assert_uint_eq(pkt.tcp.ack, 2);
	ck_assert_uint_eq(pkt.tcp.win, 0xffff);
	ck_assert(!pkt.tcp.opt.has_mss && !pkt.tcp.opt.has_ts);
	ck_assert_res(dec(dlt, f, 47, n, NULL, &pkt, NULL), DECODE_TRUNCATED);
	/* The same cut with caplen == wirelen: the IP length lies. */
	ck_assert_res(dec(dlt, f, 73, 73, NULL, &pkt, NULL), DECODE_MALFORMED);
	ck_assert_res(dec(dlt, f, n - 40, n - 40, NULL, &pkt, NULL),
	    DECODE_MALFORMED);
}
END_TEST

/* ---- TCP options (RFC 9293 3.1, RFC 7323, RFC 2018, RFC 7413) ----------- */

struct opt_case {
	const char *opts;	/* forge keys; padded with EOL to 4 */
	uint8_t hlen;		/* 20 + padded option bytes, by hand */
	uint32_t quirks;
	struct tcp_opts want;
};

#define SACKB(l, r) { l, r }

static const struct opt_case opt_cases[] = {
	/* Each option alone. */
	{ "mss=1460", 24, 0, { .mss = 1460, .has_mss = true } },
	{ "mss=65535", 24, 0, { .mss = 65535, .has_mss = true } },
	{ "ws=7", 24, 0, { .wscale = 7, .has_ws = true } },
	{ "ws=0", 24, 0, { .wscale = 0, .has_ws = true } },
	{ "ws=14", 24, 0, { .wscale = 14, .has_ws = true } },
	{ "sackok", 24, 0, { .sack_ok = true } },
	/* 3735928559 = 0xdeadbeef */
	{ "ts=3735928559,1", 32, 0,
	  { .tsval = 0xdeadbeef, .tsecr = 1, .has_ts = true } },
	{ "ts=0,4294967295", 32, 0,
	  { .tsval = 0, .tsecr = 0xffffffff, .has_ts = true } },
	/* SACK blocks: 2 + 8n bytes (RFC 2018 3). */
	{ "sack=1000-2000", 32, 0,
	  { .nsack = 1, .sack = { SACKB(1000, 2000) } } },
	{ "sack=1-2,3-4", 40, 0,
	  { .nsack = 2, .sack = { SACKB(1, 2), SACKB(3, 4) } } },
	{ "sack=1-2,3-4,4294967295-5", 48, 0,
	  { .nsack = 3, .sack = { SACKB(1, 2), SACKB(3, 4),
				  SACKB(0xffffffff, 5) } } },
	{ "sack=10-20,30-40,50-60,70-80", 56, 0,
	  { .nsack = 4, .sack = { SACKB(10, 20), SACKB(30, 40),
				  SACKB(50, 60), SACKB(70, 80) } } },
	/* An empty SACK option (length 2) is legal. */
	{ "opt=0502", 24, 0, { .nsack = 0 } },
	/* TFO: request (no cookie), and cookies of 4..16 bytes. */
	{ "tfo", 24, 0, { .has_tfo = true, .tfo_len = 0 } },
	{ "tfo=0011223344556677", 32, 0, { .has_tfo = true, .tfo_len = 8 } },
	{ "tfo=00112233", 28, 0, { .has_tfo = true, .tfo_len = 4 } },
	{ "tfo=00112233445566778899aabbccddeeff", 40, 0,
	  { .has_tfo = true, .tfo_len = 16 } },
	/* A Linux SYN: 02 04 05 b4 04 02 08 0a <ts> 01 03 03 07 = 20. */
	{ "mss=1460 sackok ts=100,0 nop ws=7", 40, 0,
	  { .mss = 1460, .has_mss = true, .sack_ok = true, .tsval = 100,
	    .has_ts = true, .wscale = 7, .has_ws = true } },
	/* MSS and TFO together are not duplicates (kinds 2 and 34). */
	{ "mss=1460 tfo=aabbccdd", 32, 0,
	  { .mss = 1460, .has_mss = true, .has_tfo = true, .tfo_len = 4 } },
	{ "mss=1460 ws=8 sackok ts=1,2 tfo", 44, 0,
	  { .mss = 1460, .has_mss = true, .wscale = 8, .has_ws = true,
	    .sack_ok = true, .tsval = 1, .tsecr = 2, .has_ts = true,
	    .has_tfo = true } },
	/* NOPs are single bytes; EOL ends the list. */
	{ "nop nop nop nop", 24, 0, { 0 } },
	{ "nop nop ts=7,8", 32, 0, { .tsval = 7, .tsecr = 8, .has_ts = true } },
	{ "eol mss=1460", 28, 0, { 0 } },
	{ "ws=3 eol opt=0201", 28, 0, { .wscale = 3, .has_ws = true } },
	/* Unknown kinds are skipped by their length: 254 (RFC 6994
	 * experimental), 19 (MD5, 18 bytes). */
	{ "opt=fe06aabbccdd mss=536", 32, 0, { .mss = 536, .has_mss = true } },
	{ "opt=1312000102030405060708090a0b0c0d0e0f ws=2", 44, 0,
	  { .wscale = 2, .has_ws = true } },
	/* RFC 7323 2.3: a shift over 14 is used as 14. */
	{ "ws=15", 24, DEC_TCP_WSCALE_CLAMP, { .wscale = 14, .has_ws = true } },
	{ "ws=255", 24, DEC_TCP_WSCALE_CLAMP,
	  { .wscale = 14, .has_ws = true } },
	/* Length < 2 stops the walk. */
	{ "opt=0201", 24, DEC_TCP_OPT_BAD_LEN, { 0 } },
	{ "opt=0800", 24, DEC_TCP_OPT_BAD_LEN, { 0 } },
	{ "opt=fe01 mss=1460", 28, DEC_TCP_OPT_BAD_LEN, { 0 } },
	{ "mss=1460 opt=0301 ws=7", 32, DEC_TCP_OPT_BAD_LEN,
	  { .mss = 1460, .has_mss = true } },
	/* Length past the header stops the walk: MSS of length 10 in a
	 * 4-byte option area (02 0a 00 00). */
	{ "opt=020a", 24, DEC_TCP_OPT_BAD_LEN, { 0 } },
	{ "mss=1460 opt=0828", 28, DEC_TCP_OPT_BAD_LEN,
	  { .mss = 1460, .has_mss = true } },
	/* A kind in the last byte, no room for its length. */
	{ "nop nop nop opt=02", 24, DEC_TCP_OPT_BAD_LEN, { 0 } },
	/* Wrong size for the kind: skipped whole, the walk goes on. */
	{ "opt=020305 ws=7", 28, DEC_TCP_OPT_BAD_SIZE,
	  { .wscale = 7, .has_ws = true } },
	{ "opt=0205000000", 28, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=0302", 24, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=03040700 mss=100", 28, DEC_TCP_OPT_BAD_SIZE,
	  { .mss = 100, .has_mss = true } },
	{ "opt=040300", 24, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=0808000000010000", 28, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=080b0000000100000002ff", 32, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=050600000001", 28, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=050900000001000000", 32, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	/* TFO cookies of 1, 3 and 17 bytes (RFC 7413 4.1.1: 4..16). */
	{ "opt=220300", 24, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "opt=2205000102", 28, DEC_TCP_OPT_BAD_SIZE, { 0 } },
	{ "tfo=000102030405060708090a0b0c0d0e0f10", 40, DEC_TCP_OPT_BAD_SIZE,
	  { 0 } },
	/* The same kind twice. */
	{ "mss=1460 mss=536", 28, DEC_TCP_OPT_DUP, { .has_mss = true } },
	{ "ws=7 ws=8", 28, DEC_TCP_OPT_DUP, { .has_ws = true } },
	{ "sackok sackok", 24, DEC_TCP_OPT_DUP, { .sack_ok = true } },
	{ "ts=1,2 ts=3,4", 40, DEC_TCP_OPT_DUP, { .has_ts = true } },
	{ "sack=1-2 sack=3-4", 40, DEC_TCP_OPT_DUP, { .nsack = 2 } },
	{ "tfo tfo", 24, DEC_TCP_OPT_DUP, { .has_tfo = true } },
	/* Rules combine: clamp plus duplicate. */
	{ "ws=15 ws=15", 28, DEC_TCP_OPT_DUP | DEC_TCP_WSCALE_CLAMP,
	  { .wscale = 14, .has_ws = true } },
};

/* Fields compared for duplicate rows: only the has_ flags (and nsack),
 * since which copy wins is not the wire's to say. */
static void
assert_opts(const struct tcp_opts *got, const struct opt_case *c)
{
	const struct tcp_opts *w = &c->want;
	bool dup = c->quirks & DEC_TCP_OPT_DUP;

	ck_assert_int_eq(got->has_mss, w->has_mss);
	ck_assert_int_eq(got->has_ws, w->has_ws);
	ck_assert_int_eq(got->sack_ok, w->sack_ok);
	ck_assert_int_eq(got->has_ts, w->has_ts);
	ck_assert_int_eq(got->has_tfo, w->has_tfo);
	if (dup && !(c->quirks & DEC_TCP_WSCALE_CLAMP))
		return;
	ck_assert_uint_eq(got->mss, w->mss);
	ck_assert_uint_eq(got->wscale, w->wscale);
	ck_assert_uint_eq(got->tsval, w->tsval);
	ck_assert_uint_eq(got->tsecr, w->tsecr);
	ck_assert_uint_eq(got->tfo_len, w->tfo_len);
	ck_assert_uint_eq(got->nsack, w->nsack);
	for (int i = 0; i < w->nsack; i++) {
		ck_assert_uint_eq(got->sack[i][0], w->sack[i][0]);
		ck_assert_uint_eq(got->sack[i][1], w->sack[i][1]);
	}
}

START_TEST(test_tcp_options)
{
	const struct opt_case *c = &opt_cases[_i];
	char *line = g_strdup_printf("0 > S 1 0 len=3 %s", c->opts);
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	long payoff;
	size_t n = forge(HDR4("raw"), line, f, &dlt);

	ck_assert_uint_eq(n, 20 + (size_t)c->hlen + 3);
	ck_assert_res(dec(dlt, f, n, n, &verify, &pkt, &payoff), DECODE_OK);
	ck_assert_msg(pkt.quirks == c->quirks, "'%s': quirks %#x, expected %#x",
	    c->opts, pkt.quirks, c->quirks);
	ck_assert_uint_eq(pkt.tcp.hlen, c->hlen);
	/* Options never eat into the payload. */
	ck_assert_uint_eq(pkt.tcp.paylen, 3);
	ck_assert_int_eq(payoff, (long)(20 + c->hlen));
	assert_opts(&pkt.tcp.opt, c);
	/* The same over IPv6 (the option walk does not care). */
	n = forge(HDR6("raw"), line, f, &dlt);
	ck_assert_res(dec(dlt, f, n, n, &verify, &pkt, NULL), DECODE_OK);
	ck_assert_uint_eq(pkt.quirks, c->quirks);
	assert_opts(&pkt.tcp.opt, c);
	g_free(line);
}
END_TEST

/* decode_tcp_options() on exact-size buffers: the walk never reads a byte
 * past len (ASan), and clears the output first. */
struct rawopt_case {
	uint8_t b[12];
	size_t len;
	uint32_t quirks;
	bool has_mss;
	uint16_t mss;
	bool has_tfo;
};

static const struct rawopt_case rawopt_cases[] = {
	{ { 0 }, 0, 0, false, 0, false },
	{ { 0x01 }, 1, 0, false, 0, false },
	{ { 0x00, 0x02, 0x04 }, 3, 0, false, 0, false },	/* EOL first */
	{ { 0x02 }, 1, DEC_TCP_OPT_BAD_LEN, false, 0, false },
	{ { 0x02, 0x04 }, 2, DEC_TCP_OPT_BAD_LEN, false, 0, false },
	{ { 0x02, 0x04, 0x05 }, 3, DEC_TCP_OPT_BAD_LEN, false, 0, false },
	{ { 0x02, 0x04, 0x05, 0xb4 }, 4, 0, true, 1460, false },
	{ { 0x01, 0x02, 0x04, 0x05, 0xb4 }, 5, 0, true, 1460, false },
	{ { 0x02, 0x04, 0x05, 0xb4, 0x03 }, 5, DEC_TCP_OPT_BAD_LEN, true,
	  1460, false },
	{ { 0x02, 0x04, 0x05, 0xb4, 0x03, 0x03 }, 6, DEC_TCP_OPT_BAD_LEN, true,
	  1460, false },
	{ { 0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0 }, 9, DEC_TCP_OPT_BAD_LEN, false,
	  0, false },
	{ { 0x22, 0x02 }, 2, 0, false, 0, true },	/* TFO request */
	{ { 0xff, 0x02 }, 2, 0, false, 0, false },	/* unknown, skipped */
	{ { 0xff, 0x00 }, 2, DEC_TCP_OPT_BAD_LEN, false, 0, false },
};

START_TEST(test_tcp_options_raw)
{
	const struct rawopt_case *c = &rawopt_cases[_i];
	uint8_t *b = malloc(c->len);
	struct tcp_opts o;

	ck_assert(c->len == 0 || b != NULL);
	if (c->len)
		memcpy(b, c->b, c->len);
	memset(&o, 0xa5, sizeof(o));
	ck_assert_uint_eq(decode_tcp_options(b, c->len, &o), c->quirks);
	ck_assert_int_eq(o.has_mss, c->has_mss);
	ck_assert_uint_eq(o.mss, c->mss);
	ck_assert(!o.has_ws && !o.has_ts && !o.sack_ok);
	ck_assert_uint_eq(o.nsack, 0);
	ck_assert_int_eq(o.has_tfo, c->has_tfo);
	free(b);
}
END_TEST

/* NOP, NOP, timestamps in 12 bytes is decoded at once (decode.c): the
 * same as the walk gives for the same option laid out otherwise (TS, NOP,
 * NOP; and NOP, NOP, TS, EOL in 13 bytes), and a layout that only looks
 * like it (a bad length, a different kind) goes to the walk. */
START_TEST(test_tcp_options_ts_fast)
{
	uint32_t x = 0x12345678u;

	for (int i = 0; i < 10000; i++) {
		uint8_t fast[12] = { 1, 1, 8, 10 }, slow[12] = { 8, 10 };
		uint8_t eol[13] = { 1, 1, 8, 10 };
		struct tcp_opts a, b, e;
		x = x * 1103515245u + 12345u;
		uint32_t tsval = x;
		x = x * 1103515245u + 12345u;
		uint32_t tsecr = i % 3 ? x : 0;
		for (int k = 0; k < 4; k++) {
			fast[4 + k] = eol[4 + k] = slow[2 + k] =
			    (uint8_t)(tsval >> (24 - 8 * k));
			fast[8 + k] = eol[8 + k] = slow[6 + k] =
			    (uint8_t)(tsecr >> (24 - 8 * k));
		}
		slow[10] = slow[11] = 1;
		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0x5a, sizeof(b));
		memset(&e, 0x3c, sizeof(e));
		ck_assert_uint_eq(decode_tcp_options(fast, 12, &a), 0);
		ck_assert_uint_eq(decode_tcp_options(slow, 12, &b), 0);
		ck_assert_uint_eq(decode_tcp_options(eol, 13, &e), 0);
		ck_assert(a.has_ts && a.tsval == tsval && a.tsecr == tsecr);
		ck_assert_mem_eq(&a, &b, sizeof(a));
		ck_assert_mem_eq(&a, &e, sizeof(a));
	}
	/* A timestamps option of length 9: not the fast layout; for the
	 * walk a bad size, and byte 11 then starts an MSS option (kind 2)
	 * with no length byte left: a bad length too. */
	uint8_t bad[12] = { 1, 1, 8, 9, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct tcp_opts o;
	ck_assert_uint_eq(decode_tcp_options(bad, 12, &o),
	    DEC_TCP_OPT_BAD_SIZE | DEC_TCP_OPT_BAD_LEN);
	ck_assert(!o.has_ts);
}
END_TEST

/* ---- checksums (RFC 1071; pseudo-headers RFC 9293 3.1, RFC 8200 8.1) --- */

struct csum_case {
	const char *name;
	const char *hdr, *line;
	bool verify;
	uint32_t bits;		/* quirks & CSUM_BITS */
};

static const struct csum_case csum_cases[] = {
	{ "v4 good", HDR4("raw"), SYN_LINE, true, 0 },
	{ "v4 good, odd payload", HDR4("raw"), "0 > PA 1 2 len=1", true, 0 },
	{ "v4 good, 3 bytes", HDR4("en10mb"), "0 > PA 1 2 data=\"\\xff\\xff\\x01\"",
	  true, 0 },
	{ "v4 good, 1001 bytes", HDR4("raw"), "0 > PA 1 2 len=1001", true, 0 },
	{ "v4 good, IP options", HDR4("raw"),
	  "0 > A 1 2 ipopt=07070400000000 len=2", true, 0 },
	{ "v4 good, padded frame", HDR4("en10mb"), "0 > A 1 2 eth_pad=6",
	  true, 0 },
	{ "v4 good, padded, odd data", HDR4("en10mb"),
	  "0 > A 1 2 len=1 eth_pad=5", true, 0 },
	{ "v4 bad TCP", HDR4("raw"), "0 > A 1 2 badsum", true,
	  DEC_TCP_BAD_CSUM },
	{ "v4 bad TCP, data", HDR4("sll"), "0 > PA 1 2 len=9 badsum", true,
	  DEC_TCP_BAD_CSUM },
	{ "v4 bad IP", HDR4("raw"), "0 > A 1 2 badipsum", true,
	  DEC_IP_BAD_CSUM },
	{ "v4 bad IP with options", HDR4("raw"),
	  "0 > A 1 2 ipopt=01010101 badipsum", true, DEC_IP_BAD_CSUM },
	{ "v4 both bad", HDR4("en10mb"), "0 > A 1 2 badsum badipsum", true,
	  DEC_IP_BAD_CSUM | DEC_TCP_BAD_CSUM },
	{ "v4 bad, not verified", HDR4("raw"), "0 > A 1 2 badsum badipsum",
	  false, 0 },
	{ "v6 good", HDR6("raw"), SYNACK_LINE, true, 0 },
	{ "v6 good, odd payload", HDR6("en10mb"), "0 > PA 1 2 len=7", true,
	  0 },
	{ "v6 good, ext headers", HDR6("raw"), "0 > PA 1 2 ext6=hbh,rt len=2",
	  true, 0 },
	{ "v6 good, padded", HDR6("en10mb"), "0 > A 1 2 len=1 eth_pad=2",
	  true, 0 },
	{ "v6 bad TCP", HDR6("raw"), "0 > A 1 2 badsum", true,
	  DEC_TCP_BAD_CSUM },
	{ "v6 bad TCP, ext", HDR6("sll2"), "0 > A 1 2 ext6=dst len=3 badsum",
	  true, DEC_TCP_BAD_CSUM },
	{ "v6 bad, not verified", HDR6("raw"), "0 > A 1 2 badsum", false, 0 },
	/* A first fragment carries part of the segment the checksum
	 * covers: it cannot be judged either way. */
	{ "v4 first fragment", HDR4("raw"), "0 > PA 1 2 len=16 frag=0,more",
	  true, DEC_TCP_CSUM_UNKNOWN },
	{ "v4 first fragment, bad", HDR4("raw"),
	  "0 > PA 1 2 len=16 frag=0,more badsum", true, DEC_TCP_CSUM_UNKNOWN },
	{ "v6 first fragment", HDR6("raw"), "0 > PA 1 2 len=16 frag=0,more",
	  true, DEC_TCP_CSUM_UNKNOWN },
	{ "v6 atomic fragment, bad", HDR6("raw"),
	  "0 > PA 1 2 len=16 frag=0 badsum", true, DEC_TCP_BAD_CSUM },
};

START_TEST(test_checksum)
{
	const struct csum_case *c = &csum_cases[_i];
	uint8_t f[FRAME_MAX];
	struct pkt pkt;
	int dlt;
	size_t n = forge(c->hdr, c->line, f, &dlt);
	struct decode_opts o = { .verify_checksums = c->verify };

	ck_assert_res(dec(dlt, f, n, n, &o, &pkt, NULL), DECODE_OK);
	ck_assert_msg((pkt.quirks & CSUM_BITS) == c->bits,
	    "%s: checksum bits %#x, expected %#x", c->name,
	    pkt.quirks & CSUM_BITS, c->bits);
}
END_TEST

/* ---- addresses (RFC 5952) ----------------------------------------------- */

struct addr_case {
	uint8_t af;
	const char *in;		/* any inet_pton form */
	const char *out;	/* RFC 5952 canonical */
};

static const struct addr_case addr_cases[] = {
	{ 4, "192.0.2.1", "192.0.2.1" },
	{ 4, "0.0.0.0", "0.0.0.0" },
	{ 4, "255.255.255.255", "255.255.255.255" },
	/* 4.1: leading zeros suppressed; 4.2.1: longest run as "::". */
	{ 6, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
	/* 4.2.2: a single 16-bit zero field is not shortened. */
	{ 6, "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	/* 4.2.3: the longest run wins; on a tie, the first. */
	{ 6, "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
	{ 6, "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	/* 4.3: lowercase. */
	{ 6, "2001:DB8::ABCD:EF", "2001:db8::abcd:ef" },
	{ 6, "::", "::" },
	{ 6, "::1", "::1" },
	{ 6, "1::", "1::" },
	{ 6, "fe80::1", "fe80::1" },
	{ 6, "2001:db8::", "2001:db8::" },
	{ 6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	/* 5: IPv4-mapped addresses keep the dotted quad. */
	{ 6, "::ffff:c000:201", "::ffff:192.0.2.1" },
	{ 6, "0:0:0:0:0:ffff:198.51.100.2", "::ffff:198.51.100.2" },
};

START_TEST(test_addr_str)
{
	const struct addr_case *c = &addr_cases[_i];
	uint8_t a[16];
	char buf[64];

	addr(c->af, c->in, a);
	memset(buf, 'x', sizeof(buf));
	decode_addr_str(c->af, a, buf, sizeof(buf));
	ck_assert_str_eq(buf, c->out);
	/* Exactly large enough (text + NUL) still works. */
	size_t need = strlen(c->out) + 1;
	decode_addr_str(c->af, a, buf, need);
	ck_assert_str_eq(buf, c->out);
	/* Too small: an empty string, never a cut address. */
	memset(buf, 'x', sizeof(buf));
	decode_addr_str(c->af, a, buf, need - 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* decode_addr_str() against the inet_ntop() it replaced: every pattern of
 * zero and non-zero fields (runs, ties, the ends), with small and large
 * field values, ffff in field 5 (mapped), and random addresses. */
START_TEST(test_addr_str_as_inet_ntop)
{
	static const unsigned vals[] = { 1, 0xffff, 0xab, 0x1000, 0x0f0e };
	uint8_t a[16];
	char ours[64], libc[64];
	GRand *rnd = g_rand_new_with_seed(5952);

	for (unsigned pat = 0; pat < 256; pat++)
		for (unsigned v = 0; v < G_N_ELEMENTS(vals); v++)
			for (int f5 = 0; f5 < 2; f5++) {
				for (int i = 0; i < 8; i++) {
					unsigned x = (pat >> i) & 1 ?
					    vals[(v + (unsigned)i) %
					    G_N_ELEMENTS(vals)] : 0;
					if (i == 5 && f5)
						x = 0xffff;
					a[2 * i] = (uint8_t)(x >> 8);
					a[2 * i + 1] = (uint8_t)x;
				}
				decode_addr_str(6, a, ours, sizeof(ours));
				ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a,
				    libc, sizeof(libc)));
				ck_assert_str_eq(ours, libc);
			}
	for (int k = 0; k < 100000; k++) {
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)g_rand_int_range(rnd, 0, 256);
		/* fields often zero, so that runs happen */
		for (int i = 0; i < 8; i++)
			if (g_rand_boolean(rnd))
				a[2 * i] = a[2 * i + 1] = 0;
		decode_addr_str(6, a, ours, sizeof(ours));
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, libc,
		    sizeof(libc)));
		ck_assert_str_eq(ours, libc);
		decode_addr_str(4, a, ours, sizeof(ours));
		ck_assert_ptr_nonnull(inet_ntop(AF_INET, a, libc,
		    sizeof(libc)));
		ck_assert_str_eq(ours, libc);
	}
	/* every octet value in every place of a dotted quad (its table) */
	for (unsigned v = 0; v < 256; v++) {
		const uint8_t q[4] = { (uint8_t)v, (uint8_t)(255 - v),
			(uint8_t)(v * 7), (uint8_t)(v ^ 0x5a) };
		memset(a, 0, sizeof(a));
		memcpy(a, q, 4);
		decode_addr_str(4, a, ours, sizeof(ours));
		ck_assert_ptr_nonnull(inet_ntop(AF_INET, a, libc,
		    sizeof(libc)));
		ck_assert_str_eq(ours, libc);
		a[10] = a[11] = 0xff;	/* ::ffff:q, mapped */
		memcpy(a + 12, q, 4);
		decode_addr_str(6, a, ours, sizeof(ours));
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, libc,
		    sizeof(libc)));
		ck_assert_str_eq(ours, libc);
	}
	g_rand_free(rnd);
}
END_TEST

START_TEST(test_result_names)
{
	/* Every result has its own name; an out-of-range one still gets a
	 * printable string. */
	for (int i = 0; i < DECODE_MAX; i++) {
		const char *a = decode_result_name((enum decode_result)i);
		ck_assert(a && *a);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(a,
			    decode_result_name((enum decode_result)j));
	}
	ck_assert_ptr_nonnull(decode_result_name(DECODE_MAX));
	ck_assert_ptr_nonnull(decode_result_name((enum decode_result)-1));
}
END_TEST

/* ---- truncation sweep ----------------------------------------------------- */

struct sweep_case {
	const char *hdr, *line;
	uint32_t paylen;	/* payload bytes at the end of the frame */
	uint32_t pad;		/* link padding after it */
};

static const struct sweep_case sweep_cases[] = {
	/* IPv4 with options, TCP with most options, data. */
	{ HDR4("raw"), "0 > PA 1 2 ipopt=070b040000000000000000 "
	  "mss=1460 nop ws=7 sackok ts=1,2 sack=5-6,7-8 len=5", 5, 0 },
	/* Every TCP option kind, TFO included. */
	{ HDR4("ipv4"), "0 > S 1 0 mss=1460 tfo=0011223344556677 "
	  "sack=1-2 ws=3", 0, 0 },
	{ HDR6("ipv6"), "0 > S 1 0 sackok ts=3,4 tfo nop eol", 0, 0 },
	/* IPv6 extension chains. */
	{ HDR6("raw"), "0 > PA 1 2 ext6=hbh,rt,dst mss=1220 len=3", 3, 0 },
	{ HDR6("raw"), "0 > PA 1 2 ext6=hbh,dst,rt,frag len=8", 8, 0 },
	/* Each link type. */
	{ HDR4("en10mb"), "0 > PA 1 2 ts=1,2 len=4", 4, 0 },
	{ HDR4("en10mb"), "0 > A 1 2 eth_pad=6", 0, 6 },
	{ HDR6("en10mb") "vlan 7\n", "0 > S 1 0 mss=1440 ws=2", 0, 0 },
	{ HDR4("en10mb") "vlan 1,2\n", "0 > PA 1 2 len=2 eth_pad=2", 2, 2 },
	{ HDR4("sll"), "0 > S 1 0 mss=1460", 0, 0 },
	{ HDR6("sll"), "0 < SA 1 2 mss=1460 len=1", 1, 0 },
	{ HDR4("sll2"), "0 > A 1 2 len=6", 6, 0 },
	{ HDR6("sll2"), "0 > FA 1 2 ext6=frag", 0, 0 },
	{ HDR4("null"), "0 > R 1 0", 0, 0 },
	{ HDR6("null"), "0 > PA 1 2 len=2", 2, 0 },
	{ HDR4("loop"), "0 > S 1 0 sackok", 0, 0 },
	{ HDR6("loop"), "0 > A 1 2 ext6=dst", 0, 0 },
};

static void
sweep_one(int dlt, const uint8_t *f, size_t n, uint32_t paylen, uint32_t pad)
{
	size_t hdr_end = n - pad - paylen;	/* link + IP + TCP headers */
	struct pkt pkt;

	ck_assert_res(dec(dlt, f, n, n, NULL, &pkt, NULL), DECODE_OK);
	/* where the TCP options start: after the fixed header */
	size_t opt_at = hdr_end - (pkt.tcp.hlen - 20u);
	for (size_t cut = 0; cut <= n; cut++) {
		for (int v = 0; v < 2; v++) {
			const struct decode_opts *o = v ? &verify : NULL;
			enum decode_result r;

			/* Snaplen cut of an honest frame. */
			r = dec(dlt, f, cut, n, o, &pkt, NULL);
			if (cut < opt_at - 6) {	/* before the window */
				ck_assert_msg(r == DECODE_TRUNCATED,
				    "cut %zu/%zu: %s, expected truncated",
				    cut, n, decode_result_name(r));
			} else if (cut < hdr_end) {
				/* The window or options cut: analysed
				 * without them, no payload, no finding of a
				 * bad option. */
				ck_assert_msg(r == DECODE_OK,
				    "cut %zu/%zu: %s, expected ok (options "
				    "cut)", cut, n, decode_result_name(r));
				ck_assert(pkt.quirks & DEC_TCP_HDR_CUT);
				ck_assert_int_eq(!!(pkt.quirks &
				    DEC_TCP_WIN_CUT), cut < opt_at);
				ck_assert_uint_eq(pkt.tcp.paylen, paylen);
				ck_assert_uint_eq(pkt.tcp.paycap, 0);
				ck_assert_int_eq(
				    !!(pkt.quirks & DEC_TCP_PAYLOAD_CUT),
				    paylen > 0);
				ck_assert(!(pkt.quirks & (DEC_TCP_OPT_BAD_LEN |
				    DEC_TCP_OPT_BAD_SIZE | DEC_TCP_BAD_CSUM)));
				ck_assert_int_eq(!!(pkt.quirks &
				    DEC_TCP_CSUM_UNKNOWN), v);
			} else {
				uint32_t cap = (uint32_t)MIN(cut - hdr_end,
				    paylen);
				ck_assert_msg(r == DECODE_OK,
				    "cut %zu/%zu: %s, expected ok", cut, n,
				    decode_result_name(r));
				ck_assert_uint_eq(pkt.tcp.paylen, paylen);
				ck_assert_uint_eq(pkt.tcp.paycap, cap);
				ck_assert_int_eq(
				    !!(pkt.quirks & DEC_TCP_PAYLOAD_CUT),
				    cap < paylen);
				ck_assert(!(pkt.quirks & (DEC_TCP_BAD_CSUM |
				    DEC_IP_BAD_CSUM)));
				if (v)
					ck_assert_int_eq(!!(pkt.quirks &
					    DEC_TCP_CSUM_UNKNOWN),
					    cap < paylen);
			}
			/* The same bytes claiming to be the whole frame:
			 * every length above says more than there is. */
			r = dec(dlt, f, cut, cut, o, &pkt, NULL);
			if (cut < n - pad)
				ck_assert_msg(r == DECODE_MALFORMED,
				    "cut %zu/%zu as whole: %s, expected "
				    "malformed", cut, n,
				    decode_result_name(r));
			else
				ck_assert_msg(r == DECODE_OK,
				    "cut %zu/%zu as whole: %s", cut, n,
				    decode_result_name(r));
		}
	}
}

START_TEST(test_sweep)
{
	const struct sweep_case *c = &sweep_cases[_i];
	uint8_t f[FRAME_MAX];
	int dlt;
	size_t n = forge(c->hdr, c->line, f, &dlt);

	sweep_one(dlt, f, n, c->paylen, c->pad);
}
END_TEST

START_TEST(test_sweep_hand)
{
	sweep_one(DLT_RAW, hand_syn, sizeof(hand_syn), 0, 0);
}
END_TEST

/* ==== the fast path (decode_fast()) against the whole way ================ */

static void
same_pkt(const struct pkt *a, const struct pkt *b, size_t i)
{
	const struct tcp_seg *x = &a->tcp, *y = &b->tcp;

	ck_assert_msg(a->af == b->af && memcmp(a->src, b->src, 16) == 0 &&
	    memcmp(a->dst, b->dst, 16) == 0 && a->vlan == b->vlan &&
	    a->quirks == b->quirks, "frame %zu: network fields", i);
	ck_assert_msg(x->sport == y->sport && x->dport == y->dport &&
	    x->seq == y->seq && x->ack == y->ack && x->win == y->win &&
	    x->flags == y->flags && x->hlen == y->hlen &&
	    x->paylen == y->paylen && x->payload == y->payload &&
	    x->paycap == y->paycap, "frame %zu: TCP fields", i);
	const struct tcp_opts *o = &x->opt, *q = &y->opt;
	ck_assert_msg(o->mss == q->mss && o->wscale == q->wscale &&
	    o->nsack == q->nsack && o->tsval == q->tsval &&
	    o->tsecr == q->tsecr && o->nsack <= TCP_MAX_SACK &&
	    memcmp(o->sack, q->sack, o->nsack * sizeof(o->sack[0])) == 0 &&
	    o->tfo_len == q->tfo_len &&
	    o->has_mss == q->has_mss && o->has_ws == q->has_ws &&
	    o->sack_ok == q->sack_ok && o->has_ts == q->has_ts &&
	    o->has_tfo == q->has_tfo, "frame %zu: options", i);
}

/*
 * 300,000 frames near the common one (Ethernet, IPv4 without options, TCP
 * with 0 to 40 bytes of options and some payload), each with a few of the
 * bytes the fast path judges set at random (EtherType, version and IHL,
 * total length, fragment field, protocol, data offset, options) and cut
 * anywhere: decode_frame() must give the same result and the same pkt with
 * its fast path as without. A third take the fast path; the rest go the
 * whole way from it.
 */

/* Frame f of len bytes with up to two of its judged bytes changed and cut
 * short at random, decoded the fast way and the whole way
 * (decode_fast_off), which must agree, the window scale sent too: the
 * result, and in *caplen the length it was cut to. */
static enum decode_result
both_ways(GRand *rng, uint8_t *f, size_t len, const size_t *judged,
    size_t njudged, size_t i, size_t *caplen_out)
{
	for (int m = g_rand_int_range(rng, 0, 3); m > 0; m--) {
		size_t at = judged[g_rand_int_range(rng, 0, (gint32)njudged)];
		f[at] = g_rand_boolean(rng) ? (uint8_t)g_rand_int(rng) :
		    (uint8_t)(f[at] + g_rand_int_range(rng, -2, 3));
	}
	size_t caplen = g_rand_boolean(rng) ? len :
	    (size_t)g_rand_int_range(rng, 0, (gint32)len + 9);
	size_t wirelen = g_rand_boolean(rng) ? caplen : len;
	uint8_t *d = g_memdup2(f, caplen ? caplen : 1);
	struct pkt a, b;
	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	decode_fast_off = true;
	enum decode_result rb = decode_frame(DLT_EN10MB, d, caplen, wirelen,
	    NULL, &b);
	decode_fast_off = false;
	enum decode_result ra = decode_frame(DLT_EN10MB, d, caplen, wirelen,
	    NULL, &a);
	ck_assert_msg(ra == rb, "frame %zu: %s, the whole way %s", i,
	    decode_result_name(ra), decode_result_name(rb));
	same_pkt(&a, &b, i);
	ck_assert_msg(a.tcp.opt.ws_sent == b.tcp.opt.ws_sent,
	    "frame %zu: window scale sent", i);
	g_free(d);
	*caplen_out = caplen;
	return ra;
}

START_TEST(test_fast_as_whole)
{
	GRand *rng = g_rand_new_with_seed(9293);
	/* the longest frame, 157 bytes, and the 8 the capture may claim
	 * beyond it (caplen over len: the lengths then lie) */
	uint8_t f[14 + 20 + 60 + 64 + 8];
	size_t fast = 0;

	for (size_t i = 0; i < 300000; i++) {
		size_t olen = 4 * (size_t)g_rand_int_range(rng, 0, 11);
		size_t pay = (size_t)g_rand_int_range(rng, 0, 64);
		size_t len = 14 + 20 + 20 + olen + pay;

		for (size_t k = 0; k < sizeof(f); k++)
			f[k] = (uint8_t)g_rand_int(rng);
		f[12] = 0x08, f[13] = 0x00;
		f[14] = 0x45;
		f[16] = (uint8_t)((len - 14) >> 8), f[17] = (uint8_t)(len - 14);
		f[20] &= 0x40, f[21] = 0;	/* DF at most */
		f[23] = 6;
		f[14 + 20 + 12] = (uint8_t)((5 + olen / 4) << 4);
		if (g_rand_boolean(rng)) {	/* NOP, NOP, timestamps */
			static const uint8_t ts[4] = { 1, 1, 8, 10 };
			if (olen >= 12)
				memcpy(f + 54, ts, 4);
		}
		/* Some of the judged bytes at random. */
		static const size_t judged[] = { 12, 13, 14, 16, 17, 20, 21,
		    23, 46, 54, 55, 56 };
		size_t caplen;
		enum decode_result ra = both_ways(rng, f, len, judged,
		    G_N_ELEMENTS(judged), i, &caplen);
		fast += caplen >= 54 && ra == DECODE_OK;
	}
	/* The generator reaches both. */
	ck_assert_uint_gt(fast, 30000);
	ck_assert_uint_lt(fast, 270000);
	g_rand_free(rng);
}
END_TEST

/*
 * The same for IPv6 without extension headers, and for the option layouts
 * decoded at once (the SYNs' of Linux and Windows, timestamps alone, none)
 * over either: 200,000 frames, a few judged bytes (the EtherType, version,
 * next header, payload length, data offset, the layouts' kinds, lengths
 * and window scale) changed at random, cut anywhere.
 */
START_TEST(test_fast_layouts)
{
	static const uint8_t layouts[][20] = {
		{ 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3,
		  7 },
		{ 2, 4, 5, 0xa0, 1, 3, 3, 8, 1, 1, 4, 2 },
		{ 1, 1, 8, 10, 9, 8, 7, 6, 5, 4, 3, 2 },
	};
	static const size_t layout_len[] = { 20, 12, 12 };
	GRand *rng = g_rand_new_with_seed(7323);
	uint8_t f[14 + 40 + 60 + 64 + 8];
	size_t fast = 0;

	for (size_t i = 0; i < 200000; i++) {
		bool v6 = g_rand_boolean(rng);
		size_t iph = v6 ? 40 : 20, th = 14 + iph;
		int l = g_rand_int_range(rng, 0, 4);
		size_t olen = l < 3 ? layout_len[l] : 0;
		size_t pay = (size_t)g_rand_int_range(rng, 0, 64);
		size_t len = th + 20 + olen + pay;

		for (size_t k = 0; k < sizeof(f); k++)
			f[k] = (uint8_t)g_rand_int(rng);
		if (v6) {
			f[12] = 0x86, f[13] = 0xdd;
			f[14] = (uint8_t)(0x60 | (f[14] & 0x0f));
			f[18] = (uint8_t)((len - th) >> 8);
			f[19] = (uint8_t)(len - th);
			f[20] = 6;
		} else {
			f[12] = 0x08, f[13] = 0x00;
			f[14] = 0x45;
			f[16] = (uint8_t)((len - 14) >> 8);
			f[17] = (uint8_t)(len - 14);
			f[20] &= 0x40, f[21] = 0;
			f[23] = 6;
		}
		f[th + 12] = (uint8_t)((5 + olen / 4) << 4);
		if (l < 3)
			memcpy(f + th + 20, layouts[l], olen);
		if (l < 2)	/* a window scale, sometimes over 14 */
			f[th + 20 + olen - (l ? 5 : 1)] =
			    (uint8_t)g_rand_int_range(rng, 0, 17);
		const size_t judged[] = { 12, 13, 14, v6 ? 18 : 16,
		    v6 ? 19 : 17, 20, 23, th + 12, th + 20, th + 21, th + 24,
		    th + 25, th + 26, th + 27, th + 28, th + 31, th + 36,
		    th + 37, th + 38 };
		size_t caplen;
		enum decode_result ra = both_ways(rng, f, len, judged,
		    G_N_ELEMENTS(judged), i, &caplen);
		fast += caplen >= th + 20 && ra == DECODE_OK;
	}
	ck_assert_uint_gt(fast, 30000);
	ck_assert_uint_lt(fast, 170000);
	g_rand_free(rng);
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("link");
	tcase_add_loop_test(tc, test_link, 0, G_N_ELEMENTS(link_cases));
	tcase_add_test(tc, test_null_af);
	tcase_add_test(tc, test_vlan_tci);
	tcase_add_test(tc, test_vlan_stack);
	tcase_add_test(tc, test_mpls);
	tcase_add_test(tc, test_ethertype_other);
	tcase_add_test(tc, test_unsupported_dlt);
	tcase_add_loop_test(tc, test_link_types, 0, G_N_ELEMENTS(link_hdrs));
	tcase_add_test(tc, test_nflog_cut);
	tcase_add_test(tc, test_tunnels);
	tcase_add_test(tc, test_vlan_elsewhere);
	tcase_add_test(tc, test_ip_length_zero);
	tcase_add_test(tc, test_hand_syn);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip");
	tcase_add_loop_test(tc, test_ip, 0, G_N_ELEMENTS(ip_cases));
	tcase_add_test(tc, test_ipv6_ah);
	tcase_add_test(tc, test_icmp_error);
	tcase_add_test(tc, test_ip_version);
	tcase_add_test(tc, test_payload_cut);
	tcase_add_test(tc, test_fast_as_whole);
	tcase_add_test(tc, test_fast_layouts);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp_options");
	tcase_add_loop_test(tc, test_tcp_options, 0, G_N_ELEMENTS(opt_cases));
	tcase_add_test(tc, test_tcp_options_ts_fast);
	tcase_add_loop_test(tc, test_tcp_options_raw, 0,
	    G_N_ELEMENTS(rawopt_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("checksum");
	tcase_add_loop_test(tc, test_checksum, 0, G_N_ELEMENTS(csum_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_loop_test(tc, test_addr_str, 0, G_N_ELEMENTS(addr_cases));
	tcase_add_test(tc, test_addr_str_as_inet_ntop);
	tcase_add_test(tc, test_result_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncation");
	tcase_add_loop_test(tc, test_sweep, 0, G_N_ELEMENTS(sweep_cases));
	tcase_add_test(tc, test_sweep_hand);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
