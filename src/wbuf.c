/* wbuf.c - the output buffer's growth and its number formatters. */
#include "config.h"

#include "wbuf.h"

#include <glib.h>
#include <stdio.h>

#include "decode.h"

G_STATIC_ASSERT(WC_ADDR_MAX >= DECODE_ADDR_MAX);	/* wc_addr() */
G_STATIC_ASSERT(sizeof(struct wb_qname) == WC_QNAME_ROOM);	/* wc_qname_pre() */

void
wb_grow(struct wbuf *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 4096;

	while (cap - w->len < need)
		cap *= 2;
	w->p = g_realloc(w->p, cap);
	w->cap = cap;
}

void
wb_free(struct wbuf *w)
{
	g_free(w->p);
	w->p = NULL;
	w->len = w->cap = 0;
}

const char wb_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

#define WB_DOT3(a, b, c)	'.', a, b, c
#define WB_DOT3_10(a, b)	WB_DOT3(a, b, '0'), WB_DOT3(a, b, '1'), \
	WB_DOT3(a, b, '2'), WB_DOT3(a, b, '3'), WB_DOT3(a, b, '4'), \
	WB_DOT3(a, b, '5'), WB_DOT3(a, b, '6'), WB_DOT3(a, b, '7'), \
	WB_DOT3(a, b, '8'), WB_DOT3(a, b, '9')
#define WB_DOT3_100(a)	WB_DOT3_10(a, '0'), WB_DOT3_10(a, '1'), \
	WB_DOT3_10(a, '2'), WB_DOT3_10(a, '3'), WB_DOT3_10(a, '4'), \
	WB_DOT3_10(a, '5'), WB_DOT3_10(a, '6'), WB_DOT3_10(a, '7'), \
	WB_DOT3_10(a, '8'), WB_DOT3_10(a, '9')
const char wb_dot3[4000] = {
	WB_DOT3_100('0'), WB_DOT3_100('1'), WB_DOT3_100('2'),
	WB_DOT3_100('3'), WB_DOT3_100('4'), WB_DOT3_100('5'),
	WB_DOT3_100('6'), WB_DOT3_100('7'), WB_DOT3_100('8'),
	WB_DOT3_100('9'),
};

/* The number of decimal digits of v (> 0): its bit length times
 * log10(2) (about 1233 / 4096) is the number of digits or one more
 * (Bit Twiddling Hacks, "integer log base 10"), without a division. */
static unsigned
decimal_len(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000, 10000000000, 100000000000,
		1000000000000, 10000000000000, 100000000000000,
		1000000000000000, 10000000000000000, 100000000000000000,
		1000000000000000000u, 10000000000000000000u,
	};
	unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;

	return t + 1 - (v < pow10[t]);
}

/* x (< 1000) as three digits at o[0..3): its wb_dot3 entry but the '.'. */
static inline void
three(char *o, unsigned x)
{
	memcpy(o, wb_dot3 + 4 * x + 1, 3);
}

/* x (< 1000) as three digits at o[0..3) and a '.' at o[-1], in one move:
 * a group right of another, written before it, which overwrites the '.'
 * with its last digit. */
static inline void
dot3(char *o, unsigned x)
{
	memcpy(o - 1, wb_dot3 + 4 * x, 4);
}

/* x (from 1 to 999) without leading zeros at o[0..n), n its digit count;
 * written after the groups right of it, over the '.' of the first. */
static inline void
lead3(char *o, unsigned x, unsigned n)
{
	if (n == 1)
		*o = (char)('0' + x);
	else if (n == 2)
		memcpy(o, wb_pairs + 2 * x, 2);
	else
		three(o, x);
}

