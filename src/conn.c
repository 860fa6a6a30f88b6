/* conn.c - per-connection analysis around the state machine.
 *
 * conn_input() runs, for each segment:
 *   1 sequence bookkeeping: retransmission, out-of-order fill, capture gap,
 *     keep-alive, ACK of unseen data (RFC 9293 3.4)
 *   2 handshake and teardown checks that need the numbers (J+1, K+1, u, u+1)
 *   3 tcp_fsm_step(): both peers advance
 * Anomalies are data: appended to the connection's log, never errors.
 */
#include "config.h"

#include "conn.h"

#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "seq.h"

#ifdef __SSE2__
#include <emmintrin.h>	/* conn_pack(): x86-64 has it always */
#endif

const char *const hs_outcome_name[HS_MAX] = {
	[HS_COMPLETE] = "complete", [HS_SIMULTANEOUS] = "simultaneous",
	[HS_REFUSED] = "refused", [HS_UNANSWERED] = "unanswered",
	[HS_INCOMPLETE] = "incomplete", [HS_RESET] = "reset",
	[HS_MIDSTREAM] = "midstream",
};

const char *const td_outcome_name[TD_MAX] = {
	[TD_GRACEFUL] = "graceful", [TD_SIMULTANEOUS] = "simultaneous",
	[TD_HALF_CLOSED] = "half_closed", [TD_UNACKED] = "unacked",
	[TD_RESET] = "reset", [TD_OPEN] = "open", [TD_NONE] = "none",
};

const char *const conn_end_name[END_MAX] = {
	[END_NONE] = "none", [END_TIME_WAIT] = "time_wait",
	[END_CLOSED] = "closed", [END_RESET] = "reset", [END_IDLE] = "idle",
	[END_EVICTED] = "evicted", [END_REUSED] = "reused", [END_EOF] = "eof",
};

/* tcp_peer.once: findings reported once per side. */
enum {
	ONCE_BAD_OPT = 1u << 0,
	ONCE_WSCALE = 1u << 1,
	ONCE_HDR_CUT = 1u << 2,
	ONCE_ACK_UNSEEN = 1u << 3,
	ONCE_FIN_BAD_ACK = 1u << 4,	/* fin_ack_bad_ack for the peer's FIN */
	ONCE_DATA_AFTER_FIN = 1u << 5,
	ONCE_BEYOND_WIN = 1u << 6,
	ONCE_DATA_EARLY = 1u << 7,
};

struct conn *
conn_new(const struct flow_key *key, uint64_t id)
{
	return conn_init(g_malloc(conn_size(key->af)), key, id);
}

struct conn *
conn_init(void *mem, const struct flow_key *key, uint64_t id)
{
	/* An IPv6 record's addresses follow it (conn_addr()), written
	 * whole below: only the struct is zeroed. With SSE2, in 16-byte
	 * stores, where memset() of a size it does not know was a string
	 * store of 44 words (a record's first writes). */
	struct conn *c = mem;
#ifdef __SSE2__
#pragma GCC unroll 32
	for (size_t i = 0; i + 16 <= sizeof(struct conn); i += 16)
		_mm_storeu_si128((__m128i *)((uint8_t *)mem + i),
		    _mm_setzero_si128());
	if (sizeof(struct conn) % 16)	/* (a multiple of 8, below) */
		_mm_storel_epi64((__m128i *)((uint8_t *)mem +
		    sizeof(struct conn) - 8), _mm_setzero_si128());
#else
	memset(mem, 0, sizeof(struct conn));
#endif

	/* The bit-fields' widths (conn.h). */
	G_STATIC_ASSERT(HSF_ESTABLISHED < 1u << 9 && END_MAX <= 1u << 3);
	G_STATIC_ASSERT(CONN_MAX_ANOMS < 1u << 7);

	G_STATIC_ASSERT(sizeof(struct conn) % 8 == 0);
	c->key.port[0] = key->port[0];
	c->key.port[1] = key->port[1];
	c->key.af = key->af;
	if (key->af == 6) {
		memcpy(c + 1, key->addr, 32);
	} else {
		memcpy(c->key.v4[0], key->addr[0], 4);
		memcpy(c->key.v4[1], key->addr[1], 4);
	}
	c->id = id;
	c->first_dir = c->syn_dir = c->synack_dir = -1;
	c->fin_first = c->rst_dir = -1;
	/* (c->zeek: zeroed above, as zeek_conn_init() leaves it.) */
	return c;
}

void
conn_free(void *p)
{
	if (p) {
		conn_free_blocks(p);
		g_free(p);
	}
}

void
conn_free_blocks(struct conn *c)
{
	g_assert(!c->packed);	/* flow.c unpacks its own */
	for (unsigned i = 0; i < c->nanoms; i++)
		g_free(c->anoms[i].detail);
	if (c->anoms)	/* (most records have none: no call) */
		g_free(c->anoms);
	if (c->ext) {
		g_free(c->ext->holes[0]);
		g_free(c->ext->holes[1]);
		if (c->ext->ladder)
			g_array_free(c->ext->ladder, TRUE);
		g_free(c->ext->wide_ts);
		g_free(c->ext->held.pkt);
		g_free(c->ext->nafin.pkt);
		g_free(c->ext);
	}
}

/* ---- packed records (conn.h) ----------------------------------------- */

/*
 * The body is stored as 32-bit words, each as a 2-bit length code and its
 * first 0, 1, 2 or 4 bytes in memory (on a little-endian machine, the
 * least significant: the trailing zero bytes are dropped). Before that,
 * the numbers that are random but close to each other (sequence numbers,
 * the timer base) are made differences, so that what is left is mostly
 * zeros and small counts: a closed connection's 272-byte body packs to
 * about 115 bytes (with the 64 of the head, 180 against 336).
 * pack_delta() and pack_undelta() are exact inverses (unsigned arithmetic
 * wraps), whatever the numbers.
 */
#define BODY_WORDS CONN_BODY_WORDS
#define TAG_BYTES ((BODY_WORDS + 3) / 4)
#define PACKED_MAX (TAG_BYTES + 4 * BODY_WORDS)
G_STATIC_ASSERT(CONN_HEAD + 32 + PACKED_MAX + 3 <= CONN_PACKED_MAX);

G_STATIC_ASSERT(CONN_HEAD % 4 == 0 && sizeof(struct conn) % 4 == 0);
/* The body is every field after the head: past it, padding alone. */
G_STATIC_ASSERT(CONN_BODY_END % 4 == 0 && CONN_BODY_END <= sizeof(struct conn)
    && sizeof(struct conn) - CONN_BODY_END < 8);

/* The endpoint whose ISN the client-side numbers are near. */
static int
pack_client(const struct conn *c)
{
	return c->syn_dir >= 0 ? c->syn_dir :
	    c->synack_dir >= 0 ? !c->synack_dir : 0;
}

/* A time (conn.t, conn_side.t) as its distance back from the last
 * packet's, so that the times of a teardown are small. Its own inverse,
 * and it keeps 0 (none) and only 0 at 0. */
#ifndef __SSE2__
static uint32_t
time_back(uint32_t last, uint32_t x)
{
	if (x == 0 || x == last + 1)
		return x;
	return last - x + 1;
}
#endif

/* The sides' times (the handshake's are near the start, and small as
 * they are) through time_back(), both ways. */
static void
pack_times(struct conn *c)
{
	uint32_t last = c->t[CT_LAST];

#ifdef __SSE2__
	/* Each side's three times with the fin_count before them (kept
	 * as it is), four lanes at once: x where x is 0 or last + 1, else
	 * last + 1 - x. */
	G_STATIC_ASSERT(CT_SIDE_MAX == 3 && offsetof(struct conn_side, t) ==
	    offsetof(struct conn_side, fin_count) + 4);
	const __m128i l1 = _mm_set1_epi32((int)(last + 1));
	const __m128i lane0 = _mm_setr_epi32(-1, 0, 0, 0);

	for (int i = 0; i < 2; i++) {
		uint8_t *at = (uint8_t *)c + offsetof(struct conn, side) +
		    (size_t)i * sizeof(struct conn_side) +
		    offsetof(struct conn_side, fin_count);
		__m128i x = _mm_loadu_si128((const __m128i *)at);
		__m128i keep = _mm_or_si128(_mm_or_si128(lane0,
		    _mm_cmpeq_epi32(x, _mm_setzero_si128())),
		    _mm_cmpeq_epi32(x, l1));
		_mm_storeu_si128((__m128i *)at, _mm_or_si128(
		    _mm_and_si128(keep, x),
		    _mm_andnot_si128(keep, _mm_sub_epi32(l1, x))));
	}
#else
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < CT_SIDE_MAX; k++)
			c->side[i].t[k] = time_back(last, c->side[i].t[k]);
#endif
}

/*
 * Before the body is packed: most sequence numbers as distances from the
 * one they follow (in a closed connection, an endpoint's FIN is one below
 * its next sequence number, its ack its peer's next, and Zeek's last_seq
 * and FIN's relative number repeat the peers'), so that they pack to a
 * byte or none. Each step reads fields the steps after it leave alone, so
 * pack_undelta() is the steps reversed. The head is left as it is.
 */
static void
pack_delta(struct conn *c)
{
	int cl = pack_client(c), first = c->first_dir > 0;
	struct tcp_peer *p = c->peer;
	struct zeek_conn *z = &c->zeek;

	for (int k = 0; k < 2; k++) {
		const struct tcp_peer *q = &p[first ^ k];
		if (q->flags & PEER_FIN_SEEN)
			z->hseq[k][HSEQ_FIN] ^=
			    (uint16_t)(q->fin_seq - z->start[k]);
		z->last[k] -= q->snd_nxt;
		z->start[k] -= q->isn;
	}
	for (int i = 0; i < 2; i++) {
		/* Its newest TSval is its FIN's, or a few ticks past it
		 * (fin_tsval 0 without one: kept). */
		p[i].ts_max -= c->fin_tsval[i];
		p[i].rcv_end -= p[i].ack;
		if (p[i].flags & PEER_FIN_SEEN)	/* else 0, kept */
			p[i].fin_seq = p[i].snd_nxt - 1 - p[i].fin_seq;
	}
	for (int i = 0; i < 2; i++)
		p[i].ack -= p[!i].snd_nxt;
	c->synack_ack -= p[cl].isn;
	c->third_seq -= p[cl].isn;
	c->third_ack -= p[!cl].isn;
	for (int i = 0; i < 2; i++)
		p[i].snd_nxt -= p[i].isn;
	c->tbase = (int64_t)((uint64_t)c->tbase -
	    (uint64_t)conn_time(c, CT_LAST));
	c->fin_frame[1] ^= c->fin_frame[0];	/* both near, usually */
	pack_times(c);
	/* The deadline, in the head, is a minute or so after it. */
	c->first_ts = (int64_t)((uint64_t)c->deadline - (uint64_t)c->first_ts);
}

static void
pack_undelta(struct conn *c)
{
	int cl = pack_client(c), first = c->first_dir > 0;
	struct tcp_peer *p = c->peer;
	struct zeek_conn *z = &c->zeek;

	c->first_ts = (int64_t)((uint64_t)c->deadline - (uint64_t)c->first_ts);
	pack_times(c);
	c->fin_frame[1] ^= c->fin_frame[0];
	c->tbase = (int64_t)((uint64_t)c->tbase +
	    (uint64_t)conn_time(c, CT_LAST));
	for (int i = 0; i < 2; i++)
		p[i].snd_nxt += p[i].isn;
	c->third_ack += p[!cl].isn;
	c->third_seq += p[cl].isn;
	c->synack_ack += p[cl].isn;
	for (int i = 0; i < 2; i++)
		p[i].ack += p[!i].snd_nxt;
	for (int i = 0; i < 2; i++) {
		if (p[i].flags & PEER_FIN_SEEN)
			p[i].fin_seq = p[i].snd_nxt - 1 - p[i].fin_seq;
		p[i].rcv_end += p[i].ack;
		p[i].ts_max += c->fin_tsval[i];
	}
	for (int k = 0; k < 2; k++) {
		const struct tcp_peer *q = &p[first ^ k];
		z->start[k] += q->isn;
		z->last[k] += q->snd_nxt;
		if (q->flags & PEER_FIN_SEEN)
			z->hseq[k][HSEQ_FIN] ^=
			    (uint16_t)(q->fin_seq - z->start[k]);
	}
}

/* A word's code (0, 1, 2 or 3: its first 0, 1, 2 or 4 bytes kept) from
 * the mask of its nonzero bytes (bit k: its byte k in memory). */
static const uint8_t word_code[16] = {
	0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3
};
static const uint8_t code_len[4] = { 0, 1, 2, 4 };

/* The bytes that the four words of a tag byte take. */
#define TL_C(c) ((c) == 3 ? 4 : (c))
#define TL_1(b) (TL_C((b) & 3) + TL_C((b) >> 2 & 3) + TL_C((b) >> 4 & 3) + \
	TL_C((b) >> 6 & 3))
#define TL_4(b) TL_1(b), TL_1((b) + 1), TL_1((b) + 2), TL_1((b) + 3)
#define TL_16(b) TL_4(b), TL_4((b) + 4), TL_4((b) + 8), TL_4((b) + 12)
#define TL_64(b) TL_16(b), TL_16((b) + 16), TL_16((b) + 32), TL_16((b) + 48)
static const uint8_t tag_len[256] = {
	TL_64(0), TL_64(64), TL_64(128), TL_64(192)
};

/* The nonzero bytes of the 8 bytes at b: bit k for byte k. */
static unsigned
nonzero8(const uint8_t *b)
{
	const uint64_t lo7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
	uint64_t x;

	memcpy(&x, b, 8);
	x = GUINT64_FROM_LE(x);		/* byte k in bits 8k.. */
	uint64_t hi = (((x & lo7) + lo7) | x) & ~lo7;	/* 0x80: nonzero */
	return (unsigned)(((hi >> 7) * UINT64_C(0x0102040810204080)) >> 56);
}

/* The nonzero bytes of the 16 bytes at b: bit k for byte k. */
static unsigned
nonzero16(const uint8_t *b)
{
#ifdef __SSE2__
	__m128i x = _mm_loadu_si128((const __m128i *)b);

	return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
	    _mm_setzero_si128())) & 0xffff;
#else
	return nonzero8(b) | nonzero8(b + 8) << 8;
#endif
}

/* The word at b, of nonzero-byte mask m (its 4 bits), to *o, which moves
 * past its kept bytes (*o has 3 bytes of room beyond: the word is stored
 * whole, then overwritten from its length on); its code. */
static inline unsigned
pack_word(const uint8_t *b, unsigned m, uint8_t **o)
{
	unsigned code = word_code[m & 15];

	memcpy(*o, b, 4);
	*o += code_len[code];
	return code;
}

/* The two words left after the groups of four (BODY_WORDS is even; none
 * when it is a multiple of four), the ith of the body b on, onto o; the
 * packed body's length. */
static size_t
pack_tail(const uint8_t *b, size_t i, uint8_t *out, uint8_t *o)
{
	if (i < BODY_WORDS) {
		unsigned m = nonzero8(b + 4 * i);
		unsigned t = pack_word(b + 4 * i, m, &o);
		out[i / 4] = (uint8_t)(t |
		    pack_word(b + 4 * i + 4, m >> 4, &o) << 2);
	}
	return (size_t)(o - out);
}

/* The body of c into out (PACKED_MAX + 3 bytes); its length. Bytes are
 * kept in memory order, so a packed body is the same on any byte order. */
static size_t
pack_body(const struct conn *c, uint8_t *out)
{
	const uint8_t *b = (const uint8_t *)c + CONN_HEAD;
	uint8_t *o = out + TAG_BYTES;
	size_t i = 0;

	G_STATIC_ASSERT(BODY_WORDS % 2 == 0);
	for (; i + 4 <= BODY_WORDS; i += 4) {
		unsigned m = nonzero16(b + 4 * i);	/* one compare for four */
		unsigned t = pack_word(b + 4 * i, m, &o);
		t |= pack_word(b + 4 * i + 4, m >> 4, &o) << 2;
		t |= pack_word(b + 4 * i + 8, m >> 8, &o) << 4;
		t |= pack_word(b + 4 * i + 12, m >> 12, &o) << 6;
		out[i / 4] = (uint8_t)t;
	}
	return pack_tail(b, i, out, o);
}

/* One word from *p by its code, *p moved past it. */
static inline void
unpack_word(uint8_t *b, const uint8_t **p, unsigned code)
{
	/* The first 0, 1, 2 or 4 bytes of a word in memory. */
	static const uint8_t keep[4][4] = {
		{ 0, 0, 0, 0 }, { 0xff, 0, 0, 0 }, { 0xff, 0xff, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff }
	};
	uint32_t v, k;

	memcpy(&v, *p, 4);
	memcpy(&k, keep[code], 4);
	v &= k;
	memcpy(b, &v, 4);
	*p += code_len[code];
}

/* in: the packed body, and 3 more bytes that may be anything. */
static void
unpack_body(struct conn *c, const uint8_t *in)
{
	uint8_t *b = (uint8_t *)c + CONN_HEAD;
	const uint8_t *p = in + TAG_BYTES;
	size_t i = 0;

	for (; i + 4 <= BODY_WORDS; i += 4) {
		unsigned tag = in[i / 4];
		unpack_word(b + 4 * i, &p, tag & 3);
		unpack_word(b + 4 * i + 4, &p, tag >> 2 & 3);
		unpack_word(b + 4 * i + 8, &p, tag >> 4 & 3);
		unpack_word(b + 4 * i + 12, &p, tag >> 6);
	}
	if (BODY_WORDS % 4) {	/* the two words left: see pack_tail() */
		unpack_word(b + 4 * i, &p, in[i / 4] & 3);
		unpack_word(b + 4 * i + 4, &p, in[i / 4] >> 2 & 3);
	}
}

/*
 * The same two with SSSE3's byte shuffle, four words at a time (Stream
 * VByte's way): a tag byte picks the 16-byte shuffle that gathers the
 * four words' kept bytes (pack) or spreads them back over zeros (unpack).
 * Chosen at run time, where the processor has it; the same bytes as the
 * loops above, which tests/testutil.c's tu_check_pack() compares on every
 * record the unit tests release (conn_pack_scalar).
 */
bool conn_pack_scalar;

#if defined(__x86_64__) && defined(__GNUC__)
#define PACK_SSSE3 1
#include <tmmintrin.h>

static _Alignas(16) uint8_t shuf_pack[256][16], shuf_unpack[256][16];
static bool have_ssse3;

__attribute__((constructor)) static void
pack_shuffles_init(void)
{
	__builtin_cpu_init();
	have_ssse3 = __builtin_cpu_supports("ssse3");
	for (unsigned t = 0; t < 256; t++) {
		unsigned at = 0;
		memset(shuf_pack[t], 0x80, 16);		/* 0x80: a zero byte */
		memset(shuf_unpack[t], 0x80, 16);
		for (unsigned j = 0; j < 4; j++)
			for (unsigned k = 0; k < code_len[t >> (2 * j) & 3];
			    k++, at++) {
				shuf_pack[t][at] = (uint8_t)(4 * j + k);
				shuf_unpack[t][4 * j + k] = (uint8_t)at;
			}
	}
}

/* pack_body() (out: PACKED_MAX + 3 bytes). Unrolled: the groups' offsets
 * are constants. The codes of four groups' 16 words at once: each byte
 * made 0 or 1, each half word's two bytes saturated to one (0, 1, or 255
 * when its second is set) and that to 2 at most, each word's two halves
 * again (255 when its upper half is set) and that to 3 at most; then four
 * codes a tag byte, and their lengths a group's, by multiply-adds. */
#define PACK_GROUPS (BODY_WORDS / 4)
__attribute__((target("ssse3"))) static size_t
pack_body_ssse3(const struct conn *c, uint8_t *out)
{
	const uint8_t *b = (const uint8_t *)c + CONN_HEAD;
	uint8_t *o = out + TAG_BYTES;
	const __m128i one = _mm_set1_epi8(1), three = _mm_set1_epi8(3);
	/* A half's lower byte to 2 at most, its upper to 1; the tag as
	 * c0 + 4 c1, then + 16 (c2 + 4 c3). */
	const __m128i half = _mm_set1_epi16(0x0102);
	const __m128i w4 = _mm_set1_epi16(0x0401);
	const __m128i w16 = _mm_set1_epi32(0x00100001);
	const __m128i one16 = _mm_set1_epi16(1);

#pragma GCC unroll 8
	for (size_t g = 0; g < PACK_GROUPS; g += 4) {
		__m128i x[4], y[2];
#pragma GCC unroll 4
		for (size_t k = 0; k < 4; k++)
			x[k] = g + k < PACK_GROUPS ? _mm_loadu_si128(
			    (const __m128i *)(b + 16 * (g + k))) :
			    _mm_setzero_si128();
#pragma GCC unroll 2
		for (size_t k = 0; k < 2; k++)
			y[k] = _mm_min_epu8(_mm_packus_epi16(
			    _mm_min_epu8(x[2 * k], one),
			    _mm_min_epu8(x[2 * k + 1], one)), half);
		__m128i code = _mm_min_epu8(_mm_packus_epi16(y[0], y[1]),
		    three);
		/* code_len[]: 3 is 4 */
		__m128i len = _mm_sub_epi8(code, _mm_cmpeq_epi8(code, three));
		__m128i tag = _mm_madd_epi16(_mm_maddubs_epi16(code, w4), w16);
		/* Each group's shuf_pack[] offset and kept bytes, in the
		 * low half of its lane. */
		__m128i at = _mm_slli_epi32(tag, 4);
		__m128i n = _mm_madd_epi16(_mm_maddubs_epi16(len, one), one16);
		tag = _mm_packs_epi32(tag, tag);
		uint32_t tags = (uint32_t)_mm_cvtsi128_si32(
		    _mm_packus_epi16(tag, tag));
		/* 16 bytes stored, n's kept: o stays in out, which has room
		 * for every word whole */
#define PACK_ONE(k) do {						\
	if (g + (k) < PACK_GROUPS) {					\
		_mm_storeu_si128((__m128i *)o, _mm_shuffle_epi8(x[k],	\
		    _mm_load_si128((const __m128i *)(const void *)	\
		    ((const uint8_t *)shuf_pack +			\
		    (size_t)_mm_extract_epi16(at, 2 * (k))))));	\
		o += (size_t)_mm_extract_epi16(n, 2 * (k));		\
		if (g + 4 > PACK_GROUPS)				\
			out[g + (k)] = (uint8_t)(tags >> (8 * (k)));	\
	}								\
} while (0)
		PACK_ONE(0);
		PACK_ONE(1);
		PACK_ONE(2);
		PACK_ONE(3);
#undef PACK_ONE
		if (g + 4 <= PACK_GROUPS)	/* x86-64: little-endian */
			memcpy(out + g, &tags, 4);
	}
	return pack_tail(b, PACK_GROUPS * 4, out, o);
}

/* Each of the 16 tag bytes in x's kept bytes: the lengths of its two
 * nibbles' words (code_len[n & 3] + code_len[n >> 2], a shuffle of 16). */
__attribute__((target("ssse3"))) static inline __m128i
tag_lens(__m128i x)
{
	const __m128i nib = _mm_setr_epi8(0, 1, 2, 4, 1, 2, 3, 5, 2, 3, 4, 6,
	    4, 5, 6, 8);
	const __m128i lo4 = _mm_set1_epi8(0x0f);

	return _mm_add_epi8(_mm_shuffle_epi8(nib, _mm_and_si128(x, lo4)),
	    _mm_shuffle_epi8(nib, _mm_and_si128(_mm_srli_epi16(x, 4), lo4)));
}

/* The packed body's length from tag_lens() of its first 16 tag bytes at
 * tag (summed by the sum of absolute differences from 0), and the rest. */
__attribute__((target("ssse3"))) static inline size_t
body_len_of(const uint8_t *tag, __m128i l)
{
	__m128i sum = _mm_sad_epu8(l, _mm_setzero_si128());
	size_t n = TAG_BYTES + (size_t)_mm_cvtsi128_si32(sum) +
	    (size_t)_mm_extract_epi16(sum, 4);

	G_STATIC_ASSERT(TAG_BYTES >= 16);
	for (size_t i = 16; i < TAG_BYTES; i++)
		n += tag_len[tag[i]];
	return n;
}

/* body_len() */
__attribute__((target("ssse3"))) static size_t
body_len_ssse3(const uint8_t *tag)
{
	return body_len_of(tag, tag_lens(_mm_loadu_si128(
	    (const __m128i *)tag)));
}

/* unpack_body() of the packed body at src, which is followed by after
 * bytes that may be read (never kept): every group's 16 bytes are read,
 * so with fewer than 16 it is copied first, with 16 bytes after it set;
 * its length. Unrolled as pack_body_ssse3(); the first 16 groups'
 * shuf_unpack[] offsets and lengths from their tag bytes at once, one
 * pextrw each. */
__attribute__((target("ssse3"))) static size_t
unpack_body_ssse3(struct conn *c, const uint8_t *src, size_t after)
{
	uint8_t copy[PACKED_MAX + 16];
	const uint8_t *in = src;
	uint8_t *b = (uint8_t *)c + CONN_HEAD;
	size_t i = BODY_WORDS / 4 * 4;
	__m128i x = _mm_loadu_si128((const __m128i *)src);
	__m128i l = tag_lens(x), zero = _mm_setzero_si128();
	size_t n = body_len_of(src, l);

	if (after < 16) {
		memcpy(copy, src, n);
		memset(copy + n, 0, 16);	/* read, never kept */
		in = copy;
	}
	const uint8_t *p = in + TAG_BYTES;
	/* Offsets into shuf_unpack[] (tag * 16) and lengths, 16-bit. */
	__m128i at0 = _mm_slli_epi16(_mm_unpacklo_epi8(x, zero), 4);
	__m128i at1 = _mm_slli_epi16(_mm_unpackhi_epi8(x, zero), 4);
	__m128i n0 = _mm_unpacklo_epi8(l, zero);
	__m128i n1 = _mm_unpackhi_epi8(l, zero);
#define UNPACK_ONE(g, at, len, k) do {					\
	_mm_storeu_si128((__m128i *)(b + 16 * (g)), _mm_shuffle_epi8(	\
	    _mm_loadu_si128((const __m128i *)p),			\
	    _mm_load_si128((const __m128i *)(const void *)		\
	    ((const uint8_t *)shuf_unpack +				\
	    (size_t)_mm_extract_epi16(at, k)))));			\
	p += (size_t)_mm_extract_epi16(len, k);				\
} while (0)
	G_STATIC_ASSERT(BODY_WORDS / 4 >= 16);
	UNPACK_ONE(0, at0, n0, 0);
	UNPACK_ONE(1, at0, n0, 1);
	UNPACK_ONE(2, at0, n0, 2);
	UNPACK_ONE(3, at0, n0, 3);
	UNPACK_ONE(4, at0, n0, 4);
	UNPACK_ONE(5, at0, n0, 5);
	UNPACK_ONE(6, at0, n0, 6);
	UNPACK_ONE(7, at0, n0, 7);
	UNPACK_ONE(8, at1, n1, 0);
	UNPACK_ONE(9, at1, n1, 1);
	UNPACK_ONE(10, at1, n1, 2);
	UNPACK_ONE(11, at1, n1, 3);
	UNPACK_ONE(12, at1, n1, 4);
	UNPACK_ONE(13, at1, n1, 5);
	UNPACK_ONE(14, at1, n1, 6);
	UNPACK_ONE(15, at1, n1, 7);
#undef UNPACK_ONE
#pragma GCC unroll 16
	for (size_t g = 16; g < BODY_WORDS / 4; g++) {
		size_t t = in[g];
		_mm_storeu_si128((__m128i *)(b + 16 * g), _mm_shuffle_epi8(
		    _mm_loadu_si128((const __m128i *)p),
		    _mm_load_si128((const __m128i *)shuf_unpack[t])));
		p += tag_len[t];
	}
	if (BODY_WORDS % 4) {	/* the two words left: see pack_tail() */
		unpack_word(b + 4 * i, &p, in[i / 4] & 3);
		unpack_word(b + 4 * i + 4, &p, in[i / 4] >> 2 & 3);
	}
	return n;
}
#endif

/* c's body is made differences in place (pack_delta()) and packed from
 * there: the caller packs a record it then frees or reuses, so that no
 * copy of the body is made (its head, its IPv6 addresses and the blocks
 * its pointers own are left as they are). */
