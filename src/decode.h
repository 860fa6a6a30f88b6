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
	uint8_t flags;		/* TH_* */
	uint8_t hlen;		/* header length in bytes (doff * 4) */
	bool ae;		/* the AE flag (TH_AE) */
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

/* decode_frame() of a frame of DLT_EN10MB (Ethernet) with opts (not NULL)
 * that verify no checksums: for a caller that knows all three, without
 * their tests (nor decode_fast_off's), and reads no payload (nor
 * tcp.paycap), vlan or ipid (only the copies' test does, pipeline.c, which
 * a frame of one interface never goes to): those four may be left as they
 * were.
 * The SACK blocks past tcp.opt.nsack are left as they were. */
enum decode_result decode_frame_ether(const uint8_t *data, size_t caplen,
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

#endif
