/* fuzz_decode.c - decode_frame() and decode_tcp_options() on raw bytes.
 *
 * Input: byte 0 picks the link type (the supported list, plus one that is
 * not), byte 1 bit 0 asks for checksum verification, the rest is the frame.
 * The frame is decoded as captured whole (caplen = wirelen) and as cut by a
 * snaplen (wirelen = caplen + 100); the option walker also gets the raw
 * bytes. Besides memory safety (ASan), the harness checks what decode.h
 * promises: the payload lies inside the frame, lengths are consistent,
 * option values are clamped, checksum verification only ever adds checksum
 * quirks, and a snaplen cut only turns MALFORMED into TRUNCATED (or into a
 * counted payload cut).
 */
#include "config.h"

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
	DLT_IPV6, DLT_NULL, DLT_LOOP,
	DLT_FDDI,		/* not supported: DECODE_UNSUPPORTED */
	DLT_PPP, DLT_PPP_SERIAL, DLT_PPP_ETHER, DLT_C_HDLC, DLT_ATM_RFC1483,
	DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_IEEE802_11_RADIO_AVS,
	DLT_PRISM_HEADER, DLT_PPI, DLT_PFLOG, DLT_ENC, DLT_NFLOG, DLT_PKTAP,
	DLT_IPOIB, DLT_NETANALYZER, DLT_NETANALYZER_TRANSPARENT,
};

#define CSUM_QUIRKS (DEC_IP_BAD_CSUM | DEC_TCP_BAD_CSUM | DEC_TCP_CSUM_UNKNOWN)

static void
check_opts(const struct tcp_opts *o, uint32_t q)
{
	FUZZ_CHECK(o->nsack <= TCP_MAX_SACK, "nsack %u", o->nsack);
	FUZZ_CHECK(o->wscale <= 14, "wscale %u not clamped", o->wscale);
	FUZZ_CHECK(!o->has_ws || o->wscale <= 14, "wscale");
	FUZZ_CHECK(o->tfo_len <= 16, "TFO cookie %u bytes", o->tfo_len);
	FUZZ_CHECK(o->has_mss || o->mss == 0, "mss %u without the option",
	    o->mss);
	FUZZ_CHECK(o->has_ts || (o->tsval == 0 && o->tsecr == 0),
	    "timestamps without the option");
	FUZZ_CHECK(!(q & ~(uint32_t)(DEC_TCP_OPT_BAD_LEN |
	    DEC_TCP_OPT_BAD_SIZE | DEC_TCP_OPT_DUP | DEC_TCP_WSCALE_CLAMP)) ,
	    "option walk returned non-option quirks 0x%x", q);
}

/* Touch every payload byte, so ASan sees a payload pointer that escapes
 * the frame even when the bounds check below were wrong too. */
static volatile uint8_t sink;

