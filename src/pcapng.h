/* pcapng.h - a pcapng reader for the files libpcap refuses part-way: more
 * than one link type or snapshot length (a capture on several interfaces,
 * dumpcap -i eth0 -i tun0), sections of other byte orders (files joined
 * with cat); and the interface statistics at a pcapng file's end (the
 * packets the capture dropped). */
#ifndef SYNFIN_PCAPNG_H
#define SYNFIN_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct ng_reader;

struct ng_frame {
	int64_t ts_ns;		/* capture time, ns since the epoch */
	uint32_t caplen;	/* bytes captured (at most the snaplen) */
	uint32_t wirelen;	/* bytes on the wire */
	int dlt;		/* the interface's link type */
	uint32_t iface;		/* the interface's number in its section */
	const uint8_t *data;	/* borrowed until the next ng_next() */
};

/* Read fp from where it stands, which must be a section header block
 * (offset 0 of a pcapng file). */
struct ng_reader *ng_open(FILE *fp);
void ng_close(struct ng_reader *ng);
/* The next packet: 1, 0 at the end of the file, -1 on an error
 * (ng_error(), ng_error_offset()). Blocks of other types are read on the
 * way: section headers, interface descriptions and statistics; blocks of
 * unknown types are skipped, as the format says. */
int ng_next(struct ng_reader *ng, struct ng_frame *f);
/* The packet ng_next() returned last comes again at its next call. */
void ng_unread(struct ng_reader *ng);
const char *ng_error(const struct ng_reader *ng);
/* The interfaces the current section has described so far. */
uint32_t ng_interfaces(const struct ng_reader *ng);
/* Where the block the error is in starts. */
uint64_t ng_error_offset(const struct ng_reader *ng);
/* Where the next block starts (after the last one read). */
uint64_t ng_offset(const struct ng_reader *ng);
/* Section headers and interface descriptions read after the first of
 * each: what libpcap refuses to go on past. */
uint64_t ng_extra_descriptions(const struct ng_reader *ng);
/* The packets dropped by the capture that the interface statistics
 * blocks read so far give (isb_ifdrop + isb_osdrop, the last block of
 * each interface of each section); false when none gave a count. */
bool ng_drops(const struct ng_reader *ng, uint64_t *drops);
/* Has ng_next() reached the end of the file (no error)? */
bool ng_at_eof(const struct ng_reader *ng);
/* The same from every statistics block of a pcapng file libpcap read to
 * its end (it skips them): the file read again from the start (as far
 * as it can be read), fp left anywhere. */
bool ng_file_drops(FILE *fp, uint64_t *drops);
/* The same from the statistics blocks at the end of a pcapng file that
 * libpcap read (it skips them): walked back from the end of the file by
 * the blocks' trailing lengths over the last section's final non-packet
 * blocks, where dumpcap writes them. A regular file only; fp is left
 * anywhere. */
bool ng_tail_drops(FILE *fp, bool swapped, uint64_t *drops);

#endif
