/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forge - build byte-exact pcap files from a small text description of
 * TCP segments (".scn" scenarios), for synfin's tests only.
 *
 * The scenario language is documented at the top of forge.c.  In short:
 *
 *	link en10mb
 *	client 10.0.0.1:40000
 *	server 10.0.0.2:80
 *	0.000  > S  1000 0    mss=1460 sackok nop ws=7
 *	+0.010 < SA 5000 1001 mss=1460
 *
 * Every frame carries correct IPv4 header and TCP/UDP checksums unless the
 * scenario explicitly asks for a broken one (badsum, badipsum), so a test
 * failure always means the analyzer, not the forge, got it wrong.
 */
#ifndef SYNFIN_TESTS_FORGE_H
#define SYNFIN_TESTS_FORGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GError domain "forge-error". */
#define FORGE_ERROR (forge_error_quark())
GQuark forge_error_quark(void);

typedef enum {
	/*
	 * The scenario text is wrong.  The message always starts with the
	 * 1-based line number, "LINE: what is wrong", so that callers can
	 * prefix a file name and get the usual "FILE:LINE: ..." shape.
	 */
	FORGE_ERROR_SCENARIO,
	/* Creating, writing or reading back a pcap file failed. */
	FORGE_ERROR_IO,
	/* forge_frame(): the caller's buffer is smaller than the frame. */
	FORGE_ERROR_NOSPACE,
} ForgeError;

/*
 * Parse a whole scenario text and write it as a pcap file through libpcap.
 * Nothing is created unless the entire scenario parses.  As with
 * pcap_dump_open(), a pcap_path of "-" means standard output.
 */
bool forge_write_file(const char *scn_text, const char *pcap_path,
		      GError **err);

/* Same, but return the pcap file bytes in memory (g_free the result). */
uint8_t *forge_write_mem(const char *scn_text, size_t *len, GError **err);

/*
 * Build a single link-layer frame from one segment line under the given
 * header directives (e.g. "link raw\nclient ...\n"; NULL means none), into
 * buf.  Returns the full, untruncated frame length (caplen= and snaplen
 * only affect pcap records, never this), or 0 on error; *dlt (if not NULL)
 * gets the DLT_ value.  Line numbers in errors count the header lines
 * first, so the segment line is number (header lines + 1).
 */
size_t forge_frame(const char *header_directives, const char *segment_line,
		   uint8_t *buf, size_t cap, int *dlt, GError **err);

#endif /* SYNFIN_TESTS_FORGE_H */