size_t
conn_pack(struct conn *c, void *out)
{
	size_t v6 = c->key.af == 6 ? 32 : 0;
	uint8_t *o = out;
	size_t n;

	g_assert(!c->packed);
	pack_delta(c);
	memcpy(o, c, CONN_HEAD);
	((struct conn *)out)->packed = 1;
	memcpy(o + CONN_HEAD, conn_addr(c, 0), v6);
	/* The body right after them: out has room for its every word whole,
	 * and for pack_body()'s 3 bytes beyond. */
#ifdef PACK_SSSE3
	if (have_ssse3 && !conn_pack_scalar)
		n = pack_body_ssse3(c, o + CONN_HEAD + v6);
	else
#endif
		n = pack_body(c, o + CONN_HEAD + v6);
	return CONN_HEAD + v6 + n;
}

/* The length of the packed body whose tag bytes are at tag. */
static size_t
body_len(const uint8_t *tag)
{
	size_t n = TAG_BYTES;

#ifdef PACK_SSSE3
	if (have_ssse3 && !conn_pack_scalar)
		return body_len_ssse3(tag);
#endif
	/* The last byte's unused codes are 0. */
	for (size_t i = 0; i < TAG_BYTES; i++)
		n += tag_len[tag[i]];
	return n;
}

size_t
conn_packed_size(const struct conn *p)
{
	size_t v6 = p->key.af == 6 ? 32 : 0;

	return CONN_HEAD + v6 + body_len((const uint8_t *)p + CONN_HEAD + v6);
}

/* after: the bytes past p's block that may be read, and are never kept
 * (flow.c's pool keeps 16 past each of its blocks; 0: none). */
size_t
conn_unpack(const struct conn *p, struct conn *c, size_t after)
{
	size_t v6 = p->key.af == 6 ? 32 : 0;
	const uint8_t *src = (const uint8_t *)p + CONN_HEAD + v6;
	size_t n;

	g_assert(p->packed);
	memcpy(c, p, CONN_HEAD);
	c->packed = 0;
#ifdef PACK_SSSE3
	if (have_ssse3 && !conn_pack_scalar)
		n = unpack_body_ssse3(c, src, after);
	else
#endif
	{
		uint8_t body[PACKED_MAX + 16];
		n = body_len(src);
		memcpy(body, src, n);
		memset(body + n, 0, 16);	/* read, never kept */
		unpack_body(c, body);
	}
	pack_undelta(c);
	/* (the padding after the body, as conn_init() left it) */
	memset((uint8_t *)c + CONN_BODY_END, 0,
	    sizeof(struct conn) - CONN_BODY_END);
	memcpy(c + 1, (const uint8_t *)p + CONN_HEAD, v6);
	return CONN_HEAD + v6 + n;
}

/* The rare facts' block, allocated on first use. */
static struct conn_ext *
ext_of(struct conn *c)
{
	if (!c->ext)
		c->ext = g_new0(struct conn_ext, 1);
	return c->ext;
}

/* Count n more payload bytes from dir (conn_bytes()). */
static void
add_bytes(struct conn *c, uint8_t dir, uint32_t n)
{
	uint32_t *lo = &c->side[dir].bytes;

	if (*lo > UINT32_MAX - n)
		ext_of(c)->bytes_hi[dir]++;	/* the carry */
	*lo += n;
}

/* ---- times (conn.h) --------------------------------------------------- */

#define TS_SLOTS (CT_MAX + 2 * CT_SIDE_MAX)

static uint32_t *
time_slot(struct conn *c, unsigned slot)
{
	if (slot < CT_MAX)
		return &c->t[slot];
	slot -= CT_MAX;
	return &c->side[slot / CT_SIDE_MAX].t[slot % CT_SIDE_MAX];
}

/* d nanoseconds past first_ts as stored in microseconds (q + 1), or
 * 0 when d is no whole number of them below 2^32 - 1. Without a division
 * (GCC makes d / 1000 a div where it lays a path out as cold): d is a
 * multiple of 1000 = 2^3 * 125 exactly when d times the inverse of 125
 * modulo 2^64, rotated right by 3, is at most (2^64 - 1) / 1000, and that
 * is then d / 1000; any other d gives more, so above UINT32_MAX too
 * (Granlund and Montgomery, "Division by invariant integers using
 * multiplication", 1994, section 9). */
static inline uint32_t
time_us(uint64_t d)
{
	uint64_t m = d * 0x1cac083126e978d5u;	/* 125 * it = 1 */
	uint64_t q = m >> 3 | m << 61;

	return q < UINT32_MAX ? (uint32_t)q + 1 : 0;
}

/* t as stored in unit (CONN_TS_US or CONN_TS_NS); false if it does not
 * fit. */
static bool
time_encode(const struct conn *c, unsigned unit, int64_t t, uint32_t *v)
{
	int64_t d;

	if (t == 0) {
		*v = 0;
		return true;
	}
	if (__builtin_sub_overflow(t, c->first_ts, &d) || d < 0)
		return false;
	if (unit == CONN_TS_US)
		return (*v = time_us((uint64_t)d)) != 0;
	if (d >= UINT32_MAX)
		return false;
	*v = (uint32_t)d + 1;
	return true;
}

/* t does not fit the connection's unit: take the narrowest that holds it
 * and every time already set, and keep them whole when none does. (Rare,
 * and out of line: time_set_slot() then needs no stack frame.) */
static __attribute__((noinline, cold)) void
time_widen(struct conn *c, unsigned slot, int64_t t)
{
	int64_t all[TS_SLOTS];
	uint32_t v[TS_SLOTS];

	for (unsigned i = 0; i < TS_SLOTS; i++)
		all[i] = conn_time_decode(c, i, *time_slot(c, i));
	all[slot] = t;
	for (unsigned unit = c->ts_unit + 1u; unit < CONN_TS_WIDE; unit++) {
		bool fit = true;
		for (unsigned i = 0; i < TS_SLOTS && fit; i++)
			fit = time_encode(c, unit, all[i], &v[i]);
		if (fit) {
			for (unsigned i = 0; i < TS_SLOTS; i++)
				*time_slot(c, i) = v[i];
			c->ts_unit = unit;
			return;
		}
	}
	struct conn_ext *x = ext_of(c);
	x->wide_ts = g_new(int64_t, TS_SLOTS);
	memcpy(x->wide_ts, all, sizeof(all));
	c->ts_unit = CONN_TS_WIDE;
}

/* Set the time of slot (its index in wide_ts), kept at *at. */
static void
time_set_slot(struct conn *c, unsigned slot, uint32_t *at, int64_t t)
{
	uint32_t v, last = c->t[CT_LAST];

	if (c->ts_unit == CONN_TS_WIDE)
		c->ext->wide_ts[slot] = t;
	/* Nearly every time set is its segment's, which time_touch_last()
	 * has just made the last packet's: stored as that one is, found by
	 * a multiplication rather than time_encode()'s division. */
	else if (last != 0 && t == conn_time_decode(c, CT_LAST, last))
		*at = last;
	else if (time_encode(c, c->ts_unit, t, &v))
		*at = v;
	else
		time_widen(c, slot, t);
}

/* time_set_slot()'s usual case inline: in microseconds, the last
 * packet's time (its segment's); true when it took it. */
static inline bool
time_set_last(const struct conn *c, uint32_t *at, int64_t t)
{
	uint32_t last = c->t[CT_LAST];

	if (c->ts_unit != CONN_TS_US || last == 0 ||
	    t != c->first_ts + (int64_t)(last - 1) * 1000)
		return false;
	*at = last;
	return true;
}

static void
time_set(struct conn *c, enum conn_time k, int64_t t)
{
	time_set_slot(c, k, &c->t[k], t);
}

static void
side_time_set(struct conn *c, uint8_t side, enum side_time k, int64_t t)
{
	time_set_slot(c, CT_MAX + side * CT_SIDE_MAX + k, &c->side[side].t[k],
	    t);
}

/* time_set() and side_time_set() with time_set_last() inline, for the
 * handshake's and the plain path's steps (t its segment's time). */
static inline void
time_set_now(struct conn *c, enum conn_time k, int64_t t)
{
	if (!time_set_last(c, &c->t[k], t))
		time_set(c, k, t);
}

static inline void
side_time_set_now(struct conn *c, uint8_t side, enum side_time k, int64_t t)
{
	if (!time_set_last(c, &c->side[side].t[k], t))
		side_time_set(c, side, k, t);
}

/* The last packet's time moves to ts if ts is later (every segment).
 * Inline for the usual case, a connection kept in microseconds; the rest
 * as any time. true when ts is then the last packet's time as stored in
 * microseconds, so that time_set_last() takes it (time_set_at()): false
 * may be either. */
static inline bool
time_touch_now(struct conn *c, int64_t ts)
{
	uint32_t v = c->t[CT_LAST];

	if (G_LIKELY(c->ts_unit == CONN_TS_US && v != 0 && ts != 0 &&
	    ts >= c->first_ts)) {
		/* Stored as q, ts is later exactly when q is larger. (One
		 * that is no stored time is not later when it is at most
		 * the last's, which the test below then says too.) The
		 * distance is exact in 64 unsigned bits; past INT64_MAX,
		 * which time_encode() refuses, it is no stored time either
		 * (q 0). */
		uint32_t q = time_us((uint64_t)ts - (uint64_t)c->first_ts);
		if (G_LIKELY(q != 0)) {
			if (G_UNLIKELY(q <= v))
				return q == v;		/* not later */
			c->t[CT_LAST] = q;
			return true;
		}
	}
	if (ts > conn_time(c, CT_LAST))
		time_set(c, CT_LAST, ts);
	return false;
}

static inline void
time_touch_last(struct conn *c, int64_t ts)
{
	(void)time_touch_now(c, ts);
}

/* time_set_now() and side_time_set_now() of the segment's time t, now
 * time_touch_now()'s answer for it: when true, the last packet's stored
 * time (nothing between moves that, first_ts or the unit: every time set
 * is t, which fits). */
static inline void
time_set_at(struct conn *c, enum conn_time k, int64_t t, bool now)
{
	if (now)
		c->t[k] = c->t[CT_LAST];
	else
		time_set_now(c, k, t);
}

static inline void
side_time_set_at(struct conn *c, uint8_t side, enum side_time k, int64_t t,
    bool now)
{
	if (now)
		c->side[side].t[k] = c->t[CT_LAST];
	else
		side_time_set_now(c, side, k, t);
}

/* When the TIME_WAIT of side's endpoint ends: 2MSL after its last ACK
 * (meaningful while it is in TIME_WAIT). */
static int64_t
tw_end(const struct conn *c, const struct conn_cfg *cfg, int side)
{
	return conn_side_time(c, side, CT_TW) + cfg->two_msl_ns;
}

/* When side's endpoint in TIME_WAIT sent its final ACK, which 2MSL runs
 * from unless the peer's FIN sent again restarted it (tw_restart()): what
 * missing_time_wait's detail counts from (SPEC: "within 2MSL of its final
 * ACK"). */
static int64_t
tw_final_ack(const struct conn *c, int side)
{
	if (c->ext && c->ext->tw_ack_ts[side])
		return c->ext->tw_ack_ts[side];
	return conn_side_time(c, side, CT_TW);
}

/* missing_time_wait's time for an endpoint of side leaving TIME_WAIT at
 * ts: since its final ACK, and since 2MSL restarted when the peer's FIN
 * sent again restarted it (tw_restart()), 2MSL then running from that;
 * then the 2MSL. */
static const char *
tw_left(char *b, size_t n, const struct conn *c, const struct conn_cfg *cfg,
    int side, int64_t ts)
{
	int64_t fin = tw_final_ack(c, side);
	int64_t base = conn_side_time(c, side, CT_TW);

	if (base != fin)
		snprintf(b, n, "%.6fs after its final ACK, %.6fs after the "
		    "peer's FIN sent again restarted 2MSL (2MSL = %gs)",
		    (double)(ts - fin) / 1e9, (double)(ts - base) / 1e9,
		    (double)cfg->two_msl_ns / 1e9);
	else
		snprintf(b, n, "%.6fs after its final ACK (2MSL = %gs)",
		    (double)(ts - fin) / 1e9, (double)cfg->two_msl_ns / 1e9);
	return b;
}

/* The record is full (CONN_MAX_ANOMS): make room for a finding of kind
 * id by dropping the latest repeat of the least severe kind, if id is a
 * kind not kept yet or one more severe than that, so that a flood of
 * notes (SYNs sent again and again) never hides an error. */
static bool
anom_make_room(struct conn *c, enum anom_id id)
{
	enum anom_sev sev = anomaly_severity(id);
	int victim = -1;
	enum anom_sev vsev = SEV_MAX;

	for (int i = (int)c->nanoms - 1; i > 0; i--) {
		enum anom_sev s = anomaly_severity(c->anoms[i].id);
		if (s >= vsev)
			continue;
		for (int j = 0; j < i; j++)
			if (c->anoms[j].id == c->anoms[i].id) {
				victim = i;
				vsev = s;
				break;
			}
	}
	if (victim < 0 || (conn_has_anom(c, id) && sev <= vsev))
		return false;
	g_free(c->anoms[victim].detail);
	memmove(&c->anoms[victim], &c->anoms[victim + 1],
	    (c->nanoms - (unsigned)victim - 1) * sizeof(c->anoms[0]));
	c->nanoms--;
	ext_of(c)->anoms_dropped++;
	return true;
}

void
conn_anomaly(struct conn *c, enum anom_id id, uint8_t dir, int64_t ts,
    uint64_t frame, const char *fmt, ...)
{
	if (c->nanoms >= CONN_MAX_ANOMS && !anom_make_room(c, id)) {
		ext_of(c)->anoms_dropped++;
		return;
	}
	if (c->nanoms == c->anom_cap) {
		c->anom_cap = c->anom_cap ? (uint8_t)(c->anom_cap * 2) : 4;
		c->anoms = g_renew(struct anom_rec, c->anoms, c->anom_cap);
	}
	va_list ap;
	va_start(ap, fmt);
	struct anom_rec *a = &c->anoms[c->nanoms++];
	a->frame = frame;
	a->ts_ns = ts;
	a->id = (uint16_t)id;
	a->dir = dir;
	a->detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}


bool
conn_has_anom(const struct conn *c, enum anom_id id)
{
	for (unsigned i = 0; i < c->nanoms; i++)
		if (c->anoms[i].id == id)
			return true;
	return false;
}

bool
conn_has_anom_from(const struct conn *c, enum anom_id id, int side)
{
	for (unsigned i = 0; i < c->nanoms; i++)
		if (c->anoms[i].id == id && c->anoms[i].dir == side)
			return true;
	return false;
}

/* The letter of side's FIN in a detail: u for the closer's, W for the
 * peer's; or, once that side's FIN was fin_bad_seq (not at its u), its
 * seq relative to its ISN, J+n or K+n, so that no detail calls u what
 * fin_bad_seq says is not. */
static const char *
fin_letter(char *b, size_t n, const struct conn *c, int side, uint32_t seq)
{
	const struct tcp_peer *p = &c->peer[side];
	/* (Or while bytes below it are missing: the end may judge it
	 * fin_bad_seq, conn_finish().) */
	bool doubt = p->nholes ||
	    conn_has_anom_from(c, ANOM_FIN_BAD_SEQ, side);

	if (!doubt)
		return side == c->fin_first || c->fin_first < 0 ? "u" : "W";
	if (!(p->flags & PEER_SYN_SEEN))
		return "its seq";
	seq_rel_str(b, n, side == conn_client(c) ? "J" : "K", p->isn, seq);
	return b;
}


static bool
side_in(uint8_t st, unsigned mask)
{
	return (mask >> st) & 1u;
}

#define M(s) (1u << (s))
#define CLOSING_STATES (M(TCP_ST_FIN_WAIT_1) | M(TCP_ST_FIN_WAIT_2) | \
    M(TCP_ST_CLOSING) | M(TCP_ST_CLOSE_WAIT) | M(TCP_ST_LAST_ACK))
#define ENDED_STATES CONN_ENDED_STATES

/* v in side's letters and absolute, "J+100 (1101)": J from the client's
 * ISN, K from the server's (SPEC: relative and absolute form); the
 * number alone when that side's SYN was not seen. */
static const char *
side_rel(char *b, size_t n, const struct conn *c, uint8_t side, uint32_t v)
{
	const struct tcp_peer *p = &c->peer[side & 1];
	char r[24];

	if (!conn_isn_known(c, side & 1)) {
		snprintf(b, n, "%u", v);
		return b;
	}
	seq_rel_str(r, sizeof(r), (int)(side & 1) == conn_client(c) ? "J" : "K",
	    p->isn, v);
	snprintf(b, n, "%s (%u)", r, v);
	return b;
}

/* ---- sequence space --------------------------------------------------- */

/* Drop side dir's hole i (kept in order); keeps tcp_peer.nholes true to
 * whether any is left. */
static void
hole_drop(struct conn *c, uint8_t dir, unsigned i)
{
	struct conn_ext *x = c->ext;

	memmove(&x->holes[dir][i], &x->holes[dir][i + 1],
	    sizeof(x->holes[dir][0]) * (x->nhole[dir] - i - 1));
	x->nhole[dir]--;
	c->peer[dir].nholes = x->nhole[dir] != 0;
}

/* A hole never filled: capture_gap at the segment that jumped over it,
 * or, opened by the peer's ACK, ack_unseen_data at that ACK (once for
 * the peer). */
static void
hole_report(struct conn *c, uint8_t dir, const struct seq_hole *h)
{
	struct tcp_peer *q = &c->peer[!dir];

	char a[48], b[48];

	if (!h->acked) {
		conn_anomaly(c, ANOM_CAPTURE_GAP, dir, h->ts, h->frame,
		    "%u bytes missing, seq [%s, %s)", h->r - h->l,
		    side_rel(a, sizeof(a), c, dir, h->l),
		    side_rel(b, sizeof(b), c, dir, h->r));
		return;
	}
	if (q->once & ONCE_ACK_UNSEEN)
		return;
	q->once |= ONCE_ACK_UNSEEN;
	conn_anomaly(c, ANOM_ACK_UNSEEN_DATA, !dir, h->ts, h->frame,
	    "ack %s is %u bytes beyond the peer's last seen seq %s",
	    side_rel(a, sizeof(a), c, dir, h->r), h->r - h->l,
	    side_rel(b, sizeof(b), c, dir, h->l));
}

/* Room for one more of side dir's holes, up to CONN_MAX_HOLES (4, 8, ...
 * 64: the caller gives one up at the limit). */
static void
hole_room(struct conn_ext *x, uint8_t dir)
{
	if (x->nhole[dir] == x->hole_cap[dir] &&
	    x->hole_cap[dir] < CONN_MAX_HOLES) {
		x->hole_cap[dir] = x->hole_cap[dir] ? x->hole_cap[dir] * 2 : 4;
		x->holes[dir] = g_renew(struct seq_hole, x->holes[dir],
		    x->hole_cap[dir]);
	}
}

/* Does the peer q still await hole h's bytes: not opened by its ACK, its
 * ack at or below the hole, within the largest window (2^30, RFC 7323
 * 2.3), the hole no larger? Then the sender sends them again (hole_add()).
 * (A jump of 2^31 bytes makes the order of numbers meaningless.) */
static bool
hole_awaited(const struct tcp_peer *q, const struct seq_hole *h)
{
	return !h->acked && (q->flags & PEER_ACK_SENT) &&
	    seq_le(q->ack, h->l) && h->l - q->ack < (1u << 30) &&
	    h->r - h->l < (1u << 30);
}

/* Side dir's hole i less its middle [l, r): [hl, l) stays at i, [r, hr)
 * goes in after it. With CONN_MAX_HOLES already, the right piece is
 * given up at once (constant memory): as a gap, unless the peer's ack
 * stops below it (hole_add()), when its bytes are counted now. */
static void
hole_split(struct conn *c, uint8_t dir, unsigned i, uint32_t l, uint32_t r)
{
	struct conn_ext *x = c->ext;
	struct seq_hole right = x->holes[dir][i];
	const struct tcp_peer *q = &c->peer[!dir];

	right.l = r;
	x->holes[dir][i].r = l;
	if (x->nhole[dir] == CONN_MAX_HOLES) {
		if (hole_awaited(q, &right))
			add_bytes(c, dir, right.r - right.l);
		else
			hole_report(c, dir, &right);
		return;
	}
	hole_room(x, dir);
	struct seq_hole *h = x->holes[dir];
	memmove(&h[i + 2], &h[i + 1], sizeof(h[0]) * (x->nhole[dir] - i - 1));
	h[i + 1] = right;
	x->nhole[dir]++;
}

static void
hole_add(struct conn *c, uint8_t dir, uint32_t l, uint32_t r, int64_t ts,
    uint64_t frame, const struct tcp_seg *jumper)
{
	bool acked = !jumper;
	struct tcp_peer *p = &c->peer[dir], *q = &c->peer[!dir];
	struct conn_ext *x = ext_of(c);

	hole_room(x, dir);
	struct seq_hole *holes = x->holes[dir];
	if (x->nhole[dir] == CONN_MAX_HOLES) {
		/* Constant memory: a hole is given up now, the oldest the
		 * peer acknowledged past (it had those bytes: the capture
		 * missed them, a gap), else the oldest. */
		unsigned k = x->nhole[dir];
		for (unsigned i = 0; i < x->nhole[dir]; i++)
			if ((q->flags & PEER_ACK_SENT) &&
			    seq_ge(q->ack, holes[i].r)) {
				k = i;
				break;
			}
		/* None: if the peer's ack stops at or below the oldest, it
		 * lacks those bytes too, lost before the capture point or
		 * still on their way (a path that reorders), and the sender
		 * sends them again (SACK recovery from heavy loss leaves more
		 * holes open than the record keeps): no gap to report.
		 * Forgotten, its bytes counted now, since the copy that fills
		 * it will be taken for a retransmission. */
		if (k == x->nhole[dir] && hole_awaited(q, &holes[0])) {
			add_bytes(c, dir, holes[0].r - holes[0].l);
			hole_drop(c, dir, 0);
		} else {
			k = k < x->nhole[dir] ? k : 0;
			hole_report(c, dir, &holes[k]);
			hole_drop(c, dir, k);
		}
	}
	holes[x->nhole[dir]++] = (struct seq_hole){ l, r, frame, ts, acked,
	    jumper && jumper->opt.has_ts, jumper ? jumper->opt.tsval : 0 };
	p->nholes = 1;
}

/* Remove [l, r) from the holes; true if it filled any part of one. *jump
 * (if given) becomes the time of the oldest hole it filled that a segment
 * jumped over (not one the peer's ACK opened), or stays as it was. */
static bool
hole_fill(struct conn *c, uint8_t dir, uint32_t l, uint32_t r,
    struct seq_hole *jump, uint32_t data_end, uint32_t *bytes)
{
	struct tcp_peer *p = &c->peer[dir];
	bool filled = false;

	if (!p->nholes)
		return false;
	struct conn_ext *x = c->ext;
	struct seq_hole *holes = x->holes[dir];
	for (unsigned i = 0; i < x->nhole[dir]; i++) {
		uint32_t hl = holes[i].l, hr = holes[i].r;
		if (!seq_lt(l, hr) || !seq_gt(r, hl))
			continue;	/* no overlap */
		filled = true;
		if (bytes) {	/* the payload bytes it fills: [l, data_end) */
			uint32_t a = seq_gt(l, hl) ? l : hl;
			uint32_t b = seq_lt(data_end, hr) ? data_end : hr;
			if (seq_gt(b, a))
				*bytes += b - a;
		}
		if (jump && !holes[i].acked && (!jump->ts ||
		    holes[i].ts < jump->ts))
			*jump = holes[i];	/* the earliest jump */
		if (seq_le(l, hl) && seq_ge(r, hr)) {
			hole_drop(c, dir, i--);	/* covered whole */
		} else if (seq_le(l, hl)) {
			holes[i].l = r;	/* left part filled */
		} else if (seq_ge(r, hr)) {
			holes[i].r = l;	/* right part filled */
		} else {
			/* The middle: two holes, [hl, l) and [r, hr), the
			 * right one after it (both older than any later
			 * one). */
			hole_split(c, dir, i, l, r);
			holes = x->holes[dir];
			i++;	/* the right piece: past this segment */
		}
	}
	return filled;
}

/* How long a segment may come after a later one and be the first copy,
 * reordered: the handshake's round trip (the sender learns of a loss no
 * sooner), or Wireshark's 3 ms when it was not seen. */
static int64_t
reorder_window(const struct conn *c)
{
	int64_t a, b;

	if (conn_rtt(c, CT_SYNACK, &a) && conn_rtt(c, CT_ACK, &b) && a + b > 0)
		return a + b;
	return 3000000;
}

/*
 * A segment filling a hole that the segment jh jumped over (jh.ts 0: none
 * did, the peer's ACK opened it): sent again after its first copy was
 * lost before the capture point, or the first copy, reordered? When both
 * carry timestamps, their TSvals say which was sent first: an older one
 * than the jumper's was sent before it, reordered however late it comes
 * (a receiving host's queues reorder segments by far more than a LAN's
 * round trip), a newer one after it: sent again. Otherwise time: a copy
 * more than a round trip after the jumper is the second (the sender
 * learns of a loss a round trip after it sent the jumper, at the
 * soonest); with equal TSvals, sent in the same clock tick (a
 * millisecond on Linux), not before a millisecond either.
 */
static bool
refill_is_resend(const struct conn *c, const struct tcp_seg *s,
    const struct seq_hole *jh, int64_t ts)
{
	if (!jh->ts)
		return false;
	int64_t win = reorder_window(c);
	if (s->opt.has_ts && jh->has_ts) {
		if (s->opt.tsval != jh->tsval)
			return seq_gt(s->opt.tsval, jh->tsval);
		if (win < 1000000)
			win = 1000000;
	}
	return ts - jh->ts > win;
}

/* The handshake's round trip between the capture point and endpoint dir
 * (SYN to SYN-ACK for the server, SYN-ACK to the third segment for the
 * client); false when not seen. */
static inline int
peer_rtt_us(const struct conn *c, enum conn_time k, uint32_t *us)
{
	/* conn_rtt() on the stored times when both ends are set in
	 * microseconds after a first_ts above 0, so that a stored time is
	 * 0 (none) exactly when its time is: the usual case, without the
	 * decoding. 1 with *us the round trip in microseconds, 0 when not
	 * seen, -1 when conn_rtt() must decide. */
	if (c->ts_unit == CONN_TS_US && c->first_ts > 0) {
		uint32_t from = c->t[k == CT_SYNACK ? CT_SYN_RTX :
		    CT_SYNACK_RTX], to = c->t[k];
		if (!from)
			from = c->t[k == CT_SYNACK ? CT_SYN : CT_SYNACK];
		if (from && to) {
			bool seen = k == CT_SYNACK ?
			    c->t[CT_SYN] != 0 && c->synack_dir >= 0 :
			    c->synack_dir >= 0 && (c->hs & HSF_THIRD);
			*us = to - from;
			return seen && to >= from;
		}
	}
	return -1;
}

static inline bool
peer_rtt(const struct conn *c, uint8_t dir, int64_t *rtt)
{
	enum conn_time k = dir == conn_client(c) ? CT_ACK : CT_SYNACK;
	uint32_t us;
	int seen = peer_rtt_us(c, k, &us);

	if (seen >= 0) {
		*rtt = (int64_t)us * 1000;
		return seen;
	}
	return conn_rtt(c, k, rtt);
}

/* Is a FIN from dir gap nanoseconds after the packet before it a quarter
 * of the peer's round trip or more after it (tcp_peer.fin_spaced)? */
static inline bool
fin_spaced(const struct conn *c, uint8_t dir, int64_t gap)
{
	int64_t rtt;	/* (>= 0 when peer_rtt() answers true: a shift) */

	return peer_rtt(c, !dir, &rtt) && gap >= (int64_t)((uint64_t)rtt >> 2);
}

/* fin_spaced() for the plain path's FIN, last0 the last packet's stored
 * time before it (in unit0), now time_touch_now()'s answer for the FIN.
 * In the usual case, now and a last0 (both times then in microseconds,
 * first_ts unmoved), and the round trip in stored microseconds too, the
 * test is 4 x (last - last0) >= to - from, both sides 250 x theirs in
 * nanoseconds (exact: 1000 / 4): no time decoded. */
