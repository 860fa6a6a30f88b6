/* check_report.c - the writers' formatters without printf, against the
 * libc calls they replace.
 *
 * report_wall() must write what gmtime_r() + strftime("%Y-%m-%d %H:%M:%S")
 * + ".%06d" wrote, and report_delta_at() what printf's "%+.3f ms" (or "%+.3f
 * s" from 1000 ms on) wrote. The fixed cases were worked out by hand (and
 * checked with `date -u -d @S`); the random ones compare with libc itself
 * over the whole range of int64 nanoseconds. The JSON writer's numbers
 * (wbuf.h) against printf and hand-worked values.
 */
#include <check.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "wbuf.h"

static const char *
wall_str(int64_t ns, char out[REPORT_WALL_LEN + 1])
{
	report_wall(out, ns);
	out[REPORT_WALL_LEN] = '\0';
	return out;
}

/* What synfin wrote before report_wall(): libc. */
static const char *
wall_libc(int64_t ns, char out[64])
{
	time_t s = (time_t)(ns / 1000000000);
	int64_t us = (ns % 1000000000) / 1000;
	struct tm tm;

	if (us < 0) {
		us += 1000000;
		s--;
	}
	ck_assert_ptr_nonnull(gmtime_r(&s, &tm));
	size_t n = strftime(out, 64, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 64 - n, ".%06" PRId64, us);
	return out;
}

START_TEST(test_wall_fixed)
{
	static const struct { int64_t ns; const char *want; } cases[] = {
		{ 0, "1970-01-01 00:00:00.000000" },
		/* under a microsecond before 1970: cut toward zero, as the
		 * "%06" of (ns % 10^9) / 1000 was */
		{ -1, "1970-01-01 00:00:00.000000" },
		{ -1000, "1969-12-31 23:59:59.999999" },
		{ INT64_C(1700000000001792000), "2023-11-14 22:13:20.001792" },
		/* a leap day; 2100 is not a leap year */
		{ INT64_C(951782400) * 1000000000, "2000-02-29 00:00:00.000000" },
		{ INT64_C(4107542400) * 1000000000 - 1000,
		  "2100-02-28 23:59:59.999999" },
		{ INT64_C(4107542400) * 1000000000, "2100-03-01 00:00:00.000000" },
		/* the ends of int64 nanoseconds */
		{ INT64_MAX, "2262-04-11 23:47:16.854775" },
		{ INT64_MIN, "1677-09-21 00:12:43.145225" },
	};
	char b[REPORT_WALL_LEN + 1], l[64];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		ck_assert_str_eq(wall_str(cases[i].ns, b), cases[i].want);
		ck_assert_str_eq(wall_libc(cases[i].ns, l), cases[i].want);
	}
}
END_TEST

START_TEST(test_wall_random)
{
	GRand *g = g_rand_new_with_seed(7);
	char b[REPORT_WALL_LEN + 1], l[64];

	for (int i = 0; i < 200000; i++) {
		uint64_t u = (uint64_t)g_rand_int(g) << 32 | g_rand_int(g);
		int64_t ns;
		switch (i % 4) {
		case 0: memcpy(&ns, &u, 8); break;	/* anywhere */
		case 1: ns = (int64_t)(u % (UINT64_C(1) << 61)); break;
		case 2: ns = -(int64_t)(u % (UINT64_C(1) << 40)); break;
		default:	/* days' and years' edges */
			ns = ((int64_t)(u % 200000) - 100000) * 86400 *
			    INT64_C(1000000000) + (int64_t)(u >> 40 & 3) - 2;
		}
		ck_assert_str_eq(wall_str(ns, b), wall_libc(ns, l));
	}
	g_rand_free(g);
}
END_TEST

/* report_wall_at() writes what report_wall() does, whichever of its two
 * seconds kept a time falls in or misses: times a moment apart, 2MSL
 * apart, across a second's edge, before 1970 and at int64's ends. */
START_TEST(test_wall_at)
{
	GRand *g = g_rand_new_with_seed(11);
	struct wbuf w = { 0 };
	char b[REPORT_WALL_LEN + 1], at[REPORT_WALL_LEN + 1];
	/* each a nanosecond before a second, or at int64's ends */
	int64_t base[] = { INT64_C(1700000000) * 1000000000 - 1, -1500000001,
	    -1, INT64_MIN, INT64_MAX - 64 * INT64_C(1000000000) };

	for (int i = 0; i < 200000; i++) {
		int64_t t = base[i / 40000] + (int64_t)(g_rand_int(g) %
		    3000000000u);
		if (g_rand_boolean(g))
			t += 60 * INT64_C(1000000000);	/* TIME_WAIT's end */
		if (i % 1000 == 0)
			t = base[i / 40000] + (int64_t)(g_rand_int(g) % 3);
		char *e = report_wall_at(&w, at, t);
		ck_assert_int_eq(e - at, REPORT_WALL_LEN);
		*e = '\0';
		ck_assert_str_eq(at, wall_str(t, b));
	}
	g_rand_free(g);
}
END_TEST

