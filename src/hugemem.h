/* hugemem.h - large blocks that the kernel may back with huge pages. */
#ifndef SYNFIN_HUGEMEM_H
#define SYNFIN_HUGEMEM_H

#include <stddef.h>
#include <stdint.h>

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
/* A block of hugemem_mapped(n), back to the system. */
void hugemem_unmap(void *p, size_t n);

/*
 * Blocks as hugemem_mapped()'s, one after the other in address space the
 * range reserved (PROT_NONE, then mapped a block at a time), so that the
 * range goes back to the system in one munmap(): a munmap() of a process
 * with threads on other cores flushes their TLBs, one interrupt a core,
 * and blocks mapped one by one lie among the other threads' mappings,
 * so could not be unmapped together. When a range is full, the next one
 * reserved is as large as all before it (8 MiB first). Zero-initialise.
 */
struct hugemem_range {
	uint8_t *base;
	size_t len, used;	/* this range's */
	size_t reserved;	/* the lengths of all, this one's too */
	struct hugemem_range *prev;	/* the ranges before, full */
};

/* n bytes (whole pages) at the range's end, as hugemem_mapped(n). */
void *hugemem_range_take(struct hugemem_range *r, size_t n);
/* Every block taken, back to the system; the range can be used again. */
void hugemem_range_free(struct hugemem_range *r);

/*
 * malloc's main heap (its brk arena: the records of -j 1), advised
 * MADV_HUGEPAGE as it grows, as glibc's own glibc.malloc.hugetlb=1 tunable
 * does it. hugemem_heap_start() sets M_TOP_PAD to twice HUGEMEM_PAGE: the
 * heap then grows by 4 MiB at least, which holds a whole huge page,
 * aligned; hugemem_heap(), called soon after allocating, advises what it
 * grew by since the last call, most of it still untouched. Cheap when it
 * did not grow (sbrk(0) reads a variable). From one thread only. Not with
 * -j: the threads allocate in arenas of their own, and a top pad that
 * large would keep 4 MiB of each arena's freed top resident.
 */
void hugemem_heap_start(void);
void hugemem_heap(void);

#endif
