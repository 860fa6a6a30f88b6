/* check_seq.c - sequence arithmetic modulo 2^32 (RFC 9293 3.4, RFC 1982).
 *
 * a is "before" b when b - a, taken modulo 2^32, is in 1 .. 2^31 - 1
 * (the Linux before()/after() and pf SEQ_LT reading: the unsigned
 * difference read as a signed 32-bit number).  Expected values below are
 * those differences worked out by hand, around 0, 2^31 and 2^32.
 */
#include <check.h>
#include <stdlib.h>

#include "seq.h"

#define H 0x80000000u		/* 2^31 */

struct cmp_case {
	uint32_t a, b;
	int32_t diff;		/* a - b mod 2^32, as signed */
	bool lt, le, gt, ge;
};

static const struct cmp_case cmp_cases[] = {
	/* Equal values, anywhere on the circle. */
	{ 0, 0, 0, false, true, false, true },
	{ H, H, 0, false, true, false, true },
	{ 0xffffffffu, 0xffffffffu, 0, false, true, false, true },
	/* Plain small numbers. */
	{ 1, 2, -1, true, true, false, false },
	{ 2, 1, 1, false, false, true, true },
	/* Across 2^32: 0xfffffff0 is 32 before 0x10
	 * (0x10 - 0xfffffff0 = 0x10 + 0x10 = 0x20). */
	{ 0xfffffff0u, 0x10, -32, true, true, false, false },
	{ 0x10, 0xfffffff0u, 32, false, false, true, true },
	{ 0xffffffffu, 0, -1, true, true, false, false },
	{ 0, 0xffffffffu, 1, false, false, true, true },
	/* Around 2^31: 2^31 - 1 ahead is still "after"... */
	{ H - 1, 0, INT32_MAX, false, false, true, true },
	{ 0, H - 1, -INT32_MAX, true, true, false, false },
	/* ...2^31 + 1 ahead wraps to 2^31 - 1 behind. */
	{ H + 1, 0, -INT32_MAX, true, true, false, false },
	{ 0, H + 1, INT32_MAX, false, false, true, true },
	/* Across 2^31 itself (no wrap of the 32-bit value). */
	{ H - 1, H, -1, true, true, false, false },
	{ H, H - 1, 1, false, false, true, true },
	{ H - 0x10, H + 0x10, -32, true, true, false, false },
	/* Exactly 2^31 apart: RFC 1982 leaves it undefined; the signed
	 * reading gives INT32_MIN both ways, so each is "before" the other
	 * (as Linux before() does).  Never both lt and gt. */
	{ 0, H, INT32_MIN, true, true, false, false },
	{ H, 0, INT32_MIN, true, true, false, false },
	{ 0x12345678u, 0x92345678u, INT32_MIN, true, true, false, false },
};

START_TEST(test_cmp)
{
	const struct cmp_case *c = &cmp_cases[_i];

	ck_assert_int_eq(seq_diff(c->a, c->b), c->diff);
	ck_assert_int_eq(seq_lt(c->a, c->b), c->lt);
	ck_assert_int_eq(seq_le(c->a, c->b), c->le);
	ck_assert_int_eq(seq_gt(c->a, c->b), c->gt);
	ck_assert_int_eq(seq_ge(c->a, c->b), c->ge);
	/* Consistency: le == lt || eq, ge == gt || eq, never lt && gt. */
	ck_assert_int_eq(seq_le(c->a, c->b),
	    seq_lt(c->a, c->b) || c->a == c->b);
	ck_assert_int_eq(seq_ge(c->a, c->b),
	    seq_gt(c->a, c->b) || c->a == c->b);
	ck_assert(!(seq_lt(c->a, c->b) && seq_gt(c->a, c->b)));
}
END_TEST

struct range_case {
	uint32_t x, lo, hi;	/* lo <= x < hi ? */
	bool in;
};

