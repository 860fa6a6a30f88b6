/* ipfrag.h - IPv4 and IPv6 fragment reassembly (RFC 791, RFC 8200 4.5).
 *
 * A TCP segment sent in IP fragments reaches its host whole or not at all:
 * the host reassembles the datagram, and TCP sees the segment when its last
 * missing fragment arrives. decode.c hands every fragment here; the one
 * that completes a datagram gets the datagram's payload back and is decoded
 * as the segment, at that fragment's frame and time. A datagram that never
 * completes never reaches TCP, as on the host: its TCP fragments are
 * counted (ipfrag_dropped(), the summary's ip_fragment).
 *
 * As Linux and RFC 5722 do, a fragment that overlaps others in part, or
 * is empty, drops its whole datagram (one whose bytes are all held
 * already is a duplicate, left out); so do a second end and a fragment
 * past the datagram's end. A datagram is given up FRAG_TIMEOUT after its
 * first fragment (Linux's ipfrag_time, 30 s; IPv6 60 s, RFC 8200), and
 * fragments that need memory are refused while those held pass FRAG_MEM
 * bytes (Linux's ipfrag_high_thresh, since 4.17).
 *
 * Not thread-safe: one reassembler for the thread that reads and decodes.
 */
#ifndef SYNFIN_IPFRAG_H
#define SYNFIN_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

#define FRAG_TIMEOUT_V4_NS (30 * 1000000000LL)
#define FRAG_TIMEOUT_V6_NS (60 * 1000000000LL)
#define FRAG_MEM (4u << 20)
#define FRAG_MAX_PIECES 64	/* fragments a datagram: more drops it */

struct ipfrag;

/* One fragment, as its IP header describes it. */
struct ipfrag_piece {
	uint8_t af;		/* 4 or 6 */
	const uint8_t *src, *dst;	/* 4 or 16 bytes */
	uint32_t id;		/* IPv4's 16-bit or IPv6's 32-bit id */
	uint8_t proto;		/* IPv4's protocol; IPv6: the fragment
				   header's next header */
	bool counted;		/* its datagram may carry TCP (decode.c):
				   counted if given up */
	uint16_t vlan;		/* the frame's outermost VLAN id */
	uint64_t iface;		/* Linux cooked: its interface and packet
				   type (a router's -i any capture holds
				   each datagram's fragments coming in and
				   going out); else 0 */
	uint32_t off;		/* offset in the datagram's payload */
	uint32_t len;		/* payload bytes on the wire */
	bool more;		/* more fragments (MF, M) */
	const uint8_t *data;	/* the captured payload bytes */
	uint32_t cap;		/* how many (<= len: a snaplen cut them) */
	int64_t ts;		/* capture time (ns) */
};

enum ipfrag_result {
	IPFRAG_HELD,		/* kept until its datagram is whole */
	IPFRAG_DONE,		/* this one completed it: *out */
	IPFRAG_DROPPED,		/* its datagram is given up (counted) */
};

/* The reassembled datagram's payload: valid until the next call. */
struct ipfrag_whole {
	const uint8_t *data;
	uint32_t len;		/* payload bytes on the wire */
	uint32_t cap;		/* captured from the start without a gap */
	uint8_t proto;		/* the first fragment's */
};

struct ipfrag *ipfrag_new(void);
void ipfrag_free(struct ipfrag *f);

enum ipfrag_result ipfrag_add(struct ipfrag *f, const struct ipfrag_piece *p,
    struct ipfrag_whole *out);

/* Give up every datagram still incomplete (the end of the input). */
void ipfrag_flush(struct ipfrag *f);

/* Fragments of datagrams that may carry TCP (ipfrag_piece.counted) given
 * up, so far, and those refused over FRAG_MEM. */
uint64_t ipfrag_dropped(const struct ipfrag *f);

/* Datagrams reassembled so far. */
uint64_t ipfrag_reassembled(const struct ipfrag *f);

#endif