static inline bool
plain_fin_spaced(const struct conn *c, uint8_t dir, uint32_t last0,
    unsigned unit0, int64_t ts, bool now)
{
	if (now && last0 != 0) {
		int peer = !dir;
		uint32_t us;
		int seen = peer_rtt_us(c, peer == conn_client(c) ? CT_ACK :
		    CT_SYNACK, &us);
		if (seen >= 0)
			return seen &&
			    4 * (uint64_t)(c->t[CT_LAST] - last0) >= us;
	}
	/* (The last packet's time before the FIN, as conn_time() then
	 * decoded it: a plain record keeps no time whole.) */
	int64_t before = last0 == 0 ? 0 : c->first_ts +
	    (int64_t)(last0 - 1) * (unit0 == CONN_TS_US ? 1000 : 1);
	return fin_spaced(c, dir, ts - before);
}

/* How long after an RST its receiver's (dir's) segments may still cross
 * it, sent before the RST arrived: the round trip between the capture
 * point and that endpoint (SYN to SYN-ACK for the server, SYN-ACK to the
 * third segment for the client), a quarter more for jitter; without a
 * handshake, reorder_window(). */
static int64_t
rst_cross_window(const struct conn *c, uint8_t dir)
{
	int64_t rtt;

	if (peer_rtt(c, dir, &rtt) && rtt > 0)
		return rtt + rtt / 4;
	return reorder_window(c);
}

/* Holes the peer has acknowledged past, for more than a round trip, are
 * bytes the capture missed, not ones it will show late (nothing resends
 * acknowledged bytes): capture_gap or ack_unseen_data now, so that a
 * capture that dropped packets does not keep the connection off the fast
 * path (fast_ok()) to its end. */
static void
hole_expire(struct conn *c, uint8_t dir, int64_t ts)
{
	struct conn_ext *x = c->ext;
	struct seq_hole *holes = x->holes[dir];
	const struct tcp_peer *q = &c->peer[!dir];
	int64_t win = -1;

	for (unsigned i = 0; i < x->nhole[dir]; i++) {
		if (!holes[i].acked && !((q->flags & PEER_ACK_SENT) &&
		    seq_ge(q->ack, holes[i].r)))
			continue;
		if (win < 0)
			win = reorder_window(c);
		if (ts - holes[i].ts <= win)
			continue;
		hole_report(c, dir, &holes[i]);
		hole_drop(c, dir, i--);
	}
}

/* Returns true when the segment is a retransmission. */
static bool
track_seq(struct conn *c, uint8_t dir, const struct tcp_seg *s, int64_t ts,
    uint64_t frame, bool *keepalive)
{
	struct tcp_peer *p = &c->peer[dir];
	bool syn = s->flags & TH_SYN, fin = s->flags & TH_FIN;
	uint32_t start = s->seq + (syn ? 1 : 0);
	uint32_t end = start + s->paylen + (fin ? 1 : 0);

	*keepalive = false;
	if (p->nholes)
		hole_expire(c, dir, ts);
	if (syn || (s->flags & TH_RST))
		return false;	/* SYNs are judged by ISN, RSTs by window */
	if (!(p->flags & PEER_SEQ_KNOWN)) {
		p->snd_nxt = end;
		p->flags |= PEER_SEQ_KNOWN;
		add_bytes(c, dir, s->paylen);
		return false;
	}
	if (start == end) {
		/* Pure ACK. seq = next-1 with no data is a keep-alive. */
		if (s->seq + 1 == p->snd_nxt)
			*keepalive = true;
		return false;
	}
	/* Keep-alive with one garbage byte (RFC 9293 3.8.4). */
	if (s->paylen <= 1 && !fin && s->seq + 1 == p->snd_nxt &&
	    !hole_fill(c, dir, start, end, NULL, end, NULL)) {
		*keepalive = true;
		return false;
	}
	if (seq_gt(start, p->snd_nxt)) {
		hole_add(c, dir, p->snd_nxt, start, ts, frame, s);
		p->snd_nxt = end;
		add_bytes(c, dir, s->paylen);
		return false;
	}
	if (seq_lt(start, p->snd_nxt)) {
		/* Filling a hole: reordered, or sent again after its first
		 * copy was lost before the capture point
		 * (refill_is_resend()); new to the capture all the same. */
		struct seq_hole jump = { 0 };
		uint32_t fill = 0;	/* its bytes in holes: new to the capture */
		bool filled = hole_fill(c, dir, start, end, &jump,
		    start + s->paylen, &fill);
		bool again = refill_is_resend(c, s, &jump, ts);
		if (seq_gt(end, p->snd_nxt)) {	/* partly new */
			add_bytes(c, dir, fill +
			    (uint32_t)(end - p->snd_nxt) - (fin ? 1 : 0));
			p->snd_nxt = end;
			return (!filled && seq_lt(start, p->snd_nxt)) || again;
		}
		if (filled) {
			add_bytes(c, dir, fill);
			return again;
		}
		return true;
	}
	add_bytes(c, dir, s->paylen);
	p->snd_nxt = end;
	return false;
}

/* A SYN-ACK from a TIME_WAIT the SYN reopened within 2MSL (isn holds the
 * floor, conn_tw_floor()): its ISN above every seq of the connection
 * before (3.6.1 MAY-2 (1)), but with timestamps, which PAWS guards
 * instead (RFC 6191 2). The floor is spent either way. */
static inline void
synack_tw_floor(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, uint64_t frame)
{
	struct tcp_peer *p = &c->peer[dir];

	if (p->tw_floor && !(p->flags & PEER_SYN_SEEN) &&
	    !s->opt.has_ts && seq_le(s->seq, p->isn))
		conn_anomaly(c, ANOM_MISSING_TIME_WAIT, dir, ts, frame,
		    "SYN-ACK from TIME_WAIT with ISN %u, not above the "
		    "largest seq %u of the connection before", s->seq,
		    p->isn);
	p->tw_floor = false;
}

/* ---- per segment ------------------------------------------------------ */

static void
note_options(struct tcp_peer *p, const struct tcp_seg *s)
{
	if (s->opt.has_mss)
		p->mss = s->opt.mss;
	if (s->opt.has_ws) {
		p->wscale = s->opt.wscale;
		p->flags |= PEER_WS_OK;
	}
	if (s->opt.sack_ok)
		p->flags |= PEER_SACK_OK;
	if (s->opt.has_ts)
		p->flags |= PEER_TS_OK;
}

static void
handshake_syn(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, uint64_t frame)
{
	struct tcp_peer *p = &c->peer[dir];
	char a[32];
	bool first = c->syn_dir < 0;

	if (first) {
		c->syn_dir = (int8_t)dir;
		time_set_now(c, CT_SYN, ts);
		c->hs |= HSF_SYN;
	} else if (c->syn_dir != dir) {
		c->hs |= HSF_SIMUL;	/* both sent SYN without ACK */
	}
	/* The client answered a SYN-ACK (its third segment, or an ACK
	 * showing one the capture missed): a SYN from it now is a late
	 * duplicate or a new attempt on a synchronized connection. */
	bool answered = dir == c->syn_dir && !(c->hs & HSF_SIMUL) &&
	    (c->hs & (HSF_THIRD | HSF_ASYM));
	/* Its attempt is pending: SYN_SENT, or ESTABLISHED only by a
	 * SYN-ACK seen going to it that it never answered, which this SYN
	 * shows had not arrived (3.8.1). */
	bool pending = !answered && (p->st == TCP_ST_SYN_SENT ||
	    (dir == c->syn_dir && (p->st == TCP_ST_ESTABLISHED ||
	    (p->st == TCP_ST_CLOSE_WAIT && !(p->flags & PEER_ACK_SENT))) &&
	    (c->hs & HSF_SYNACK) && !(c->hs & HSF_SIMUL)));
	/* The handshake's SYNs: the first, the same again, or a new ISN
	 * while that attempt is pending (syn_isn_changed); not a SYN on a
	 * synchronized connection (unexpected_syn), which opens nothing. */
	if (dir == c->syn_dir && (first || !(p->flags & PEER_SYN_SEEN) ||
	    (s->seq == p->isn && !answered) || pending))
		c->syn_count++;
	/* Sent again before any SYN-ACK, or a new attempt after one that
	 * never arrived: the SYN-ACK's round trip starts here
	 * (conn_rtt_base(); handshake_synack() times that attempt's). */
	if (dir == c->syn_dir && c->syn_count > 1 && (c->synack_dir < 0 ||
	    (pending && s->seq != p->isn)))
		time_set(c, CT_SYN_RTX, ts);
	if ((p->flags & PEER_SYN_SEEN) && !answered) {
		if (s->seq == p->isn) {
			c->side[dir].retrans++;
			conn_anomaly(c, ANOM_SYN_RETRANS, dir, ts, frame,
			    "SYN seq=%u (J) sent again (#%u)", s->seq,
			    c->syn_count);
		} else if (pending) {
			struct conn_ext *x = ext_of(c);
			x->syn_prev = true;
			x->syn_prev_isn = p->isn;
			x->syn_prev_end = p->snd_nxt;
			conn_anomaly(c, ANOM_SYN_ISN_CHANGED, dir, ts, frame,
			    "SYN seq %u (%s) != J (%u) of the pending attempt",
			    s->seq, seq_rel_str(a, sizeof(a), "J", p->isn, s->seq),
			    p->isn);
		}
	}
	if (s->paylen > 0) {
		conn_anomaly(c, ANOM_SYN_WITH_DATA, dir, ts, frame,
		    "SYN carries %u bytes%s", s->paylen,
		    s->opt.has_tfo ? " and a TFO cookie" : "");
		/* SYN data is payload (TCP Fast Open, RFC 7413): count it
		 * once, not again when the SYN is retransmitted. */
		if (!(p->flags & PEER_SYN_SEEN) || s->seq != p->isn)
			add_bytes(c, dir, s->paylen);
	}
	if (!(p->flags & PEER_SYN_SEEN) || pending || p->st == TCP_ST_CLOSED) {
		/* The same SYN sent again keeps the data the first carried:
		 * Linux resends a TFO SYN without it, and the server may
		 * have taken it (RFC 7413 4.2.2: its SYN-ACK acks J+1+n). */
		uint32_t end = s->seq + 1 + s->paylen;
		bool again = (p->flags & PEER_SYN_SEEN) && s->seq == p->isn;
		p->isn = s->seq;
		if (!again || seq_gt(end, p->snd_nxt))
			p->snd_nxt = end;
	}
	p->flags |= PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	note_options(p, s);
}

static void
handshake_synack(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, uint64_t frame)
{
	struct tcp_peer *p = &c->peer[dir], *q = &c->peer[!dir];
	char a[32];

	/* The client's third segment still carrying SYN is judged by the
	 * third-segment check, not as a SYN-ACK of the server's. */
	if (c->synack_dir >= 0 && c->synack_dir != dir && !(c->hs & HSF_SIMUL))
		return;
	/* A SYN-ACK from an endpoint still SYN_SENT whose peer sent no SYN
	 * answers nothing (synack_from_client, tcp_fsm.c): not the
	 * handshake's SYN-ACK, nor a retransmission of its sender's SYN. */
	if (p->st == TCP_ST_SYN_SENT && !(q->flags & PEER_SYN_SEEN))
		return;
	if (c->synack_dir < 0) {
		/* Its data captured before it (conn_input_slow()): sent
		 * before its sender's handshake step allowed it. Not after
		 * SYN data, which a TCP Fast Open server answers at once
		 * (RFC 7413 3). */
		struct conn_ext *xe = c->ext;
		if (xe && xe->early_frame && dir != c->syn_dir &&
		    !(p->once & ONCE_DATA_EARLY) &&
		    !conn_has_anom(c, ANOM_SYN_WITH_DATA)) {
			p->once |= ONCE_DATA_EARLY;
			char er[24];	/* (K: this SYN-ACK's seq) */
			seq_rel_str(er, sizeof(er), "K", s->seq, xe->early_seq);
			conn_anomaly(c, ANOM_DATA_BEFORE_EST, dir, xe->early_ts,
			    xe->early_frame, "%u bytes at seq %s (%u) before "
			    "its SYN-ACK (seq K (%u), frame %" PRIu64 ")",
			    xe->early_len, er, xe->early_seq, s->seq, frame);
		}
		synack_tw_floor(c, dir, s, ts, frame);
		c->synack_dir = (int8_t)dir;
		time_set_now(c, CT_SYNACK, ts);
		c->synack_ack = s->ack;
		c->hs |= HSF_SYNACK;
		if (c->syn_dir < 0) {
			conn_anomaly(c, ANOM_SYNACK_WITHOUT_SYN, dir, ts, frame,
			    "SYN-ACK seq=K (%u) ack=%u (J+1 for a J of %u) "
			    "with no SYN seen", s->seq, s->ack, s->ack - 1);
			/* A SYN-ACK answers a SYN (RFC 9293 3.5 figure 6):
			 * its receiver sent one the capture missed and was
			 * SYN-SENT, so the SYN-ACK makes it ESTABLISHED. */
			if (q->st == TCP_ST_CLOSED &&
			    !(q->flags & (PEER_SYN_SEEN | PEER_SENT_ANY)) &&
			    !((p->flags | q->flags) &
			    (PEER_FIN_SEEN | PEER_RST_SENT)))
				q->st = TCP_ST_SYN_SENT;
		}
	}
	/* The same SYN-ACK after the server sent data or its FIN, once the
	 * handshake was over, without TCP Fast Open: a server sends those
	 * only ESTABLISHED, its SYN-ACK acked, which it never sends again,
	 * so this is a late duplicate the network made, as the same SYN
	 * after its answer is (unexpected_syn alone, not counted). A TFO
	 * server sends data and FIN from SYN_RECEIVED and may have to. */
	if (dir == c->synack_dir && (p->flags & PEER_SYN_SEEN) &&
	    s->seq == p->isn && (c->hs & HSF_THIRD) &&
	    !(c->hs & HSF_SIMUL) &&
	    ((p->flags & PEER_FIN_SEEN) || seq_gt(p->snd_nxt, p->isn + 1)) &&
	    !conn_has_anom(c, ANOM_SYN_WITH_DATA))
		return;
	if (dir == c->synack_dir)
		c->synack_count++;
	/* Sent again before the third segment: its round trip starts here. */
	if (dir == c->synack_dir && c->synack_count > 1 &&
	    !(c->hs & HSF_THIRD))
		time_set(c, CT_SYNACK_RTX, ts);
	/* After the client's SYN changed its ISN (syn_isn_changed): the
	 * answer to that new SYN is a new SYN-ACK, not a changed one, and
	 * the handshake's from then on; the first SYN-ACK sent again still
	 * answers the first SYN, whose J+1 it was judged against. */
	bool changed = c->synack_dir == dir &&
	    conn_has_anom(c, ANOM_SYN_ISN_CHANGED);
	bool renewed = changed && s->ack != c->synack_ack &&
	    (q->flags & PEER_SYN_SEEN) && seq_gt(s->ack, q->isn) &&
	    seq_le(s->ack, q->snd_nxt);
	bool stale = changed && s->seq == p->isn && s->ack == c->synack_ack;
	/* The first SYN-ACK, captured after the new SYN: it answers the
	 * SYN before, which the server had (3.5), and is no bad one. The
	 * client, SYN_SENT for its new J, finds it unacceptable (its RST
	 * at that ack, 3.10.7.3); the new SYN's SYN-ACK renews it. */
	struct conn_ext *xp = c->ext;
	if (xp && xp->syn_prev && dir != c->syn_dir &&
	    conn_has_anom(c, ANOM_SYN_ISN_CHANGED) &&
	    seq_gt(s->ack, xp->syn_prev_isn) &&
	    seq_le(s->ack, xp->syn_prev_end))
		stale = true;
	if (renewed) {
		time_set(c, CT_SYNACK, ts);
		c->synack_ack = s->ack;
	}
	if ((p->flags & PEER_SYN_SEEN) && !(c->hs & HSF_SIMUL)) {
		if (s->seq == p->isn) {
			c->side[dir].retrans++;
			conn_anomaly(c, ANOM_SYNACK_RETRANS, dir, ts, frame,
			    "SYN-ACK seq=%u (K) sent again (#%u)", s->seq,
			    c->synack_count);
		} else {
			/* An RST sent it back to LISTEN (shown CLOSED): its
			 * next SYN-ACK is a new incarnation with a new ISN
			 * (RFC 9293 3.10.7.4 second check; 3.5 figure 9
			 * line 7), not a changed one. */
			/* Nor after the client sent its SYN again, its
			 * SYN-ACKs unanswered, a second or more after the
			 * first SYN-ACK with K: the server dropped that
			 * attempt (SYN_RECEIVED timed out, 3.8.1; Linux
			 * after tcp_synack_retries, one initial timeout of
			 * 1 s at the least) and takes the SYN as a new one,
			 * with a new ISN. (One that changes back sooner, as
			 * two servers behind one address answering in turn,
			 * is still this anomaly.) */
			struct conn_ext *xk = c->ext;
			int64_t since = xk && xk->k_since ? xk->k_since :
			    conn_time(c, CT_SYNACK);
			bool expired = (c->hs & HSF_SYNACK_LOST) &&
			    !(c->hs & HSF_THIRD) &&
			    ts - since >= 1000000000LL;
			ext_of(c)->k_since = ts;
			if (p->st != TCP_ST_CLOSED && !renewed && !expired)
				conn_anomaly(c, ANOM_SYNACK_ISN_CHANGED, dir,
				    ts, frame, "SYN-ACK seq %u (%s) != K (%u) "
				    "of the SYN-ACK before", s->seq,
				    seq_rel_str(a, sizeof(a), "K", p->isn, s->seq),
				    p->isn);
			else if (p->st == TCP_ST_CLOSED && !renewed) {
				/* That incarnation's SYN-ACK is the
				 * handshake's from now on, as its K is. */
				time_set(c, CT_SYNACK, ts);
				c->synack_ack = s->ack;
				c->hs |= HSF_SYNACK_NEW;
			}
			p->isn = s->seq;
			p->snd_nxt = s->seq + 1 + s->paylen;
		}
	} else if ((c->hs & HSF_ASYM) && !(p->flags & PEER_SYN_SEEN) &&
	    s->seq != p->isn) {
		/* The client's ACK, captured before, acked K+1 of the SYN-ACK
		 * it had (handshake_asym()): this one, with another ISN, is
		 * not the one it answered (3.10.7.3); K stays. */
		conn_anomaly(c, ANOM_SYNACK_ISN_CHANGED, dir, ts, frame,
		    "SYN-ACK seq %u (%s) != K (%u) that the client's ACK "
		    "acked", s->seq,
		    seq_rel_str(a, sizeof(a), "K", p->isn, s->seq), p->isn);
	} else if (!(p->flags & PEER_SYN_SEEN)) {
		/* Data seen before its first SYN-ACK (a TFO server sends at
		 * once; that SYN-ACK lost before the capture point and sent
		 * again) stays counted: the next seq does not go back. */
		uint32_t end = s->seq + 1 + s->paylen;
		bool ahead = (p->flags & PEER_SEQ_KNOWN) &&
		    seq_gt(p->snd_nxt, end) && p->snd_nxt - end < (1u << 30);
		p->isn = s->seq;
		if (!ahead)
			p->snd_nxt = end;
	}
	/* SYN-ACK acknowledges J+1 (3.5 figure 6 step 3); an acceptable
	 * ACK is SND.UNA < SEG.ACK =< SND.NXT (3.10.7.3), so J+1+n when the
	 * SYN carried n bytes the server took (TCP Fast Open, RFC 7413
	 * 4.2.2). */
	if ((q->flags & PEER_SYN_SEEN) && !stale &&
	    !(seq_gt(s->ack, q->isn) && seq_le(s->ack, q->snd_nxt))) {
		conn_anomaly(c, ANOM_SYNACK_BAD_ACK, dir, ts, frame,
		    "ack %u (%s) != J+1 (%u)", s->ack,
		    seq_rel_str(a, sizeof(a), "J", q->isn, s->ack), q->isn + 1);
		c->hs &= (uint16_t)~HSF_SYNACK_NEW;
	}
	if (s->paylen > 0) {
		conn_anomaly(c, ANOM_SYN_WITH_DATA, dir, ts, frame,
		    "SYN-ACK carries %u bytes", s->paylen);
		if (!(p->flags & PEER_SYN_SEEN) || s->seq != p->isn)
			add_bytes(c, dir, s->paylen);	/* RFC 7413 */
	}
	p->flags |= PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	note_options(p, s);
}

/*
 * handshake_syn() for the plain path's SYN, the record's first segment
 * (plain_ok()): nothing of the handshake is set. Every step that sets any
 * (a SYN, SYN-ACK or third segment noted, a peer's state or flags) is one
 * of conn_input()'s, and each of its paths sets first_dir first; what else
 * touches a record before its first segment (conn_tw_floor(), an ICMP
 * error's anomaly) sets none of it. So no SYN before it (syn_dir, its
 * count 0), no SYN-ACK, no third segment, its sender CLOSED without a SYN:
 * it is neither answered nor pending, nor a retransmission, and (plain_ok())
 * carries no data. Its steps come down to these.
 */
static inline void
plain_handshake_syn(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, bool now)
{
	struct tcp_peer *p = &c->peer[dir];

	c->syn_dir = (int8_t)dir;
	time_set_at(c, CT_SYN, ts, now);
	c->hs |= HSF_SYN;
	c->syn_count = 1;
	p->isn = s->seq;
	p->snd_nxt = s->seq + 1;
	/* (No flag of its set before but the one plain_ev() just set.) */
	p->flags = PEER_SENT_ANY | PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	note_options(p, s);
}

/*
 * handshake_synack() for the plain path's SYN-ACK (the first, from the
 * SYN's peer, CLOSED, no data, no conn_ext: plain_ok()) from a sender
 * that sent no SYN before. Its steps come down to these: no conn_ext, so
 * no early data, no SYN whose ISN changed (syn_isn_changed makes one), so
 * nothing renewed or stale; no SYN before, so no SYN-ACK sent again or
 * changed; no asymmetric capture.
 */
static inline void
plain_handshake_synack(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, uint64_t frame, bool now)
{
	struct tcp_peer *p = &c->peer[dir], *q = &c->peer[!dir];
	char a[32];

	synack_tw_floor(c, dir, s, ts, frame);
	c->synack_dir = (int8_t)dir;
	time_set_at(c, CT_SYNACK, ts, now);
	c->synack_ack = s->ack;
	c->hs |= HSF_SYNACK;
	/* (The first: handshake_synack() counts a SYN-ACK only from the
	 * synack_dir it sets first, and none was set: plain_ok().) */
	c->synack_count = 1;
	/* (Data seen before it stays counted, handshake_synack().) */
	uint32_t end = s->seq + 1;
	bool ahead = (p->flags & PEER_SEQ_KNOWN) &&
	    seq_gt(p->snd_nxt, end) && p->snd_nxt - end < (1u << 30);
	p->isn = s->seq;
	if (!ahead)
		p->snd_nxt = end;
	if ((q->flags & PEER_SYN_SEEN) &&
	    !(seq_gt(s->ack, q->isn) && seq_le(s->ack, q->snd_nxt))) {
		conn_anomaly(c, ANOM_SYNACK_BAD_ACK, dir, ts, frame,
		    "ack %u (%s) != J+1 (%u)", s->ack,
		    seq_rel_str(a, sizeof(a), "J", q->isn, s->ack), q->isn + 1);
		c->hs &= (uint16_t)~HSF_SYNACK_NEW;
	}
	p->flags |= PEER_SYN_SEEN | PEER_SEQ_KNOWN;
	note_options(p, s);
}

/* The third segment as the report shows it (CT_ACK, c->third_*); now as
 * time_set_at()'s. */
static inline void
third_note(struct conn *c, const struct tcp_seg *s, int64_t ts, bool now)
{
	time_set_at(c, CT_ACK, ts, now);
	c->third_seq = s->seq;
	c->third_ack = s->ack;
	c->third_syn = (s->flags & TH_SYN) != 0;
}

/* handshake_ack_bad_seq: the third segment from dir (the client) at seq. */
static void
third_bad_seq(struct conn *c, uint8_t dir, uint32_t seq, int64_t ts,
    uint64_t frame)
{
	const struct tcp_peer *cl = &c->peer[dir];
	char a[32];

	conn_anomaly(c, ANOM_HS_ACK_BAD_SEQ, dir, ts, frame,
	    "seq %u (%s) != J+1 (%u)", seq,
	    seq_rel_str(a, sizeof(a), "J", cl->isn, seq), cl->isn + 1);
}

/* The third segment's seq: J+1, or the client's next seq after SYN data
 * the SYN-ACK acked (RFC 7413 4.2.2): J+1 <= seq <= its next seq before
 * this one. */
static inline void
third_seq_check(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    uint32_t nxt_before, int64_t ts, uint64_t frame)
{
	const struct tcp_peer *cl = &c->peer[dir];

	if (!(cl->flags & PEER_SYN_SEEN) ||
	    (seq_ge(s->seq, cl->isn + 1) && seq_le(s->seq, nxt_before)))
		return;
	/* Beyond: the client's first bytes may only come later (the
	 * network or a multi-queue capture reordered them): judged at the
	 * end, unless a segment of the client's comes at J+1
	 * (third_seq_late()). */
	if (seq_gt(s->seq, nxt_before) && seq_lt(s->seq - nxt_before,
	    1u << 30)) {
		struct conn_ext *x = ext_of(c);
		if (!x->hsq_frame) {
			x->hsq_frame = frame;
			x->hsq_ts = ts;
			x->hsq_seq = s->seq;
		}
		return;
	}
	third_bad_seq(c, dir, s->seq, ts, frame);
}

/* At the end: the third segment third_seq_check() held, beyond J+1, is
 * handshake_ack_bad_seq, no segment of the client's having come at J+1
 * since (conn_input_slow() drops it at one). */
static void
third_seq_late(struct conn *c)
{
	struct conn_ext *x = c->ext;

	if (!x || !x->hsq_frame || c->syn_dir < 0)
		return;
	third_bad_seq(c, (uint8_t)c->syn_dir, x->hsq_seq, x->hsq_ts,
	    x->hsq_frame);
	x->hsq_frame = 0;
}

/* The client's first segment with ACK after the SYN-ACK (3.5 step 3). */
static inline void
handshake_third(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    uint32_t nxt_before, int64_t ts, uint64_t frame, bool now)
{
	const struct tcp_peer *sv = &c->peer[!dir];
	char a[32];

	c->hs |= HSF_THIRD;
	third_note(c, s, ts, now);
	if (s->flags & TH_SYN) {
		char q[48], k[48];
		conn_anomaly(c, ANOM_HS_ACK_HAS_SYN, dir, ts, frame,
		    "third segment seq=%s ack=%s has SYN=1 ACK=1; the third "
		    "step is SYN=0 ACK=1", side_rel(q, sizeof(q), c, dir,
		    s->seq), side_rel(k, sizeof(k), c, !dir, s->ack));
	}
	/* K+1; SYN-RECEIVED accepts SND.UNA < SEG.ACK =< SND.NXT (RFC 9293
	 * 3.10.7.4 fifth check), which also covers data the server sent
	 * before the third segment (TCP Fast Open, RFC 7413 3). */
	if (!(seq_gt(s->ack, sv->isn) && seq_le(s->ack, sv->snd_nxt)))
		conn_anomaly(c, ANOM_HS_ACK_BAD_ACK, dir, ts, frame,
		    "ack %u (%s) != K+1 (%u)", s->ack,
		    seq_rel_str(a, sizeof(a), "K", sv->isn, s->ack), sv->isn + 1);
	third_seq_check(c, dir, s, nxt_before, ts, frame);
}

/* The client's ACK to a SYN-ACK the capture did not show (the caller
 * says when). */
static void
handshake_asym(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    uint32_t nxt_before, int64_t ts, uint64_t frame)
{
	struct tcp_peer *sv = &c->peer[!dir];
	uint32_t k = s->ack - 1;
	char a[32];

	/* A server that spoke first (a banner; its SYN-ACK and the
	 * client's first ACK missed): its data captured before began at
	 * K+1, and this ack acks some of it. */
	if ((sv->flags & (PEER_SEQ_KNOWN | PEER_SENT_ANY)) ==
	    (PEER_SEQ_KNOWN | PEER_SENT_ANY)) {
		uint32_t first = sv->snd_nxt - (uint32_t)conn_bytes(c, !dir);
		if (seq_lt(first, s->ack))
			k = first - 1;
	}
	c->hs |= HSF_ASYM;
	third_note(c, s, ts, false);
	sv->isn = k;
	sv->st = TCP_ST_ESTABLISHED;
	conn_anomaly(c, ANOM_ACK_WITHOUT_HANDSHAKE, dir, ts, frame,
	    "ack %u (%s) with no SYN-ACK captured before it: the capture "
	    "point missed the SYN-ACK or saw it late (asymmetric routing, "
	    "loss, reordering)", s->ack, seq_rel_str(a, sizeof(a), "K", k,
	    s->ack));
	third_seq_check(c, dir, s, nxt_before, ts, frame);
}