char *
wc_u64_long(char *o, uint64_t v)
{
	/* In 32 bits, from the left: the digit count is a few comparisons
	 * (from wc_u64(), which writes those below 100000 inline: 6 to 8
	 * digits; ISNs, sequence numbers, epoch seconds: 9 or 10), then
	 * groups of three digits (dot3(), right to left) and the one to
	 * three digits left of them (lead3()). Below 10^6 one division by
	 * 1000 makes the two parts; below 10^9, y / 2^32 is x / 10^6 in
	 * fixed point (wb_fix6()), its integer part the lead and its
	 * fraction times 1000 twice the groups.
	 * All 2^32 were compared with printf when it was written. Two
	 * digits a step and a division each four took 39 Ir a number on
	 * average in the JSON report. */
	if (v < 1000000) {
		unsigned x = (unsigned)v;

		if (x < 1000) {
			three(o, x);
			return o + 3;
		}
		/* each length its own branch: n a constant in each */
		unsigned hi = x / 1000;
		if (x < 10000) {
			dot3(o + 1, x - 1000 * hi);
			lead3(o, hi, 1);
			return o + 4;
		}
		if (x < 100000) {
			dot3(o + 2, x - 1000 * hi);
			lead3(o, hi, 2);
			return o + 5;
		}
		dot3(o + 3, x - 1000 * hi);
		lead3(o, hi, 3);
		return o + 6;
	}
	if (v < 1000000000) {
		uint64_t y = wb_fix6((uint32_t)v);
		unsigned hi = (unsigned)(y >> 32);
		unsigned n = 1 + (hi >= 10) + (hi >= 100);

		y = (uint64_t)(uint32_t)y * 1000;
		unsigned mid = (unsigned)(y >> 32);
		y = (uint64_t)(uint32_t)y * 1000;
		dot3(o + n + 3, (unsigned)(y >> 32));
		dot3(o + n, mid);
		lead3(o, hi, n);
		return o + n + 6;
	}
	if (v <= UINT32_MAX) {
		unsigned x = (unsigned)v, hi = x / 1000000000;
		uint64_t y = wb_fix6(x - 1000000000 * hi);
		unsigned top = (unsigned)(y >> 32);

		y = (uint64_t)(uint32_t)y * 1000;
		unsigned mid = (unsigned)(y >> 32);
		y = (uint64_t)(uint32_t)y * 1000;
		dot3(o + 7, (unsigned)(y >> 32));
		dot3(o + 4, mid);
		dot3(o + 1, top);
		*o = (char)('0' + hi);
		return o + 10;
	}

	char *e = o + decimal_len(v), *p = e;

	/* From the right: in 64 bits two digits at a time while v needs
	 * them (rare), then four digits a division in 32 bits (a 64-bit
	 * division by a constant is twice the instructions). */
	for (; v > UINT32_MAX; v /= 100) {
		p -= 2;
		memcpy(p, wb_pairs + 2 * (v % 100), 2);
	}
	uint32_t x = (uint32_t)v;
	for (; x >= 10000; x /= 10000) {
		unsigned r = x % 10000, hi = r / 100;
		p -= 4;
		memcpy(p, wb_pairs + 2 * hi, 2);
		memcpy(p + 2, wb_pairs + 2 * (r - 100 * hi), 2);
	}
	if (x >= 100) {
		p -= 2;
		memcpy(p, wb_pairs + 2 * (x % 100), 2);
		x /= 100;
	}
	if (x >= 10)
		memcpy(p - 2, wb_pairs + 2 * x, 2);
	else
		p[-1] = (char)('0' + x);
	return e;
}

