/* wbuf.h - an append-only output buffer for the writers.
 *
 * A record is formatted into a wbuf, then written with one fwrite (or, with
 * -j, handed to the thread that writes records in order). The formatters
 * below replace printf on the hot path: JSON of a million connections is
 * most of a gigabyte, and printf's format parsing was a third of the time.
 */
#ifndef SYNFIN_WBUF_H
#define SYNFIN_WBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

/* The Zeek histories a wbuf keeps (report_history_at()): a power of 2 */
#define WB_HIST_BITS 3
#define WB_HISTS (1 << WB_HIST_BITS)
#define WB_HIST_MOVE 24	/* a history's text is moved whole */

struct wbuf {
	char *p;
	size_t len, cap;
	/* wb_ts()'s last seconds, as text: a record's times mostly share
	 * them (slen 0: none yet). sec_ns is their start in nanoseconds:
	 * a time within them is a subtraction away, not a division. */
	uint64_t sec_ns;
	uint8_t slen;
	char stext[20];	/* moved WB_STEXT_MOVE bytes at a time */
	/* Zeek histories written (report_history_at()), each in the slot
	 * its bytes hash to: those bytes (struct zeek_conn.hist) as two
	 * words, and its text. All zero (a new wbuf) is the empty
	 * history's, whose bytes are all zero. */
	struct wb_hist {
		uint64_t key[2];
		char text[WB_HIST_MOVE];
		uint8_t len;
	} hist[WB_HISTS];
	/* The same for report_wall_at(), two seconds: a text record's
	 * times are its start's and its TIME_WAIT's end (2MSL later). */
	struct wb_wall {
		uint64_t ns;	/* the second's start */
		bool ok;	/* else none yet */
		char text[19];	/* "2026-11-24 10:30:37" */
	} wall[2];
	uint8_t wall_old;	/* the one replaced next */
};

void wb_grow(struct wbuf *w, size_t need);
void wb_free(struct wbuf *w);

static inline void
wb_reserve(struct wbuf *w, size_t n)
{
	if (w->cap - w->len < n)
		wb_grow(w, n);
}

static inline void
wb_put(struct wbuf *w, const char *s, size_t n)
{
	if (n == 0)	/* "" into a buffer not yet allocated: no NULL + 0 */
		return;
	wb_reserve(w, n);
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static inline void
wb_putc(struct wbuf *w, char ch)
{
	wb_reserve(w, 1);
	w->p[w->len++] = ch;
}

static inline void
wb_puts(struct wbuf *w, const char *s)
{
	wb_put(w, s, strlen(s));
}

/* A string literal, its length known at compile time. */
#define WB_LIT(w, s) wb_put((w), "" s, sizeof(s) - 1)

/*
 * Writing at a cursor, for a writer's hot path: it reserves (wb_reserve())
 * room for everything it writes between wb_at() and wb_done(), each
 * writer below taking at most its _MAX bytes, and nothing is checked on
 * the way. Each returns the cursor past what it wrote.
 */
static inline char *
wb_at(struct wbuf *w)
{
	return w->p + w->len;
}

static inline void
wb_done(struct wbuf *w, char *o)
{
	w->len = (size_t)(o - w->p);
}

#define WC_LIT(o, s) ((o) = (char *)memcpy((o), "" s, sizeof(s) - 1) + \
	(sizeof(s) - 1))

extern const char wb_pairs[201];	/* "00" "01" .. "99" */

extern const char wb_dot3[4000];	/* ".000" ".001" .. ".999" */

/*
 * v (< 10^9) / 10^6 in fixed point, 32 bits of fraction, a little above
 * it: its integer part the first three of v's nine digits (with leading
 * zeros), its fraction times 1000 (mod 2^32, a multiply) the next three
 * and again the last three (James Anhalt's method, three digits a step).
 * M is 2^50 / 10^6 rounded up (+ 0.16): the result exceeds v * 2^32 /
 * 10^6 by more than 0 and less than 10^9 * 0.16 / 2^18 + 1 = 602, short
 * of the 2^32 / 10^6 = 4294 that would reach (v + 1) / 10^6; v * M stays
 * under 1.2e18 < 2^63. M fits an instruction's 32 bits where 2^53 / 10^6
 * (with >> 21) took a register loaded each time. All 10^9 were compared
 * with the exact digits when it was written.
 */
#define WB_FIX6_M 1125899907u
static inline uint64_t
wb_fix6(uint32_t v)
{
	return ((uint64_t)v * WB_FIX6_M >> 18) + 1;
}

