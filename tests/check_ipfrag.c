/* check_ipfrag.c - IP fragment reassembly (src/ipfrag.c) through
 * decode_frame(), and the reassembler's bounds through its own API.
 *
 * Scenarios are written by the test forge (tests/forge.c, fragment=N: the
 * datagram cut as a router cuts it, RFC 791 3.2 and RFC 8200 4.5) into a
 * pcap in memory; each frame is decoded from a malloc'd copy of exactly
 * its captured bytes, so an ASan build reports any read past them.
 * Expected values by hand: a segment of 20 bytes of TCP header and
 * len=1400 is an IP payload of 1420 bytes; fragment=600 cuts it at 0, 600
 * and 1200 (600, 600 and 220 bytes); the reassembled segment is the
 * unfragmented one, seq and ack as written, paylen 1400.
 */
#include <check.h>
#include <glib.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "forge.h"
#include "ipfrag.h"

#define C4 "link en10mb\nclient 192.0.2.1:40000\nserver 198.51.100.2:80\n" \
	"time 1700000000\n"
#define C6 "link en10mb\nclient [2001:db8::1]:40000\n" \
	"server [2001:db8::2]:443\ntime 1700000000\n"
#define NS 1000000000LL

struct frame {
	int64_t ts;
	uint32_t caplen, wirelen;
	int dlt;
	uint8_t *data;
};

/* The frames of a forged scenario (pointing into *mem, g_free it). */
static GArray *
frames_of(const char *scn, uint8_t **mem)
{
	GError *err = NULL;
	size_t len = 0;
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct frame));
	uint8_t *m = forge_write_mem(scn, &len, &err);

	ck_assert_msg(m != NULL, "forge: %s", err ? err->message : "?");
	ck_assert_uint_ge(len, 24);
	uint32_t linktype;
	memcpy(&linktype, m + 20, 4);
	int dlt = linktype == 20 + 256 ? DLT_LINUX_SLL2 :
	    linktype == 113 ? DLT_LINUX_SLL : linktype == 101 ? DLT_RAW :
	    DLT_EN10MB;	/* the LINKTYPE_s the scenarios here use */
	/* Classic pcap, this host's byte order, microseconds (forge's
	 * default). */
	for (size_t off = 24; off + 16 <= len;) {
		uint32_t h[4];
		memcpy(h, m + off, 16);
		struct frame f = {
			.ts = (int64_t)h[0] * NS + (int64_t)h[1] * 1000,
			.caplen = h[2], .wirelen = h[3], .dlt = dlt,
			.data = m + off + 16,
		};
		ck_assert_uint_le(off + 16 + f.caplen, len);
		g_array_append_val(a, f);
		off += 16 + f.caplen;
	}
	*mem = m;
	return a;
}

/* A scenario's frames and a reassembler to decode them with. */
struct fx {
	uint8_t *mem;
	GArray *fr;
	struct decode_opts o;
};

static void
fx_open(struct fx *x, const char *scn, bool verify)
{
	x->fr = frames_of(scn, &x->mem);
	x->o = (struct decode_opts){ .verify_checksums = verify,
	    .frag = ipfrag_new() };
}

static struct frame *
fx_frame(struct fx *x, unsigned i)
{
	ck_assert_uint_lt(i, x->fr->len);
	return &g_array_index(x->fr, struct frame, i);
}

static void
fx_close(struct fx *x)
{
	ipfrag_free(x->o.frag);
	g_array_free(x->fr, TRUE);
	g_free(x->mem);
}

/* Decode frame f from a copy of its captured bytes. */
static enum decode_result
dec(const struct frame *f, struct decode_opts *o, struct pkt *pkt,
    uint32_t wirelen)
{
	uint8_t *copy = malloc(f->caplen);
	enum decode_result r;

	memcpy(copy, f->data, f->caplen);
	o->ts = f->ts;
	memset(pkt, 0xa5, sizeof(*pkt));
	r = decode_frame(f->dlt, copy, f->caplen,
	    wirelen ? wirelen : f->wirelen, o, pkt);
	pkt->tcp.payload = NULL;
	free(copy);
	return r;
}

