/* replay.c - run a libFuzzer harness without libFuzzer (Suricata's
 * onefile.c): feed it each FILE given, and each regular file inside each
 * DIRECTORY given (not recursively, in name order, dot files skipped).
 *
 *	replay_TARGET [-v] FILE|DIRECTORY...
 *
 * Linked with one fuzz_*.c, it turns the committed corpus into regression
 * tests under `make check`, built by the ordinary compiler. Each input is
 * read into a buffer of exactly its size, so a sanitizer build catches a
 * read past its end as libFuzzer would. A crash or an invariant violation
 * aborts, and the last "replay: FILE" line on standard error names the
 * input; otherwise the exit status is 0, or 2 when an argument cannot be
 * read. -v adds each input's size.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int verbose;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	/* malloc(0) may return NULL: keep a valid pointer for empty files. */
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf || (len && fread(buf, 1, len, f) != len)) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Name the input before running it: if it crashes, this is the
	 * last line before the report. */
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	else
		fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;	/* ., .., .gitignore, editor files */
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		size_t l = strlen(dir) + 1 + strlen(e->d_name) + 1;
		names[count] = malloc(l);
		if (!names[count])
			abort();
		snprintf(names[count++], l, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), cmp_str);
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				rc = -1;
			else
				(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned n = 0;
	int rc = 0, first = 1;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: %s [-v] FILE|DIRECTORY...\n", argv[0]);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 2;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &n) != 0)
				rc = 2;
		} else if (run_file(argv[i]) != 0) {
			rc = 2;
		} else {
			n++;
		}
	}
	fprintf(stderr, "%s: %u inputs replayed%s\n", argv[0], n,
	    rc ? ", some could not be read" : "");
	return rc;
}
