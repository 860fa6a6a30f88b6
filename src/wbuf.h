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
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wbuf {
	char *p;
	size_t len, cap;
	/* wb_ts()'s last seconds, as text: a record's times mostly share
	 * them (slen 0: none yet). */
	uint64_t sec;
	uint8_t slen;
	char stext[20];
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

void wb_u64(struct wbuf *w, uint64_t v);
/* Epoch seconds with six decimals ("1700000000.000100"). */
void wb_ts(struct wbuf *w, int64_t ns);
/* Seconds with six decimals, signed ("-0.000100"). */
void wb_dur(struct wbuf *w, int64_t ns);
/* The same into b, not terminated; its length. */
#define WB_DUR_MAX 28
size_t wb_fmt_dur(char b[WB_DUR_MAX], int64_t ns);
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

/* A JSON string: quoted, escaped. */
void wb_json_str(struct wbuf *w, const char *s);
/* An address as inet_ntop() writes it (RFC 5952 for IPv6). */
void wb_addr(struct wbuf *w, uint8_t af, const uint8_t *addr);
void wb_printf(struct wbuf *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wb_vprintf(struct wbuf *w, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