/* v from 100 to 99999 (a port, a connection's id, a payload's bytes),
 * as wc_u64_long() writes it: below 1000 a wb_dot3 entry but its '.',
 * else the last three digits a wb_dot3 entry, its '.' overwritten by
 * the one or two digits left of them. All v below 2,000,000 written by
 * wc_u64() were compared with printf when it was written. */
static inline char *
wc_five(char *o, uint32_t v)
{
	if (v < 1000) {
		memcpy(o, wb_dot3 + 4 * v + 1, 3);
		return o + 3;
	}
	uint32_t hi = v / 1000;
	if (hi < 10) {
		memcpy(o, wb_dot3 + 4 * (v - 1000 * hi), 4);
		*o = (char)('0' + hi);
		return o + 4;
	}
	memcpy(o + 1, wb_dot3 + 4 * (v - 1000 * hi), 4);
	memcpy(o, wb_pairs + 2 * hi, 2);
	return o + 5;
}

/* v in decimal. Most numbers of a record (counts, a window scale, a
 * port) are below 100, most others below 100000: those inline, the
 * rest out of line. */
#define WC_U64_MAX 20
char *wc_u64_long(char *o, uint64_t v);
static inline char *
wc_u64(char *o, uint64_t v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	if (v < 100) {
		memcpy(o, wb_pairs + 2 * v, 2);
		return o + 2;
	}
	if (v < 100000)
		return wc_five(o, (uint32_t)v);
	return wc_u64_long(o, v);
}

/* v from 10^9 to 2^32 - 1 (most ISNs): its ten digits, inline, as
 * wc_u64_long() writes them out of line: a digit, then the nine of
 * v mod 10^9 in groups of three (wb_fix6()), each a
 * wb_dot3 entry written right to left, its '.' overwritten by the next.
 * All 10-digit values were compared with printf when it was written. */
static inline char *
wc_ten(char *o, uint32_t v)
{
	uint32_t hi = v / 1000000000;
	uint64_t y = wb_fix6(v - 1000000000 * hi);
	uint64_t y2 = (uint64_t)(uint32_t)y * 1000;
	uint64_t y3 = (uint64_t)(uint32_t)y2 * 1000;

	memcpy(o + 6, wb_dot3 + 4 * (y3 >> 32), 4);
	memcpy(o + 3, wb_dot3 + 4 * (y2 >> 32), 4);
	memcpy(o, wb_dot3 + 4 * (y >> 32), 4);
	*o = (char)('0' + hi);
	return o + 10;
}

/* v from 10^8 to 10^9 - 1 (most ISNs below 10^9): its nine digits,
 * inline, as wc_u64_long() writes them (wb_fix6()), the groups written
 * right to left,
 * each a wb_dot3 entry whose '.' the group left of it overwrites; the
 * first without its '.', at o. */
static inline char *
wc_nine(char *o, uint32_t v)
{
	uint64_t y = wb_fix6(v);
	uint64_t y2 = (uint64_t)(uint32_t)y * 1000;
	uint64_t y3 = (uint64_t)(uint32_t)y2 * 1000;

	memcpy(o + 5, wb_dot3 + 4 * (y3 >> 32), 4);
	memcpy(o + 2, wb_dot3 + 4 * (y2 >> 32), 4);
	memcpy(o, wb_dot3 + 4 * (y >> 32) + 1, 3);
	return o + 9;
}

/* v from 1000 to 9999 (an MSS): its four digits, inline; the last three
 * a wb_dot3 entry, its '.' overwritten by the first. */
static inline char *
wc_four(char *o, unsigned v)
{
	unsigned hi = v / 1000;

	memcpy(o, wb_dot3 + 4 * (v - 1000 * hi), 4);
	*o = (char)('0' + hi);
	return o + 4;
}

/*
 * A '.' and the six digits of the microseconds of ns (< 10^9 nanoseconds)
 * at o[0..7), with no division: the first six of its nine digits
 * (wb_fix6()). Each group is one 4-byte move of wb_dot3 (".000" ..
 * ".999"), the second's '.' then overwritten by the first group's last
 * digit.
 */
static inline char *
wc_frac6(char *o, uint32_t ns)
{
	uint64_t y = wb_fix6(ns);

	memcpy(o + 3, wb_dot3 + 4 * ((uint64_t)(uint32_t)y * 1000 >> 32), 4);
	memcpy(o, wb_dot3 + 4 * (y >> 32), 4);
	return o + 7;
}

/* Epoch seconds with six decimals ("1700000000.000100"); w keeps the
 * text of the last seconds. */
