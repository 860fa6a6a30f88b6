/* hugemem.h - large blocks that the kernel may back with huge pages. */
#ifndef SYNFIN_HUGEMEM_H
#define SYNFIN_HUGEMEM_H

#include <stddef.h>

/* The transparent huge page size on x86-64 and arm64 (4 KiB base pages). */
#define HUGEMEM_PAGE ((size_t)2 << 20)

/*
 * n bytes rounded up to whole HUGEMEM_PAGEs, zeroed, aligned to
 * HUGEMEM_PAGE, and advised MADV_HUGEPAGE: with transparent huge pages on
 * "madvise" (the usual default) or "always", the first touch of each 2 MiB
 * maps it whole, one page fault and one TLB entry where 4 KiB pages take
 * 512 of each. A hint only: where the kernel has none to give, the block
 * is made of small pages, as malloc's would be. Aborts as g_malloc() does
 * when there is no memory.
 */
void *hugemem_alloc(size_t n);
/* A block of hugemem_alloc(n), back to the system. */
void hugemem_free(void *p, size_t n);

/*
 * n bytes rounded up to whole 4 KiB pages, zeroed, page-aligned, and
 * mapped at once (MAP_POPULATE): for a block that will be written whole
 * soon but should not cost a huge page's 2 MiB, one system call where
 * touching it would take a page fault every 4 KiB (13 us each on the
 * benchmark's virtual machine, a tenth of that for the call's work per
 * page). Aborts as g_malloc() does when there is no memory.
 */
void *hugemem_mapped(size_t n);
/*
 * n bytes rounded up to whole 4 KiB pages, zeroed, page-aligned, each
 * page mapped when first touched: for a block of which a part, in a
 * spread of places, will be written (malloc() zeroes a block it takes
 * from its heap, touching every page of it).
 */
void *hugemem_lazy(size_t n);
/* A block of hugemem_mapped(n) or hugemem_lazy(n), back to the system. */
void hugemem_unmap(void *p, size_t n);

/*
 * The whole pages within [p, p + n), of a block of malloc's or another
 * that will be written soon, mapped at once (MADV_POPULATE_WRITE, Linux
 * 5.14): one system call where touching them would take a page fault
 * each. Pages already mapped (memory malloc had and reuses) are left as
 * they are. A hint: nothing happens on an older kernel.
 */
void hugemem_populate(void *p, size_t n);

/*
 * malloc's main heap (its brk arena: the records of -j 1), advised
 * MADV_HUGEPAGE as it grows, as glibc's own glibc.malloc.hugetlb=1 tunable
 * does it. hugemem_heap_start() sets M_TOP_PAD to twice HUGEMEM_PAGE: the
 * heap then grows by 4 MiB at least; hugemem_heap(), called soon after
 * allocating, advises what it grew by since the last call, most of it
 * still untouched. Both then move the break up to a page before a 2 MiB
 * boundary, so that the next growth holds two whole huge pages, aligned,
 * and touches only that page before it is advised (hugemem.c). Cheap
 * when it did not grow (sbrk(0) reads a variable). From one thread only.
 * Not with -j: the threads allocate in arenas of their own, and a top pad
 * that large would keep 4 MiB of each arena's freed top resident.
 */
void hugemem_heap_start(void);
void hugemem_heap(void);

#endif