/* The segment the response's fragments make, as written in RESP. */
#define RESP "0.050 < PA 5001 1101 win=509 len=1400"

static void
want_response(const struct pkt *p)
{
	ck_assert_uint_eq(p->tcp.seq, 5001);
	ck_assert_uint_eq(p->tcp.ack, 1101);
	ck_assert_uint_eq(p->tcp.flags, TH_PSH | TH_ACK);
	ck_assert_uint_eq(p->tcp.sport, 80);
	ck_assert_uint_eq(p->tcp.paylen, 1400);
	ck_assert(p->quirks & DEC_IP_REASSEMBLED);
	ck_assert(!(p->quirks & (DEC_IP_FRAG_FIRST | DEC_IP_FRAG_LATER)));
}

/* Run scenario scn through one reassembler; res[i] the results, the last
 * pkt in *last_ok (the last DECODE_OK); returns the frame count. */
static unsigned
run(const char *scn, bool verify, enum decode_result *res, unsigned max,
    struct pkt *last_ok, uint64_t *dropped, bool flush)
{
	struct fx x;
	fx_open(&x, scn, verify);
	struct pkt p;

	ck_assert_uint_le(x.fr->len, max);
	for (guint i = 0; i < x.fr->len; i++) {
		res[i] = dec(fx_frame(&x, i), &x.o, &p, 0);
		if (res[i] == DECODE_OK)
			*last_ok = p;
	}
	if (flush)
		ipfrag_flush(x.o.frag);
	*dropped = ipfrag_dropped(x.o.frag);
	unsigned n = x.fr->len;
	fx_close(&x);
	return n;
}

START_TEST(test_in_order)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	ck_assert_uint_eq(run(C4 RESP " fragment=600\n", false, r, 8, &p,
	    &dropped, true), 3);
	ck_assert_int_eq(r[0], DECODE_NOT_TCP);	/* held */
	ck_assert_int_eq(r[1], DECODE_NOT_TCP);
	ck_assert_int_eq(r[2], DECODE_OK);	/* the last completes it */
	want_response(&p);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

START_TEST(test_reverse_and_verify)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	/* Last first: the first fragment (offset 0) completes it. The TCP
	 * checksum covers the whole segment, now all there: verified. */
	ck_assert_uint_eq(run(C4 RESP " fragment=600,rev\n", true, r, 8, &p,
	    &dropped, true), 3);
	ck_assert_int_eq(r[0], DECODE_NOT_TCP);
	ck_assert_int_eq(r[1], DECODE_NOT_TCP);
	ck_assert_int_eq(r[2], DECODE_OK);
	want_response(&p);
	ck_assert_uint_eq(p.quirks & (DEC_TCP_BAD_CSUM | DEC_TCP_CSUM_UNKNOWN),
	    0);
	/* ...and a wrong one is found. */
	run(C4 RESP " fragment=600 badsum\n", true, r, 8, &p, &dropped, true);
	ck_assert_int_eq(r[2], DECODE_OK);
	ck_assert(p.quirks & DEC_TCP_BAD_CSUM);
}
END_TEST

START_TEST(test_ipv6)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	/* The Fragment header after the fixed one; a Destination Options
	 * header (8 bytes) in the fragmentable part: 8 + 1420 = 1428 bytes
	 * cut at 0, 600, 1200. After reassembly the walk goes on through
	 * it to TCP. */
	ck_assert_uint_eq(run(C6 "0.050 < PA 5001 1101 win=509 len=1400 "
	    "ext6=dst fragment=600,rev\n", true, r, 8, &p, &dropped, true), 3);
	ck_assert_int_eq(r[2], DECODE_OK);
	ck_assert_uint_eq(p.af, 6);
	ck_assert_uint_eq(p.tcp.sport, 443);
	ck_assert_uint_eq(p.tcp.paylen, 1400);
	ck_assert(p.quirks & DEC_IP_REASSEMBLED);
	ck_assert_uint_eq(p.quirks & (DEC_TCP_BAD_CSUM | DEC_TCP_CSUM_UNKNOWN),
	    0);
}
END_TEST