char *
wc_ts_new(struct wbuf *w, char *o, int64_t ns)
{
	int64_t s = ns / 1000000000, f = ns % 1000000000;

	if (f < 0) {
		f += 1000000000;
		s--;
	}
	if (s < 0) {	/* before 1970: not from a capture; as printf */
		int n = snprintf(o, WC_TS_MAX, "%" G_GINT64_FORMAT ".%06"
		    G_GINT64_FORMAT, s, f / 1000);
		return o + (n > 0 ? n : 0);
	}
	if (w->slen == 0 || w->sec_ns != (uint64_t)s * 1000000000) {
		G_STATIC_ASSERT(sizeof(w->stext) >= WC_U64_MAX);
		G_STATIC_ASSERT(sizeof(w->stext) >= WB_STEXT_MOVE);
		w->slen = (uint8_t)(wc_u64(w->stext, (uint64_t)s) - w->stext);
		w->sec_ns = (uint64_t)s * 1000000000;
	}
	memcpy(o, w->stext, WB_STEXT_MOVE);	/* room: WC_TS_MAX */
	return wc_frac6(o + w->slen, (uint32_t)f);
}

/* wc_dur() but its inline case */
char *
wc_dur_long(char *o, int64_t ns)
{
	uint64_t u = (uint64_t)ns;

	if (ns < 0) {
		*o++ = '-';
		u = -u;		/* modulo 2^64: INT64_MIN's 2^63 too */
	}
	if (u < 1000000000) {	/* most: no division by 10^9 */
		*o = '0';
		return wc_frac6(o + 1, (uint32_t)u);
	}
	o = wc_u64(o, u / 1000000000);
	return wc_frac6(o, (uint32_t)(u % 1000000000));
}

size_t
wb_fmt_dur(char b[WB_DUR_MAX], int64_t ns)
{
	return (size_t)(wc_dur(b, ns) - b);
}

void
wb_qname_make(struct wb_qname *q, const char *s)
{
	size_t n = strlen(s);

	g_assert(n + 2 <= sizeof(q->text));
	memset(q->text, 0, sizeof(q->text));
	wc_qname(q->text, s);
	q->len = (uint8_t)(n + 2);
}

/* What a byte of a JSON string becomes (RFC 8259 7): 0 itself; else a
 * backslash and this letter, 'u' meaning \u00XX (NUL ends the string).
 * Bytes from 0x80 pass: UTF-8 as it came. */
static const char json_esc[256] = {
	[0x00 ... 0x08] = 'u', ['\t'] = 't', ['\n'] = 'n',
	[0x0b ... 0x0c] = 'u', ['\r'] = 'r', [0x0e ... 0x1f] = 'u',
	['"'] = '"', ['\\'] = '\\', [0x7f] = 'u',
};

char *
wc_json_str(char *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	*o++ = '"';
	for (;; p++) {
		/* the run of bytes that need no escape, one table look each */
		while (!json_esc[*p])
			*o++ = (char)*p++;
		if (!*p)
			break;
		*o++ = '\\';
		*o = json_esc[*p];
		if (*o++ == 'u') {
			o[0] = '0';
			o[1] = '0';
			o[2] = hex[*p >> 4];
			o[3] = hex[*p & 15];
			o += 4;
		}
	}
	*o++ = '"';
	return o;
}

void
wb_json_str(struct wbuf *w, const char *s)
{
	wb_reserve(w, WC_JSON_STR_MAX(strlen(s)));
	wb_done(w, wc_json_str(wb_at(w), s));
}

/* n bytes of s at o, for the short pieces of a format: moves of 8, 4, 2
 * or 1 bytes (two of them, overlapping, inside both), not a call. */