/* Did an ACK captured before this FIN (at pos) ack it, the FIN its
 * last unseen byte (an acked hole that ends at pos + 1)? Then pos is u,
 * the capture only showed the ACK first. */
static bool
fin_was_acked(const struct conn *c, uint8_t dir, uint32_t pos,
    uint64_t *by, int64_t *at)
{
	if (!c->peer[dir].nholes)
		return false;
	const struct seq_hole *h = c->ext->holes[dir];
	for (unsigned i = 0; i < c->ext->nhole[dir]; i++)
		if (h[i].acked && h[i].r == pos + 1 && seq_le(h[i].l, pos)) {
			*by = h[i].frame;	/* the ACK's frame */
			*at = h[i].ts;		/* and time */
			return true;
		}
	return false;
}

/* May p send nothing yet but its SYN-ACK? SYN_RECEIVED in a handshake
 * that is no simultaneous open and whose SYN carried no data (TCP Fast
 * Open lets a server answer SYN data at once, RFC 7413 3). */
static bool
synack_only(const struct conn *c, const struct tcp_peer *p)
{
	const struct tcp_peer *cl = c->syn_dir >= 0 ? &c->peer[c->syn_dir] :
	    NULL;

	/* (The SYN's data, not the client's since: its third segment may
	 * carry some.) */
	return p->st == TCP_ST_SYN_RECEIVED && !(c->hs & HSF_SIMUL) &&
	    !(cl && (cl->flags & PEER_SYN_SEEN) &&
	    conn_has_anom(c, ANOM_SYN_WITH_DATA) &&
	    seq_gt(c->synack_ack, cl->isn + 1));
}

/* A segment from dir, the SYN-ACK's sender still SYN_RECEIVED
 * (synack_only()), that shows it had a segment of the peer's which the
 * capture did not: the peer was never captured at all (one direction of
 * an asymmetric capture, as handshake_asym() takes the other), or it
 * echoes a TSval newer than any the peer was seen to send (TS.Recent
 * comes from a segment it received, RFC 7323 4.3). Its data then follows
 * the third segment: it was ESTABLISHED. */
static bool
had_unseen_third(const struct conn *c, uint8_t dir, const struct tcp_seg *s)
{
	const struct tcp_peer *rcv = &c->peer[!dir];

	if (c->side[!dir].pkts == 0)
		return true;
	return s->opt.has_ts && rcv->ts_seen &&
	    seq_gt(s->opt.tsecr, rcv->ts_max);
}

/* teardown_fin() for its side's first FIN (PEER_FIN_SEEN not set), but
 * for its count and the check of its seq. Inline: the plain path's FINs
 * are all first ones, at u. */
static inline __attribute__((always_inline)) void
teardown_fin_first(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    bool ts_new, bool spaced, int64_t ts, uint64_t frame, bool now)
{
	struct tcp_peer *p = &c->peer[dir];

	if (c->fin_first < 0)
		c->fin_first = (int8_t)dir;
	else if (c->fin_first != dir && !(p->flags & PEER_GOT_FIN))
		/* The second FIN, from an endpoint that never showed it got
		 * the first (its ack stops short of it): the two FINs were
		 * both sent before either was received (3.6 figure 13). */
		c->fins_crossed = true;
	side_time_set_at(c, dir, CT_FIN, ts, now);
	c->fin_frame[dir] = frame;
	/* Its timestamp tells the peer's segments sent before it arrived
	 * (teardown_fin_ack()), and so may its distance from the packet
	 * before it: a quarter of the peer's round trip or more (spaced,
	 * fin_spaced()'s answer). */
	if (s->opt.has_ts) {
		p->fin_ts = true;
		p->fin_ts_new = ts_new;
		c->fin_tsval[dir] = s->opt.tsval;
	}
	if (spaced)
		p->fin_spaced = true;
	p->fin_seq = s->seq + s->paylen;	/* the FIN's own seq */
	p->flags |= PEER_FIN_SEEN;
}

/* u is one past the last data byte: a FIN behind it is wrong now; one
 * beyond it leaves a hole, judged at the end (a hole nobody fills is a
 * bad FIN; a filled one was only reordering). */
static inline void
fin_seq_check(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    uint32_t nxt_before, int64_t ts, uint64_t frame)
{
	uint32_t pos = s->seq + s->paylen;	/* the FIN's own seq */

	if (seq_lt(pos, nxt_before) && seq_le(s->seq, nxt_before))
		conn_anomaly(c, ANOM_FIN_BAD_SEQ, dir, ts, frame,
		    "FIN seq %u (u%+d) != u (%u), one past the last data byte",
		    pos, (int)seq_diff(pos, nxt_before), nxt_before);
}

/* FIN checks before the state step (3.6). */
static void
teardown_fin(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    uint32_t nxt_before, bool seq_known, bool ts_new, int64_t gap,
    int64_t ts, uint64_t frame)
{
	struct tcp_peer *p = &c->peer[dir];
	struct conn_side *sd = &c->side[dir];
	uint32_t pos = s->seq + s->paylen;	/* the FIN's own seq */
	sd->fin_count++;
	if (p->flags & PEER_FIN_SEEN) {
		char a[32], fl[24];
		sd->retrans++;
		ext_of(c)->fin_again_ts[dir] = ts;	/* teardown_fin_ack() */
		if (pos == p->fin_seq)
			conn_anomaly(c, ANOM_FIN_RETRANS, dir, ts, frame,
			    "FIN seq=%u (%s) sent again (#%u)", pos,
			    fin_letter(fl, sizeof(fl), c, dir, pos),
			    sd->fin_count);
		else
			conn_anomaly(c, ANOM_FIN_BAD_SEQ, dir, ts, frame,
			    "FIN seq %u (%s) moved from the first FIN's %u",
			    pos, seq_rel_str(a, sizeof(a), (c->fin_first < 0 ||
			    c->fin_first == dir) ? "u" : "W", p->fin_seq, pos),
			    p->fin_seq);
		return;
	}
	/* The same FIN sent before without ACK, which the peer dropped
	 * (conn_input_slow()): this one is that FIN sent again, as its
	 * sender sent it (fin-noack.pcap: the RTO's copy), though the first
	 * the peer takes. */
	struct conn_ext *x = c->ext;
	if (x && x->nafin_drop_frame[dir] && x->nafin_drop_pos[dir] == pos) {
		char fl[24];
		sd->retrans++;
		conn_anomaly(c, ANOM_FIN_RETRANS, dir, ts, frame,
		    "FIN seq=%u (%s) sent again (#2): the first, frame %" PRIu64
		    ", had no ACK and was dropped", pos,
		    fin_letter(fl, sizeof(fl), c, dir, pos),
		    x->nafin_drop_frame[dir]);
		x->nafin_drop_frame[dir] = 0;
	}
	teardown_fin_first(c, dir, s, ts_new, fin_spaced(c, dir, gap), ts,
	    frame, false);
	if (seq_known)
		fin_seq_check(c, dir, s, nxt_before, ts, frame);
}

/* The right edge of the window snd's segment advertises to rcv: its ack
 * plus its window, scaled unless on a SYN-ACK (RFC 7323 2.2). */
static uint32_t
win_edge(const struct tcp_peer *snd, const struct tcp_peer *rcv,
    const struct tcp_seg *s, bool synack)
{
	uint32_t shift = (snd->flags & PEER_WS_OK) &&
	    (rcv->flags & PEER_WS_OK) && !synack ? snd->wscale : 0;

	return s->ack + ((uint32_t)s->win << shift);
}

/* The peer's answer to a FIN: the ack must reach u+1 once the FIN arrived.
 * Evidence that it arrived (SPEC fin_ack_bad_ack): a pure ACK that repeats
 * an ack already sent (an answer to the FIN; not a window update), any
 * segment after the FIN was retransmitted, or the peer's own FIN after
 * such an answer. */
/* fin_ack_bad_ack from dir, whose ack stops at the peer's FIN: it had
 * that FIN (once per side). */
static void
fin_bad_ack(struct conn *c, uint8_t dir, uint32_t ack, int64_t ts,
    uint64_t frame)
{
	struct tcp_peer *me = &c->peer[dir];
	const char *L = c->fin_first == !dir ? "u" : "W";

	me->flags |= PEER_GOT_FIN;
	me->once |= ONCE_FIN_BAD_ACK;
	conn_anomaly(c, ANOM_FIN_ACK_BAD_ACK, dir, ts, frame,
	    "ack %u (%s) != %s+1 (%u): the FIN was not counted", ack, L, L,
	    c->peer[!dir].fin_seq + 1);
}

/* Is s a bare ACK that reports bytes received twice (a D-SACK, RFC 2883:
 * its first SACK block at or below its ack)? It answers a data segment
 * sent again, not what came after it. */
static bool
dsack_ack(const struct tcp_seg *s)
{
	return (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) == TH_ACK &&
	    s->paylen == 0 && s->opt.nsack > 0 &&
	    seq_le(s->opt.sack[0][1], s->ack);
}

/* Does s carry only bytes the FIN's sender f had acked already? Its
 * sender had not had that ack when it sent them (it would not send acked
 * bytes again), nor the FIN, sent after it on the same path: a
 * retransmission a queue delivers after the FIN, whatever its ack says.
 * (f's latest ack, which may be one sent after its FIN: then the FIN's
 * arrival is left undecided, as it is.) */
static bool
stale(const struct tcp_peer *f, const struct tcp_seg *s)
{
	return s->paylen > 0 && (f->flags & PEER_ACK_SENT) &&
	    seq_le(s->seq + s->paylen, f->ack);
}

/* A segment of dir in CLOSE_WAIT whose ack stops short of the peer's FIN
 * (below u, where an ack that stops at u is teardown_fin_ack()'s), the
 * same ack as its last (it acks nothing new: a receiver sends such a
 * duplicate ACK at once for a segment that arrives out of order, RFC
 * 5681 4.2, where the acks that trail a burst each ack more): was it
 * sent after that FIN arrived? Captured a round trip between the
 * capture point and dir's end after the FIN, or later (teardown_fin_ack()'s
 * late, a quarter more for a FIN right behind its data), no older than a
 * segment dir sent before it (its TSval), and no bytes the FIN's sender
 * had acked (stale()). A round trip of 0 (every stamp alike) tells
 * nothing here: the ack may have crossed the FIN. */
static bool
fin_held_out(const struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts)
{
	const struct tcp_peer *me = &c->peer[dir], *f = &c->peer[!dir];
	int64_t rtt;

	if (stale(f, s) || (s->opt.has_ts && me->ts_seen &&
	    seq_lt(s->opt.tsval, me->ts_max)))
		return false;
	return peer_rtt(c, dir, &rtt) && rtt > 0 &&
	    ts - conn_side_time(c, !dir, CT_FIN) >= rtt +
	    (f->fin_spaced ? 0 : rtt / 4);
}

/* The ladder's rows from frame from on drawn again with dir in state to,
 * those that showed it in state was (or any, TCP_ST_MAX): what a later
 * segment showed dir was in then. */
static void
ladder_redraw(struct conn *c, uint8_t dir, uint64_t from, uint8_t was,
    uint8_t to)
{
	GArray *rows = c->ext ? c->ext->ladder : NULL;

	for (guint i = 0; rows && i < rows->len; i++) {
		struct ladder_step *l = &g_array_index(rows, struct ladder_step,
		    i);
		if (l->frame >= from && (was == TCP_ST_MAX || l->st[dir] == was))
			l->st[dir] = to;
	}
}

/* The rows the ladder drew since the peer's FIN (frame from on) show dir
 * ESTABLISHED, not CLOSE_WAIT: it had not taken that FIN. */
static void
ladder_not_close_wait(struct conn *c, uint8_t dir, uint64_t from)
{
	ladder_redraw(c, dir, from, TCP_ST_CLOSE_WAIT, TCP_ST_ESTABLISHED);
}

/* The peer's FIN reached dir out of order, behind bytes of the peer's
 * that dir had not got (lost past the capture point): a receiver takes
 * segments in sequence, and the FIN's step (RFC 9293 3.10.7.4, eighth)
 * only once RCV.NXT reaches it, as Linux keeps it in its out-of-order
 * queue. dir's ack short of u, sent after the FIN arrived
 * (fin_held_out()), shows it: dir is ESTABLISHED, not CLOSE_WAIT, from
 * the FIN on, and stays so, whatever copy of the FIN comes, until it
 * acks u+1 (conn_input_slow()), or sends its own FIN. */
static void
fin_held(struct conn *c, uint8_t dir)
{
	c->peer[dir].st = TCP_ST_ESTABLISHED;
	ext_of(c)->fin_held |= (uint8_t)(1u << dir);
	ladder_not_close_wait(c, dir, c->fin_frame[!dir]);
}

/* An ack from dir that acks the peer's FIN (tcp_acks_fin()); now as
 * time_set_at()'s. */
static inline void
fin_acked(struct conn *c, uint8_t dir, int64_t ts, bool now)
{
	struct tcp_peer *me = &c->peer[dir], *f = &c->peer[!dir];

	me->flags |= PEER_GOT_FIN;
	if (!(f->flags & PEER_FIN_ACKED))
		side_time_set_at(c, !dir, CT_FIN_ACK, ts, now);
	f->flags |= PEER_FIN_ACKED;
}

static void
teardown_fin_ack(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    bool pure_ack, uint32_t prev_ack, bool had_ack, int64_t ts, uint64_t frame)
{
	struct tcp_peer *me = &c->peer[dir], *f = &c->peer[!dir];

	if (!(f->flags & PEER_FIN_SEEN) || !(s->flags & TH_ACK))
		return;
	/* Acceptable (RFC 9293 3.10.7.4): up to what the FIN's sender sent,
	 * its FIN at most; an ack beyond acknowledges nothing. */
	if (tcp_acks_fin(f, s->ack)) {
		fin_acked(c, dir, ts, false);
		return;
	}
	/* Beyond it (ack_unseen_data): unacceptable, it acks nothing, but
	 * its sender had counted the FIN, and more: it had the FIN, and its
	 * own FIN crosses nothing (3.10.7.4 fifth check). */
	if (seq_gt(s->ack, f->fin_seq + 1)) {
		me->flags |= PEER_GOT_FIN;
		return;
	}
	if (s->ack != f->fin_seq)
		return;		/* an older ack: sent before the FIN arrived */
	/* Its own FIN sent again: its retransmission timer sent it, it
	 * answers nothing; still at u, its sender is still in FIN_WAIT_1,
	 * without the peer's FIN (in CLOSING it would ack u+1). */
	if ((s->flags & TH_FIN) && (me->flags & PEER_FIN_SEEN))
		return;
	/* After it acked u+1: an older segment the network reordered. */
	if (had_ack && tcp_acks_fin(f, prev_ack))
		return;
	if (stale(f, s))
		return;
	/* Timestamps on both: an echo older than the FIN's TSval was sent
	 * before the FIN arrived. TS.Recent takes the TSval of a segment
	 * that arrives in order (RFC 7323 4.3), the FIN's once it arrived
	 * (a FIN lost after the capture point, a duplicate ACK, the peer's
	 * own FIN crossing it), whatever else it shows. (An echo of the
	 * FIN's own TSval proves nothing: the segment before the FIN often
	 * has the same, one clock tick.) */
	if (f->fin_ts && s->opt.has_ts &&
	    seq_lt(s->opt.tsecr, c->fin_tsval[!dir]))
		return;
	/* An echo newer than the FIN's TSval, before the FIN was sent
	 * again: the peer had a later segment of the FIN's sender (bytes
	 * sent again after the FIN, which overtook it), and a FIN arriving
	 * after that one fails PAWS and is discarded, rightly (RFC 7323
	 * 5.3): this ack of u answers that segment. */
	if (f->fin_ts && s->opt.has_ts && c->side[!dir].fin_count == 1 &&
	    seq_gt(s->opt.tsecr, c->fin_tsval[!dir]))
		return;
	/* Its TSval older than one of its own segments captured before it
	 * (note_tsval()): it left before that one. Before the FIN, that one
	 * left before the FIN arrived, so did this (a path that reorders),
	 * however late it is captured, and it repeats nothing that answers
	 * the FIN. (After the FIN, that one is the one to judge: an ack of
	 * u+1 tells the FIN was counted, as fin_ack_pending() takes it; a
	 * repeated u is reported there.) */
	if (s->opt.has_ts && me->ts_seen && seq_lt(s->opt.tsval, me->ts_max))
		return;
	/* Time: captured a round trip between the capture point and this
	 * endpoint after the FIN, or later, it was sent after the FIN
	 * arrived there: one that crossed the FIN left before it (the same
	 * delays both ways as in the handshake). A FIN right behind the
	 * data it follows (less than a quarter of that round trip) gets a
	 * quarter more: the peer's answer to that data, jittered, would
	 * come as late as an answer to the FIN. */
	int64_t rtt;
	/* (A round trip of 0, every stamp alike as crafted captures often
	 * have them, makes any later segment late: order alone decides.) */
	bool timed = peer_rtt(c, dir, &rtt);
	bool late = timed && ts - conn_side_time(c, !dir, CT_FIN) >=
	    rtt + (f->fin_spaced ? 0 : rtt / 4);
	/* Its own FIN "afterwards" (SPEC): it had sent another segment
	 * since the peer's FIN, so this FIN is no crossing one (a FIN that
	 * crossed is the first thing it sent after the peer's), unless
	 * the time says both left before the peer's FIN arrived (its ACK
	 * of the data before that FIN, then its own FIN, within the round
	 * trip: a simultaneous close, 3.6 figure 13). */
	bool after = (s->flags & TH_FIN) &&
	    (me->fin_before & FIN_BEFORE_PREV) && (late || !timed);
	/* A repeated ack that opens the window past every edge it gave
	 * before is a window update (sent as the FIN crossed it), not an
	 * answer to the FIN. take_ack() has not taken this one yet. */
	bool win_update = (me->flags & PEER_WIN_KNOWN) &&
	    seq_gt(win_edge(me, f, s, false), me->rcv_end);
	/* (Not for its own FIN: one that does not ack the FIN seen just
	 * before it crossed it, SPEC's endpoint states say, whatever the
	 * capture order; but for the evidence below.) */
	bool fin = s->flags & TH_FIN;
	/* The FIN sent again proves it only to a segment that had a copy
	 * of it: with timestamps, one that echoes the newest TSval of the
	 * FIN's sender, the copy sent again, stamped anew, which TS.Recent
	 * takes when it arrives (RFC 7323 4.3). An older echo left before
	 * any copy sent again arrived, and the first may have been lost
	 * past the capture point (a queue or a loss between the capture
	 * and this endpoint): the rules below judge it. */
	bool resent = c->side[!dir].fin_count > 1 &&
	    !(f->fin_ts && s->opt.has_ts && f->ts_seen &&
	    seq_lt(s->opt.tsecr, f->ts_max));
	/* Without timestamps, only a segment captured that round trip or
	 * more after the copy sent again can have had it. */
	if (resent && !(f->fin_ts && s->opt.has_ts) && timed && c->ext &&
	    ts - c->ext->fin_again_ts[!dir] < rtt)
		resent = false;
	/* An echo of the FIN's own TSval when no segment of its sender's
	 * before it had that one: TS.Recent took it from the FIN, at seq u,
	 * which the peer had acked up to (RFC 7323 4.3), so the FIN arrived
	 * and was not counted. (Before the FIN was sent again: the copy sent
	 * again has a TSval of its own. Not for the peer's own FIN: one that
	 * does not ack the FIN seen just before it crossed it, SPEC's
	 * endpoint states say, whatever the capture showed.) */
	bool echoed = !fin && f->fin_ts && f->fin_ts_new && s->opt.has_ts &&
	    s->opt.tsecr == c->fin_tsval[!dir] &&
	    c->side[!dir].fin_count == 1;
	bool proof = resent || after || echoed ||
	    (fin && (me->flags & PEER_GOT_FIN));
	/* Without timestamps to tell, a repeated ack captured sooner than
	 * half that round trip after the FIN cannot answer it (a duplicate
	 * ACK of u answering an old segment the path delivered late). */
	bool repeat = pure_ack && had_ack && prev_ack == s->ack &&
	    !win_update && (!timed || (f->fin_ts && s->opt.has_ts) ||
	    ts - conn_side_time(c, !dir, CT_FIN) >= rtt / 2);
	/* A D-SACK (dsack_ack()) answers a data segment sent again, often
	 * the tail a loss probe resends right before the FIN (RFC 8985 7.3),
	 * and left when that arrived, before the FIN behind it did, however
	 * late a queue delivers it: neither repeat nor late tells, as
	 * fin_ack_pending() takes it. */
	if (!proof && (dsack_ack(s) || (!repeat && !(!fin && late))))
		return;
	if (me->once & ONCE_FIN_BAD_ACK) {
		me->flags |= PEER_GOT_FIN;
		return;
	}
	/* On time or a repeated ack alone: the peer's ACK of the data
	 * before the FIN, sent just before the FIN arrived, comes as late
	 * when the path is loaded (the round trip grew since the
	 * handshake) or jitters, and a duplicate ACK of u answers a data
	 * segment that overtook the FIN or came twice, the FIN right
	 * behind its data or not. Its next segment tells
	 * (fin_ack_pending()). */
	if (!proof) {
		struct conn_ext *x = ext_of(c);
		if (!x->fba_frame) {
			x->fba_frame = frame;
			x->fba_ts = x->fba_last = ts;
			x->fba_ack = s->ack;
			x->fba_dir = dir;
			x->fba_fins = (uint8_t)MIN(c->side[!dir].fin_count, 255);
			/* A copy sent again less than the round trip before
			 * it had not reached it yet: one of the copies still
			 * to come for fin_ack_pending(). */
			if (x->fba_fins > 1 && timed &&
			    ts - x->fin_again_ts[!dir] < rtt)
				x->fba_fins--;
		}
		return;
	}
	fin_bad_ack(c, dir, s->ack, ts, frame);
}

/* The ack of u teardown_fin_ack() held, judged by the next segment of
 * its sender (s, or NULL at the end): one that acks u+1 within the
 * handshake's round trip, with no FIN retransmitted in between,
 * shows that the FIN arrived just after that ack was sent (a stack
 * that had the FIN and did not count it would not count it a moment
 * later, unprompted): no anomaly. Anything else reports it, at the
 * ack's frame. */
static __attribute__((noinline)) void
fin_ack_judge(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts)
{
	struct conn_ext *x = c->ext;
	struct tcp_peer *me = &c->peer[dir], *f = &c->peer[!dir];
	int64_t rtt;
	/* Within the round trip after the held ack, no FIN sent again; or
	 * after the FIN was sent again, whenever: the copy sent again was
	 * counted, so the ones before had not arrived (lost past the
	 * capture point), not been left uncounted. */
	bool soon = s && ((c->side[!dir].fin_count == x->fba_fins &&
	    peer_rtt(c, dir, &rtt) && ts - x->fba_last < rtt) ||
	    c->side[!dir].fin_count > x->fba_fins);
	/* Another bare ACK of u that is a D-SACK (dsack_ack()): it answers
	 * bytes sent again, not the FIN; not yet the next segment that
	 * tells. */
	if (soon && s->ack == x->fba_ack && dsack_ack(s))
		return;
	if (soon && (s->flags & TH_ACK) && (s->flags & TH_RST) == 0 &&
	    tcp_acks_fin(f, s->ack)) {
		x->fba_frame = 0;
		return;
	}
	/* More data at the same ack of u, no FIN sent again since, back to
	 * back with the segment before it (within a quarter of that round
	 * trip), up to four round trips after the held ack: the held ack
	 * left in a burst of data, which a queue before the capture point
	 * delivers late and at its own pace (bufferbloat), sent before the
	 * FIN arrived as much as the held one; the round trip runs on from
	 * it. (Data goes when the application and the window let it, not
	 * in answer to what arrived, as a pure ACK does; data that goes on
	 * past that, at ack u, had the FIN.) Or bytes the FIN's
	 * sender had acked (stale(): they left before that ack arrived).
	 * Neither is the segment that tells. */
	bool same = s && c->side[!dir].fin_count == x->fba_fins &&
	    (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) == TH_ACK &&
	    s->ack == x->fba_ack && s->paylen > 0;
	if (same && stale(f, s))
		return;
	if (same && peer_rtt(c, dir, &rtt) && ts - x->fba_last < rtt / 4 &&
	    ts - x->fba_ts < 4 * rtt) {
		x->fba_last = ts;
		return;
	}
	if (me->once & ONCE_FIN_BAD_ACK) {
		me->flags |= PEER_GOT_FIN;
		x->fba_frame = 0;
		return;
	}
	fin_bad_ack(c, dir, x->fba_ack, x->fba_ts, x->fba_frame);
	/* The ladder drew the held ack before it was judged: its row gets
	 * the mark, not the row of the segment that judged it. */
	GArray *rows = x->ladder;
	for (guint i = 0; rows && i < rows->len; i++) {
		struct ladder_step *l = &g_array_index(rows, struct ladder_step,
		    i);
		if (l->frame == x->fba_frame && !l->folded && !l->anom) {
			l->anom = ANOM_FIN_ACK_BAD_ACK;
			l->plain = false;
		}
	}
	x->fba_frame = 0;
}

/* fin_ack_judge() for a segment of dir, if an ack of its is held: the
 * test inline, on every segment of the whole path; the judging out of
 * line. */
static inline void
fin_ack_pending(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts)
{
	const struct conn_ext *x = c->ext;

	if (x && x->fba_frame && x->fba_dir == dir)
		fin_ack_judge(c, dir, s, ts);
}

/* An RST not taken (rst_ignored): the reset it concluded undone, only
 * what the RST itself concluded. */
static void
rst_undo_reset(struct conn *c, const struct conn_ext *x)
{
	int rd = c->rst_dir;

	if (rd >= 0 && x->rst_dir_before < 0)
		c->peer[rd].flags &= (uint16_t)~PEER_RST_SENT;
	c->hs &= (uint16_t)~((HSF_REFUSED | HSF_RESET) & ~x->hs_before_rst);
	c->td_reset = x->td_reset_before;
	c->rst_dir = x->rst_dir_before;
}