START_TEST(test_tiny_first)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	/* RFC 1858's tiny fragment: 8 bytes (ports and seq) each; the
	 * SYN's 24 bytes of header (mss) in three. */
	ck_assert_uint_eq(run(C4 "0 > S 1000 0 mss=1460 fragment=8\n", false,
	    r, 8, &p, &dropped, true), 3);
	ck_assert_int_eq(r[2], DECODE_OK);
	ck_assert_uint_eq(p.tcp.flags, TH_SYN);
	ck_assert_uint_eq(p.tcp.seq, 1000);
	ck_assert(p.tcp.opt.has_mss);
	ck_assert_uint_eq(p.tcp.opt.mss, 1460);
}
END_TEST

START_TEST(test_missing_piece)
{
	struct fx x;
	fx_open(&x, C4 RESP " fragment=600\n", false);
	struct pkt p;

	/* The middle one never comes: no segment; at the end the two held
	 * are counted. */
	ck_assert_int_eq(dec(fx_frame(&x, 0), &x.o, &p, 0),
	    DECODE_NOT_TCP);
	ck_assert_int_eq(dec(fx_frame(&x, 2), &x.o, &p, 0),
	    DECODE_NOT_TCP);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 2);
	ck_assert_uint_eq(ipfrag_reassembled(x.o.frag), 0);
	fx_close(&x);
}
END_TEST

START_TEST(test_duplicate)
{
	struct fx x;
	fx_open(&x, C4 RESP " fragment=600\n", false);
	struct pkt p;
	const unsigned order[] = { 0, 0, 1, 2, 2 };
	enum decode_result want[] = { DECODE_NOT_TCP, DECODE_NOT_TCP,
	    DECODE_NOT_TCP, DECODE_OK, DECODE_NOT_TCP };

	/* An exact copy (-i any, a mirror port) is left out, as Linux
	 * leaves out a fragment it holds already; the datagram completes.
	 * The last one's copy, after it, begins a datagram that never
	 * completes: counted at the end. */
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
		ck_assert_int_eq(dec(fx_frame(&x, order[i]), &x.o, &p, 0), want[i]);
		if (want[i] == DECODE_OK)
			want_response(&p);
	}
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 1);
	fx_close(&x);
}
END_TEST

START_TEST(test_overlap)
{
	struct fx x;
	/* Two cuts of datagrams with one id (ipid=7): a0 0-600, a1
	 * 600-1200, a2 1200-1420; b0 0-504, b1 504-1008, b2 1008-1420. */
	fx_open(&x, C4 "0.050 < PA 5001 1101 len=1400 ipid=7 "
	    "fragment=600\n0.050 < PA 5001 1101 len=1400 ipid=7 "
	    "fragment=504\n", false);
	struct pkt p;
	/* a0, then b1: it overlaps a0 in part (RFC 1858's overlap attack,
	 * RFC 5722): both given up (2). a1, a2, b0 begin a datagram anew
	 * (b0 overlaps nothing held); b2's bytes, 1008-1420, a1 and a2 hold
	 * already: a duplicate, left out. [504, 600) never comes: the three
	 * held are counted at the end (5). No segment. */
	const unsigned order[] = { 0, 4, 1, 2, 3, 5 };
	const uint64_t dropped[] = { 0, 2, 2, 2, 2, 2 };

	ck_assert_uint_eq(x.fr->len, 6);
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
		ck_assert_int_eq(dec(fx_frame(&x, order[i]), &x.o, &p, 0), DECODE_NOT_TCP);
		ck_assert_uint_eq(ipfrag_dropped(x.o.frag), dropped[i]);
	}
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 5);
	ck_assert_uint_eq(ipfrag_reassembled(x.o.frag), 0);
	ipfrag_free(x.o.frag);

	/* a0, then b0, whose bytes a0 holds already: a duplicate (Linux's
	 * IPFRAG_DUP), left out; a1 and a2 complete the first cut. */
	x.o.frag = ipfrag_new();
	const unsigned order2[] = { 0, 3, 1, 2 };
	enum decode_result r = DECODE_MAX;
	for (unsigned i = 0; i < G_N_ELEMENTS(order2); i++)
		r = dec(fx_frame(&x, order2[i]), &x.o, &p,
		    0);
	ck_assert_int_eq(r, DECODE_OK);
	ck_assert_uint_eq(p.tcp.paylen, 1400);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	fx_close(&x);
}
END_TEST