static inline char *
put_short(char *o, const char *s, size_t n)
{
	if (n >= 8) {
		if (n > 16) {
			memcpy(o, s, n);
			return o + n;
		}
		memcpy(o, s, 8);
		memcpy(o + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(o, s, 4);
		memcpy(o + n - 4, s + n - 4, 4);
	} else if (n >= 2) {
		memcpy(o, s, 2);
		memcpy(o + n - 2, s + n - 2, 2);
	} else if (n) {
		*o = *s;
	}
	return o + n;
}

/* n spaces at o (a printf width's padding), 16 at a time: up to 15 past
 * them written too, room the caller reserved. */
static inline char *
put_spaces(char *o, size_t n)
{
	char *e = o + n;

	for (; o < e; o += 16)
		memcpy(o, "                ", 16);
	return e;
}

/*
 * The conversions the writers' formats use, without vsnprintf()'s
 * machinery (it was a quarter of a text --ladder run): text, "%%", and
 * %s, %u, %d, %lu, %llu (PRIu64) with an optional '-' flag and a width
 * of digits or '*'. Anything else (another flag, a precision, another
 * conversion, a NULL string) returns false with w as it was, ap then
 * spent: the caller formats from a copy and falls back to vsnprintf().
 * Output as printf's: a string's bytes, no leading zeros, a '-' before
 * a negative number, spaces to the width on the left, or on the right
 * with '-' (or a negative '*'). Each piece (the text up to a conversion
 * and what it converts) is written at a cursor into room reserved once.
 */
static bool
wb_vprintf_fast(struct wbuf *w, const char *fmt, va_list ap)
{
	size_t start = w->len;
	const char *f = fmt;

	for (;;) {
		const char *t = f;
		while (*t && *t != '%')
			t++;
		size_t lit = (size_t)(t - f);
		if (!*t) {
			wb_reserve(w, lit + 16);
			wb_done(w, put_short(wb_at(w), f, lit));
			return true;
		}
		const char *c = t + 1;

		bool left = false;
		size_t width = 0;
		if (*c == '-') {
			left = true;
			c++;
		}
		if (*c == '*') {
			int v = va_arg(ap, int);
			if (v < 0) {
				if (v < -65536)
					goto slow;
				left = true;
				v = -v;
			}
			width = (size_t)v;
			c++;
		} else if (*c != '0') {	/* '0' is a flag: not ours */
			for (; *c >= '0' && *c <= '9'; c++) {
				width = 10 * width + (size_t)(*c - '0');
				if (width > 65536)
					goto slow;
			}
		}

		char num[WC_U64_MAX + 1];
		const char *s = num;
		size_t n;
		switch (*c) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				goto slow;	/* glibc's "(null)" */
			n = strlen(s);
			break;
		case 'u':
			n = (size_t)(wc_u64(num, va_arg(ap, unsigned)) - num);
			break;
		case 'd': {
			int v = va_arg(ap, int);
			char *o = num;
			uint64_t u = (uint64_t)(int64_t)v;
			if (v < 0) {
				*o++ = '-';
				u = -u;
			}
			n = (size_t)(wc_u64(o, u) - num);
			break;
		}
		case 'l':
			if (c[1] == 'u') {
				c++;
				n = (size_t)(wc_u64(num, va_arg(ap, unsigned long)) -
				    num);
			} else if (c[1] == 'l' && c[2] == 'u') {
				c += 2;
				n = (size_t)(wc_u64(num,
				    va_arg(ap, unsigned long long)) - num);
			} else {
				goto slow;
			}
			break;
		case '%':
			if (c != t + 1)
				goto slow;	/* a flag or a width: not ours */
			s = "%";
			n = 1;
			break;
		default:
			goto slow;
		}
		f = c + 1;
		size_t pad = width > n ? width - n : 0;
		wb_reserve(w, lit + n + pad + 16);
		char *o = put_short(wb_at(w), t - lit, lit);
		if (!left)
			o = put_spaces(o, pad);
		o = put_short(o, s, n);
		if (left)
			o = put_spaces(o, pad);
		wb_done(w, o);
	}
slow:
	w->len = start;
	return false;
}

void
wb_vprintf(struct wbuf *w, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	bool done = wb_vprintf_fast(w, fmt, aq);
	va_end(aq);
	if (done)
		return;
	va_copy(aq, ap);
	n = vsnprintf(w->p ? w->p + w->len : NULL, w->cap - w->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= w->cap - w->len) {
		wb_reserve(w, (size_t)n + 1);
		vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	}
	w->len += (size_t)n;
}

void
wb_printf(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wb_vprintf(w, fmt, ap);
	va_end(ap);
}