static const struct range_case range_cases[] = {
	{ 5, 0, 10, true },
	{ 0, 0, 10, true },		/* left edge included */
	{ 10, 0, 10, false },		/* right edge excluded */
	{ 9, 0, 10, true },
	{ 0xffffffffu, 0, 10, false },	/* one before the left edge */
	/* Window across 2^32: [0xfffffff0, 0x10) holds 32 numbers. */
	{ 0xfffffff0u, 0xfffffff0u, 0x10, true },
	{ 0xffffffffu, 0xfffffff0u, 0x10, true },
	{ 0, 0xfffffff0u, 0x10, true },
	{ 0xf, 0xfffffff0u, 0x10, true },
	{ 0x10, 0xfffffff0u, 0x10, false },
	{ 0xffffffefu, 0xfffffff0u, 0x10, false },
	{ H, 0xfffffff0u, 0x10, false },
	/* Window across 2^31. */
	{ H, H - 1, H + 1, true },
	{ H + 1, H - 1, H + 1, false },
	{ H - 2, H - 1, H + 1, false },
	/* Empty window: nothing is in it. */
	{ 7, 7, 7, false },
	{ 0, 0, 0, false },
	/* A window of 2^32 - 1 numbers excludes only hi itself. */
	{ 0xfffffffeu, 0, 0xffffffffu, true },
	{ 0xffffffffu, 0, 0xffffffffu, false },
	/* Wider than 2^31 still works: [0, 0xc0000000). */
	{ 0xbfffffffu, 0, 0xc0000000u, true },
	{ 0xc0000000u, 0, 0xc0000000u, false },
};

START_TEST(test_in_range)
{
	const struct range_case *c = &range_cases[_i];

	ck_assert_msg(seq_in_range(c->x, c->lo, c->hi) == c->in,
	    "seq_in_range(%#x, %#x, %#x) should be %d", c->x, c->lo, c->hi,
	    c->in);
}
END_TEST

struct max_case {
	uint32_t a, b, max;
};

static const struct max_case max_cases[] = {
	{ 1, 2, 2 },
	{ 2, 1, 2 },
	{ 5, 5, 5 },
	{ 0xfffffff0u, 0x10, 0x10 },	/* 0x10 is 32 after */
	{ 0x10, 0xfffffff0u, 0x10 },
	{ 0xffffffffu, 0, 0 },
	{ H - 1, H, H },
	{ 0, H - 1, H - 1 },
	{ 0, H + 1, 0 },		/* H + 1 is 2^31 - 1 before 0 */
};

START_TEST(test_max)
{
	const struct max_case *c = &max_cases[_i];

	ck_assert_uint_eq(seq_max(c->a, c->b), c->max);
}
END_TEST

/* Walking the whole circle in big steps: x + d is after x for every
 * 1 <= d < 2^31, and before it for 2^31 < d < 2^32. */
START_TEST(test_walk)
{
	static const uint32_t d_after[] = { 1, 2, 1000, 0x7fffffffu };
	static const uint32_t d_before[] = { 0x80000001u, 0xfffffff0u,
					     0xffffffffu };
	uint32_t x = 0;

	for (int i = 0; i < 64; i++, x += 0x04000001u) {
		for (size_t k = 0; k < sizeof(d_after) / sizeof(*d_after); k++) {
			uint32_t y = x + d_after[k];
			ck_assert(seq_gt(y, x) && seq_lt(x, y));
			ck_assert_int_eq(seq_diff(y, x), (int32_t)d_after[k]);
			ck_assert(seq_in_range(x, x, y));
			ck_assert(!seq_in_range(y, x, y));
		}
		for (size_t k = 0; k < sizeof(d_before) / sizeof(*d_before);
		    k++) {
			uint32_t y = x + d_before[k];
			ck_assert(seq_lt(y, x) && seq_gt(x, y));
		}
	}
}
END_TEST

static Suite *
seq_suite(void)
{
	Suite *s = suite_create("seq");
	TCase *tc = tcase_create("mod32");

	tcase_add_loop_test(tc, test_cmp, 0,
	    (int)(sizeof(cmp_cases) / sizeof(cmp_cases[0])));
	tcase_add_loop_test(tc, test_in_range, 0,
	    (int)(sizeof(range_cases) / sizeof(range_cases[0])));
	tcase_add_loop_test(tc, test_max, 0,
	    (int)(sizeof(max_cases) / sizeof(max_cases[0])));
	tcase_add_test(tc, test_walk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(seq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
