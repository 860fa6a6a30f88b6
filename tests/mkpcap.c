// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkpcap - write a pcap file from a forge scenario.
 *
 *	mkpcap IN.scn OUT.pcap		(IN may be "-" for stdin)
 *
 * Exits 0 on success and 2 on any error, with "mkpcap: FILE:LINE: what"
 * for scenario errors so editors and test logs can jump to the line.
 */
#include "forge.h"

#include <stdio.h>
#include <string.h>

static bool
read_stdin(char **text, size_t *len)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		g_string_append_len(s, buf, (gssize)n);
	if (ferror(stdin)) {
		g_string_free(s, TRUE);
		return false;
	}
	*len = s->len;
	*text = g_string_free(s, FALSE);
	return true;
}

int
main(int argc, char **argv)
{
	const char *in;
	const char *name;
	char *text = NULL;
	size_t len = 0;
	GError *err = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: mkpcap IN.scn OUT.pcap\n");
		return 2;
	}
	in = argv[1];
	name = strcmp(in, "-") == 0 ? "<stdin>" : in;
	if (strcmp(in, "-") == 0) {
		if (!read_stdin(&text, &len)) {
			fprintf(stderr, "mkpcap: <stdin>: read error\n");
			return 2;
		}
	} else if (!g_file_get_contents(in, &text, &len, &err)) {
		fprintf(stderr, "mkpcap: %s\n", err->message);
		g_error_free(err);
		return 2;
	}
	/* forge takes a C string: a NUL would silently end the scenario. */
	if (strlen(text) != len) {
		fprintf(stderr, "mkpcap: %s: contains a NUL byte\n", name);
		g_free(text);
		return 2;
	}
	if (!forge_write_file(text, argv[2], &err)) {
		/* Scenario messages already start with "LINE: ". */
		if (g_error_matches(err, FORGE_ERROR, FORGE_ERROR_SCENARIO))
			fprintf(stderr, "mkpcap: %s:%s\n", name, err->message);
		else
			fprintf(stderr, "mkpcap: %s\n", err->message);
		g_error_free(err);
		g_free(text);
		return 2;
	}
	g_free(text);
	return 0;
}