static const char *
delta_str(int64_t d, char out[REPORT_DELTA_MAX + 1])
{
	*report_delta_at(out, 0, d) = '\0';
	return out;
}

/* What synfin wrote before report_delta_at(): printf. */
static const char *
delta_libc(int64_t d, char out[64])
{
	double ms = (double)d / 1e6;

	if (ms < 1000)
		snprintf(out, 64, "%+.3f ms", ms);
	else
		snprintf(out, 64, "%+.3f s", ms / 1000);
	return out;
}

START_TEST(test_delta_fixed)
{
	static const struct { int64_t d; const char *want; } cases[] = {
		{ 0, "+0.000 ms" },
		{ 52000, "+0.052 ms" },
		{ 499, "+0.000 ms" },
		{ 501, "+0.001 ms" },
		/* negative, even when it rounds to zero: printf keeps the sign */
		{ -499, "-0.000 ms" },
		{ -2345678, "-2.346 ms" },
		/* 999.999999 ms rounds up and stays in ms */
		{ 999999999, "+1000.000 ms" },
		{ 1000000000, "+1.000 s" },
		{ INT64_C(61500000000), "+61.500 s" },
		/* a tie (0.0015 ms): the double is a hair above it */
		{ 1500, "+0.002 ms" },
	};
	char b[REPORT_DELTA_MAX + 1], l[64];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		ck_assert_str_eq(delta_str(cases[i].d, b), cases[i].want);
		ck_assert_str_eq(delta_libc(cases[i].d, l), cases[i].want);
	}
}
END_TEST

START_TEST(test_delta_random)
{
	GRand *g = g_rand_new_with_seed(11);
	char b[REPORT_DELTA_MAX + 1], l[64];

	for (int i = 0; i < 300000; i++) {
		uint64_t u = (uint64_t)g_rand_int(g) << 32 | g_rand_int(g);
		int bits = 1 + (int)(u % 63);
		int64_t d = (int64_t)(u >> 1 & ((UINT64_C(1) << bits) - 1));
		if (u & 1)
			d = -d;
		if (i % 5 == 0)		/* ties, and their neighbours */
			d = d / 1000 * 1000 + 500 * (d < 0 ? -1 : 1) +
			    (int64_t)(u >> 7 & 3) - 1;
		ck_assert_str_eq(delta_str(d, b), delta_libc(d, l));
	}
	g_rand_free(g);
}
END_TEST

/* wc_u64() against printf's "%" PRIu64: each power of ten and its
 * neighbours (where the digit count changes), the ends, random values. */
START_TEST(test_u64)
{
	GRand *g = g_rand_new_with_seed(13);
	char b[WC_U64_MAX + 1], l[32];
	uint64_t p = 1;

	for (int k = 0; k <= 20; k++) {
		uint64_t v[3] = { p - 1, p, p + 1 };
		for (int i = 0; i < 3; i++) {
			*wc_u64(b, v[i]) = '\0';
			snprintf(l, sizeof(l), "%" PRIu64, v[i]);
			ck_assert_str_eq(b, l);
		}
		if (k < 19)
			p *= 10;
		else
			p = UINT64_MAX - 1;	/* then UINT64_MAX */
	}
	for (int i = 0; i < 100000; i++) {
		uint64_t v = ((uint64_t)g_rand_int(g) << 32 | g_rand_int(g)) >>
		    (i % 64);
		*wc_u64(b, v) = '\0';
		snprintf(l, sizeof(l), "%" PRIu64, v);
		ck_assert_str_eq(b, l);
	}
	g_rand_free(g);
}
END_TEST

/* wc_u64() in 32 bits, where it counts the digits with comparisons and
 * writes them from the left: every power of ten and two either side,
 * the top, and a million random values of every length. (All 2^32 were
 * compared with a plain loop when it was written.) */
START_TEST(test_u32)
{
	GRand *g = g_rand_new_with_seed(17);
	char b[WC_U64_MAX + 1], l[32];
	uint64_t p = 1;

	for (int k = 0; k <= 10; k++, p *= 10)
		for (int64_t d = -2; d <= 2; d++) {
			uint64_t v = p + (uint64_t)d;
			if ((int64_t)p + d < 0 || v > UINT32_MAX)
				continue;
			*wc_u64(b, v) = '\0';
			snprintf(l, sizeof(l), "%" PRIu64, v);
			ck_assert_str_eq(b, l);
		}
	for (uint64_t v = UINT32_MAX - 2; v <= UINT32_MAX; v++) {
		*wc_u64(b, v) = '\0';
		snprintf(l, sizeof(l), "%" PRIu64, v);
		ck_assert_str_eq(b, l);
	}
	for (int i = 0; i < 1000000; i++) {
		uint32_t v = g_rand_int(g) >> (i % 32);
		*wc_u64(b, v) = '\0';
		snprintf(l, sizeof(l), "%" PRIu32, v);
		ck_assert_str_eq(b, l);
	}
	g_rand_free(g);
}
END_TEST

/* wb_ts() and wb_dur(): seconds and microseconds, the seconds' text
 * reused while they stay the same and redone when they change. */