static void
note_rst(struct conn *c, uint8_t dir, const struct fsm_step *st,
    const struct tcp_seg *s, int64_t ts, uint64_t frame,
    const struct conn_cfg *cfg)
{
	uint8_t from = st->snd_from, peer_from = st->rcv_from;

	/* An RST that found both ends closed ended nothing (it answers a
	 * stray segment, RFC 9293 3.5.2): nothing to record. */
	if (from == TCP_ST_CLOSED && peer_from == TCP_ST_CLOSED)
		return;
	/* Remember what it undid, should it turn out not to have taken. */
	struct conn_ext *x = ext_of(c);
	x->rst_frame = frame;
	x->rst_frame_seq = s->seq;
	x->rst_frame_dir = dir;
	x->rst_frame_abs = !(c->peer[dir].flags & PEER_SYN_SEEN);
	/* One more of the sender rst_ignored left CLOSED (answering the
	 * segments of a peer that never took its first): what crosses it
	 * is judged by it. */
	bool again = x->rst_left == dir + 1;
	x->rst_left = 0;
	x->rst_prev[dir] = from;
	x->rst_prev[!dir] = peer_from;
	x->hs_before_rst = c->hs;
	x->td_reset_before = c->td_reset;
	x->rst_dir_before = (int8_t)c->rst_dir;
	if (c->rst_dir < 0 || again) {
		c->rst_dir = (int8_t)dir;
		x->rst_ts = ts;
		x->rst_chain = 0;
		/* Without timestamps on it (Linux's), the newest TSval its
		 * sender had sent stands for the RST's: an echo no newer
		 * answers nothing sent after it either. */
		x->rst_has_ts = s->opt.has_ts || c->peer[dir].ts_seen;
		x->rst_tsval = s->opt.has_ts ? s->opt.tsval :
		    c->peer[dir].ts_max;
		x->rst_acked = s->flags & TH_ACK;
		x->rst_own_ts = s->opt.has_ts;
		x->rst_seq = s->seq;
		x->rst_at_nxt = s->seq == c->peer[dir].snd_nxt;
		x->rst_ack = s->ack;
		x->rst_peer_nxt = c->peer[!dir].snd_nxt;
	}
	c->peer[dir].flags |= PEER_RST_SENT;
	/* Handshake step it ended. */
	if (c->syn_dir >= 0 &&
	    !(c->hs & (HSF_THIRD | HSF_SIMUL_DONE | HSF_ASYM))) {
		if (!(c->hs & HSF_SYNACK) && dir != c->syn_dir)
			c->hs |= HSF_REFUSED;
		else if (c->hs & HSF_SYNACK)
			c->hs |= HSF_RESET;
	}
	/* Teardown: an RST ends an established connection unless both ends
	 * had already closed. One during the handshake ended nothing
	 * established (SPEC teardown "reset"): in the old-duplicate-SYN
	 * recovery (RFC 9293 3.5 figure 9) the connection opens after it. */
	/* So does one that comes after a FIN, even before the handshake
	 * was seen to complete (a close from SYN_RECEIVED, or FINs from
	 * endpoints the capture never saw synchronize): the close it cut
	 * short did not end gracefully. */
	bool fin_sent = (c->peer[0].flags | c->peer[1].flags) & PEER_FIN_SEEN;
	/* Not one between two endpoints still in a handshake (SYN_SENT,
	 * SYN_RECEIVED, CLOSED), though a SYN-ACK had made the client
	 * ESTABLISHED before it went back to SYN_SENT with a new ISN: the
	 * RST ended that attempt, and the connection may open after it. */
	unsigned hs_states = M(TCP_ST_CLOSED) | M(TCP_ST_SYN_SENT) |
	    M(TCP_ST_SYN_RECEIVED);
	bool in_hs = side_in(from, hs_states) && side_in(peer_from, hs_states);
	if (((c->hs & HSF_ESTABLISHED) || fin_sent) && !(in_hs && !fin_sent) &&
	    !(side_in(from, ENDED_STATES) && side_in(peer_from, ENDED_STATES)))
		c->td_reset = true;
	/* In TIME_WAIT by the peer's FIN it never acked: an endpoint whose
	 * FIN_WAIT_2 had timed out, with no connection left (see below).
	 * Not one that passed CLOSING: it had the peer's FIN, which crossed
	 * its own (a simultaneous close acks no FIN with a FIN). */
	bool gone = from == TCP_ST_TIME_WAIT &&
	    !(c->peer[dir].flags & (PEER_GOT_FIN | PEER_PASSED_CLOSING));
	/* Unless it carries the ACK bit and its ack stops at the peer's
	 * FIN: an endpoint with no connection answers that FIN's ACK with
	 * <SEQ=SEG.ACK><CTL=RST> and no ACK bit (3.10.7.1); this one still
	 * had its connection and aborted it before the FIN arrived (it
	 * crossed the FIN): from FIN_WAIT_2, or FIN_WAIT_1 when it sent its
	 * FIN again (the peer's ACK had not reached it). */
	bool crossed = gone && (s->flags & TH_ACK) &&
	    (c->peer[!dir].flags & PEER_FIN_SEEN) &&
	    s->ack == c->peer[!dir].fin_seq;
	const char *was = tcp_state_name[from];
	if (crossed)
		was = c->side[dir].fin_count > 1 ? "FIN_WAIT_1 (an abort that "
		    "crossed the peer's FIN: its ack stops at it)" :
		    "FIN_WAIT_2 (an abort that crossed the peer's FIN: its "
		    "ack stops at it)";
	else if (gone)
		/* (A FIN_WAIT_2 timeout is a second at least from entering
		 * it, the ACK of its FIN: Linux's tcp_fin_timeout counts
		 * seconds. Sooner, the connection went some other way: an
		 * orphan dropped, an abort.) */
		was = ts - (conn_side_time(c, dir, CT_FIN_ACK) ?
		    conn_side_time(c, dir, CT_FIN_ACK) :
		    conn_side_time(c, dir, CT_FIN)) >= 1000000000LL ?
		    "CLOSED (the peer's FIN never acked: its FIN_WAIT_2 "
		    "had timed out)" : "CLOSED (the peer's FIN never acked: "
		    "no connection left)";
	char rs[48];
	if (side_in(from, CLOSING_STATES) || side_in(peer_from, CLOSING_STATES))
		conn_anomaly(c, ANOM_RST_DURING_CLOSE, dir, ts, frame,
		    "RST seq=%s while %s is %s and its peer %s",
		    side_rel(rs, sizeof(rs), c, dir, s->seq),
		    dir == conn_client(c) ? "client" : "server", was,
		    tcp_state_name[peer_from]);
	/* Only from a TIME_WAIT it was seen to enter, with its final ACK:
	 * an RST to the peer's first FIN from an endpoint that never acked
	 * it is one whose FIN_WAIT_2 timed out (Linux tcp_fin_timeout): it
	 * had no TIME_WAIT to leave. */
	if (from == TCP_ST_TIME_WAIT && !gone && ts < tw_end(c, cfg, dir))
	{
		char tl[160];
		conn_anomaly(c, ANOM_MISSING_TIME_WAIT, dir, ts, frame,
		    "RST from TIME_WAIT %s", tw_left(tl, sizeof(tl), c, cfg,
		    dir, ts));
	}
}

/* Record a ladder row. Runs of plain data/ACK segments (no control flag,
 * no state change, no anomaly) keep their first LADDER_KEEP rows and fold
 * the rest into one row, so a long transfer costs one row and the
 * handshake and teardown stay visible. */
#define LADDER_KEEP 3

/* The record's ladder rows, made on the first. */
static GArray *
ladder_rows(struct conn *c)
{
	struct conn_ext *x = ext_of(c);

	if (!x->ladder)
		x->ladder = g_array_new(FALSE, FALSE,
		    sizeof(struct ladder_step));
	return x->ladder;
}

static void
ladder_add(struct conn *c, uint8_t dir, const struct tcp_seg *s, int64_t ts,
    uint64_t frame, uint16_t first_anom, const uint8_t before[2])
{
	GArray *a = ladder_rows(c);
	struct ladder_step l = {
		.frame = frame, .ts = ts, .seq = s->seq, .ack = s->ack,
		.len = s->paylen, .win = s->win, .dir = dir,
		.flags = (uint16_t)(s->flags | (s->ae ? TH_AE : 0)),
		.st = { c->peer[0].st, c->peer[1].st }, .anom = first_anom,
	};
	l.plain = !(s->flags & (TH_SYN | TH_FIN | TH_RST)) && !first_anom &&
	    before[0] == l.st[0] && before[1] == l.st[1];
	if (l.plain && a->len > 0) {
		struct ladder_step *last = &g_array_index(a, struct ladder_step,
		    a->len - 1);
		if (last->folded) {
			/* A fold of one keeps its segment and is drawn as a
			 * plain row; from two on it is "... N segments ...",
			 * ending at the last one folded. */
			last->folded++;
			last->ts = ts;
			last->frame = frame;
			return;
		}
		guint run = 0;
		for (guint i = a->len; i > 0 &&
		    g_array_index(a, struct ladder_step, i - 1).plain; i--)
			run++;
		if (run >= LADDER_KEEP) {
			l.folded = 1;
			l.plain = false;
		}
	}
	g_array_append_val(a, l);
}

/* An ACK (not an RST's) to rcv: does it ack rcv's SYN? */
static void
ack_syn(struct tcp_peer *rcv, uint32_t ack)
{
	/* (Once acked, nothing to test: most segments.) */
	if ((rcv->flags & (PEER_SYN_SEEN | PEER_SYN_ACKED)) == PEER_SYN_SEEN &&
	    seq_ge(ack, rcv->isn + 1) && seq_le(ack, rcv->snd_nxt))
		rcv->flags |= PEER_SYN_ACKED;
}

/* Simultaneous open completes when both SYNs are acked. */
static void
simul_done(struct conn *c)
{
	if ((c->hs & HSF_SIMUL) && (c->peer[0].flags & PEER_SYN_ACKED) &&
	    (c->peer[1].flags & PEER_SYN_ACKED))
		c->hs |= HSF_SIMUL_DONE;
}

/* snd's highest ack and the right edge of the window it advertised
 * (scaled unless on a SYN-ACK, RFC 7323 2.2). */
static inline __attribute__((always_inline)) void
take_ack(struct tcp_peer *snd, const struct tcp_peer *rcv,
    const struct tcp_seg *s, bool synack)
{
	if (!(snd->flags & PEER_ACK_SENT) || seq_gt(s->ack, snd->ack))
		snd->ack = s->ack;
	snd->flags |= PEER_ACK_SENT;
	/* The scale unknown: windows are not known. (Once a window is
	 * known, so was the scale: only a cut SYN makes it unknown again,
	 * and that clears PEER_WIN_KNOWN.) */
	if (!(snd->flags & PEER_WIN_KNOWN) && !tcp_scale_known(snd, rcv))
		return;
	uint32_t end = win_edge(snd, rcv, s, synack);
	if (!(snd->flags & PEER_WIN_KNOWN) || seq_gt(end, snd->rcv_end))
		snd->rcv_end = end;
	snd->flags |= PEER_WIN_KNOWN;
}

/*
 * The newest TSval side dir sent so far (tcp_peer.ts_max): a segment of
 * its with an older one left before the one that carried it (a TSval clock
 * only goes forward, RFC 7323 5), so before anything captured ahead of that
 * one reached it, however late the path delivered it: an ack of a FIN or a
 * segment after an RST (its copy in conn_ext when the RST was captured)
 * that is older than a segment captured before the FIN or RST was sent
 * before they arrived.
 */
static inline void
note_tsval(struct conn *c, uint8_t dir, const struct tcp_seg *s)
{
	struct tcp_peer *p = &c->peer[dir];

	if (s->opt.has_ts && (!p->ts_seen || seq_gt(s->opt.tsval, p->ts_max))) {
		p->ts_max = s->opt.tsval;
		p->ts_seen = true;
	}
}

/* A segment from snd: its latest segment's fin_before bit becomes the one
 * before, and the latest tells whether rcv's FIN was seen. */
static inline void
fin_before_shift(struct tcp_peer *snd, const struct tcp_peer *rcv)
{
	snd->fin_before = (snd->fin_before << 1 & FIN_BEFORE_PREV) |
	    ((rcv->flags & PEER_FIN_SEEN) ? FIN_BEFORE_LAST : 0);
}

/*
 * Most segments of a capture are ACKs, with or without data, sent in order
 * between two ESTABLISHED endpoints of a connection with nothing unusual
 * about it. conn_input_slow()'s steps for such a segment come down to the
 * ones below; this takes it when every condition that would make any other
 * step act is known to be false, and answers false (having changed
 * nothing) otherwise:
 *   - flags: ACK without SYN, FIN or RST (tcp_fsm_classify(): EV_ACK);
 *   - no decode finding conn_input_slow() reports, no bad checksum;
 *   - both endpoints ESTABLISHED, neither has sent a FIN (no teardown
 *     check, no correction of a state, no fin_bogus);
 *   - no conn_ext: no RST to undo or void, no hole, no count above 2^32;
 *   - in order: seq is the sender's snd_nxt (no retransmission, gap or
 *     keep-alive, track_seq());
 *   - its ack not beyond what the peer was seen sending
 *     (ack_unseen_data), its data not beyond the peer's window
 *     (seq_beyond_window);
 *   - not the third segment of a handshake (handshake_third());
 *   - no --ladder.
 * The state machine leaves two ESTABLISHED endpoints where they are for an
 * ACK (tcp_fsm_table[][EV_ACK][ESTABLISHED], check_tcp_fsm). The tests
 * run both paths on every segment they feed (conn_fast_check) and require
 * the same record, byte for byte. fast_ok() tests the conditions, fast_steps()
 * takes the steps.
 */
/* What both quick paths ask of any segment (fast_ok(), plain_ok()): no
 * conn_ext (no RST to undo or void, no hole, no held ack of a FIN or
 * third segment, no count past 2^32, no time kept whole...), no decode
 * finding conn_input_slow() reports nor a bad checksum, no --ladder.
 * conn_input() asks it once, ahead of either. */
static inline bool
quick_ok(const struct conn *c, const struct conn_cfg *cfg,
    const struct pkt *pkt)
{
	return !c->ext && !(pkt->quirks & (DEC_TCP_BAD_CSUM |
	    DEC_TCP_OPT_BAD_LEN | DEC_TCP_OPT_BAD_SIZE | DEC_TCP_OPT_DUP |
	    DEC_TCP_WSCALE_CLAMP | DEC_TCP_HDR_CUT)) && !cfg->ladder;
}

/* fast_ok()'s first conditions once quick_ok()'s hold. */
static inline bool
fast_head_ok(const struct conn *c, uint8_t dir, const struct pkt *pkt)
{
	const struct tcp_seg *s = &pkt->tcp;
	/* (dir is 0 or 1: dir ^ 1 is !dir, in dir's register.) */
	const struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[dir ^ 1];

	return (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) == TH_ACK &&
	    snd->st == TCP_ST_ESTABLISHED && rcv->st == TCP_ST_ESTABLISHED &&
	    c->first_dir >= 0;
}

/* fast_ok()'s other conditions, once fast_head_ok()'s hold. (No conn_ext,
 * so no hole: tcp_peer.nholes is set only with one in conn_ext.holes, and
 * a conn_ext stays to the end.) */
static inline bool
fast_tail_ok(const struct conn *c, uint8_t dir, const struct tcp_seg *s)
{
	const struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[dir ^ 1];
	const struct conn_side *sd = &c->side[dir];
	uint16_t both = snd->flags & rcv->flags, either = snd->flags |
	    rcv->flags;
	if (G_UNLIKELY(!(both & PEER_SEQ_KNOWN) || (either & PEER_FIN_SEEN) ||
	    s->seq != snd->snd_nxt || seq_gt(s->ack, rcv->snd_nxt) ||
	    sd->pkts == UINT32_MAX || sd->bytes > UINT32_MAX - s->paylen))
		return false;
	if (G_UNLIKELY(s->paylen > 1 && (rcv->flags & PEER_WIN_KNOWN) &&
	    seq_gt(s->seq + s->paylen, rcv->rcv_end)))
		return false;
	if (G_UNLIKELY((c->hs & HSF_SYNACK) &&
	    !(c->hs & (HSF_THIRD | HSF_SIMUL)) && dir == c->syn_dir &&
	    c->synack_dir != dir))
		return false;
	return true;
}

static inline bool
fast_ok(const struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt)
{
	return quick_ok(c, cfg, pkt) && fast_head_ok(c, dir, pkt) &&
	    fast_tail_ok(c, dir, &pkt->tcp);
}

/* dir == c->first_dir, for a record whose first segment was taken
 * (first_dir 0 or 1, as on the quick paths: the fast path asks it, the
 * plain one's segments but the first SYN follow one): their low bits
 * alike, without the bit-field's sign. */
static inline bool
from_first(const struct conn *c, uint8_t dir)
{
	return ((dir ^ (unsigned)c->first_dir) & 1u) == 0;
}

/* conn_input_slow()'s steps, in its order, for a segment fast_ok() takes;
 * the answer is conn_input()'s (true). Inline in conn_input_fast(), which
 * tests fast_tail_ok() first (and in fast_check()). */
static inline __attribute__((always_inline)) bool
fast_steps(struct conn *c, uint8_t dir, const struct tcp_seg *s, int64_t ts)
{
	struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[dir ^ 1];
	struct conn_side *sd = &c->side[dir];

	time_touch_last(c, ts);
	note_tsval(c, dir, s);
	sd->pkts++;
	snd->flags |= PEER_SENT_ANY;
	/* (No FIN seen either way: both bits usually false already.) */
	if (snd->fin_before) {
		snd->fin_before = (snd->fin_before << 1) & FIN_BEFORE_PREV;
	}
	/* track_seq(): in order */
	sd->bytes += s->paylen;
	snd->snd_nxt = s->seq + s->paylen;
	ack_syn(rcv, s->ack);
	simul_done(c);
	take_ack(snd, rcv, s, false);
	c->hs |= HSF_ESTABLISHED;
	zeek_conn_segment_fl(&c->zeek, from_first(c, dir), s, 0, TH_ACK);
	return true;
}

/* The anomalies tcp_fsm_step() raised for s from dir (st), with their
 * details. */
static void
fsm_report(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    const struct fsm_step *st, int64_t ts, uint64_t frame)
{
	const struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[!dir];

	for (unsigned i = 0; i < st->nanom; i++) {
		enum anom_id id = st->anom[i];
		if (id == ANOM_RST_OUT_OF_WINDOW) {
			char a[48], b[48], e[48];
			/* From an endpoint that closed, without ACK, at a seq
			 * it had reached: what one with no connection left
			 * answers an old segment with, <SEQ=SEG.ACK><CTL=RST>
			 * (3.10.7.1); said, since the anomaly names
			 * injection. */
			bool closed = snd->st == TCP_ST_CLOSED &&
			    (snd->flags & PEER_FIN_SEEN) &&
			    !(s->flags & TH_ACK) && seq_le(s->seq,
			    snd->snd_nxt) && (!(snd->flags & PEER_SYN_SEEN) ||
			    seq_gt(s->seq, snd->isn));
			conn_anomaly(c, id, dir, ts, frame,
			    "RST seq %s outside the window [%s, %s) "
			    "(ignored)%s",
			    side_rel(a, sizeof(a), c, dir, s->seq),
			    side_rel(b, sizeof(b), c, dir, snd->snd_nxt),
			    side_rel(e, sizeof(e), c, dir,
			    (rcv->flags & PEER_WIN_KNOWN) ? snd->snd_nxt +
			    (rcv->rcv_end - rcv->ack) : snd->snd_nxt + 65535),
			    closed ? ": the answer of an endpoint with no "
			    "connection left to an old segment (RFC 9293 "
			    "3.10.7.1), not an injection" : "");
		}
		else if (id == ANOM_RST_BAD_ACK) {
			char k[48] = "without ACK";
			if (s->flags & TH_ACK) {
				memcpy(k, "ack ", 4);
				side_rel(k + 4, sizeof(k) - 4, c, !dir, s->ack);
			}
			conn_anomaly(c, id, dir, ts, frame,
			    "RST %s to SYN_SENT does not ack J+1 (%u) (ignored)",
			    k, rcv->isn + 1);
		} else if (id == ANOM_UNEXPECTED_SYN) {
			char q[48];
			conn_anomaly(c, id, dir, ts, frame,
			    "%s seq=%s while %s",
			    (s->flags & TH_ACK) ? "SYN-ACK" : "SYN",
			    side_rel(q, sizeof(q), c, dir, s->seq),
			    tcp_state_name[st->snd_from]);
		}
		else if (id == ANOM_SYNACK_FROM_CLIENT) {
			char q[48];
			conn_anomaly(c, id, dir, ts, frame,
			    "SYN-ACK seq=%s ack=%u from SYN_SENT with no SYN "
			    "from its peer", side_rel(q, sizeof(q), c, dir,
			    s->seq), s->ack);
		}
		else if (id != ANOM_BAD_FLAGS)
			conn_anomaly(c, id, dir, ts, frame, "%s", "");
	}
}

/* TIME_WAIT runs 2MSL from the endpoint's last ACK (3.6): after s (event
 * ev) from dir, whose sender was in snd_prev and receiver in rcv_from
 * before the state step. */
static inline __attribute__((always_inline)) void
tw_restart_ack(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    enum tcp_ev ev, bool has_ack, uint8_t snd_prev, uint8_t rcv_from,
    int64_t ts)
{
	const struct tcp_peer *snd = &c->peer[dir];

	for (int i = 0; i < 2; i++) {
		if (c->peer[i].st != TCP_ST_TIME_WAIT)
			continue;
		bool entered = (i == dir ? snd_prev : rcv_from) !=
		    TCP_ST_TIME_WAIT;
		/* The peer's FIN sent again, seen going to it: it acks that
		 * and restarts 2MSL (3.10.7.4, TIME-WAIT STATE), though the
		 * capture may miss that ACK (lost before it). */
		bool fin_again = i != dir && ev == EV_FIN &&
		    c->side[dir].fin_count > 1 &&
		    s->seq + s->paylen == snd->fin_seq;
		/* 2MSL restarts from the latest ACK, never from a segment
		 * stamped before it (the clock does not run back). */
		if ((entered || fin_again || (i == dir && has_ack)) &&
		    ts > conn_side_time(c, i, CT_TW)) {
			/* (Restarted before the endpoint answers that FIN:
			 * its final ACK's time is kept, tw_final_ack().) */
			if (fin_again && !entered) {
				struct conn_ext *xt = ext_of(c);
				if (!xt->tw_ack_ts[i])	/* (the first's) */
					xt->tw_ack_ts[i] =
					    conn_side_time(c, i, CT_TW);
			}
			else if (c->ext)
				c->ext->tw_ack_ts[i] = 0;
			side_time_set_now(c, (uint8_t)i, CT_TW, ts);
		}
	}
}

/* tw_restart_ack() for the plain path's segment (an ACK but for a SYN),
 * its usual case first: kept in microseconds, ts the last packet's time
 * (now: stored as c->t[CT_LAST], time_set_at()), no conn_ext and no FIN
 * sent again. Then a time set is that last one, and a later ts is a
 * larger stored value (0, none, is later only for ts > 0). */
static inline __attribute__((always_inline)) void
plain_tw_restart(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    enum tcp_ev ev, uint8_t snd_prev, uint8_t rcv_from, int64_t ts,
    bool now)
{
	uint32_t last = c->t[CT_LAST];

	if (!now || ts <= 0 || c->ext ||
	    (ev == EV_FIN && c->side[dir].fin_count > 1)) {
		tw_restart_ack(c, dir, s, ev, ev != EV_SYN, snd_prev,
		    rcv_from, ts);
		return;
	}
	for (int i = 0; i < 2; i++) {
		uint32_t *tw = &c->side[i].t[CT_TW];
		if (c->peer[i].st == TCP_ST_TIME_WAIT && *tw < last &&
		    (i == dir ? ev != EV_SYN || snd_prev != TCP_ST_TIME_WAIT :
		    rcv_from != TCP_ST_TIME_WAIT))
			*tw = last;
	}
}

/* tw_restart_ack() for any segment (s's ACK bit). */
static void
tw_restart(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    enum tcp_ev ev, uint8_t snd_prev, uint8_t rcv_from, int64_t ts)
{
	tw_restart_ack(c, dir, s, ev, (s->flags & TH_ACK) != 0, snd_prev,
	    rcv_from, ts);
}

/*
 * The other segments of a short connection with nothing unusual about it
 * are its handshake's and its teardown's: the first SYN, the first
 * SYN-ACK, the third segment, the FINs and the ACKs that answer them.
 * conn_input_slow()'s steps for those come down to the ones below (the
 * handshake and teardown checks themselves, the state step and its
 * corrections that can act); plain_ok() takes a segment when every other
 * step is known to do nothing, plain_steps() takes the steps. As for the
 * fast path, the tests run both ways on every segment (conn_fast_check).
 */
static inline __attribute__((always_inline)) enum tcp_ev
plain_ok_f(const struct conn *c, uint8_t dir, const struct pkt *pkt,
    uint8_t f)
{
	const struct tcp_seg *s = &pkt->tcp;
	const struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[!dir];
	const struct conn_side *sd = &c->side[dir];

	/*
	 * For every segment (the conn_ext, the decode findings and
	 * --ladder are quick_ok()'s, which the caller asked: conn_input(),
	 * plain_ok()):
	 *   - no conn_ext: no RST to undo or that a segment crosses, no
	 *     hole, no held ack of a FIN, no held third segment, no early
	 *     data, no link to a TIME_WAIT, no time kept whole;
	 *   - no accepted RST (rst_dir: the pickup and FIN corrections),
	 *     which there is none without: an RST taken sets rst_dir with
	 *     its conn_ext (rst_frame, rst_ts), which stays to the end;
	 *   - no handshake fact but the plain ones: no simultaneous open,
	 *     refusal, reset, asymmetric capture, new incarnation or lost
	 *     SYN-ACK (the checks and corrections those take);
	 *   - no decode finding conn_input_slow() reports, no bad checksum;
	 *   - no count that carries past 2^32 (add_bytes(): a conn_ext);
	 *   - no --ladder.
	 */
	if (G_UNLIKELY(
	    (c->hs & ~(HSF_SYN | HSF_SYNACK | HSF_THIRD | HSF_ESTABLISHED)) ||
	    sd->pkts == UINT32_MAX || sd->bytes > UINT32_MAX - s->paylen))
		return EV_NONE;
	/* (The event of each: tcp_fsm_ev[], whatever PSH and URG.) */
	switch (f) {
	case TH_SYN:
		/* The record's first segment, so that nothing is set yet
		 * (handshake_syn() takes the first SYN; no check of a SYN
		 * sent again or on a synchronized connection); no data (SYN
		 * data is payload to count, TCP Fast Open). */
		return c->first_dir < 0 && s->paylen == 0 ? EV_SYN : EV_NONE;
	case TH_SYN | TH_ACK:
		/* The first SYN-ACK, from the SYN's peer, no third segment
		 * with SYN (handshake_synack() takes it), from CLOSED, where
		 * the SYN left it (tcp_fsm.c): not from SYN_SENT (no
		 * synchronized sender, unsynced), nor ESTABLISHED (the same
		 * SYN-ACK again), nor a closing state (the FIN sender's
		 * SYN-ACK again); no data. */
		return c->syn_dir >= 0 && dir != c->syn_dir &&
		    c->synack_dir < 0 && snd->st == TCP_ST_CLOSED &&
		    s->paylen == 0 ? EV_SYNACK : EV_NONE;
	case TH_ACK:
	case TH_ACK | TH_FIN:
		break;
	default:
		return EV_NONE;	/* an RST, no ACK, SYN+FIN... */
	}
	/*
	 * An ACK or a FIN with ACK:
	 *   - from a synchronized endpoint, ESTABLISHED or past it (no
	 *     mid-stream pickup, no ACK to a SYN-ACK not captured, no data
	 *     before the handshake allowed it, no bogus FIN, no FIN from
	 *     CLOSED sent again), to a peer whose next seq is known;
	 *   - in order: seq is the sender's snd_nxt (no retransmission, hole,
	 *     keep-alive, track_seq());
	 *   - its ack not beyond what the peer was seen sending
	 *     (ack_unseen_data), its data not beyond the peer's window
	 *     (seq_beyond_window);
	 *   - no data after its sender's FIN, no FIN after it (FIN sent
	 *     again or moved; data_after_fin);
	 *   - a FIN from CLOSE_WAIT acks the peer's FIN (else it crossed it
	 *     or came reordered, fin_reordered), an ACK from it that acks
	 *     nothing new reaches the FIN at least (else the FIN may wait
	 *     behind a hole, fin_held()).
	 */
	bool fin = f & TH_FIN;

	if (G_LIKELY(snd->st >= TCP_ST_ESTABLISHED &&
	    (snd->flags & rcv->flags & PEER_SEQ_KNOWN) &&
	    s->seq == snd->snd_nxt && !seq_gt(s->ack, rcv->snd_nxt) &&
	    !(s->paylen > 1 && (rcv->flags & PEER_WIN_KNOWN) &&
	    seq_gt(s->seq + s->paylen, rcv->rcv_end)) &&
	    !((snd->flags & PEER_FIN_SEEN) && (fin || s->paylen > 0)) &&
	    !(snd->st == TCP_ST_CLOSE_WAIT && (fin ?
	    !tcp_acks_fin(rcv, s->ack) : s->ack == snd->ack &&
	    seq_lt(s->ack, rcv->fin_seq)))))
		return fin ? EV_FIN : EV_ACK;
	return EV_NONE;
}

/* plain_ok_f() for any segment (its flags, f: SYN, FIN, RST and ACK). */
static inline enum tcp_ev
plain_ok(const struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt)
{
	if (!quick_ok(c, cfg, pkt))
		return EV_NONE;
	return plain_ok_f(c, dir, pkt,
	    pkt->tcp.flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK));
}

/* conn_input_slow()'s steps, in its order, for a segment plain_ok()
 * takes (the steps that cannot act left out), its event ev (plain_ok()'s
 * answer). Always inline, with ev a constant: plain_steps() makes one
 * copy for each event, each with the branches of the others gone. */