START_TEST(test_snaplen_cut)
{
	struct fx x;
	fx_open(&x, "snaplen 80\n" C4 RESP " fragment=600\n", false);
	struct pkt p;
	enum decode_result r = DECODE_MAX;

	/* Headers only (80 bytes a frame: 14 + 20 + 46): the first
	 * fragment holds TCP's whole header; the segment is analysed with
	 * its length from the IP lengths, its payload counted as cut. */
	for (guint i = 0; i < x.fr->len; i++)
		r = dec(fx_frame(&x, i), &x.o, &p, 0);
	ck_assert_int_eq(r, DECODE_OK);
	want_response(&p);
	ck_assert(p.quirks & DEC_TCP_PAYLOAD_CUT);
	ck_assert_uint_eq(p.tcp.paycap, 80 - 14 - 20 - 20);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);

	/* The same bytes where the frame's length says nothing was cut:
	 * the IP length lies, malformed, and never held. */
	ck_assert_int_eq(dec(fx_frame(&x, 0), &x.o, &p, 80),
	    DECODE_MALFORMED);
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	fx_close(&x);
}
END_TEST

START_TEST(test_lying_fragments)
{
	enum decode_result r[4];
	struct pkt p;
	uint64_t dropped;

	/* More to come, 25 bytes (not a multiple of 8): IPv4's is cut to
	 * 24, as Linux does (ip_frag_queue()), and held; IPv6's discarded
	 * (RFC 8200 4.5), malformed. */
	run(C4 "0 > A 1 2 len=5 frag=0,more\n", false, r, 2, &p, &dropped,
	    true);
	ck_assert_int_eq(r[0], DECODE_NOT_TCP);
	ck_assert_uint_eq(dropped, 1);
	run(C6 "0 > A 1 2 len=5 frag=0,more\n", false, r, 2, &p, &dropped,
	    true);
	ck_assert_int_eq(r[0], DECODE_MALFORMED);
	ck_assert_uint_eq(dropped, 0);
	/* RFC 791's limit: offset 65528 + 20 bytes past 65535 - 20. */
	run(C4 "0 > A 1 2 frag=8191\n", false, r, 2, &p, &dropped, true);
	ck_assert_int_eq(r[0], DECODE_MALFORMED);
	ck_assert_uint_eq(dropped, 0);
	/* An IPv6 first fragment without the whole TCP header (8 of its
	 * 24 bytes): discarded (RFC 8200 4.5, RFC 7112; Linux's
	 * ipv6frag_thdr_truncated()); the other two never complete. */
	ck_assert_uint_eq(run(C6 "0 > S 1000 0 mss=1460 fragment=8\n", false,
	    r, 4, &p, &dropped, true), 3);
	ck_assert_int_eq(r[0], DECODE_MALFORMED);
	ck_assert_int_eq(r[1], DECODE_NOT_TCP);
	ck_assert_int_eq(r[2], DECODE_NOT_TCP);
	ck_assert_uint_eq(dropped, 2);
}
END_TEST