START_TEST(test_ts_dur)
{
	static const struct { int64_t ns; const char *ts, *dur; } cases[] = {
		{ INT64_C(1700000000001792000), "1700000000.001792",
		  "1700000000.001792" },
		{ INT64_C(1700000000999999999), "1700000000.999999",
		  "1700000000.999999" },
		{ INT64_C(1700000001000000000), "1700000001.000000",
		  "1700000001.000000" },
		{ INT64_C(999), "0.000000", "0.000000" },
		{ INT64_C(-1000), "-1.999999", "-0.000001" },
		{ INT64_MAX, "9223372036.854775", "9223372036.854775" },
		{ INT64_MIN, "-9223372037.145224", "-9223372036.854775" },
		{ INT64_C(1700000000000100000), "1700000000.000100",
		  "1700000000.000100" },
	};
	struct wbuf w = { 0 };

	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
			w.len = 0;
			wb_ts(&w, cases[i].ns);
			wb_putc(&w, '\0');
			ck_assert_str_eq(w.p, cases[i].ts);
			w.len = 0;
			wb_dur(&w, cases[i].ns);
			wb_putc(&w, '\0');
			ck_assert_str_eq(w.p, cases[i].dur);
		}
	wb_free(&w);
}
END_TEST

/* An empty string into a buffer not yet allocated writes nothing and
 * allocates nothing: no memcpy() to NULL + 0, which is undefined (the
 * text report's first field is its colour, "" off a terminal; found by
 * fuzz_pipeline under clang's UBSan, corpus crash-text-empty-put-null). */
START_TEST(test_put_empty)
{
	struct wbuf w = { 0 };

	wb_puts(&w, "");
	WB_LIT(&w, "");
	ck_assert_ptr_null(w.p);
	ck_assert_uint_eq(w.len, 0);
	wb_puts(&w, "x");
	ck_assert_ptr_nonnull(w.p);
	ck_assert_uint_eq(w.len, 1);
	wb_free(&w);
}
END_TEST

/* wb_printf() against snprintf(): the conversions it formats itself (%s,
 * %u, %d, PRIu64, a '-' flag, a width of digits or '*', negative too,
 * %%), short and long pieces and paddings, and forms it leaves to
 * vsnprintf(). */
#define PF_EQ(w, ...) do {						\
	char ref_[512];							\
	int n_ = snprintf(ref_, sizeof(ref_), __VA_ARGS__);		\
	(w)->len = 0;							\
	wb_printf((w), __VA_ARGS__);					\
	ck_assert_uint_eq((w)->len, (size_t)n_);			\
	ck_assert_mem_eq((w)->p, ref_, (size_t)n_);			\
} while (0)

START_TEST(test_printf)
{
	static const char *const strs[] = {
		"", "a", "ab", "abcd", "TIME_WAIT", "ESTABLISHED12345",
		"ESTABLISHED123456", "a string of forty bytes, more or less..",
	};
	static const int widths[] = { -40, -5, -1, 0, 1, 3, 12, 17, 33 };
	static const uint64_t us[] = {
		0, 9, 10, 999, 1000, 123456, 4294967295u, UINT64_MAX,
	};
	static const int ds[] = { 0, -1, 7, INT32_MIN, INT32_MAX, -1234 };
	struct wbuf w = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(strs); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(widths); j++) {
			PF_EQ(&w, "x%*sy", widths[j], strs[i]);
			PF_EQ(&w, "%-*s|", widths[j], strs[i]);
		}
		PF_EQ(&w, "%-12s|%10s|%6s|%s%s\n", strs[i], strs[i], strs[i],
		    strs[i], "z");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(us); i++) {
		PF_EQ(&w, "    %6" PRIu64 " %10s  %-12s %-*s %s\n", us[i],
		    "0.000100", "SYN_SENT", 17, "-->", "LISTEN");
		PF_EQ(&w, "%u|%6u|%-6u|%20" PRIu64 "|%-21" PRIu64 "|%llu",
		    (unsigned)us[i], (unsigned)us[i], (unsigned)us[i], us[i],
		    us[i], (unsigned long long)us[i]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(ds); i++)
		PF_EQ(&w, "%d|%5d|%-5d|%12d|%%|100%%", ds[i], ds[i], ds[i],
		    ds[i]);
	PF_EQ(&w, "%g s %05u %.3s %x %c %zu %+d", 1.5, 7u, "abcdef", 255u,
	    'q', (size_t)3, 4);
	PF_EQ(&w, "a literal piece longer than sixteen bytes, %s, and a "
	    "long tail after it", "mid");
	PF_EQ(&w, "%s", "");
	wb_free(&w);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("formatters");

	tcase_add_test(tc, test_wall_fixed);
	tcase_add_test(tc, test_wall_random);
	tcase_add_test(tc, test_wall_at);
	tcase_add_test(tc, test_delta_fixed);
	tcase_add_test(tc, test_delta_random);
	tcase_add_test(tc, test_u64);
	tcase_add_test(tc, test_u32);
	tcase_add_test(tc, test_ts_dur);
	tcase_add_test(tc, test_put_empty);
	tcase_add_test(tc, test_printf);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