static inline __attribute__((always_inline)) void
plain_ev(struct conn *c, uint8_t dir, const struct tcp_seg *s,
    int64_t ts, uint64_t frame, enum tcp_ev ev)
{
	struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[!dir];
	struct conn_side *sd = &c->side[dir];
	bool fin = ev == EV_FIN, ack = ev != EV_SYN;
	/* Does it ack the peer's FIN? Nothing below moves that FIN or what
	 * the peer sent before the state step, which asks again. (A SYN
	 * acks nothing; a SYN-ACK's own checks may.) */
	bool acks_fin = (ev == EV_ACK || fin) && tcp_acks_fin(rcv, s->ack);

	/* (Only the first SYN comes first: plain_ok().) */
	if (ev == EV_SYN) {
		c->first_dir = (int8_t)dir;
		c->first_ts = ts;
	}
	/* (The FIN's distance from the packet before it: fin_spaced().) */
	uint32_t last0 = c->t[CT_LAST];
	unsigned unit0 = c->ts_unit;
	bool ts_new = fin && s->opt.has_ts &&
	    (!snd->ts_seen || seq_gt(s->opt.tsval, snd->ts_max));
	/* The record's first time, first_ts itself, in microseconds: stored
	 * as 1 (time_touch_last(), time_encode()). (Its first segment's: no
	 * time set yet, the unit conn_init()'s, microseconds.) */
	G_STATIC_ASSERT(CONN_TS_US == 0);
	bool now;
	if (ev == EV_SYN && ts > 0) {
		c->t[CT_LAST] = 1;
		now = true;
	} else
		now = time_touch_now(c, ts);
	/* note_tsval(): the first SYN's TSval is the first seen (no
	 * segment came before it); a FIN's test is ts_new's (nothing since
	 * moved ts_seen or ts_max). */
	bool take_ts = ev == EV_SYN ? s->opt.has_ts : fin ? ts_new :
	    s->opt.has_ts && (!snd->ts_seen ||
	    seq_gt(s->opt.tsval, snd->ts_max));
	if (take_ts) {
		snd->ts_max = s->opt.tsval;
		snd->ts_seen = true;
	}
	sd->pkts++;
	snd->flags |= PEER_SENT_ANY;
	/* (The record's first segment is the SYN's: no FIN seen, both bits
	 * 0 as conn_init() left them.) */
	if (ev != EV_SYN)
		fin_before_shift(snd, rcv);

	/* 1. sequence space: track_seq(), in order (an ACK's or a FIN's seq
	 * is its sender's snd_nxt, plain_ok(): the one before, which only
	 * those read) */
	uint32_t nxt_before = s->seq;
	if (ev == EV_ACK || fin) {
		sd->bytes += s->paylen;
		snd->snd_nxt = s->seq + s->paylen + fin;
	}

	/* 2. handshake and teardown checks */
	if (ev == EV_SYN)
		plain_handshake_syn(c, dir, s, ts, now);
	else if (ev == EV_SYNACK && !(snd->flags & PEER_SYN_SEEN))
		plain_handshake_synack(c, dir, s, ts, frame, now);
	else if (ev == EV_SYNACK)
		handshake_synack(c, dir, s, ts, frame);
	else if ((c->hs & HSF_SYNACK) && !(c->hs & HSF_THIRD) &&
	    dir == c->syn_dir && c->synack_dir != dir)
		handshake_third(c, dir, s, nxt_before, ts, frame, now);
	if (ack) {
		ack_syn(rcv, s->ack);
		if (ev != EV_SYNACK && acks_fin)
			/* (teardown_fin_ack()'s) */
			fin_acked(c, dir, ts, now);
		else if (rcv->flags & PEER_FIN_SEEN)	/* (else it returns) */
			/* (Its ack before this one: nothing above takes
			 * an ack.) */
			teardown_fin_ack(c, dir, s, ev == EV_ACK &&
			    s->paylen == 0, snd->ack,
			    snd->flags & PEER_ACK_SENT, ts, frame);
		take_ack(snd, rcv, s, ev == EV_SYNACK);
	}
	/* Its side's first FIN (plain_ok()): teardown_fin()'s steps. (At
	 * s->seq == nxt_before, the check of its seq fires only for a
	 * payload of 2^31 bytes or more, a jumbogram's.) */
	if (fin) {
		sd->fin_count++;
		teardown_fin_first(c, dir, s, ts_new, plain_fin_spaced(c, dir,
		    last0, unit0, ts, now), ts, frame, now);
		fin_seq_check(c, dir, s, nxt_before, ts, frame);
	}
	/* It acks the peer's FIN: CLOSE_WAIT, whatever the capture order. */
	if (acks_fin && snd->st == TCP_ST_ESTABLISHED)
		snd->st = TCP_ST_CLOSE_WAIT;

	/* 3. the state machine: the record's first SYN goes from CLOSED to
	 * CLOSED (plain_handshake_syn()), the first SYN-ACK from CLOSED
	 * (plain_ok()), which nothing above moved */
	struct fsm_step st;
	uint8_t snd_prev = ev == EV_SYN || ev == EV_SYNACK ? TCP_ST_CLOSED :
	    snd->st;
	tcp_fsm_step_st(snd, rcv, s, ev, ev == EV_SYNACK ?
	    tcp_acks_fin(rcv, s->ack) : acks_fin, snd_prev,
	    ev == EV_SYN ? TCP_ST_CLOSED : rcv->st, &st);
	if (st.nanom)
		fsm_report(c, dir, s, &st, ts, frame);
	/* (No conn_ext before it, so no RST's frame to void when a state
	 * moved: one made since, by a time that needs it or a held ack of
	 * a FIN, has none.) */
	if (snd->st == TCP_ST_ESTABLISHED || rcv->st == TCP_ST_ESTABLISHED)
		c->hs |= HSF_ESTABLISHED;
	if (snd->st == TCP_ST_TIME_WAIT || rcv->st == TCP_ST_TIME_WAIT)
		plain_tw_restart(c, dir, s, ev, snd_prev, st.rcv_from, ts,
		    now);
	/* (The record's first SYN is its first segment: its first sender's,
	 * its zeek_conn as conn_init() left it, zeroed, as every step of
	 * Zeek's is one of conn_input()'s, after first_dir is set.) */
	if (ev == EV_SYN)
		zeek_conn_first_syn(&c->zeek, s);
	else if (ev == EV_SYNACK)
		zeek_conn_synack(&c->zeek, from_first(c, dir), s);
	else
		zeek_conn_segment_fl(&c->zeek, from_first(c, dir), s, 0,
		    fin ? TH_ACK | TH_FIN : TH_ACK);
}

static bool conn_input_slow(struct conn *c, const struct conn_cfg *cfg,
    uint8_t dir, const struct pkt *pkt, int64_t ts, uint64_t frame);

/* conn_input() for a segment of flags f (its SYN, FIN, RST and ACK bits)
 * from endpoint d whose plain step is ev, quick_ok()'s conditions known to
 * hold: plain_ok_f()'s, then plain_ev(), else the whole path; false,
 * conn_input()'s answer. Out of line, as fast_steps(), with conn_input()'s
 * arguments but dir: the test and the steps save the registers they need
 * once, and the whole path is a jump. One copy for each sender, d a
 * constant: its peer, its side and the other's are at fixed places in the
 * record, no address to compute or keep in a register. */
#define PLAIN_COPY(name, f, ev, d)					\
	static __attribute__((noinline)) bool				\
	name(struct conn *c, const struct conn_cfg *cfg,		\
	    const struct pkt *pkt, int64_t ts, uint64_t frame)		\
	{								\
		if (plain_ok_f(c, d, pkt, f) == EV_NONE)		\
			return conn_input_slow(c, cfg, d, pkt, ts,	\
			    frame);					\
		plain_ev(c, d, &pkt->tcp, ts, frame, ev);		\
		return false;						\
	}
PLAIN_COPY(plain_syn0, TH_SYN, EV_SYN, 0)
PLAIN_COPY(plain_syn1, TH_SYN, EV_SYN, 1)
PLAIN_COPY(plain_synack0, TH_SYN | TH_ACK, EV_SYNACK, 0)
PLAIN_COPY(plain_synack1, TH_SYN | TH_ACK, EV_SYNACK, 1)
PLAIN_COPY(plain_ack0, TH_ACK, EV_ACK, 0)
PLAIN_COPY(plain_ack1, TH_ACK, EV_ACK, 1)
PLAIN_COPY(plain_fin0, TH_ACK | TH_FIN, EV_FIN, 0)
PLAIN_COPY(plain_fin1, TH_ACK | TH_FIN, EV_FIN, 1)
#undef PLAIN_COPY

/* The plain copy for an ACK from dir (0 or 1). */
static inline __attribute__((always_inline)) bool
plain_ack(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	return dir ? plain_ack1(c, cfg, pkt, ts, frame) :
	    plain_ack0(c, cfg, pkt, ts, frame);
}

/* conn_input() for a segment the fast path does not take: the plain copy
 * for its flags and sender, or the whole path. Inline: only a jump, which
 * saves no registers. */
static inline __attribute__((always_inline)) bool
conn_input_plain(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	switch (pkt->tcp.flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) {
	case TH_SYN:
		return dir ? plain_syn1(c, cfg, pkt, ts, frame) :
		    plain_syn0(c, cfg, pkt, ts, frame);
	case TH_SYN | TH_ACK:
		return dir ? plain_synack1(c, cfg, pkt, ts, frame) :
		    plain_synack0(c, cfg, pkt, ts, frame);
	case TH_ACK:
		return plain_ack(c, cfg, dir, pkt, ts, frame);
	case TH_ACK | TH_FIN:
		return dir ? plain_fin1(c, cfg, pkt, ts, frame) :
		    plain_fin0(c, cfg, pkt, ts, frame);
	default:
		return conn_input_slow(c, cfg, dir, pkt, ts, frame);
	}
}

bool conn_fast_check;

/* Do a (a quick path's) and b (the whole path's, from a copy of the same
 * record) hold the same? Neither had a conn_ext before: each may have
 * allocated its own (a widened time, a held ack), compared by content, as
 * are the anomalies, b's a copy of a's. */
static bool
same_record(const struct conn *a, const struct conn *b)
{
	const struct conn_ext *xa = a->ext, *xb = b->ext;

	if (!xa != !xb || a->nanoms != b->nanoms)
		return false;
	if (xa) {
		struct conn_ext ya, yb;
		if (!xa->wide_ts != !xb->wide_ts || (xa->wide_ts &&
		    memcmp(xa->wide_ts, xb->wide_ts, TS_SLOTS *
		    sizeof(int64_t)) != 0))
			return false;
		memcpy(&ya, xa, sizeof(ya));
		memcpy(&yb, xb, sizeof(yb));
		ya.wide_ts = yb.wide_ts = NULL;
		if (memcmp(&ya, &yb, sizeof(ya)) != 0)
			return false;
	}
	for (unsigned i = 0; i < a->nanoms; i++) {
		const struct anom_rec *p = &a->anoms[i], *q = &b->anoms[i];
		if (p->frame != q->frame || p->ts_ns != q->ts_ns ||
		    p->id != q->id || p->dir != q->dir ||
		    strcmp(p->detail, q->detail) != 0)
			return false;
	}
	struct conn t;
	memcpy(&t, b, sizeof(t));
	t.ext = a->ext;
	t.anoms = a->anoms;
	return memcmp(&t, a, sizeof(t)) == 0;
}

/* conn_fast_check: the fast path's record, or the plain path's, against
 * the whole path's. Out of line, so that conn_input() saves no registers
 * for it. */
static __attribute__((noinline, cold)) bool
fast_check(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	struct conn *slow = g_malloc(sizeof(*c));
	bool fast = false;
	enum tcp_ev ev;

	memcpy(slow, c, sizeof(*c));
	/* The copy shares c's blocks: its own anomalies, the whole path
	 * may log more (the blocks of a conn_ext: neither path starts with
	 * one). */
	if (c->anoms) {
		slow->anoms = g_new(struct anom_rec, c->anom_cap);
		for (unsigned i = 0; i < c->nanoms; i++) {
			slow->anoms[i] = c->anoms[i];
			slow->anoms[i].detail = g_strdup(c->anoms[i].detail);
		}
	}
	if (fast_ok(c, cfg, dir, pkt)) {
		fast = fast_steps(c, dir, &pkt->tcp, ts);
	} else if ((ev = plain_ok(c, cfg, dir, pkt)) != EV_NONE) {
		/* (Its plain copy, which takes it.) */
		conn_input_plain(c, cfg, dir, pkt, ts, frame);
	} else {
		conn_input_slow(c, cfg, dir, pkt, ts, frame);
		slow->ext = NULL;	/* c's */
		conn_free(slow);
		return false;
	}
	conn_input_slow(slow, cfg, dir, pkt, ts, frame);
	if (!same_record(c, slow))
		g_error("conn_input: the %s path's record differs from the "
		    "whole path's (frame %" PRIu64 ")", fast ? "fast" : "plain",
		    frame);
	conn_free(slow);
	return fast;
}

/* Does the peer's TIME_WAIT take a SYN from dir as a new connection
 * (RFC 9293 3.6.1 MAY-2; RFC 6191 2; Linux)? Its ISN beyond every seq of
 * the old connection, or its TSval newer than the last the peer had from
 * this endpoint, its FIN's (then whatever the ISN). */
static bool
tw_reopens(const struct conn *c, uint8_t dir, const struct tcp_seg *syn)
{
	const struct tcp_peer *p = &c->peer[dir];

	/* Both with timestamps, the TSval decides (RFC 6191 2): an older
	 * one than TS.Recent is a PAWS reject whatever the ISN, a newer one
	 * reopens; equal, the ISN does (Linux tcp_timewait_state_process()).
	 * TS.Recent is taken as the FIN's TSval, the sender's last before
	 * TIME_WAIT but for the last ACK of a simultaneous close. */
	if (syn->opt.has_ts && (p->flags & PEER_FIN_SEEN) && p->fin_ts &&
	    syn->opt.tsval != c->fin_tsval[dir])
		return seq_gt(syn->opt.tsval, c->fin_tsval[dir]);
	return seq_gt(syn->seq, p->snd_nxt);
}

bool
conn_tw_refuses(const struct conn *c, uint8_t dir, const struct tcp_seg *syn)
{
	const struct tcp_peer *p = &c->peer[dir & 1], *q = &c->peer[!dir];

	/* The SYN's sender ended its side: CLOSED or TIME_WAIT, or LAST_ACK
	 * with its final ACK missed by the capture (the SYN shows it left
	 * LAST_ACK). Its peer in TIME_WAIT may take the SYN (tw_reopens());
	 * one still in LAST_ACK, its FIN's ACK lost on the way, is
	 * synchronized and answers any SYN with a challenge ACK of the old
	 * numbers (3.10.7.4, RFC 5961 4), which the SYN's sender resets
	 * (3.10.7.3): both the old connection's, as for TIME_WAIT. */
	if ((syn->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) != TH_SYN ||
	    !(p->flags & PEER_SEQ_KNOWN))
		return false;
	if (q->st == TCP_ST_LAST_ACK)
		return side_in(p->st, ENDED_STATES);
	/* The SYN's sender reset the connection it had synchronized (an
	 * abort): should that RST have been lost past the capture point,
	 * the peer is still synchronized, half-open (3.5.1 figure 10), and
	 * answers the SYN with an ACK of the old numbers, which the SYN's
	 * sender resets (3.10.7.3) before it sends the SYN again: both the
	 * old connection's, whose RST did not take (rst_ignored). A peer
	 * that took the RST answers with a SYN-ACK, which ends the old
	 * record as the SYN did before. */
	if (c->rst_dir == (int)(dir & 1) && (c->hs & HSF_ESTABLISHED) &&
	    p->st == TCP_ST_CLOSED && q->st == TCP_ST_CLOSED &&
	    (q->flags & PEER_SEQ_KNOWN))
		return true;
	return q->st == TCP_ST_TIME_WAIT &&
	    side_in(p->st, ENDED_STATES | M(TCP_ST_LAST_ACK)) &&
	    !tw_reopens(c, dir & 1, syn);
}

bool
conn_tw_keeps(const struct conn *old, uint8_t syn_dir, uint8_t dir,
    const struct pkt *pkt)
{
	const struct tcp_seg *s = &pkt->tcp;

	if ((pkt->quirks & DEC_TCP_BAD_CSUM) || (s->flags & TH_SYN))
		return false;
	const struct tcp_peer *a = &old->peer[syn_dir & 1];
	const struct tcp_peer *snd = &old->peer[dir & 1];
	const struct tcp_peer *rcv = &old->peer[!dir];
	/* The SYN_SENT end's RST to the TIME_WAIT end's ACK:
	 * <SEQ=SEG.ACK><CTL=RST> (3.10.7.3), at the SYN's sender's old next
	 * seq, which that ACK acked. */
	if (s->flags & TH_RST)
		return dir == syn_dir && s->seq == a->snd_nxt;
	if (!(s->flags & TH_ACK))
		return false;
	/* The TIME_WAIT end's ACK, or a late copy of an old segment (a FIN
	 * sent again): the old connection's numbers, its seq inside what the
	 * sender sent and its ack inside what the receiver did. A refused
	 * SYN's ISN is below the old next seq, so the new connection's seqs
	 * may fall there too; its acks (of the new ISNs) do not. Without
	 * the old handshake's ISNs, the ack must be exact. */
	uint32_t end = s->seq + s->paylen + ((s->flags & TH_FIN) ? 1 : 0);
	if (!seq_le(end, snd->snd_nxt) || !seq_le(s->ack, rcv->snd_nxt))
		return false;
	if ((snd->flags & PEER_SYN_SEEN) && (rcv->flags & PEER_SYN_SEEN))
		return seq_gt(s->seq, snd->isn) && seq_gt(s->ack, rcv->isn);
	return s->ack == rcv->snd_nxt;
}

void
conn_tw_link(struct conn *c, struct conn *old, uint8_t syn_dir)
{
	ext_of(c)->tw_old = old;
	ext_of(c)->tw_syn_dir = syn_dir & 1;
	ext_of(old)->tw_new = c;
	old->ext->tw_hidden = true;
}

void
conn_tw_unlink(struct conn *c)
{
	struct conn_ext *x = c->ext;

	if (!x)
		return;
	if (x->tw_old)
		x->tw_old->ext->tw_new = NULL;
	if (x->tw_new)
		x->tw_new->ext->tw_old = NULL;
	x->tw_old = x->tw_new = NULL;
}

/* ICMP destination unreachable codes (RFC 792, RFC 1812 5.2.7.1; RFC
 * 4443 3.1). */
static const char *
icmp_unreach_name(bool v6, unsigned code)
{
	static const char *const v4[] = {
		"network unreachable", "host unreachable",
		"protocol unreachable", "port unreachable",
		"fragmentation needed", "source route failed",
		"destination network unknown", "destination host unknown",
		"source host isolated", "network administratively prohibited",
		"host administratively prohibited",
		"network unreachable for TOS", "host unreachable for TOS",
		"communication administratively prohibited",
		"host precedence violation", "precedence cutoff",
	};
	static const char *const v6n[] = {
		"no route to destination",
		"communication administratively prohibited",
		"beyond scope of source address", "address unreachable",
		"port unreachable", "source address failed policy",
		"reject route to destination",
	};
	if (v6)
		return code < G_N_ELEMENTS(v6n) ? v6n[code] : "unknown code";
	return code < G_N_ELEMENTS(v4) ? v4[code] : "unknown code";
}

bool
conn_icmp_error(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	const struct tcp_seg *s = &pkt->tcp;
	const struct tcp_peer *p = &c->peer[dir & 1];
	unsigned type = s->win >> 8, code = s->win & 0xff;
	bool v6 = pkt->af == 6;
	uint8_t to = !dir;	/* where the segment went: the ICMP came back */
	char seq[48];
	uint16_t nanoms_before = c->nanoms;
	/* The SYN or SYN-ACK (its sender's ISN), or another. */
	bool syn = (p->flags & PEER_SYN_SEEN) && s->seq == p->isn;
	bool client = (int)(dir & 1) == conn_client(c);
	conn_anomaly(c, ANOM_ICMP_UNREACHABLE, to, ts, frame,
	    "ICMP%s destination unreachable, %s (type %u code %u), for the "
	    "%s's %s seq=%s, from %s", v6 ? "v6" : "",
	    icmp_unreach_name(v6, code), type, code,
	    client ? "client" : "server",
	    !syn ? "segment" : client ? "SYN" : "SYN-ACK",
	    side_rel(seq, sizeof(seq), c, dir,
	    s->seq), (pkt->quirks & DEC_ICMP_FROM_DST) ? (to ==
	    conn_client(c) ? "the client" : "the server") :
	    "a router or firewall on the path");
	if (cfg->ladder) {	/* a row of its own, from where it came */
		struct ladder_step l = {
			.frame = frame, .ts = ts, .seq = s->seq, .win = s->win,
			.dir = to, .st = { c->peer[0].st, c->peer[1].st },
			.anom = c->nanoms > nanoms_before ?
			    c->anoms[nanoms_before].id : 0, .icmp = true,
		};
		g_array_append_val(ladder_rows(c), l);
	}
	return false;
}

void
conn_tw_accepted(struct conn *c, uint8_t dir)
{
	struct tcp_peer *q = &c->peer[!dir];

	if (q->st == TCP_ST_TIME_WAIT)
		q->st = TCP_ST_CLOSED;	/* it left TIME_WAIT, as it may */
}

/* pkt from dir, at ts, frame, held in h: a copy, its payload left out
 * (the frame's bytes, gone by the time it is given back). */
static void
hold_seg(struct held_seg *h, const struct pkt *pkt, int64_t ts,
    uint64_t frame, uint8_t dir)
{
	h->pkt = g_memdup2(pkt, sizeof(*pkt));
	h->pkt->tcp.payload = NULL;
	h->pkt->tcp.paycap = 0;
	h->ts = ts;
	h->frame = frame;
	h->dir = dir;
}

bool
conn_hold_syn_synced(struct conn *c, uint8_t dir, const struct pkt *pkt,
    int64_t ts, uint64_t frame)
{
	const struct tcp_seg *s = &pkt->tcp;
	const struct tcp_peer *p = &c->peer[dir & 1], *q = &c->peer[!dir];
	unsigned synced = M(TCP_ST_ESTABLISHED) | CLOSING_STATES;

	if ((s->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) != TH_SYN ||
	    (pkt->quirks & DEC_TCP_BAD_CSUM) || conn_has_held(c) ||
	    !(c->hs & HSF_ESTABLISHED) || (c->hs & HSF_SIMUL) ||
	    !side_in(p->st, synced) || !side_in(q->st, synced) ||
	    !(p->flags & PEER_SEQ_KNOWN) || s->seq == p->isn ||
	    s->seq == p->snd_nxt)
		return false;
	hold_seg(&ext_of(c)->held, pkt, ts, frame, dir & 1);
	return true;
}

bool
conn_held_split(const struct conn *c, uint8_t dir, const struct pkt *pkt)
{
	const struct conn_ext *x = c->ext;
	const struct tcp_seg *s = &pkt->tcp;

	if (!x || !x->held.pkt || dir == x->held.dir ||
	    (s->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) !=
	    (TH_SYN | TH_ACK) || (pkt->quirks & DEC_TCP_BAD_CSUM))
		return false;
	/* It acks the held SYN: J'+1, or more of its data (RFC 7413). */
	const struct tcp_seg *h = &x->held.pkt->tcp;
	return seq_gt(s->ack, h->seq) && seq_le(s->ack, h->seq + 1 + h->paylen);
}

void
conn_held_take(struct conn *c, struct pkt **pkt, int64_t *ts,
    uint64_t *frame, uint8_t *dir)
{
	struct conn_ext *x = c->ext;

	*pkt = x->held.pkt;
	*ts = x->held.ts;
	*frame = x->held.frame;
	*dir = x->held.dir;
	x->held.pkt = NULL;
}

bool
conn_held_flush(struct conn *c, const struct conn_cfg *cfg)
{
	struct pkt *h;
	int64_t ts;
	uint64_t frame;
	uint8_t dir;

	conn_held_take(c, &h, &ts, &frame, &dir);
	bool r = conn_input(c, cfg, dir, h, ts, frame);
	g_free(h);
	return r;
}

/* conn_input() for a segment quick_ok() and fast_head_ok() take (an ACK)
 * from endpoint d: fast_tail_ok()'s conditions, then the fast path's
 * steps, inline, else the plain copy for an ACK, a jump. Out of line, so
 * that conn_input() saves no registers; the steps' registers saved once.
 * One copy for each sender, as the plain copies. */
#define FAST_COPY(name, d)						\
	static __attribute__((noinline)) bool				\
	name(struct conn *c, const struct conn_cfg *cfg,		\
	    const struct pkt *pkt, int64_t ts, uint64_t frame)		\
	{								\
		if (fast_tail_ok(c, d, &pkt->tcp))			\
			return fast_steps(c, d, &pkt->tcp, ts);		\
		return plain_ack(c, cfg, d, pkt, ts, frame);		\
	}
FAST_COPY(conn_input_fast0, 0)
FAST_COPY(conn_input_fast1, 1)
#undef FAST_COPY

/* conn_input() for a segment from d, a constant: its tests and its jumps
 * with the sender's peer and side at fixed places. */
static inline __attribute__((always_inline)) bool
conn_input_from(struct conn *c, const struct conn_cfg *cfg, uint8_t d,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(!quick_ok(c, cfg, pkt)))
		return conn_input_slow(c, cfg, d, pkt, ts, frame);
	if (fast_head_ok(c, d, pkt))
		return d ? conn_input_fast1(c, cfg, pkt, ts, frame) :
		    conn_input_fast0(c, cfg, pkt, ts, frame);
	return conn_input_plain(c, cfg, d, pkt, ts, frame);
}

bool
conn_input(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(conn_fast_check))
		return fast_check(c, cfg, dir, pkt, ts, frame);
	return dir ? conn_input_from(c, cfg, 1, pkt, ts, frame) :
	    conn_input_from(c, cfg, 0, pkt, ts, frame);
}

static bool conn_input_slow(struct conn *c, const struct conn_cfg *cfg,
    uint8_t dir, const struct pkt *pkt, int64_t ts, uint64_t frame);

/*
 * The FIN without ACK held (conn_input_slow()), or the data without ACK
 * (no control bit: PSH, URG or none), given to the record now,
 * before the segment pkt from dir (NULL: the record ends). A conformant
 * peer drops it (RFC 9293 3.10.7.4, fifth: "if the ACK bit is off, drop
 * the segment"), and so it closes nothing, as conn_input_slow() takes it.
 * But a peer whose very next segment acks the FIN (ack u+1, its ACK bit
 * on, no SYN or RST) shows it took it anyway: crafted captures, and
 * stacks that do not check, close so. Then the FIN is taken as one with
 * the ACK bit on, acking what its sender had acked before (nothing new),
 * still reported bad_flags. Nothing else came in between, so the order
 * of the segments is the capture's either way.
 */
static void
fin_noack_flush(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt)
{
	struct conn_ext *x = c->ext;
	struct pkt *h = x->nafin.pkt;
	uint8_t hd = x->nafin.dir;
	const struct tcp_peer *fs = &c->peer[hd];

	x->nafin.pkt = NULL;
	if (pkt && dir != hd && !(pkt->quirks & DEC_TCP_BAD_CSUM) &&
	    (pkt->tcp.flags & (TH_ACK | TH_SYN | TH_RST)) == TH_ACK &&
	    pkt->tcp.ack == h->tcp.seq + h->tcp.paylen +
	    ((h->tcp.flags & TH_FIN) ? 1 : 0)) {
		x->nafin_take = true;
		x->nafin_ack = (fs->flags & PEER_ACK_SENT) ? fs->ack :
		    c->peer[!hd].snd_nxt;
	}
	x->nafin_back = true;
	(void)conn_input_slow(c, cfg, hd, h, x->nafin.ts, x->nafin.frame);
	x->nafin_back = x->nafin_take = false;
	g_free(h);
}

/* The whole path. It answers false, conn_input()'s answer for a segment
 * the fast path did not take, so that conn_input() ends in a jump to it
 * rather than a call. */
