/* check_rd.c - the bounded reader (rd.h) at every length, 0..N bytes left.
 *
 * Each reader is run against a buffer of exactly `left` bytes, allocated on
 * its own (so an ASan build catches a read one past the end), for every
 * `left` from 0 to a few bytes more than the read needs.  A read that fits
 * returns the big-endian value of the bytes (computed here by hand from the
 * fill pattern) and consumes exactly its width; a read that does not fit
 * returns 0, consumes nothing and sets the sticky error, after which every
 * later read fails too (STYLE.md "Reading untrusted bytes" rule 1).
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "rd.h"

#define SWEEP 8			/* left = 0..SWEEP */

/* The pattern byte at offset i: 0x11, 0x22, ... 0x88 (never 0, so a
 * returned 0 cannot be mistaken for data). */
static uint8_t
pat(size_t i)
{
	return (uint8_t)(0x11 * (i + 1));
}

/* Exactly n bytes of the pattern, alone in their allocation. */
static uint8_t *
exact_buf(size_t n)
{
	uint8_t *b = malloc(n);	/* malloc(0): ASan flags any access */

	ck_assert(n == 0 || b != NULL);
	for (size_t i = 0; i < n; i++)
		b[i] = pat(i);
	return b;
}

/* After a failed read: nothing consumed, error set, and sticky. */
static void
assert_failed(struct rd *r, const uint8_t *p0, size_t left0)
{
	ck_assert(r->err);
	ck_assert_ptr_eq(r->p, p0);
	ck_assert_uint_eq(r->left, left0);
	/* Sticky: even a 0-byte skip fails now, and a 1-byte read fails
	 * whether or not a byte is left. */
	rd_skip(r, 0);
	ck_assert_ptr_eq(r->p, p0);
	ck_assert_uint_eq(rd_u8(r), 0);
	ck_assert(r->err);
	ck_assert_ptr_eq(r->p, p0);
	ck_assert_uint_eq(r->left, left0);
	ck_assert(!rd_has(r, 0));
}

/* After a successful read of w bytes. */
static void
assert_consumed(const struct rd *r, const uint8_t *p0, size_t left0, size_t w)
{
	ck_assert(!r->err);
	ck_assert_ptr_eq(r->p, p0 + w);
	ck_assert_uint_eq(r->left, left0 - w);
}

START_TEST(test_init)
{
	uint8_t b[3] = { 1, 2, 3 };
	struct rd r = rd_init(b, sizeof(b));

	ck_assert_ptr_eq(r.p, b);
	ck_assert_uint_eq(r.left, 3);
	ck_assert(!r.err);
	ck_assert(rd_has(&r, 0));
	ck_assert(rd_has(&r, 3));
	ck_assert(!rd_has(&r, 4));
	/* A NULL buffer is empty whatever length is claimed. */
	r = rd_init(NULL, 100);
	ck_assert_uint_eq(r.left, 0);
	ck_assert(!r.err);
	ck_assert_uint_eq(rd_u8(&r), 0);
	ck_assert(r.err);
}
END_TEST

START_TEST(test_u8)
{
	size_t left = (size_t)_i;
	uint8_t *b = exact_buf(left);
	struct rd r = rd_init(b, left);
	uint8_t v = rd_u8(&r);

	if (left >= 1) {
		ck_assert_uint_eq(v, 0x11);
		assert_consumed(&r, b, left, 1);
		/* Read the rest one by one: each is the next pattern byte. */
		for (size_t i = 1; i < left; i++)
			ck_assert_uint_eq(rd_u8(&r), pat(i));
		ck_assert(!r.err);
		ck_assert_uint_eq(r.left, 0);
		ck_assert_uint_eq(rd_u8(&r), 0);
		assert_failed(&r, b + left, 0);
	} else {
		ck_assert_uint_eq(v, 0);
		assert_failed(&r, b, left);
	}
	free(b);
}
END_TEST

START_TEST(test_be16)
{
	size_t left = (size_t)_i;
	uint8_t *b = exact_buf(left);
	struct rd r = rd_init(b, left);
	uint16_t v = rd_be16(&r);

	if (left >= 2) {
		/* Network order: first byte is the high one. */
		ck_assert_uint_eq(v, 0x1122);
		assert_consumed(&r, b, left, 2);
		if (left >= 4)
			ck_assert_uint_eq(rd_be16(&r), 0x3344);
	} else {
		ck_assert_uint_eq(v, 0);
		assert_failed(&r, b, left);
	}
	free(b);
}
END_TEST