static void
check_pkt(enum decode_result r, const struct pkt *p, const uint8_t *buf,
    size_t len, bool verify)
{
	FUZZ_CHECK((unsigned)r < DECODE_MAX, "result %d", (int)r);
	if (!verify)
		FUZZ_CHECK(!(p->quirks & CSUM_QUIRKS),
		    "checksum quirks 0x%x without verification", p->quirks);
	if (r != DECODE_OK)
		return;
	const struct tcp_seg *t = &p->tcp;
	FUZZ_CHECK(p->af == 4 || p->af == 6, "af %u", p->af);
	if (p->af == 4)
		for (int i = 4; i < 16; i++)
			FUZZ_CHECK(p->src[i] == 0 && p->dst[i] == 0,
			    "IPv4 address bytes past 4 not zero");
	if (p->quirks & DEC_ICMP_ERR) {
		/* An ICMP error about a segment: its ports and seq only;
		 * type 3 (not code 4) or ICMPv6 type 1 in win. */
		FUZZ_CHECK(t->hlen == 0 && t->flags == 0 && t->paylen == 0 &&
		    t->payload == NULL, "ICMP error with TCP header fields");
		FUZZ_CHECK((p->af == 4 && t->win >> 8 == 3 &&
		    (t->win & 0xff) != 4) || (p->af == 6 && t->win >> 8 == 1),
		    "ICMP type/code 0x%04x for af %u", t->win, p->af);
		return;
	}
	FUZZ_CHECK(!(p->quirks & DEC_ICMP_FROM_DST), "ICMP quirk on a segment");
	FUZZ_CHECK(t->hlen >= 20 && t->hlen <= 60 && t->hlen % 4 == 0,
	    "hlen %u", t->hlen);
	FUZZ_CHECK(t->paycap <= t->paylen, "paycap %u > paylen %u", t->paycap,
	    t->paylen);
	FUZZ_CHECK((t->payload == NULL) == (t->paycap == 0),
	    "payload %p with paycap %u", (const void *)t->payload, t->paycap);
	FUZZ_CHECK(!(p->quirks & DEC_IP_FRAG_LATER),
	    "a non-first fragment decoded as TCP");
	FUZZ_CHECK(((p->quirks & DEC_TCP_PAYLOAD_CUT) != 0) ==
	    (t->paycap < t->paylen), "payload cut quirk vs %u/%u", t->paycap,
	    t->paylen);
	/* A header cut past its flags: no payload; a cut window reads open */
	FUZZ_CHECK(!(p->quirks & DEC_TCP_HDR_CUT) || t->paycap == 0,
	    "header cut with %u payload bytes", t->paycap);
	FUZZ_CHECK(!(p->quirks & DEC_TCP_WIN_CUT) ||
	    ((p->quirks & DEC_TCP_HDR_CUT) && t->win == 0xffff),
	    "window cut: quirks 0x%x, win %u", p->quirks, t->win);
	if (t->payload) {
		FUZZ_CHECK(t->payload >= buf && t->payload <= buf + len &&
		    t->paycap <= (size_t)(buf + len - t->payload),
		    "payload [%p, +%u) outside the frame [%p, +%zu)",
		    (const void *)t->payload, t->paycap, (const void *)buf,
		    len);
		uint8_t x = 0;
		for (uint32_t i = 0; i < t->paycap; i++)
			x ^= t->payload[i];
		sink = x;
	}
	check_opts(&t->opt, p->quirks & (DEC_TCP_OPT_BAD_LEN |
	    DEC_TCP_OPT_BAD_SIZE | DEC_TCP_OPT_DUP | DEC_TCP_WSCALE_CLAMP));

	char a[64];
	decode_addr_str(p->af, p->src, a, sizeof(a));
	FUZZ_CHECK(memchr(a, 0, sizeof(a)) != NULL, "address not terminated");
	char small[4];		/* too small: must not overflow */
	decode_addr_str(p->af, p->dst, small, sizeof(small));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	bool verify = data[1] & 1;
	const uint8_t *f = data + 2;
	size_t len = size - 2;
	struct decode_opts opts = { .verify_checksums = verify };
	struct decode_opts noverify = { .verify_checksums = false };
	struct pkt whole, cut, plain;

	/* Captured whole. */
	enum decode_result rw = decode_frame(dlt, f, len, len, &opts, &whole);
	check_pkt(rw, &whole, f, len, verify);
	FUZZ_CHECK(decode_dlt_is_supported(dlt) || rw == DECODE_UNSUPPORTED,
	    "unsupported DLT %d decoded: %s", dlt, decode_result_name(rw));

	/* The same bytes cut by a snaplen: only the verdict on missing bytes
	 * may change (lying lengths become a capture artefact). */
	enum decode_result rc = decode_frame(dlt, f, len, len + 100, &opts,
	    &cut);
	check_pkt(rc, &cut, f, len, verify);
	if (rw != rc)
		FUZZ_CHECK(rw == DECODE_MALFORMED && (rc == DECODE_TRUNCATED ||
		    (rc == DECODE_OK && (cut.quirks & (DEC_TCP_PAYLOAD_CUT |
		    DEC_TCP_HDR_CUT)))),
		    "caplen=wirelen gave %s, wirelen+100 gave %s",
		    decode_result_name(rw), decode_result_name(rc));
	else if (rw == DECODE_OK) {
		/* (An IP length of 0 is the frame's, TSO: 100 bytes more on
		 * the wire are 100 more of payload, cut, and a checksum that
		 * cannot be judged.) */
		uint32_t csum = DEC_TCP_BAD_CSUM | DEC_TCP_CSUM_UNKNOWN;
		bool tso = cut.tcp.paylen == whole.tcp.paylen + 100 &&
		    (cut.quirks & DEC_TCP_PAYLOAD_CUT) &&
		    ((whole.quirks ^ cut.quirks) & ~(csum |
		    DEC_TCP_PAYLOAD_CUT)) == 0;
		/* (An ICMP error's checksum is judged only when its whole
		 * message was captured: an IP length of 0 makes the wire's
		 * 100 bytes more part of it, and the judgment goes.) */
		uint32_t icmp = (whole.quirks & DEC_ICMP_ERR) ?
		    DEC_IP_BAD_CSUM : 0;
		FUZZ_CHECK(((whole.quirks & ~icmp) == (cut.quirks & ~icmp) &&
		    whole.tcp.paylen == cut.tcp.paylen) || tso,
		    "wirelen changed an OK decode (quirks 0x%x vs 0x%x)",
		    whole.quirks, cut.quirks);
		FUZZ_CHECK(whole.tcp.seq == cut.tcp.seq,
		    "wirelen changed an OK decode's seq");
	}

	/* Verification adds checksum findings and changes nothing else. */
	if (verify) {
		enum decode_result rp = decode_frame(dlt, f, len, len,
		    &noverify, &plain);
		check_pkt(rp, &plain, f, len, false);
		FUZZ_CHECK(rp == rw, "verify_checksums changed the result: %s "
		    "vs %s", decode_result_name(rw), decode_result_name(rp));
		FUZZ_CHECK((whole.quirks & ~CSUM_QUIRKS) == plain.quirks,
		    "verify_checksums changed quirks 0x%x vs 0x%x",
		    whole.quirks, plain.quirks);
	}
	/* The fast path for the common frame gives what the whole way
	 * gives, byte for byte (both start zeroed: padding stays 0). */
	for (int k = 0; k < 2; k++) {
		struct pkt fast, slow;
		size_t wire = k ? len + 100 : len;
		memset(&fast, 0, sizeof(fast));
		memset(&slow, 0, sizeof(slow));
		enum decode_result rf = decode_frame(dlt, f, len, wire,
		    &noverify, &fast);
		decode_fast_off = true;
		enum decode_result rs = decode_frame(dlt, f, len, wire,
		    &noverify, &slow);
		decode_fast_off = false;
		FUZZ_CHECK(rf == rs && memcmp(&fast, &slow, sizeof(fast)) == 0,
		    "the fast path differs from the whole way (%s vs %s)",
		    decode_result_name(rf), decode_result_name(rs));
	}
	/* A NULL options struct must not be needed (opts may be NULL). */
	(void)decode_frame(dlt, f, len, len, NULL, &plain);

	/* The option walker alone, over the raw bytes (any length). */
	struct tcp_opts o;
	uint32_t q = decode_tcp_options(f, len, &o);
	check_opts(&o, q);
	q = decode_tcp_options(f, len > 40 ? 40 : len, &o);
	check_opts(&o, q);
	return 0;
}