static bool
conn_input_slow(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct pkt *pkt, int64_t ts, uint64_t frame)
{
	if (G_UNLIKELY(c->ext && c->ext->nafin.pkt))
		fin_noack_flush(c, cfg, dir, pkt);
	const struct tcp_seg *s = &pkt->tcp;
	struct tcp_peer *snd = &c->peer[dir], *rcv = &c->peer[!dir];
	struct conn_side *sd = &c->side[dir];
	enum tcp_ev ev = tcp_fsm_classify(s->flags);
	/* A FIN without ACK on a connection that was established: every
	 * state past SYN_SENT drops a segment with the ACK bit off (RFC 9293
	 * 3.10.7.4, fifth), a closed one answers it (3.10.7.1), and no stack
	 * sends one once synchronized (3.4), so it closes nothing: bad_flags,
	 * and the segment is taken without its FIN (no state, no sequence
	 * slot), also right after an RST, before anything shows whether that
	 * RST was taken. (One on a connection never established, a FIN scan,
	 * is fin_before_established.) Zeek's history and the ladder still
	 * show it as it was. */
	struct tcp_seg nofin;
	bool fin_noack = ev == EV_FIN && !(s->flags & TH_ACK) &&
	    (c->hs & HSF_ESTABLISHED);
	/* Data without ACK or any control bit (bad_flags below), from a
	 * synchronized endpoint: a conformant receiver drops it the same
	 * way, and it is held the same way. */
	bool data_noack = ev == EV_NONE && s->paylen > 0 &&
	    !(s->flags & (TH_ACK | TH_SYN | TH_RST | TH_FIN)) &&
	    (c->hs & HSF_ESTABLISHED);
	/* Its peer's next segment acked it (fin_noack_flush()). */
	bool noack_taken = (fin_noack || data_noack) && c->ext &&
	    c->ext->nafin_take;
	bool fin_taken = fin_noack && noack_taken;
	if ((fin_noack || data_noack) &&
	    !(c->ext && (c->ext->nafin_back || c->ext->held.pkt)) &&
	    !(snd->flags & PEER_FIN_SEEN) && c->rst_dir < 0 &&
	    !(pkt->quirks & DEC_TCP_BAD_CSUM)) {
		/* Held until the record's next segment tells. */
		hold_seg(&ext_of(c)->nafin, pkt, ts, frame, dir);
		return false;
	}
	if (noack_taken) {
		nofin = *s;
		nofin.flags |= TH_ACK;
		nofin.ack = c->ext->nafin_ack;
		s = &nofin;
		ev = tcp_fsm_classify(nofin.flags);
	} else if (fin_noack) {
		struct conn_ext *dx = ext_of(c);
		dx->nafin_drop_frame[dir] = frame;
		dx->nafin_drop_pos[dir] = s->seq + s->paylen;
		nofin = *s;
		nofin.flags &= (uint8_t)~TH_FIN;
		s = &nofin;
		ev = EV_NONE;
	}
	uint16_t nanoms_before = c->nanoms;
	uint8_t st_before[2] = { c->peer[0].st, c->peer[1].st };
	bool keepalive = false, retrans = false, zgap = false;

	if (c->first_dir < 0) {
		c->first_dir = (int8_t)dir;
		c->first_ts = ts;
	}
	/* A FIN's distance from the packet before it, and whether its TSval
	 * is newer than any its sender sent before (teardown_fin()). */
	int64_t before = (s->flags & TH_FIN) ? conn_time(c, CT_LAST) : 0;
	bool ts_new = (s->flags & TH_FIN) && s->opt.has_ts &&
	    (!snd->ts_seen || seq_gt(s->opt.tsval, snd->ts_max));
	/* The latest stamp, not the last one: a segment stamped earlier (a
	 * capture whose clock stepped back) makes no duration negative. */
	time_touch_last(c, ts);

	if (pkt->quirks & DEC_TCP_BAD_CSUM) {
		/* Dropped as Zeek drops it: history 'C', nothing else. */
		zeek_conn_segment(&c->zeek, dir == c->first_dir, s,
		    ZEEK_SEG_BAD_CSUM);
		return false;
	}
	fin_ack_pending(c, dir, s, ts);
	/* (What it reported there is drawn at the segment it judged.) */
	nanoms_before = c->nanoms;
	note_tsval(c, dir, s);
	/* The client at J+1 after all: the held third segment was no bad
	 * one, only overtaken (third_seq_check()). */
	if (c->ext && c->ext->hsq_frame && dir == c->syn_dir &&
	    s->seq == snd->isn + 1)
		c->ext->hsq_frame = 0;
	if (++sd->pkts == 0)
		ext_of(c)->pkts_hi[dir]++;
	snd->flags |= PEER_SENT_ANY;
	/* Its segment before this one came after the peer's FIN? */
	fin_before_shift(snd, rcv);

	/* Decode-level findings, once per side. */
	if ((pkt->quirks & (DEC_TCP_OPT_BAD_LEN | DEC_TCP_OPT_BAD_SIZE |
	    DEC_TCP_OPT_DUP)) && !(snd->once & ONCE_BAD_OPT)) {
		snd->once |= ONCE_BAD_OPT;
		/* What was wrong, "; " between two findings. */
		uint32_t q = pkt->quirks;
		bool len = q & DEC_TCP_OPT_BAD_LEN, size = q & DEC_TCP_OPT_BAD_SIZE,
		    dup = q & DEC_TCP_OPT_DUP;
		conn_anomaly(c, ANOM_BAD_TCP_OPTION, dir, ts, frame,
		    "%s%s%s%s%s", len ? "option length out of bounds" : "",
		    len && (size || dup) ? "; " : "",
		    size ? "option of the wrong size" : "",
		    size && dup ? "; " : "", dup ? "option repeated" : "");
	}
	if ((pkt->quirks & DEC_TCP_WSCALE_CLAMP) && !(snd->once & ONCE_WSCALE)) {
		snd->once |= ONCE_WSCALE;
		conn_anomaly(c, ANOM_WSCALE_CLAMPED, dir, ts, frame,
		    "window scale %u above 14, used as 14",
		    (unsigned)s->opt.ws_sent);
	}
	/* A payload cut by the snaplen is a capture artefact, not a finding
	 * (lengths come from the IP header): no anomaly. A cut fixed header is
	 * a decode error, summary.decode_errors.truncated_segment; options
	 * cut after a whole fixed header are this anomaly, and the segment is
	 * analysed without them, and so is one cut before its window. A SYN's
	 * cut options may have held its window scale: neither side's window
	 * is known from then on (take_ack()), nor after a cut window, so no
	 * window check judges with a guessed scale or window. */
	if (pkt->quirks & DEC_TCP_HDR_CUT) {
		bool win = pkt->quirks & DEC_TCP_WIN_CUT,
		    unknown = win || (s->flags & TH_SYN);
		if (!(snd->once & ONCE_HDR_CUT)) {
			snd->once |= ONCE_HDR_CUT;
			conn_anomaly(c, ANOM_TRUNCATED_SEGMENT, dir, ts, frame,
			    "the snaplen cut the TCP header of %u bytes %s%s",
			    s->hlen, win ? "before its window" :
			    "within its options", !unknown ? "" : win ?
			    "; windows are not checked" : "; the window "
			    "scale is unknown, so windows are not checked");
		}
		if (unknown) {
			snd->flags |= PEER_OPTS_CUT;
			snd->flags &= (uint16_t)~PEER_WIN_KNOWN;
			rcv->flags &= (uint16_t)~PEER_WIN_KNOWN;
		}
	}
	if (fin_taken)
		conn_anomaly(c, ANOM_BAD_FLAGS, dir, ts, frame,
		    "flags 0x%02x: a FIN without ACK from an endpoint that had "
		    "synchronized, which its peer should drop (3.10.7.4) but "
		    "acked next (ack %u): taken as a FIN", pkt->tcp.flags,
		    pkt->tcp.seq + pkt->tcp.paylen + 1);
	else if (noack_taken)
		conn_anomaly(c, ANOM_BAD_FLAGS, dir, ts, frame,
		    "flags 0x%02x: %u bytes without ACK from an endpoint that "
		    "had synchronized, which its peer should drop (3.10.7.4) "
		    "but acked next (ack %u): taken as data", pkt->tcp.flags,
		    pkt->tcp.paylen, pkt->tcp.seq + pkt->tcp.paylen);
	else if (fin_noack)
		conn_anomaly(c, ANOM_BAD_FLAGS, dir, ts, frame,
		    "flags 0x%02x: a FIN without ACK from an endpoint that had "
		    "synchronized, which its peer drops (3.10.7.4)", pkt->tcp.flags);
	else if (ev == EV_NONE)
		conn_anomaly(c, ANOM_BAD_FLAGS, dir, ts, frame,
		    "flags 0x%02x%s%s%s%s", s->flags,
		    (s->flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN) ? " SYN+FIN" : "",
		    (s->flags & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST) ? " SYN+RST" : "",
		    (s->flags & 0x3f) == 0 ? " no SYN/ACK/FIN/RST/PSH/URG" : "",
		    !(s->flags & (TH_SYN | TH_ACK | TH_FIN | TH_RST)) &&
		    (s->flags & (TH_PSH | TH_URG)) ? " PSH or URG without "
		    "SYN, ACK, FIN or RST" : "");

	/* Mid-stream pickup (conntrack's loose mode): traffic on a record
	 * that saw no SYN; both ends are taken as ESTABLISHED. Once: two
	 * ends that were synchronized and closed again stay closed (an RST
	 * undone as not taken may have cleared rst_dir). */
	if (ev != EV_SYN && ev != EV_SYNACK && ev != EV_NONE &&
	    (ev == EV_RST || (s->flags & TH_ACK)) &&
	    snd->st == TCP_ST_CLOSED && rcv->st == TCP_ST_CLOSED &&
	    !(snd->flags & PEER_SYN_SEEN) && !(rcv->flags & PEER_SYN_SEEN) &&
	    c->rst_dir < 0 && !(c->hs & HSF_ESTABLISHED)) {
		snd->st = rcv->st = TCP_ST_ESTABLISHED;
		c->hs |= HSF_ESTABLISHED;
		conn_anomaly(c, ANOM_ACK_WITHOUT_HANDSHAKE, dir, ts, frame,
		    "first segment seq=%u ack=%u: no handshake seen", s->seq,
		    s->ack);
	}

	/* An endpoint the last RST closed that goes on sending in its own
	 * sequence space never took that RST (a stack rejects one that
	 * fails its checks, e.g. PAWS, RFC 7323 5; an injected RST): both
	 * ends get back the states they had, and the reset is undone. */
	struct conn_ext *x = c->ext;
	/* Not one captured within a round trip after the RST that closed
	 * its sender (rst_cross_window()): it was sent before that RST
	 * arrived, it crossed it (a download the client aborts: the
	 * server's segments in flight). It changes no state. (Only when
	 * the RST closed a synchronized endpoint: during a handshake, a
	 * segment after the RST shows it was not taken.) */
	bool after_rst = snd->st == TCP_ST_CLOSED && x && x->rst_frame &&
	    ev != EV_RST && ev != EV_SYN && ev != EV_SYNACK && ev != EV_NONE;
	/* The client's answer to a SYN-ACK captured before the server's
	 * RST went out when that SYN-ACK arrived, before the RST behind it
	 * on the same path: whenever it is captured, it crossed the RST
	 * (and its time is the client's round trip, not yet known). */
	bool third = after_rst && dir == c->syn_dir && (c->hs & HSF_SYNACK) &&
	    !(c->hs & (HSF_THIRD | HSF_SIMUL)) && c->synack_dir != dir &&
	    (s->flags & TH_ACK) && conn_time(c, CT_SYNACK) <= x->rst_ts;
	/* Or one whose echo is no newer than the RST's TSval, up to four
	 * such windows after it: it may have been sent before the RST
	 * arrived, on a path slower than during the handshake (a queue
	 * filling: bufferbloat, an aborted download's data in flight). An
	 * echo of a later segment would prove it was not; the RST's sender
	 * sends none, so the time bounds it: an endpoint that rejected the
	 * RST echoes the segments before it for as long as it goes on (RFC
	 * 7323 4.3). */
	int64_t win = after_rst ? rst_cross_window(c, dir) : 0;
	/* And a segment older than one its sender was seen to send before
	 * (its ack below that one's: acks never go back; or its TSval
	 * older, note_tsval(), whatever the RST carried), delivered late by
	 * a path that reorders: that one came before the RST, or crossed
	 * it, or showed the RST was not taken (and undid it); either way
	 * this one tells nothing new. And one of the RST's own sender,
	 * which closed itself by it (an abort), that was sent before it (an
	 * ack below the RST's, which no ack of the sender's counts), or,
	 * up to four windows after it, that nothing shows was sent after
	 * it: no ack beyond the RST's, nor beyond what its peer had sent
	 * when the RST was captured (what came after reached it after its
	 * RST), no TSval newer than the RST's own, no byte or FIN at or past
	 * its seq when it had the ACK bit or stood at its sender's next seq
	 * (an abort's RST, 3.10.5; one elsewhere without it is the answer
	 * of an endpoint already closed, at the ack it answers); an
	 * injected RST's endpoint goes on, and soon sends those. */
	uint32_t end = s->seq + s->paylen + ((s->flags & TH_FIN) ? 1 : 0);
	bool own_older = x && (s->flags & TH_ACK) && x->rst_acked &&
	    seq_lt(s->ack, x->rst_ack);
	bool own_newer = x && (((s->flags & TH_ACK) &&
	    ((x->rst_acked && seq_gt(s->ack, x->rst_ack)) ||
	    seq_gt(s->ack, x->rst_peer_nxt))) || (x->rst_own_ts &&
	    s->opt.has_ts && seq_gt(s->opt.tsval, x->rst_tsval)) ||
	    ((x->rst_acked || x->rst_at_nxt) && end != s->seq &&
	    seq_gt(end, x->rst_seq)));
	/* And, up to four such windows after the RST, a segment of its
	 * receiver's with nothing new: no byte or FIN past what it had sent,
	 * no ack past the RST's seq (an ACK of bytes the RST's sender sent
	 * before its RST, or bytes sent again, which a path that reorders
	 * or jitters may deliver after it). What an endpoint that did not
	 * take the RST goes on to send (new data, a FIN, an ack of more,
	 * its retransmissions a timeout later) tells. */
	bool stale_win = after_rst && c->rst_dir == !dir &&
	    ts - x->rst_ts < 4 * win && !(s->flags & TH_SYN) &&
	    (!(s->flags & TH_ACK) || seq_le(s->ack, x->rst_seq)) &&
	    seq_le(end, snd->snd_nxt) &&
	    !((s->flags & TH_FIN) && !(snd->flags & PEER_FIN_SEEN));
	bool stale = after_rst && (stale_win || ((s->flags & TH_ACK) &&
	    (snd->flags & PEER_ACK_SENT) && seq_lt(s->ack, snd->ack)) ||
	    (s->opt.has_ts && snd->ts_seen &&
	    seq_lt(s->opt.tsval, snd->ts_max)) ||
	    (c->rst_dir == dir && (own_older ||
	    (!own_newer && ts - x->rst_ts < 4 * win))));
	/* And new data within the window the RST's sender had offered,
	 * within that round trip of a segment of the same sender's that
	 * crossed the RST, up to four windows after it: the rest of a burst
	 * a queue before the capture point delivers at its own pace
	 * (bufferbloat: an aborted download), which timestamps would tell
	 * and, without them, only its pace does. */
	bool queued = after_rst && c->rst_dir == !dir && x->rst_chain &&
	    ts - x->rst_chain < win && ts - x->rst_ts < 4 * win &&
	    !(s->flags & (TH_SYN | TH_FIN)) && s->paylen > 0 &&
	    (!(s->flags & TH_ACK) || seq_le(s->ack, x->rst_seq)) &&
	    (rcv->flags & PEER_WIN_KNOWN) && seq_le(end, rcv->rcv_end);
	/* A segment of the RST's receiver that crossed it by its time, its
	 * echo or its burst. */
	bool on_time = after_rst && c->rst_dir == !dir && (third || queued ||
	    ts - x->rst_ts < win || (x->rst_has_ts && s->opt.has_ts &&
	    seq_le(s->opt.tsecr, x->rst_tsval) && ts - x->rst_ts < 4 * win));
	bool crossing = after_rst && x->rst_prev[dir] >= TCP_ST_ESTABLISHED &&
	    (stale || on_time);
	/* (Only data that crossed it on time, not a segment that merely
	 * brings nothing new, begins or extends that burst.) */
	if (on_time && s->paylen > 0)
		x->rst_chain = ts;
	if (after_rst && !crossing && (snd->flags & PEER_SEQ_KNOWN) &&
	    x->rst_prev[dir] != TCP_ST_CLOSED &&
	    seq_in_range(s->seq, snd->snd_nxt - 65536, snd->snd_nxt + 65536)) {
		char ra[48], sa[48], na[48];
		/* (Its seq as it is when its sender's ISN came later.) */
		if (x->rst_frame_abs)
			snprintf(ra, sizeof(ra), "%u", x->rst_frame_seq);
		else
			side_rel(ra, sizeof(ra), c, x->rst_frame_dir,
			    x->rst_frame_seq);
		conn_anomaly(c, ANOM_RST_IGNORED, dir, ts, frame,
		    "the %s kept sending after the RST of frame %" PRIu64
		    " (seq %s): this segment's seq %s, its next %s; that RST "
		    "did not end the connection",
		    dir == conn_client(c) ? "client" : "server", x->rst_frame,
		    ra, side_rel(sa, sizeof(sa), c, dir, s->seq),
		    side_rel(na, sizeof(na), c, dir, snd->snd_nxt));
		/* Both get back their states, the reset undone: the RST's
		 * receiver went on, so it never took it, and its sender may
		 * not have sent it (injected in its name). But should that
		 * sender, synchronized before it, answer the receiver with
		 * another RST (below), it did send it: an abort (3.10.5) or
		 * a closed host's answer (3.10.7.1: a TIME_WAIT dropped early
		 * answering each FIN sent again), and it has had no
		 * connection since. What the RST concluded is kept for that. */
		int rd = c->rst_dir;
		bool left = rd >= 0 && rd != dir &&
		    x->rst_prev[rd] >= TCP_ST_ESTABLISHED;
		x->rst_left = left ? (uint8_t)(rd + 1) : 0;
		/* Or its sender went on: the RST was sent in its name (a
		 * firewall's reject with tcp reset), and its receiver may
		 * have taken it all the same, which its answer to this
		 * segment tells (below). */
		bool took = rd >= 0 && rd == dir &&
		    x->rst_prev[!rd] >= TCP_ST_ESTABLISHED;
		x->rst_took = took ? (uint8_t)(!rd + 1) : 0;
		if (left || took) {
			x->left_hs = c->hs;
			x->left_td_reset = c->td_reset;
		}
		if (took)
			x->rst_took_frame = x->rst_frame;
		/* (A FIN that crossed the RST may have moved one on through
		 * CLOSING or to TIME_WAIT: tcp_peer_enter().) */
		for (int i = 0; i < 2; i++) {
			struct tcp_peer *p = &c->peer[i];
			if (p->st != TCP_ST_CLOSED)
				continue;
			tcp_peer_enter(p, x->rst_prev[i]);
			/* Given back a TIME_WAIT it entered by a FIN that
			 * crossed the RST, never timed (tw_restart(), whose
			 * step had it CLOSED): 2MSL from now, not from 0. */
			if (p->st == TCP_ST_TIME_WAIT &&
			    !conn_side_time(c, i, CT_TW))
				side_time_set_now(c, (uint8_t)i, CT_TW, ts);
		}
		rst_undo_reset(c, x);
		x->rst_frame = 0;
	}
	/* That sender's next RST: it had no connection since its first (it
	 * answers as a closed host does); CLOSED before this one, the reset
	 * its first's. Its next segment of any other kind shows it had one:
	 * the states given back stand. */
	if (x && x->rst_left == dir + 1 && ev != EV_NONE) {
		if (ev == EV_RST) {
			snd->st = TCP_ST_CLOSED;
			c->hs |= x->left_hs & (HSF_REFUSED | HSF_RESET);
			c->td_reset = x->left_td_reset;
			c->rst_dir = (int8_t)dir;
			snd->flags |= PEER_RST_SENT;
			/* (rst_left stays for note_rst(): this RST anchors
			 * the crossing tests again.) */
		} else {
			x->rst_left = 0;
		}
	}
	/* The receiver of an RST its sender did not send, answering that
	 * sender's next segment as a closed host does, an RST at its ack
	 * without ACK (3.10.7.1: <SEQ=SEG.ACK><CTL=RST>): it had taken that
	 * RST and been CLOSED since (the ladder redrawn so). The reset is
	 * that RST's, in its sender's name; this one answers, and closes the
	 * other end. Any other segment shows it had not: the states given
	 * back stand. */
	if (x && x->rst_took == dir + 1 && ev != EV_NONE) {
		x->rst_took = 0;
		if (ev == EV_RST && !(s->flags & TH_ACK) &&
		    (rcv->flags & PEER_ACK_SENT) && s->seq == rcv->ack) {
			snd->st = TCP_ST_CLOSED;
			c->hs |= x->left_hs & (HSF_REFUSED | HSF_RESET);
			c->td_reset = x->left_td_reset;
			c->rst_dir = (int8_t)!dir;
			rcv->flags |= PEER_RST_SENT;
			ladder_redraw(c, dir, x->rst_took_frame + 1,
			    TCP_ST_MAX, TCP_ST_CLOSED);
		}
	}

	/* 1. sequence space */
	uint32_t nxt_before = snd->snd_nxt;
	bool seq_known = snd->flags & PEER_SEQ_KNOWN;
	/* (Before track_seq() fills the hole the early ACK opened.) */
	uint64_t acked_by = 0;
	int64_t acked_at = 0;
	bool fin_acked = ev == EV_FIN &&
	    fin_was_acked(c, dir, s->seq + s->paylen, &acked_by, &acked_at);
	/* ...by the peer's own FIN, the first FIN seen, or by a segment
	 * the peer sent before it: that FIN was sent after this one arrived
	 * (3.6 figure 12), the capture showed them the other way round.
	 * This FIN was the first (below). */
	bool fin_first_late = fin_acked && !(snd->flags & PEER_FIN_SEEN) &&
	    (rcv->flags & PEER_FIN_SEEN) && c->fin_first == !dir &&
	    acked_by <= c->fin_frame[!dir];
	uint32_t prev_ack = snd->ack;
	bool had_ack = snd->flags & PEER_ACK_SENT;
	/* It acks more than it acked before: from SYN_RECEIVED (its SYN-ACK
	 * acked J+1), it had the peer's third segment and data, whether the
	 * capture showed them or not (an asymmetric capture). */
	bool acks_more = (s->flags & TH_ACK) && had_ack &&
	    seq_gt(s->ack, prev_ack);
	/* Or its data shows it had a third segment the capture missed. */
	if (!acks_more && s->paylen > 0 && (ev == EV_ACK || ev == EV_FIN) &&
	    had_ack && synack_only(c, snd) && had_unseen_third(c, dir, s))
		acks_more = true;
	if (ev != EV_NONE) {
		retrans = track_seq(c, dir, s, ts, frame, &keepalive);
		if (retrans && s->paylen > 0 && !(s->flags & TH_FIN))
			sd->retrans++;
	}

	/* 2. handshake and teardown checks */
	bool late_synack = false;
	switch (ev) {
	case EV_SYN:
		handshake_syn(c, dir, s, ts, frame);
		break;
	case EV_SYNACK:
		if (c->synack_dir >= 0 && c->synack_dir != dir &&
		    c->syn_dir == dir && !(c->hs & HSF_THIRD) &&
		    !(c->hs & HSF_SIMUL)) {
			handshake_third(c, dir, s, nxt_before, ts, frame,
			    false);
			break;
		}
		/* A SYN-ACK after the client's ACK that acked K+1
		 * (handshake_asym()): that ACK was the third segment, and
		 * the server had it; one with another K is not the one the
		 * client answered (handshake_synack()). */
		late_synack = (c->hs & HSF_ASYM) && c->synack_dir < 0 &&
		    dir != c->syn_dir;
		handshake_synack(c, dir, s, ts, frame);
		if (late_synack)
			c->hs |= HSF_THIRD;
		break;
	default:
		break;
	}
	/* (An RST with ACK is no third segment: it ends the handshake,
	 * RFC 9293 3.5, 3.10.7.4: handshake outcome reset.) */
	if (ev != EV_SYN && ev != EV_SYNACK && ev != EV_RST &&
	    ev != EV_NONE && (s->flags & TH_ACK) &&
	    (c->hs & HSF_SYNACK) && !(c->hs & (HSF_THIRD | HSF_SIMUL)) &&
	    dir == c->syn_dir && c->synack_dir != dir)
		handshake_third(c, dir, s, nxt_before, ts, frame,
		    false);

	/* A client in SYN_SENT that sends an ACK had the SYN-ACK (3.10.7.3
	 * fifth step), which the capture did not show: asymmetric routing
	 * or a tap that sees one direction, a SYN-ACK lost at the capture
	 * point or captured after this ACK (a multi-queue NIC). The
	 * handshake completed (a SYN-ACK captured later makes the next ACK
	 * the third segment, as always); the server, which sent K and got
	 * this ACK, is ESTABLISHED. Only J+1 can be judged. (Not for an
	 * ack of 0, as tcp_fsm_step()'s pre-step; not after a
	 * SYN-ACK from the client itself, which answered no SYN: a
	 * connection to itself, whose every segment goes one way.) */
	if (snd->st == TCP_ST_SYN_SENT && c->synack_dir < 0 &&
	    ev != EV_SYN && ev != EV_SYNACK && ev != EV_RST && ev != EV_NONE &&
	    (s->flags & TH_ACK) && s->ack != 0 && dir == c->syn_dir &&
	    rcv->st == TCP_ST_CLOSED &&
	    !(rcv->flags & PEER_SYN_SEEN) && c->rst_dir < 0 &&
	    !(c->hs & (HSF_SYNACK | HSF_THIRD | HSF_SIMUL | HSF_REFUSED |
	    HSF_ASYM)) && !conn_has_anom(c, ANOM_SYNACK_FROM_CLIENT))
		handshake_asym(c, dir, s, nxt_before, ts, frame);
	if ((s->flags & TH_ACK) && ev != EV_RST)
		ack_syn(rcv, s->ack);
	simul_done(c);

	/* From SYN_SENT, only a segment that acks a SYN-ACK (ACK set, an
	 * ack other than 0, tcp_ack_null(): tcp_fsm_step()'s pre-step) comes
	 * from a synchronized sender. */
	bool unsynced = snd->st == TCP_ST_SYN_SENT &&
	    (!(s->flags & TH_ACK) || tcp_ack_null(rcv, s->ack));
	/* Data before the sender's handshake step allowed it: from SYN_SENT
	 * unsynced, or from SYN_RECEIVED before the third segment
	 * (TCP Fast Open lets the server send early, RFC 7413 3). */
	if (s->paylen > 0 && ev != EV_SYN && ev != EV_SYNACK && ev != EV_RST &&
	    !(snd->once & ONCE_DATA_EARLY) && (unsynced ||
	    (synack_only(c, snd) && !acks_more))) {
		char a[48];
		snd->once |= ONCE_DATA_EARLY;
		conn_anomaly(c, ANOM_DATA_BEFORE_EST, dir, ts, frame,
		    "%u bytes at seq %s while %s", s->paylen,
		    side_rel(a, sizeof(a), c, dir, s->seq),
		    tcp_state_name[snd->st]);
	}

	/* Data from the SYN's peer before its SYN-ACK, which has no ISN to
	 * follow yet (3.4.1): judged when a SYN-ACK of its comes after it
	 * (handshake_synack()). Without one, its SYN-ACK and the client's
	 * ACK were missed and the data came after them (a server that
	 * speaks first: handshake_asym() on the client's ACK). */
	if (s->paylen > 0 && (ev == EV_ACK || ev == EV_FIN) &&
	    snd->st == TCP_ST_CLOSED && !(snd->flags & PEER_SYN_SEEN) &&
	    rcv->st == TCP_ST_SYN_SENT && (rcv->flags & PEER_SYN_SEEN) &&
	    dir != c->syn_dir && c->synack_dir < 0 && c->rst_dir < 0 &&
	    !(c->ext && c->ext->early_frame)) {
		struct conn_ext *xe = ext_of(c);
		xe->early_frame = frame;
		xe->early_ts = ts;
		xe->early_seq = s->seq;
		xe->early_len = s->paylen;
	}

	/* Data after the sender's own FIN (beyond the FIN's slot). An RST's
	 * payload is diagnostic text (RFC 9293 3.5.3), not stream data. */
	if ((snd->flags & PEER_FIN_SEEN) && s->paylen > 0 && ev != EV_RST &&
	    seq_gt(s->seq + s->paylen, snd->fin_seq) &&
	    !(snd->once & ONCE_DATA_AFTER_FIN)) {
		char a[48], b[48], tl[160];
		snd->once |= ONCE_DATA_AFTER_FIN;
		conn_anomaly(c, ANOM_DATA_AFTER_FIN, dir, ts, frame,
		    "%u bytes at seq %s, %u of them beyond its FIN at %s",
		    s->paylen, side_rel(a, sizeof(a), c, dir, s->seq),
		    /* from the FIN's slot on, or from the segment's start
		     * when it starts past it */
		    (unsigned)seq_diff(s->seq + s->paylen,
		    seq_gt(s->seq, snd->fin_seq) ? s->seq : snd->fin_seq),
		    side_rel(b, sizeof(b), c, dir, snd->fin_seq));
		if (snd->st == TCP_ST_TIME_WAIT &&
		    (snd->flags & PEER_GOT_FIN) && ts < tw_end(c, cfg, dir))
			conn_anomaly(c, ANOM_MISSING_TIME_WAIT, dir, ts, frame,
			    "new data from TIME_WAIT %s", tw_left(tl,
			    sizeof(tl), c, cfg, dir, ts));
	}

	/* A FIN from an endpoint that never synchronized (CLOSED, or
	 * SYN_SENT unsynced) closes nothing: a stack discards it (RFC
	 * 9293 3.10.7.1, 3.10.7.3); it is often injected. */
	bool fin_bogus = ev == EV_FIN && !(snd->flags & PEER_FIN_SEEN) &&
	    ((snd->st == TCP_ST_CLOSED && !crossing) ||
	    snd->st == TCP_ST_LISTEN || unsynced);
	/* ACK bookkeeping: ack beyond anything the peer was seen sending;
	 * not for a bogus FIN or an unsynced sender's ack of 0, which
	 * acknowledge nothing. */
	if ((s->flags & TH_ACK) && ev != EV_RST && ev != EV_NONE && !fin_bogus &&
	    !(unsynced && ev != EV_SYNACK)) {
		if (!(rcv->flags & PEER_SEQ_KNOWN)) {
			rcv->snd_nxt = s->ack;
			rcv->flags |= PEER_SEQ_KNOWN;
		} else if (seq_gt(s->ack, rcv->snd_nxt) && ev != EV_SYNACK &&
		    rcv->st != TCP_ST_SYN_SENT &&
		    !(synack_only(c, rcv) && !(rcv->flags & PEER_SYN_ACKED))) {
			/* (A SYN-ACK acks a SYN-SENT peer, which sent only
			 * its SYN and the SYN's data, both seen: more is a
			 * bad ack, synack_bad_ack, not unseen data; RFC 9293
			 * 3.10.7.3. So is any ACK to it: a TIME_WAIT or
			 * half-open peer's ACK of the old connection, which
			 * the SYN_SENT end answers with RST (3.10.7.3,
			 * 3.10.7.4; RFC 5961 4). So is an ack past K+1 to a SYN_RECEIVED
			 * server, which sends nothing before the third
			 * segment but for TCP Fast Open, after SYN data:
			 * handshake_ack_bad_ack, an unacceptable ACK that
			 * leaves it SYN_RECEIVED, 3.10.7.4.) */
			/* The bytes were sent, and the capture has not shown
			 * them: a hole of the peer's stream, acked. A segment
			 * captured after the ACK that acks it (the capture
			 * reordered the two directions, as on a multi-queue
			 * NIC) fills it; one never shown is ack_unseen_data
			 * at the end (hole_report()). Past a FIN nothing
			 * follows it: judged now. */
			if (!(rcv->flags & PEER_FIN_SEEN)) {
				hole_add(c, !dir, rcv->snd_nxt, s->ack, ts,
				    frame, NULL);
				rcv->snd_nxt = s->ack;
				zgap = true;
			} else if (!(snd->once & ONCE_ACK_UNSEEN)) {
				char a[48], b[48];
				snd->once |= ONCE_ACK_UNSEEN;
				conn_anomaly(c, ANOM_ACK_UNSEEN_DATA, dir, ts,
				    frame, "ack %s is %d bytes beyond the "
				    "peer's last seen seq %s",
				    side_rel(a, sizeof(a), c, !dir, s->ack),
				    (int)seq_diff(s->ack, rcv->snd_nxt),
				    side_rel(b, sizeof(b), c, !dir,
				    rcv->snd_nxt));
			}
		}
		/* An ACK that newly covers a hole of the peer's stream also
		 * acknowledges bytes the capture never showed (Zeek 'g'). */
		for (unsigned h = 0; rcv->nholes && h < c->ext->nhole[!dir];
		    h++) {
			uint32_t hl = c->ext->holes[!dir][h].l;
			if (seq_lt(hl, s->ack) && (!had_ack || seq_ge(hl, prev_ack)))
				zgap = true;
		}
		/* Holes the peer acknowledges were on the wire, not missing
		 * in the sender: still gaps of the capture. Nothing to do. */
		/* (A FIN the peer's FIN acked was sent before that FIN
		 * arrived: its ack answers nothing.) */
		if (!fin_first_late)
			teardown_fin_ack(c, dir, s,
			    ev == EV_ACK && s->paylen == 0, prev_ack, had_ack,
			    ts, frame);
		if (ev == EV_ACK && snd->st == TCP_ST_CLOSE_WAIT &&
		    (rcv->flags & PEER_FIN_SEEN) &&
		    !(snd->flags & PEER_GOT_FIN) &&
		    had_ack && s->ack == prev_ack &&
		    seq_lt(s->ack, rcv->fin_seq) &&
		    fin_held_out(c, dir, s, ts))
			fin_held(c, dir);
		take_ack(snd, rcv, s, ev == EV_SYNACK);
	}

	/* Data beyond the receiver's advertised window (3.10.7.4 first
	 * check); a zero-window probe of one byte is allowed. */
	if (s->paylen > 1 && (rcv->flags & PEER_WIN_KNOWN) && !keepalive &&
	    seq_gt(s->seq + s->paylen, rcv->rcv_end) &&
	    !(snd->once & ONCE_BEYOND_WIN)) {
		char a[48], b[48];
		snd->once |= ONCE_BEYOND_WIN;
		conn_anomaly(c, ANOM_SEQ_BEYOND_WINDOW, dir, ts, frame,
		    "segment ends at %s, %d bytes beyond the window edge %s",
		    side_rel(a, sizeof(a), c, dir, s->seq + s->paylen),
		    (int)seq_diff(s->seq + s->paylen, rcv->rcv_end),
		    side_rel(b, sizeof(b), c, dir, rcv->rcv_end));
	}

	/* A first FIN whose ack stops short of the peer's FIN, from an
	 * endpoint that had acked that FIN already: acks never go back, so
	 * it was sent before that ack, before the peer's FIN arrived (a
	 * path that reordered them). It crossed the peer's FIN (SPEC, whatever
	 * the capture order): sent from ESTABLISHED, then the peer's FIN
	 * arrived (CLOSING, 3.6 figure 13), not the passive close that
	 * CLOSE_WAIT would make it. */
	bool fin_reordered = ev == EV_FIN && !fin_bogus && !fin_acked &&
	    (s->flags & TH_ACK) && had_ack &&
	    !(snd->flags & PEER_FIN_SEEN) && c->fin_first == !dir &&
	    tcp_acks_fin(rcv, prev_ack) && !tcp_acks_fin(rcv, s->ack) &&
	    snd->st == TCP_ST_CLOSE_WAIT;

	/* The bogus FIN (above) is discarded whole: nothing else about
	 * it counts either. */
	if (fin_bogus) {
		char fq[48];
		conn_anomaly(c, ANOM_FIN_BEFORE_EST, dir, ts, frame,
		    "FIN seq=%s from an endpoint in %s (ignored)",
		    side_rel(fq, sizeof(fq), c, dir, s->seq),
		    tcp_state_name[snd->st]);
		/* Discarded whole: its slot is not counted either, so the
		 * same FIN sent again later (a TCP Fast Open server's, its
		 * first captured ahead of its SYN-ACK on a path that
		 * reorders) is no FIN behind its sender's next seq. */
		uint32_t fin_end = s->seq + s->paylen + 1;
		if (snd->snd_nxt == fin_end &&
		    (!seq_known || seq_gt(fin_end, nxt_before)))
			snd->snd_nxt = fin_end - 1;
	} else if (ev == EV_FIN)
		teardown_fin(c, dir, s, nxt_before, seq_known && !fin_acked,
		    ts_new, ts - before, ts, frame);
	if (fin_reordered)
		c->fins_crossed = true;

	/* The same SYN-ACK again from a server that has sent nothing else:
	 * the ACK seen going to it was not taken (lost, or dropped by a full
	 * accept queue), so it is still SYN_RECEIVED (3.8.1). */
	if (ev == EV_SYNACK && dir == c->synack_dir && s->seq == snd->isn &&
	    snd->st == TCP_ST_ESTABLISHED && snd->snd_nxt == snd->isn + 1 &&
	    !(c->hs & HSF_SIMUL) && !late_synack)
		snd->st = TCP_ST_SYN_RECEIVED;

	/* A SYN again (the same, or a new ISN handshake_syn() took) before
	 * any third segment: the SYN-ACK seen going to it had not arrived,
	 * so it is still SYN_SENT (3.8.1); nor, from a client that has sent
	 * no ACK at all, the FIN seen going to it that made it CLOSE_WAIT (a
	 * TCP Fast Open server's, sent with its data from SYN_RECEIVED). */
	if (ev == EV_SYN && (snd->flags & PEER_SYN_SEEN) && s->seq == snd->isn &&
	    (snd->st == TCP_ST_ESTABLISHED || (snd->st == TCP_ST_CLOSE_WAIT &&
	    !(snd->flags & PEER_ACK_SENT))) && dir == c->syn_dir &&
	    !(c->hs & (HSF_THIRD | HSF_ASYM))) {
		snd->st = TCP_ST_SYN_SENT;
		c->hs |= HSF_SYNACK_LOST;
	}

	/* A passive closer that retransmits its FIN from CLOSED had not got
	 * the final ACK after all: it is still in LAST_ACK. */
	if (ev == EV_FIN && snd->st == TCP_ST_CLOSED &&
	    (snd->flags & PEER_FIN_SEEN) && c->side[dir].fin_count > 1 &&
	    c->fin_first == !dir)
		snd->st = TCP_ST_LAST_ACK;
	/* So is an active closer that sends its FIN again from FIN_WAIT_2:
	 * the ACK of u+1 seen going to it had not arrived, and it is still
	 * in FIN_WAIT_1 (3.10.7.4: only FIN_WAIT_1 retransmits the FIN). */
	if (ev == EV_FIN && snd->st == TCP_ST_FIN_WAIT_2 &&
	    (snd->flags & PEER_FIN_SEEN) && c->side[dir].fin_count > 1 &&
	    s->seq + s->paylen == snd->fin_seq)
		snd->st = TCP_ST_FIN_WAIT_1;

	/* It acks the peer's FIN, so it had received it, whatever the
	 * capture order showed: an endpoint that had not registered that FIN
	 * (it was SYN_SENT or ESTABLISHED when the FIN was seen) is in
	 * CLOSE_WAIT (3.10.7.4, eighth step). */
	if ((s->flags & TH_ACK) && (ev == EV_ACK || ev == EV_FIN) &&
	    tcp_acks_fin(rcv, s->ack) &&
	    (snd->st == TCP_ST_SYN_SENT || snd->st == TCP_ST_ESTABLISHED)) {
		snd->st = TCP_ST_CLOSE_WAIT;
		if (c->ext)	/* the FIN held (fin_held()) taken now */
			c->ext->fin_held &= (uint8_t)~(1u << dir);
	} else if ((s->flags & TH_ACK) && (ev == EV_ACK || ev == EV_FIN) &&
	    c->ext && (c->ext->fin_held >> dir & 1u) &&
	    tcp_acks_fin(rcv, s->ack)) {
		/* The FIN held out of order, taken after its own FIN: its
		 * eighth step now (3.10.7.4), CLOSING, or TIME_WAIT once
		 * its own FIN was acked. */
		c->ext->fin_held &= (uint8_t)~(1u << dir);
		if (snd->st == TCP_ST_FIN_WAIT_1)
			tcp_peer_enter(snd, TCP_ST_CLOSING);
		else if (snd->st == TCP_ST_FIN_WAIT_2)
			tcp_peer_enter(snd, TCP_ST_TIME_WAIT);
	}

	/* 3. the state machine */
	struct fsm_step st;
	uint8_t snd_prev = snd->st, rcv_prev = rcv->st;
	/* A SYN_RECEIVED endpoint acking the peer's data (acks_more) is
	 * ESTABLISHED, as a SYN_SENT one sending an ACK had the SYN-ACK
	 * (tcp_fsm.c). */
	if (snd->st == TCP_ST_SYN_RECEIVED && !(c->hs & HSF_SIMUL) &&
	    (ev == EV_ACK || ev == EV_FIN) && acks_more)
		snd->st = TCP_ST_ESTABLISHED;
	/* A copy of the FIN the peer holds out of order (fin_held()) waits
	 * with the first: to the state machine, it is its ACK alone. */
	const struct tcp_seg *fs = s;
	struct tcp_seg held_copy;
	if (G_UNLIKELY(ev == EV_FIN && c->ext &&
	    (c->ext->fin_held >> !dir & 1u))) {
		held_copy = *s;
		held_copy.flags &= (uint8_t)~TH_FIN;
		fs = &held_copy;
	}
	tcp_fsm_step(snd, rcv, fs, &st);
	/* The server's SYN-ACK sent again, its K, before any third segment:
	 * its handshake is not over (synack_retransmitted), whatever it sent
	 * since (a TCP Fast Open server's data and FIN from SYN_RECEIVED,
	 * RFC 7413), no SYN on a synchronized connection. */
	if (ev == EV_SYNACK && dir == c->synack_dir && s->seq == snd->isn &&
	    !(c->hs & (HSF_THIRD | HSF_ASYM | HSF_SIMUL)) &&
	    (snd->flags & PEER_FIN_SEEN) && c->rst_dir < 0 &&
	    side_in(st.snd_from, M(TCP_ST_FIN_WAIT_1) | M(TCP_ST_FIN_WAIT_2) |
	    M(TCP_ST_CLOSING) | M(TCP_ST_LAST_ACK))) {
		unsigned n = 0;
		for (unsigned i = 0; i < st.nanom; i++)
			if (st.anom[i] != ANOM_UNEXPECTED_SYN)
				st.anom[n++] = st.anom[i];
		st.nanom = n;
	}
	/* The client sent its SYN again after a SYN-ACK: they were not
	 * reaching it. A later one, no ACK of the client's seen since, is
	 * taken as lost the same way: SYN_SENT until an ACK of the client's
	 * shows one arrived (3.10.7.3: it would have sent one at once). */
	if (ev == EV_SYNACK && (c->hs & HSF_SYNACK_LOST) &&
	    !(c->hs & HSF_THIRD) && dir != c->syn_dir &&
	    rcv_prev == TCP_ST_SYN_SENT && rcv->st == TCP_ST_ESTABLISHED)
		rcv->st = st.rcv_to = TCP_ST_SYN_SENT;
	/* Its FIN crossed the peer's: it had not had that FIN, and was
	 * ESTABLISHED, not CLOSE_WAIT, in the rows the ladder drew since
	 * (SPEC's endpoint states, whatever the capture order). */
	if (st.crossed_fin)
		ladder_not_close_wait(c, dir, c->fin_frame[!dir]);
	/* A stack discards the bogus FIN (above): its peer does not go to
	 * CLOSE_WAIT on it, whatever the table did. */
	if (fin_bogus && rcv->st != rcv_prev) {
		rcv->st = rcv_prev;
		st.rcv_to = rcv_prev;
	}
	/* A segment that crossed the RST moves nobody: both ends are closed
	 * by then (it was sent before, and arrives after). A FIN that crossed
	 * it is on the record as the close before the RST: should the RST
	 * turn out not taken (rst_ignored), the states it undoes to are
	 * those after this FIN. */
	if (crossing) {
		if (ev == EV_FIN) {
			struct tcp_peer ps = *snd, pr = *rcv;
			struct fsm_step fs;
			ps.st = x->rst_prev[dir];
			pr.st = x->rst_prev[!dir];
			tcp_fsm_step(&ps, &pr, s, &fs);
			x->rst_prev[dir] = ps.st;
			x->rst_prev[!dir] = pr.st;
		}
		snd->st = st.snd_to = st_before[dir];
		rcv->st = st.rcv_to = st_before[!dir];
	}
	/* The FIN the peer's earlier-captured FIN acked: the close as it
	 * was (SPEC: a FIN that acks the peer's FIN had received it,
	 * whatever the capture order). This endpoint closed first and the
	 * peer's FIN acked it: it is in TIME_WAIT, the peer in LAST_ACK,
	 * the FIN acked when the peer's FIN was sent; no crossing. */
	if (fin_first_late && snd_prev == TCP_ST_CLOSE_WAIT &&
	    rcv_prev == TCP_ST_FIN_WAIT_1 && snd->st != TCP_ST_CLOSED &&
	    rcv->st != TCP_ST_CLOSED) {
		c->fin_first = (int8_t)dir;
		c->fins_crossed = false;
		snd->st = TCP_ST_TIME_WAIT;
		rcv->st = TCP_ST_LAST_ACK;
		snd->flags &= (uint16_t)~PEER_PASSED_CLOSING;
		rcv->flags &= (uint16_t)~PEER_PASSED_CLOSING;
		snd->flags |= PEER_FIN_ACKED | PEER_PASSED_TW;
		rcv->flags |= PEER_GOT_FIN;
		side_time_set(c, dir, CT_FIN_ACK,
		    conn_side_time(c, !dir, CT_FIN));
		st.snd_to = snd->st;
		st.rcv_to = rcv->st;
	} else if (fin_reordered && snd->st == TCP_ST_LAST_ACK) {
		tcp_peer_enter(snd, TCP_ST_CLOSING);
		st.snd_to = snd->st;
	} else if (fin_acked && !fin_first_late &&
	    !(snd->flags & PEER_FIN_ACKED)) {
		/* A FIN that an ACK captured before it acked: the capture
		 * showed the answer first. It was acked then, and its
		 * sender took that ACK after sending it (3.6 figure 5). */
		snd->flags |= PEER_FIN_ACKED;
		rcv->flags |= PEER_GOT_FIN;
		side_time_set(c, dir, CT_FIN_ACK, acked_at);
		tcp_peer_enter(snd, tcp_fin_acked_state(snd->st));
		st.snd_to = snd->st;
	}
	fsm_report(c, dir, s, &st, ts, frame);
	/* The RST's undo memory holds only while nothing has moved since:
	 * any later change of state (a new handshake after it, a FIN re-sent
	 * from LAST_ACK, an endpoint the RST left in SYN_SENT going on) makes
	 * it void, there is nothing left to undo. Judged on the states this
	 * segment found, since a correction above may have moved an endpoint
	 * before the table step. */
	if (ev != EV_RST && c->ext && (c->peer[0].st != st_before[0] ||
	    c->peer[1].st != st_before[1]))
		c->ext->rst_frame = 0;
	if (ev == EV_RST && !st.rst_ignored)
		note_rst(c, dir, &st, s, ts, frame, cfg);
	if (snd->st == TCP_ST_ESTABLISHED || rcv->st == TCP_ST_ESTABLISHED)
		c->hs |= HSF_ESTABLISHED;

	tw_restart(c, dir, s, ev, snd_prev, st.rcv_from, ts);

	/* A gap is only one in a stream the capture shows at all: a
	 * one-sided capture has no gaps in the side it never saw. */
	uint16_t zf = zgap && (rcv->flags & PEER_SENT_ANY) ? ZEEK_SEG_GAP : 0;
	if (retrans && s->paylen > 0)
		zf |= ZEEK_SEG_RETRANS;
	zeek_conn_segment(&c->zeek, dir == c->first_dir, &pkt->tcp, zf);
	if (cfg->ladder)
		ladder_add(c, dir, &pkt->tcp, ts, frame,
		    c->nanoms > nanoms_before ? c->anoms[nanoms_before].id : 0,
		    st_before);
	return false;
}

