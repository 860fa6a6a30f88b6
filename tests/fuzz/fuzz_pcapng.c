/* fuzz_pcapng.c - the pcapng reader (src/pcapng.c) on any bytes.
 *
 * Input: a pcapng file, written to a memfd (a regular file, as the reader
 * gets from capture.c, so that the walk back over the statistics blocks
 * at the end runs too) and read to its end or its first error, then
 * read again for its statistics blocks (both ways). Checked:
 * every frame lies inside the reader's block, no longer than the largest
 * snaplen; an error has a message and an offset inside the file; the
 * offsets never go back; each frame decodes without a fault.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "fuzz_util.h"
#include "pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;	/* the frames' bytes, read */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_pcapng", 0);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	FILE *fp = fdopen(fd, "rb");
	if (!fp) {
		close(fd);
		return 0;
	}
	struct ng_reader *ng = ng_open(fp);
	struct ng_frame f;
	uint64_t last = 0, frames = 0;
	int k;
	while ((k = ng_next(ng, &f)) == 1) {
		FUZZ_CHECK(f.caplen <= 262144, "caplen %u", f.caplen);
		FUZZ_CHECK(f.caplen == 0 || f.data, "no data for %u bytes",
		    f.caplen);
		/* Touch every byte: ASan sees a frame outside its block. */
		uint8_t x = 0;
		for (uint32_t i = 0; i < f.caplen; i++)
			x ^= f.data[i];
		sink = x;
		struct pkt pkt;
		(void)decode_frame(f.dlt, f.data, f.caplen, f.wirelen, NULL,
		    &pkt);
		FUZZ_CHECK(ng_offset(ng) >= last && ng_offset(ng) <= size,
		    "offset %llu after %llu, size %zu",
		    (unsigned long long)ng_offset(ng),
		    (unsigned long long)last, size);
		last = ng_offset(ng);
		if (++frames == 3)
			ng_unread(ng);	/* the takeover's step back */
	}
	if (k < 0) {
		FUZZ_CHECK(ng_error(ng)[0] != '\0', "error without a message");
		FUZZ_CHECK(ng_error_offset(ng) <= size, "error offset %llu "
		    "past %zu", (unsigned long long)ng_error_offset(ng), size);
	}
	uint64_t drops;
	(void)ng_drops(ng, &drops);
	(void)ng_tail_drops(fp, false, &drops);
	(void)ng_tail_drops(fp, true, &drops);
	(void)ng_file_drops(fp, &drops);
	ng_close(ng);
	fclose(fp);
	return 0;
}