START_TEST(test_be32)
{
	size_t left = (size_t)_i;
	uint8_t *b = exact_buf(left);
	struct rd r = rd_init(b, left);
	uint32_t v = rd_be32(&r);

	if (left >= 4) {
		ck_assert_uint_eq(v, 0x11223344u);
		assert_consumed(&r, b, left, 4);
		if (left >= 8)
			ck_assert_uint_eq(rd_be32(&r), 0x55667788u);
	} else {
		ck_assert_uint_eq(v, 0);
		assert_failed(&r, b, left);
	}
	free(b);
}
END_TEST

START_TEST(test_he32)
{
	size_t left = (size_t)_i;
	uint8_t *b = exact_buf(left);
	struct rd r = rd_init(b, left);
	uint32_t v = rd_he32(&r);
	/* Host order: bytes 11 22 33 44 read least significant first on a
	 * little-endian host, most significant first on a big-endian one. */
	uint32_t want = G_BYTE_ORDER == G_LITTLE_ENDIAN ? 0x44332211u :
	    0x11223344u;

	if (left >= 4) {
		ck_assert_uint_eq(v, want);
		assert_consumed(&r, b, left, 4);
	} else {
		ck_assert_uint_eq(v, 0);
		assert_failed(&r, b, left);
	}
	free(b);
}
END_TEST

/* rd_skip(n) for every n 0..SWEEP against every left. */
START_TEST(test_skip)
{
	size_t left = (size_t)_i;

	for (size_t n = 0; n <= SWEEP; n++) {
		uint8_t *b = exact_buf(left);
		struct rd r = rd_init(b, left);

		rd_skip(&r, n);
		if (n <= left) {
			assert_consumed(&r, b, left, n);
			if (n < left)
				ck_assert_uint_eq(rd_u8(&r), pat(n));
		} else {
			assert_failed(&r, b, left);
		}
		free(b);
	}
}
END_TEST

START_TEST(test_bytes)
{
	size_t left = (size_t)_i;

	for (size_t n = 0; n <= SWEEP; n++) {
		uint8_t *b = exact_buf(left);
		uint8_t dst[SWEEP + 1];
		struct rd r = rd_init(b, left);

		memset(dst, 0xaa, sizeof(dst));
		rd_bytes(&r, dst, n);
		if (n <= left) {
			assert_consumed(&r, b, left, n);
			for (size_t i = 0; i < n; i++)
				ck_assert_uint_eq(dst[i], pat(i));
		} else {
			/* Failure zeroes the destination (no stale bytes). */
			for (size_t i = 0; i < n; i++)
				ck_assert_uint_eq(dst[i], 0);
			assert_failed(&r, b, left);
		}
		/* Never a byte past n. */
		ck_assert_uint_eq(dst[n], 0xaa);
		free(b);
	}
}
END_TEST

START_TEST(test_sub)
{
	size_t left = (size_t)_i;

	for (size_t n = 0; n <= SWEEP; n++) {
		uint8_t *b = exact_buf(left);
		struct rd r = rd_init(b, left), c;

		memset(&c, 0x5a, sizeof(c));
		rd_sub(&r, n, &c);
		if (n <= left) {
			/* The child is exactly the next n bytes... */
			assert_consumed(&r, b, left, n);
			ck_assert(!c.err);
			ck_assert_uint_eq(c.left, n);
			if (n > 0)
				ck_assert_ptr_eq(c.p, b);
			for (size_t i = 0; i < n; i++)
				ck_assert_uint_eq(rd_u8(&c), pat(i));
			/* ...and cannot read past them even though the
			 * parent's bytes follow. */
			ck_assert_uint_eq(rd_u8(&c), 0);
			ck_assert(c.err);
			/* The child's error is its own. */
			ck_assert(!r.err);
			if (n < left)
				ck_assert_uint_eq(rd_u8(&r), pat(n));
			ck_assert(!r.err);
		} else {
			/* Failure: the child is empty and errored, and so is
			 * the parent, which consumed nothing. */
			ck_assert(c.err);
			ck_assert_uint_eq(c.left, 0);
			ck_assert_uint_eq(rd_u8(&c), 0);
			assert_failed(&r, b, left);
		}
		free(b);
	}
}
END_TEST

/* A child of a child is bounded by the inner length. */
START_TEST(test_sub_nested)
{
	uint8_t *b = exact_buf(8);
	struct rd r = rd_init(b, 8), c, g;

	rd_skip(&r, 1);
	rd_sub(&r, 5, &c);	/* bytes 1..5 */
	rd_skip(&c, 1);
	rd_sub(&c, 3, &g);	/* bytes 2..4 */
	ck_assert(!r.err && !c.err && !g.err);
	ck_assert_uint_eq(rd_be16(&g), 0x3344);
	ck_assert_uint_eq(rd_be16(&g), 0);	/* one byte left: fails */
	ck_assert(g.err);
	ck_assert_uint_eq(g.left, 1);
	ck_assert_uint_eq(rd_u8(&c), 0x66);	/* byte 5 */
	ck_assert_uint_eq(c.left, 0);
	/* The inner failure reached neither ancestor. */
	ck_assert(!c.err && !r.err);
	/* Too big for the child although the parent has bytes left. */
	rd_sub(&c, 1, &g);
	ck_assert(c.err && g.err);
	ck_assert_uint_eq(rd_be16(&r), 0x7788);
	ck_assert(!r.err);
	free(b);
}
END_TEST

