/* rd.h - the bounded reader: the only code that reads packet bytes.
 *
 * A cursor over a borrowed byte range. Every read checks the bytes left
 * first (rd_take() checks a whole header's at once); a failed read sets
 * the sticky error flag, returns 0 and consumes nothing, so a decoder can
 * read a whole header and check r->err once (tcpdump's GET_ macros
 * without the longjmp).
 */
#ifndef SYNFIN_RD_H
#define SYNFIN_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;	/* next unread byte */
	size_t left;		/* bytes left from p */
	bool err;		/* a read past the end happened (sticky) */
};

static inline struct rd
rd_init(const uint8_t *p, size_t len)
{
	struct rd r = { p, p ? len : 0, false };
	return r;
}

static inline bool
rd_has(const struct rd *r, size_t n)
{
	return !r->err && r->left >= n;
}

/* Big-endian loads from bytes already checked: by the rd_ reads below,
 * or rd_take() (within its n). Always inline: each is a load and a byte
 * swap, which GCC left out of line in a function as large as the reader's
 * loop with the decoder inline (pipeline.c). */
static inline __attribute__((always_inline)) uint16_t
ld_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline __attribute__((always_inline)) uint32_t
ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Little-endian loads, the same (radiotap, PPI, PKTAP fields). */
static inline uint16_t
ld_le16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[1] << 8 | p[0]);
}

static inline uint32_t
ld_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static inline uint8_t
rd_u8(struct rd *r)
{
	if (!rd_has(r, 1)) {
		r->err = true;
		return 0;
	}
	uint8_t v = r->p[0];
	r->p++;
	r->left--;
	return v;
}

static inline uint16_t
rd_be16(struct rd *r)
{
	if (!rd_has(r, 2)) {
		r->err = true;
		return 0;
	}
	uint16_t v = ld_be16(r->p);
	r->p += 2;
	r->left -= 2;
	return v;
}

/* Host-order 32-bit read, for DLT_NULL's host-endian family field. */
static inline uint32_t
rd_he32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->err = true;
		return 0;
	}
	uint32_t v;
	__builtin_memcpy(&v, r->p, 4);
	r->p += 4;
	r->left -= 4;
	return v;
}

static inline uint32_t
rd_be32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->err = true;
		return 0;
	}
	uint32_t v = ld_be32(r->p);
	r->p += 4;
	r->left -= 4;
	return v;
}

static inline void
rd_skip(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->err = true;
		return;
	}
	r->p += n;
	r->left -= n;
}

/*
 * Take the next n bytes whole: consumed, and a pointer to them that the
 * ld_ loaders above read at offsets inside those n bytes only; NULL (and
 * the sticky error) when fewer are left. One check for a whole header
 * instead of one a field: the decoders' hot path.
 */
static inline const uint8_t *
rd_take(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

/* Copy n bytes out; on failure dst is zeroed. */
static inline void
rd_bytes(struct rd *r, void *dst, size_t n)
{
	if (!rd_has(r, n)) {
		r->err = true;
		__builtin_memset(dst, 0, n);
		return;
	}
	__builtin_memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
}

/* Carve the next n bytes into a child reader and consume them here.
 * On failure the child is empty and errored, and so is r. */
static inline void
rd_sub(struct rd *r, size_t n, struct rd *child)
{
	if (!rd_has(r, n)) {
		r->err = true;
		*child = rd_init(NULL, 0);
		child->err = true;
		return;
	}
	*child = rd_init(r->p, n);
	r->p += n;
	r->left -= n;
}

/* Shrink the readable range to at most n bytes (layer clamping, p0f style). */
static inline void
rd_clamp(struct rd *r, size_t n)
{
	if (r->left > n)
		r->left = n;
}

/* Ones-complement sum (RFC 1071) of the bytes left, not consumed, added
 * to sum; used for the IPv4 and TCP checksums. */
static inline uint32_t
rd_sum16(const struct rd *r, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < r->left; i += 2)
		sum += (uint32_t)r->p[i] << 8 | r->p[i + 1];
	if (i < r->left)
		sum += (uint32_t)r->p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

#endif
