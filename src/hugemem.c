/* hugemem.c - large blocks that the kernel may back with huge pages. */
#include "config.h"

#include "hugemem.h"

#include <glib.h>
#ifdef HAVE_MALLOC_H
#include <malloc.h>		/* mallopt() */
#endif
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define SMALL_PAGE ((size_t)4096)

/* n rounded up to whole pages of page bytes (a power of two). */
static size_t
round_to(size_t n, size_t page)
{
	if (n == 0 || n > SIZE_MAX - 2 * page)
		g_error("hugemem: cannot allocate %zu bytes", n);
	return (n + page - 1) & ~(page - 1);
}

void *
hugemem_alloc(size_t n)
{
	size_t len = round_to(n, HUGEMEM_PAGE);
	/* Map one page more than asked, then give back what lies before the
	 * first 2 MiB boundary and after the block: mmap() only promises
	 * 4 KiB alignment, and a huge page needs its own. */
	uint8_t *m = mmap(NULL, len + HUGEMEM_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		g_error("%s: failed to allocate %zu bytes", G_STRLOC, len);
	uintptr_t a = ((uintptr_t)m + HUGEMEM_PAGE - 1) & ~(HUGEMEM_PAGE - 1);
	uint8_t *p = (uint8_t *)a;
	size_t head = (size_t)(p - m), tail = HUGEMEM_PAGE - head;

	if (head)
		munmap(m, head);
	if (tail)
		munmap(p + len, tail);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE);	/* a hint: EINVAL without THP */
#endif
	return p;
}

void
hugemem_free(void *p, size_t n)
{
	if (p)
		munmap(p, round_to(n, HUGEMEM_PAGE));
}

static void *
map_pages(size_t n, int flags)
{
	void *p = mmap(NULL, round_to(n, SMALL_PAGE), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		g_error("%s: failed to allocate %zu bytes", G_STRLOC, n);
	return p;
}

void *
hugemem_mapped(size_t n)
{
#ifdef MAP_POPULATE
	return map_pages(n, MAP_POPULATE);
#else
	return map_pages(n, 0);
#endif
}

void *
hugemem_lazy(size_t n)
{
	return map_pages(n, 0);
}

void
hugemem_unmap(void *p, size_t n)
{
	if (p)
		munmap(p, round_to(n, SMALL_PAGE));
}

void
hugemem_populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t from = ((uintptr_t)p + SMALL_PAGE - 1) & ~(SMALL_PAGE - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(SMALL_PAGE - 1);

	if (to > from)
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

static uintptr_t seen;		/* the heap's top at the last call */

/*
 * The heap's break moved up, behind malloc's back, to a page before a 2
 * MiB boundary: malloc's next growth starts there (glibc takes a break
 * that another sbrk() moved as its own, leaving the gap unused, untouched
 * and so never resident), its first records (those allocated before
 * hugemem_heap() advises the growth) in that page, the rest in whole huge
 * pages but the last. Growths start where the last ended, at any page,
 * and the part of the huge page the break was in was 4 KiB pages, a page
 * fault each: 330 of -j 1's 650 on 320,000 packets of short connections,
 * whose heap grows once. Returns the break, or (uintptr_t)-1 when sbrk()
 * fails (never on glibc; musl has none).
 */
static uintptr_t
align_break(void)
{
	uintptr_t top = (uintptr_t)sbrk(0);

	if (top == (uintptr_t)-1)
		return top;
	uintptr_t up = ((top + SMALL_PAGE + HUGEMEM_PAGE - 1) &
	    ~(uintptr_t)(HUGEMEM_PAGE - 1)) - SMALL_PAGE;
	if (up != top && sbrk((intptr_t)(up - top)) != (void *)-1)
		top = up;
	return top;
}

void
hugemem_heap_start(void)
{
#if defined(HAVE_MALLOPT) && defined(M_TOP_PAD)
	mallopt(M_TOP_PAD, (int)(2 * HUGEMEM_PAGE));
#endif
	seen = align_break();
}

void
hugemem_heap(void)
{
	uintptr_t top = (uintptr_t)sbrk(0);

	if (top == seen || top == (uintptr_t)-1)
		return;
#ifdef MADV_HUGEPAGE
	if (seen && top > seen) {
		uintptr_t from = seen & ~(uintptr_t)4095;
		(void)madvise((void *)from, top - from, MADV_HUGEPAGE);
	}
#endif
	seen = align_break();
}