START_TEST(test_clamp)
{
	size_t left = (size_t)_i;

	for (size_t n = 0; n <= SWEEP; n++) {
		uint8_t *b = exact_buf(left);
		struct rd r = rd_init(b, left);

		rd_clamp(&r, n);
		/* Shrinks to n, never grows, never moves, never errs. */
		ck_assert_uint_eq(r.left, n < left ? n : left);
		ck_assert_ptr_eq(r.p, b);
		ck_assert(!r.err);
		rd_skip(&r, r.left);
		ck_assert(!r.err);
		ck_assert_uint_eq(rd_u8(&r), 0);
		ck_assert(r.err);
		free(b);
	}
}
END_TEST

/*
 * RFC 1071 section 3 example: bytes 00 01 f2 03 f4 f5 f6 f7 sum to
 * 0x2ddf0, which folds to 0xddf2.  The partial sums for the first `left`
 * bytes, by hand (an odd last byte is the high half of a word, the low
 * half zero):
 *   0: 0            1: 0x0000       2: 0x0001
 *   3: 0x0001+0xf200 = 0xf201       4: 0x0001+0xf203 = 0xf204
 *   5: 0xf204+0xf400 = 0x1e604 -> 0xe605
 *   6: 0xf204+0xf4f5 = 0x1e6f9 -> 0xe6fa
 *   7: 0x1e6f9+0xf600 = 0x2dcf9 -> 0xdcfb
 *   8: 0x1e6f9+0xf6f7 = 0x2ddf0 -> 0xddf2
 */
static const uint8_t rfc1071[8] = {
	0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7
};
static const uint32_t rfc1071_sum[9] = {
	0x0000, 0x0000, 0x0001, 0xf201, 0xf204, 0xe605, 0xe6fa, 0xdcfb,
	0xddf2,
};

START_TEST(test_sum16)
{
	size_t left = (size_t)_i;
	uint8_t *b = malloc(left);

	if (left)
		memcpy(b, rfc1071, left);
	struct rd r = rd_init(b, left);
	ck_assert_uint_eq(rd_sum16(&r, 0), rfc1071_sum[left]);
	/* The sum reads, it does not consume. */
	ck_assert_ptr_eq(r.p, b);
	ck_assert_uint_eq(r.left, left);
	ck_assert(!r.err);
	free(b);
}
END_TEST

START_TEST(test_sum16_carry)
{
	uint8_t ff[4] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t one[2] = { 0x00, 0x01 };
	struct rd r = rd_init(one, 2);

	/* Initial sum plus bytes: 0xffff + 0x0001 = 0x10000 -> 0x0001
	 * (end-around carry, RFC 1071 "(1) Adjacent bytes..."). */
	ck_assert_uint_eq(rd_sum16(&r, 0xffff), 0x0001);
	/* A large initial sum folds too: 0x3fffc -> 0xfffc + 3 = 0xffff. */
	r = rd_init(NULL, 0);
	ck_assert_uint_eq(rd_sum16(&r, 0x3fffc), 0xffff);
	/* 0xffff + 0xffff = 0x1fffe -> 0xffff (negative zero stays). */
	r = rd_init(ff, 4);
	ck_assert_uint_eq(rd_sum16(&r, 0), 0xffff);
	/* Summing the remaining bytes only: after a 2-byte read. */
	r = rd_init(rfc1071, 8);
	rd_skip(&r, 2);
	/* 0xf203+0xf4f5+0xf6f7 = 0x2ddef -> 0xddf1 */
	ck_assert_uint_eq(rd_sum16(&r, 0), 0xddf1);
}
END_TEST

static Suite *
rd_suite(void)
{
	Suite *s = suite_create("rd");
	TCase *tc = tcase_create("readers");

	tcase_add_test(tc, test_init);
	tcase_add_loop_test(tc, test_u8, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_be16, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_be32, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_he32, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_skip, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_bytes, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_sub, 0, SWEEP + 1);
	tcase_add_test(tc, test_sub_nested);
	tcase_add_loop_test(tc, test_clamp, 0, SWEEP + 1);
	tcase_add_loop_test(tc, test_sum16, 0, 9);
	tcase_add_test(tc, test_sum16_carry);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
