/* hugemem.c - large blocks that the kernel may back with huge pages. */
#include "config.h"

#include "hugemem.h"

#include <glib.h>
#include <stdint.h>
#include <sys/mman.h>

static size_t
round_up(size_t n)
{
	if (n == 0 || n > SIZE_MAX - 2 * HUGEMEM_PAGE)
		g_error("hugemem: cannot allocate %zu bytes", n);
	return (n + HUGEMEM_PAGE - 1) & ~(HUGEMEM_PAGE - 1);
}

void *
hugemem_alloc(size_t n)
{
	size_t len = round_up(n);
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
		munmap(p, round_up(n));
}