START_TEST(test_nested)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	/* A fragment inside a reassembled datagram: the first piece of an
	 * inner datagram (behind a Destination Options header, id 77,
	 * offset 0, more: its TCP header and 100 bytes, 120) is carried in
	 * outer fragments (64 + 64 + 8 of 8 + 8 + 120 = 136 bytes); the
	 * frame that completes the outer datagram holds the inner piece
	 * (its bytes were in the outer datagram's buffer, copied before it
	 * goes). The inner datagram's last piece (offset 15 * 8 = 120: a
	 * second TCP header and 4 bytes, 24) completes it: a segment of
	 * seq 1001 with 120 - 20 + 24 = 124 bytes. */
	ck_assert_uint_eq(run(C6
	    "0.050 > PA 1001 5001 len=100 ipid=77 ext6=dst,frag frag=0,more "
	    "fragment=64\n"
	    "0.060 > PA 1001 5001 len=4 ipid=77 ext6=dst,frag frag=15\n",
	    false, r, 8, &p, &dropped, true), 4);
	ck_assert_int_eq(r[0], DECODE_NOT_TCP);
	ck_assert_int_eq(r[1], DECODE_NOT_TCP);
	ck_assert_int_eq(r[2], DECODE_NOT_TCP);
	ck_assert_int_eq(r[3], DECODE_OK);
	ck_assert_uint_eq(p.tcp.seq, 1001);
	ck_assert_uint_eq(p.tcp.paylen, 124);
	ck_assert(p.quirks & DEC_IP_REASSEMBLED);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

START_TEST(test_counted_behind_header)
{
	struct fx x;
	/* IPv6 with a Destination Options header first in the fragmentable
	 * part: the Fragment header's next header is 60, not TCP; the
	 * datagram may carry TCP all the same. The middle piece never
	 * comes: the two held are counted at the end. */
	fx_open(&x, C6 RESP " ext6=dst fragment=600\n", false);
	struct pkt p;

	ck_assert_uint_eq(x.fr->len, 3);
	dec(fx_frame(&x, 0), &x.o, &p, 0);
	dec(fx_frame(&x, 2), &x.o, &p, 0);
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 2);
	fx_close(&x);
}
END_TEST

START_TEST(test_clock_back)
{
	enum decode_result r[8];
	struct pkt p;
	uint64_t dropped;

	/* The capture's stamps step back 60 s (clocks, merged files) between
	 * two fragmented segments. A datagram is timed from when it began by
	 * the clock, which never runs back: the second's fragments, stamped
	 * alike, come in time and make it whole. (Timed by their own stamps,
	 * 60 s behind the clock, they were given up as they came.) */
	ck_assert_uint_eq(run(C4
	    "100.030 < PA 5001 1101 len=1400 fragment=600\n"
	    "40.050 < PA 6401 1101 len=1400 fragment=600\n",
	    false, r, 8, &p, &dropped, true), 6);
	ck_assert_int_eq(r[2], DECODE_OK);
	ck_assert_int_eq(r[3], DECODE_NOT_TCP);
	ck_assert_int_eq(r[4], DECODE_NOT_TCP);
	ck_assert_int_eq(r[5], DECODE_OK);
	ck_assert_uint_eq(p.tcp.seq, 6401);
	ck_assert_uint_eq(p.tcp.paylen, 1400);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

START_TEST(test_bad_ip_checksum)
{
	struct fx x;
	fx_open(&x, C4 RESP " fragment=600 badipsum\n", true);
	struct pkt p;

	/* --verify-checksums: a fragment with a wrong IPv4 header checksum
	 * is dropped before reassembly, as the host drops it, and marked
	 * for the summary's bad_checksum (a TCP fragment, IP checksum
	 * wrong); none is held. */
	ck_assert_uint_eq(x.fr->len, 3);
	for (guint i = 0; i < x.fr->len; i++) {
		ck_assert_int_eq(dec(fx_frame(&x, i), &x.o,
		    &p, 0), DECODE_NOT_TCP);
		ck_assert_uint_eq(p.quirks & (DEC_IP_FRAG_LATER |
		    DEC_IP_BAD_CSUM), DEC_IP_FRAG_LATER | DEC_IP_BAD_CSUM);
	}
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	fx_close(&x);
}
END_TEST

START_TEST(test_timeout)
{
	struct fx x;
	fx_open(&x, C4 RESP " fragment=600\n", false);
	struct pkt p;
	struct frame late[3];

	for (int i = 0; i < 3; i++)
		late[i] = *fx_frame(&x, i);
	/* IPv4: given up 30 s after its first fragment (Linux's
	 * ipfrag_time). The first at 0, the others at 30 s: the first was
	 * dropped when they came, and they make no datagram. */
	late[1].ts += 30 * NS;
	late[2].ts += 30 * NS;
	ck_assert_int_eq(dec(&late[0], &x.o, &p, 0), DECODE_NOT_TCP);
	ck_assert_int_eq(dec(&late[1], &x.o, &p, 0), DECODE_NOT_TCP);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 1);
	ck_assert_int_eq(dec(&late[2], &x.o, &p, 0), DECODE_NOT_TCP);
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 3);
	ipfrag_free(x.o.frag);

	/* 29.999999 s after: still in time. */
	x.o.frag = ipfrag_new();
	late[1].ts = late[0].ts + 30 * NS - 1000;
	late[2].ts = late[1].ts;
	dec(&late[0], &x.o, &p, 0);
	dec(&late[1], &x.o, &p, 0);
	ck_assert_int_eq(dec(&late[2], &x.o, &p, 0), DECODE_OK);
	want_response(&p);
	fx_close(&x);
}
END_TEST