#define WC_TS_MAX 32
/* w->stext is moved in one register: the seconds it keeps are those of
 * an int64 of nanoseconds from 1970 on, at most 9,223,372,036 (10
 * digits), and the six decimals are written past them. */
#define WB_STEXT_MOVE 16
char *wc_ts_new(struct wbuf *w, char *o, int64_t ns);
static inline char *
wc_ts(struct wbuf *w, char *o, int64_t ns)
{
	/* The usual case, inline: seconds written a moment ago. */
	uint64_t f = (uint64_t)ns - w->sec_ns;

	if (ns >= 0 && w->slen && f < 1000000000) {
		memcpy(o, w->stext, WB_STEXT_MOVE);	/* room: WC_TS_MAX */
		return wc_frac6(o + w->slen, (uint32_t)f);
	}
	return wc_ts_new(w, o, ns);
}
/* Seconds with six decimals, signed ("-0.000100"). */
#define WB_DUR_MAX 28
size_t wb_fmt_dur(char b[WB_DUR_MAX], int64_t ns);
char *wc_dur_long(char *o, int64_t ns);
static inline char *
wc_dur(char *o, int64_t ns)
{
	if ((uint64_t)ns < 1000000000) {	/* most: inline, 0 to 1 s */
		*o = '0';
		return wc_frac6(o + 1, (uint32_t)ns);
	}
	return wc_dur_long(o, ns);
}
/* A name of ours, quoted (wb_qname()): its length + 2 bytes. A byte at a
 * time: names are short, and strlen() and a memcpy() of unknown length
 * were two calls, three times the instructions. */
static inline char *
wc_qname(char *o, const char *s)
{
	*o++ = '"';
	while (*s)
		*o++ = *s++;
	*o++ = '"';
	return o;
}
/* A name of ours quoted beforehand (wb_qname_make()), padded to be copied
 * at the cursor in one fixed-size move: wc_qname()'s strlen() and memcpy()
 * of unknown length were a tenth of a JSON record. The move is of the
 * whole struct, 16 bytes (one register), len too: what the writer
 * writes next overwrites what lies past the name. */
#define WC_QNAME_ROOM 16
struct wb_qname {
	char text[WC_QNAME_ROOM - 1];	/* "name", then zeros */
	uint8_t len;			/* of "name" */
};
void wb_qname_make(struct wb_qname *q, const char *s);
static inline char *
wc_qname_pre(char *o, const struct wb_qname *q)
{
	memcpy(o, q, sizeof(*q));	/* room: WC_QNAME_ROOM */
	return o + q->len;
}
/* An address as inet_ntop() writes it; inline, a call less for a
 * dotted quad that takes a few dozen instructions. */
#define WC_ADDR_MAX 48
static inline char *
wc_addr(char *o, uint8_t af, const uint8_t *addr)
{
	return o + decode_addr_fmt(af, addr, o);
}

static inline void
wb_u64(struct wbuf *w, uint64_t v)
{
	wb_reserve(w, WC_U64_MAX);
	wb_done(w, wc_u64(wb_at(w), v));
}

static inline void
wb_ts(struct wbuf *w, int64_t ns)
{
	wb_reserve(w, WC_TS_MAX);
	wb_done(w, wc_ts(w, wb_at(w), ns));
}

static inline void
wb_dur(struct wbuf *w, int64_t ns)
{
	wb_reserve(w, WB_DUR_MAX);
	wb_done(w, wc_dur(wb_at(w), ns));
}

/* A name of ours (an outcome, a state, an anomaly: [a-z_A-Z0-9]) quoted,
 * with no escaping to look for. */
static inline void
wb_qname(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	wb_reserve(w, n + 2);
	w->p[w->len] = '"';
	memcpy(w->p + w->len + 1, s, n);
	w->p[w->len + 1 + n] = '"';
	w->len += n + 2;
}

/* A JSON string: quoted, escaped; at most WC_JSON_STR_MAX(strlen(s))
 * bytes at the cursor. */
#define WC_JSON_STR_MAX(n) (6 * (n) + 2)
char *wc_json_str(char *o, const char *s);
void wb_json_str(struct wbuf *w, const char *s);
/* An address as inet_ntop() writes it (RFC 5952 for IPv6). */
static inline void
wb_addr(struct wbuf *w, uint8_t af, const uint8_t *addr)
{
	wb_reserve(w, WC_ADDR_MAX);
	wb_done(w, wc_addr(wb_at(w), af, addr));
}
void wb_printf(struct wbuf *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wb_vprintf(struct wbuf *w, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
