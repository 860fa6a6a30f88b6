/* seq.h - TCP sequence number arithmetic, modulo 2^32 (RFC 9293 3.4).
 *
 * Every comparison of sequence or acknowledgment numbers goes through these.
 * The difference is computed in unsigned arithmetic (no overflow UB) and
 * read as signed: a is "before" b when it lies less than 2^31 behind it.
 */
#ifndef SYNFIN_SEQ_H
#define SYNFIN_SEQ_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;
	/* Two's complement reinterpretation without implementation-defined
	 * conversion of out-of-range values. */
	return d <= INT32_MAX ? (int32_t)d : -(int32_t)(UINT32_MAX - d) - 1;
}

static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

/* a <= x < b, in sequence space (b - a is taken as the window length). */
static inline bool
seq_in_range(uint32_t x, uint32_t a, uint32_t b)
{
	return (uint32_t)(x - a) < (uint32_t)(b - a);
}

static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return seq_ge(a, b) ? a : b;
}

/* x in the notation of the exchange, relative to base and named by its
 * letter: "J+1", "K", "u-1" (RFC 9293 3.5, 3.6 figures). */
static inline const char *
seq_rel_str(char *buf, size_t len, const char *letter, uint32_t base,
    uint32_t x)
{
	int32_t d = seq_diff(x, base);

	if (d == 0)
		snprintf(buf, len, "%s", letter);
	else
		snprintf(buf, len, "%s%+" PRId32, letter, d);
	return buf;
}

#endif