START_TEST(test_router_any)
{
	struct fx x;
	struct pkt p;

	/* -i any on a router (Linux cooked v2): the segment's fragments come
	 * in on ifindex 2 (HOST) and go out on ifindex 3 (OUTGOING), one
	 * after the other as a router forwards them: in0, out0, in1, out1,
	 * in2, out2. Each way's make a datagram of their own (the copy
	 * filter, pipeline.c, then leaves out the second segment). With one
	 * key for both, out0 was in0's duplicate, and out2 came after the
	 * datagram was whole: one never completed. */
	fx_open(&x, "link sll2\nclient 192.0.2.1:40000\n"
	    "server 198.51.100.2:80\ntime 1700000000\n"
	    RESP " fragment=600 ipid=9 ifindex=2 pkttype=0\n"
	    RESP " fragment=600 ipid=9 ifindex=3 pkttype=4\n", false);
	const unsigned order[] = { 0, 3, 1, 4, 2, 5 };
	enum decode_result want[] = { DECODE_NOT_TCP, DECODE_NOT_TCP,
	    DECODE_NOT_TCP, DECODE_NOT_TCP, DECODE_OK, DECODE_OK };
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
		ck_assert_int_eq(dec(fx_frame(&x, order[i]), &x.o, &p, 0),
		    want[i]);
		if (want[i] == DECODE_OK)
			want_response(&p);
	}
	ipfrag_flush(x.o.frag);
	ck_assert_uint_eq(ipfrag_dropped(x.o.frag), 0);
	fx_close(&x);
}
END_TEST

START_TEST(test_v6_later_next_header)
{
	struct fx x;
	struct pkt p;

	/* RFC 8200 4.5: the first fragment's next header says what the
	 * datagram holds; a later one's (here 59, No Next Header, in the
	 * second and third) is not looked at. Ethernet 14 + IPv6 40: the
	 * Fragment header's next header at byte 54. */
	fx_open(&x, C6 RESP " fragment=600\n", false);
	fx_frame(&x, 1)->data[54] = 59;
	fx_frame(&x, 2)->data[54] = 59;
	dec(fx_frame(&x, 0), &x.o, &p, 0);
	dec(fx_frame(&x, 1), &x.o, &p, 0);
	ck_assert_int_eq(dec(fx_frame(&x, 2), &x.o, &p, 0), DECODE_OK);
	ck_assert_uint_eq(p.tcp.paylen, 1400);
	fx_close(&x);
}
END_TEST