/* ---- lifetime --------------------------------------------------------- */

bool
conn_is_reusable(const struct conn *c, uint8_t dir)
{
	unsigned ok = ENDED_STATES | M(TCP_ST_LAST_ACK);
	const struct tcp_peer *me = &c->peer[dir & 1], *peer = &c->peer[!dir];

	if (!((c->peer[0].flags | c->peer[1].flags) &
	    (PEER_FIN_SEEN | PEER_RST_SENT)))
		return false;
	if (side_in(c->peer[0].st, ok) && side_in(c->peer[1].st, ok))
		return true;
	/* The SYN's sender has ended its life on this 4-tuple: it closed
	 * (its FIN sent and acknowledged, now CLOSED or in TIME_WAIT) after
	 * the peer's FIN, so the peer sends no more data either, only the
	 * ACK the capture missed (it shows in CLOSING or FIN_WAIT_x). A SYN
	 * from it opens a new connection: one record never holds two lives
	 * of an endpoint. */
	return side_in(me->st, ENDED_STATES) &&
	    (me->flags & (PEER_FIN_SEEN | PEER_FIN_ACKED)) ==
	    (PEER_FIN_SEEN | PEER_FIN_ACKED) && (peer->flags & PEER_FIN_SEEN);
}

bool
conn_reuse(struct conn *c, const struct conn_cfg *cfg, uint8_t dir,
    const struct tcp_seg *syn, int64_t ts, uint64_t frame, uint32_t *floor)
{
	struct tcp_peer *p = &c->peer[dir], *q = &c->peer[!dir];
	bool reopened = false;

	/* The peer holds TIME_WAIT: a SYN that reopens it (tw_reopens())
	 * ends it; the peer left TIME_WAIT, as it may. Any other SYN it
	 * answers with the old ACK and stays (conn_tw_refuses()). Within
	 * 2MSL, its ISN must be above every seq it used before (3.6.1):
	 * *floor, judged at its SYN-ACK (conn_tw_floor()). */
	if (q->st == TCP_ST_TIME_WAIT && (p->flags & PEER_SEQ_KNOWN) &&
	    tw_reopens(c, dir, syn)) {
		q->st = TCP_ST_CLOSED;
		if ((q->flags & PEER_SEQ_KNOWN) && ts < tw_end(c, cfg, !dir)) {
			*floor = q->snd_nxt - 1;	/* its FIN's, or last byte's */
			reopened = true;
		}
	}
	if (p->st != TCP_ST_TIME_WAIT)
		return reopened;
	char tl[160];
	if (ts < tw_end(c, cfg, dir))
		conn_anomaly(c, ANOM_MISSING_TIME_WAIT, dir, ts, frame,
		    "new SYN on the 4-tuple %s", tw_left(tl, sizeof(tl), c,
		    cfg, dir, ts));
	p->st = TCP_ST_CLOSED;	/* it visibly left TIME_WAIT */
	return reopened;
}

/* Kept in the endpoint's isn, unused until its SYN-ACK, and one bit: no
 * conn_ext for the many reuses of a busy server's 4-tuples (a conn_ext
 * each took the peak memory of 10 million short connections from 93 to
 * 105 MiB, and every such record off the plain path). */
void
conn_tw_floor(struct conn *c, uint8_t dir, uint32_t floor)
{
	struct tcp_peer *p = &c->peer[dir];

	if (p->flags & PEER_SYN_SEEN)
		return;
	p->isn = floor;
	p->tw_floor = true;
}

void
conn_finish(struct conn *c, const struct conn_cfg *cfg, int64_t now,
    enum conn_end why)
{
	if (c->finished)
		return;
	/* A FIN without ACK held to the end: nothing acked it. */
	if (G_UNLIKELY(c->ext && c->ext->nafin.pkt))
		fin_noack_flush(c, cfg, 0, NULL);
	c->finished = true;
	c->end = (uint8_t)why;

	for (int i = 0; i < 2; i++) {
		if (c->peer[i].st == TCP_ST_TIME_WAIT &&
		    now >= tw_end(c, cfg, i))
			c->peer[i].st = TCP_ST_CLOSED;
	}

	/* Most records: no conn_ext (no held ack of a FIN, no held third
	 * segment, no hole), both FINs acked or neither sent (no FIN owed,
	 * no half close), at most one anomaly (nothing to sort). Nothing
	 * below acts. */
	uint16_t f0 = c->peer[0].flags, f1 = c->peer[1].flags,
	    fa = PEER_FIN_SEEN | PEER_FIN_ACKED;
	if (!c->ext && c->nanoms <= 1 &&
	    ((f0 & f1 & fa) == fa || !((f0 | f1) & PEER_FIN_SEEN)))
		return;

	for (int i = 0; i < 2; i++)
		fin_ack_pending(c, (uint8_t)i, NULL, 0);
	third_seq_late(c);
	bool reset = c->rst_dir >= 0;
	int nfin = 0;
	for (int i = 0; i < 2; i++)
		nfin += (c->peer[i].flags & PEER_FIN_SEEN) != 0;

	for (int i = 0; i < 2; i++) {
		struct tcp_peer *p = &c->peer[i];

		/* Holes never filled. A FIN that jumped over a hole nobody
		 * acknowledged is a FIN at the wrong seq. */
		const struct seq_hole *holes = p->nholes ? c->ext->holes[i] :
		    NULL;
		unsigned nh = p->nholes ? c->ext->nhole[i] : 0;
		for (unsigned h = 0; h < nh; h++) {
			bool fin_jump = !holes[h].acked &&
			    (p->flags & PEER_FIN_SEEN) &&
			    holes[h].frame == c->fin_frame[i] &&
			    holes[h].r == p->fin_seq - 0 &&
			    !(c->peer[!i].flags & PEER_ACK_SENT &&
			    seq_gt(c->peer[!i].ack, holes[h].l));
			if (fin_jump)
				conn_anomaly(c, ANOM_FIN_BAD_SEQ, (uint8_t)i,
				    holes[h].ts, holes[h].frame,
				    "FIN seq %u (u+%u) != u (%u): %u bytes "
				    "skipped", p->fin_seq,
				    holes[h].r - holes[h].l,
				    holes[h].l,
				    holes[h].r - holes[h].l);
			else
				hole_report(c, (uint8_t)i, &holes[h]);
		}
		p->nholes = 0;
		if (nh)
			c->ext->nhole[i] = 0;

		if (!(p->flags & PEER_FIN_SEEN) || (p->flags & PEER_FIN_ACKED))
			continue;
		if (reset)
			continue;	/* the RST ended it: nothing owed */
		/* The passive closer still in LAST_ACK: its final ACK is
		 * missing, and its FIN (W) unacked all the same (SPEC: both
		 * names' definitions hold). */
		if (i != c->fin_first && p->st == TCP_ST_LAST_ACK)
			conn_anomaly(c, ANOM_FINAL_ACK_MISSING, (uint8_t)i,
			    conn_side_time(c, i, CT_FIN), c->fin_frame[i],
			    "FIN seq=%u (W) never acked with W+1 (%u): still "
			    "LAST_ACK", p->fin_seq, p->fin_seq + 1);
		char fl[24], fl1[24];
		const char *L = fin_letter(fl, sizeof(fl), c, i, p->fin_seq);
		/* (J+n's next is J+n+1, written J+m.) */
		const char *L1 = L != fl ? NULL :
		    fin_letter(fl1, sizeof(fl1), c, i, p->fin_seq + 1);
		conn_anomaly(c, ANOM_FIN_UNACKED, (uint8_t)i,
		    conn_side_time(c, i, CT_FIN), c->fin_frame[i],
		    "FIN seq=%u (%s) never acked with %s%s (%u)",
		    p->fin_seq, L, L1 ? L1 : L, L1 ? "" : "+1",
		    p->fin_seq + 1);
	}
	if (nfin == 1 && !reset && c->fin_first >= 0) {
		int i = c->fin_first;
		char hb[48];
		conn_anomaly(c, ANOM_HALF_CLOSED, (uint8_t)i,
		    conn_side_time(c, i, CT_FIN), c->fin_frame[i],
		    "%s closed (FIN seq=%s); %s never closed (%s at the %s)",
		    i == conn_client(c) ? "client" : "server",
		    side_rel(hb, sizeof(hb), c, (uint8_t)i, c->peer[i].fin_seq),
		    i == conn_client(c) ? "server" : "client",
		    tcp_state_name[c->peer[!i].st],
		    why == END_IDLE ? "idle timeout" : "end");
	}

	/* In the order of the frames that showed them, as the packets came
	 * (one judged later, a held ack or the end's, comes where its frame
	 * is); in the order found for one frame. A few: insertion. */
	for (unsigned i = 1; i < c->nanoms; i++) {
		struct anom_rec a = c->anoms[i];
		unsigned j = i;
		for (; j > 0 && c->anoms[j - 1].frame > a.frame; j--)
			c->anoms[j] = c->anoms[j - 1];
		c->anoms[j] = a;
	}
}

int
conn_td_initiator(const struct conn *c)
{
	return c->fin_first;
}

