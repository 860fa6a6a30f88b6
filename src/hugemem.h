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

#endif