/* Outer IPv4 fragments (IP in IP, protocol 4) of payload pl (n bytes),
 * cut at byte cut, as raw IP frames into f0 and f1; their lengths. */
static void
ipip_fragments(const uint8_t *pl, size_t n, size_t cut, uint8_t *f0,
    size_t *n0, uint8_t *f1, size_t *n1)
{
	const uint8_t hdr[20] = { 0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, 4, 0, 0,
	    192, 0, 2, 1, 198, 51, 100, 2 };

	for (int k = 0; k < 2; k++) {
		uint8_t *f = k ? f1 : f0;
		size_t len = k ? n - cut : cut;
		memcpy(f, hdr, 20);
		f[2] = (uint8_t)((20 + len) >> 8);
		f[3] = (uint8_t)(20 + len);
		f[6] = k ? (uint8_t)((cut / 8) >> 8) : 0x20;	/* MF */
		f[7] = k ? (uint8_t)(cut / 8) : 0;
		memcpy(f + 20, pl + (k ? cut : 0), len);
		*(k ? n1 : n0) = 20 + len;
	}
}

START_TEST(test_lie_inside_whole)
{
	struct fx x;
	struct pkt p;
	uint8_t f0[2048], f1[2048];
	size_t n0, n1;

	/* A tunnel's datagram (IP in IP) in two outer fragments, all of its
	 * bytes captured; the inner IPv4 header says 900 bytes more than it
	 * holds. Unfragmented it is malformed (the length lies); whole from
	 * fragments it is too, not a segment the snaplen cut. */
	fx_open(&x, "link raw\nclient 192.0.2.1:40000\n"
	    "server 198.51.100.2:80\ntime 1700000000\n" RESP "\n", false);
	struct frame *in = fx_frame(&x, 0);
	uint8_t inner[2048];
	memcpy(inner, in->data, in->caplen);
	unsigned tot = (unsigned)in->caplen + 900;
	inner[2] = (uint8_t)(tot >> 8);
	inner[3] = (uint8_t)tot;
	ipip_fragments(inner, in->caplen, 64, f0, &n0, f1, &n1);
	struct frame a = { .ts = in->ts, .caplen = (uint32_t)n0,
	    .wirelen = (uint32_t)n0, .dlt = DLT_RAW, .data = f0 };
	struct frame b = a;
	b.caplen = b.wirelen = (uint32_t)n1;
	b.data = f1;
	ck_assert_int_eq(dec(&a, &x.o, &p, 0), DECODE_NOT_TCP);
	ck_assert_int_eq(dec(&b, &x.o, &p, 0), DECODE_MALFORMED);
	fx_close(&x);
}
END_TEST

/* The reassembler's own bounds, on pieces made here. */
static struct ipfrag_piece
piece(uint32_t id, uint32_t off, uint32_t len, bool more, int64_t ts)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	static uint8_t zeros[65536];
	struct ipfrag_piece p = {
		.af = 4, .src = a, .dst = b, .id = id, .proto = 6,
		.counted = true, .off = off, .len = len, .more = more, .data = zeros,
		.cap = len, .ts = ts,
	};
	return p;
}

START_TEST(test_memory_bound)
{
	struct ipfrag *f = ipfrag_new();
	struct ipfrag_whole w;
	enum ipfrag_result r = IPFRAG_DONE;

	/* Each datagram holds a piece at offset 60000: a buffer of 64 KiB.
	 * FRAG_MEM (4 MiB) holds 63 of them: the 64th is refused (Linux
	 * since 4.17, over ipfrag_high_thresh) and counted; at the end the
	 * 63 held are too. */
	for (uint32_t id = 0; id < 64; id++) {
		struct ipfrag_piece p = piece(id, 60000, 8, true, 0);
		r = ipfrag_add(f, &p, &w);
		if (id < 63)
			ck_assert_int_eq(r, IPFRAG_HELD);
	}
	ck_assert_int_eq(r, IPFRAG_DROPPED);
	ck_assert_uint_eq(ipfrag_dropped(f), 1);
	/* A piece that needs no more memory (its datagram's buffer holds
	 * its bytes already) is taken. */
	struct ipfrag_piece p = piece(0, 59992, 8, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	ipfrag_flush(f);
	ck_assert_uint_eq(ipfrag_dropped(f), 1 + 63 + 1);
	ipfrag_free(f);
}
END_TEST

START_TEST(test_piece_limit)
{
	struct ipfrag *f = ipfrag_new();
	struct ipfrag_whole w;

	/* FRAG_MAX_PIECES pieces of 8 bytes are held; one more gives the
	 * datagram up, all 65 counted. */
	for (uint32_t i = 0; i < FRAG_MAX_PIECES; i++) {
		struct ipfrag_piece p = piece(1, 8 * (i + 1), 8, true, 0);
		ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	}
	struct ipfrag_piece p = piece(1, 8 * (FRAG_MAX_PIECES + 1), 8, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DROPPED);
	ck_assert_uint_eq(ipfrag_dropped(f), FRAG_MAX_PIECES + 1);
	ipfrag_free(f);
}
END_TEST

START_TEST(test_end_conflicts)
{
	struct ipfrag *f = ipfrag_new();
	struct ipfrag_whole w;
	struct ipfrag_piece p;

	/* Two last fragments with different ends: given up. */
	p = piece(2, 16, 8, false, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	p = piece(2, 32, 8, false, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DROPPED);
	ck_assert_uint_eq(ipfrag_dropped(f), 2);
	/* A piece past the known end: given up. */
	p = piece(3, 8, 8, false, 0);	/* end 16 */
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	p = piece(3, 16, 8, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DROPPED);
	ck_assert_uint_eq(ipfrag_dropped(f), 4);
	/* An empty piece (Linux: end == offset): given up. */
	p = piece(5, 0, 8, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	p = piece(5, 8, 0, false, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DROPPED);
	ck_assert_uint_eq(ipfrag_dropped(f), 6);
	/* A last piece whose bytes are held already ([0,16) with more to
	 * come, then [8,16), the last): a duplicate, but its end makes the
	 * datagram whole, as in Linux's ip_frag_queue(). */
	p = piece(6, 0, 16, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	p = piece(6, 8, 8, false, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DONE);
	ck_assert_uint_eq(w.len, 16);
	/* Whole: 0-8 and 8-16, the last; the payload is the pieces'. */
	p = piece(4, 8, 8, false, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_HELD);
	p = piece(4, 0, 8, true, 0);
	ck_assert_int_eq(ipfrag_add(f, &p, &w), IPFRAG_DONE);
	ck_assert_uint_eq(w.len, 16);
	ck_assert_uint_eq(w.cap, 16);
	ck_assert_uint_eq(w.proto, 6);
	ck_assert_uint_eq(ipfrag_reassembled(f), 2);
	ipfrag_free(f);
}
END_TEST

static Suite *
ipfrag_suite(void)
{
	Suite *s = suite_create("ipfrag");
	TCase *tc = tcase_create("reassembly");

	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_reverse_and_verify);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_tiny_first);
	tcase_add_test(tc, test_missing_piece);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_snaplen_cut);
	tcase_add_test(tc, test_lying_fragments);
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_counted_behind_header);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_router_any);
	tcase_add_test(tc, test_v6_later_next_header);
	tcase_add_test(tc, test_lie_inside_whole);
	tcase_add_test(tc, test_bad_ip_checksum);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_memory_bound);
	tcase_add_test(tc, test_piece_limit);
	tcase_add_test(tc, test_end_conflicts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ipfrag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
