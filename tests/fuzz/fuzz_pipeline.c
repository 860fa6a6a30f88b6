/* fuzz_pipeline.c - the whole analysis on one in-memory capture.
 *
 * Input: a pcap or pcapng file, read through fmemopen() and
 * pipeline_run_fp() (libpcap's parser, decode, flow table, state machine,
 * report writers), once per output format:
 *   text with --ladder, --max-flows 64
 *   JSON Lines with --verify-checksums, --max-flows 3 (eviction is cheap
 *        to reach)
 *   CSV with --anomalies-only, unbounded table
 * The reports go to open_memstream() and are checked against the summary:
 * every JSON line is valid JSON with every SPEC key, one "conn" line per
 * connection and a "summary" line last; CSV has one row per reported
 * connection; the counters add up. Then JSON once more on one thread,
 * on one thread with a -c past the end (read a frame at a time) and on
 * three (--idle-timeout 5, so sweeps release records mid-capture): the
 * three outputs must be the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conn.h"
#include "fuzz_util.h"
#include "pipeline.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	enum out_format format;
	bool ladder, verify, anomalies_only;
	uint64_t max_flows;
};

static const struct run runs[] = {
	{ FMT_TEXT, true, false, false, 64 },
	{ FMT_JSON, false, true, false, 3 },
	{ FMT_CSV, false, false, true, 0 },
};

static void
check_stats(const struct stats *st)
{
	uint64_t hs = 0, td = 0, derr = 0;

	for (int i = 0; i < HS_MAX; i++)
		hs += st->hs[i];
	for (int i = 0; i < TD_MAX; i++)
		td += st->td[i];
	for (int i = 0; i < DERR_MAX; i++)
		derr += st->derr[i];
	FUZZ_CHECK(hs == st->connections && td == st->connections,
	    "outcomes %llu/%llu for %llu connections", (unsigned long long)hs,
	    (unsigned long long)td, (unsigned long long)st->connections);
	FUZZ_CHECK(st->tcp_packets + derr <= st->packets,
	    "%llu TCP + %llu decode errors > %llu packets",
	    (unsigned long long)st->tcp_packets, (unsigned long long)derr,
	    (unsigned long long)st->packets);
	/* A record starts with a segment: valid, or one with a bad TCP
	 * checksum (which then stands alone until a valid one comes). */
	FUZZ_CHECK(st->connections <= st->tcp_packets +
	    st->derr[DERR_BAD_CHECKSUM], "%llu connections from %llu segments",
	    (unsigned long long)st->connections,
	    (unsigned long long)st->tcp_packets);
	FUZZ_CHECK(st->with_anomalies <= st->connections, "with_anomalies");
	FUZZ_CHECK(st->evicted <= st->connections, "evicted");
	FUZZ_CHECK(st->anom[ANOM_NONE] == 0, "ANOM_NONE logged");
}

/* JSON Lines: "conn" records, then one "summary". */
FZ_NOCOV static void
check_json(const char *out, size_t len, const struct stats *st)
{
	uint64_t conns = 0;
	bool summary = false;

	for (const char *p = out; p < out + len;) {
		const char *nl = memchr(p, '\n', (size_t)(out + len - p));
		FUZZ_CHECK(nl != NULL, "last JSON line unterminated");
		size_t n = (size_t)(nl - p) + 1;
		FUZZ_CHECK(!summary, "a line after the summary");
		if (n > 18 && fz_memeq(p, "{\"type\":\"summary\",", 18)) {
			summary = true;
			FUZZ_CHECK(fz_json_is_object(p, n),
			    "invalid summary JSON: %.*s", (int)n, p);
			for (size_t i = 0; i < sizeof(fz_summary_keys) /
			    sizeof(*fz_summary_keys); i++)
				FUZZ_CHECK(fz_json_has_key(p, n,
				    fz_summary_keys[i]), "summary key %s "
				    "missing", fz_summary_keys[i]);
		} else {
			fz_check_conn_json(p, n, fz_json_has_key(p, n,
			    "name") ? 1 : 0);
			conns++;
		}
		p = nl + 1;
	}
	FUZZ_CHECK(summary, "no summary line");
	FUZZ_CHECK(conns == st->connections, "%llu conn lines, summary says "
	    "%llu", (unsigned long long)conns,
	    (unsigned long long)st->connections);
}

/* CSV: a header row, then one row per reported connection (RFC 4180). */
FZ_NOCOV static void
check_csv(const char *out, size_t len, const struct stats *st,
    bool anomalies_only)
{
	uint64_t rows = 0;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (out[i] == '"')
			quoted = !quoted;
		else if (!quoted && out[i] == '\n') {
			FUZZ_CHECK(i > 0 && out[i - 1] == '\r', "bare LF in CSV");
			rows++;
		}
	}
	FUZZ_CHECK(!quoted, "unterminated quoted CSV field");
	FUZZ_CHECK(len == 0 || out[len - 1] == '\n', "CSV not ended by CRLF");
	uint64_t want = 1 + (anomalies_only ? st->with_anomalies :
	    st->connections);
	FUZZ_CHECK(rows == want, "%llu CSV rows, want %llu",
	    (unsigned long long)rows, (unsigned long long)want);
}

/* JSON of one capture on `jobs` threads, stopping after `count` packets
 * (0: none); the caller frees *out. */
static int
run_json(const uint8_t *data, size_t size, int jobs, uint64_t count,
    char **out, size_t *outlen)
{
	struct synfin_config cfg;
	struct stats st;

	memset(&cfg, 0, sizeof(cfg));
	cfg.format = FMT_JSON;
	cfg.msl = 30;
	cfg.idle_timeout = 5;
	cfg.quiet = true;
	cfg.jobs = jobs;
	cfg.count = count;
	FILE *in = fmemopen((void *)data, size, "rb");
	FUZZ_CHECK(in != NULL, "fmemopen");
	FILE *o = open_memstream(out, outlen);
	FUZZ_CHECK(o != NULL, "open_memstream");
	int rc = pipeline_run_fp(&cfg, in, o, &st);
	FUZZ_CHECK(fclose(o) == 0, "fclose");
	return rc;
}

/* -j 3 writes what -j 1 writes, byte for byte (src/parallel.c); and
 * libpcap reading a classic pcap file (SYNFIN_LIBPCAP_READ=1, for the
 * -j 3 run) gives what synfin's own reader gives (src/capture.c). One
 * thread reads frames ahead of those it analyzes (pipeline_capture()),
 * except with -c: a count past the end, a frame at a time, writes the
 * same. */
static void
check_jobs(const uint8_t *data, size_t size)
{
	char *one = NULL, *three = NULL, *plain = NULL;
	size_t n1 = 0, n3 = 0, np = 0;
	int rc1 = run_json(data, size, 1, 0, &one, &n1);
	int rcp = run_json(data, size, 1, UINT64_MAX, &plain, &np);
	setenv("SYNFIN_LIBPCAP_READ", "1", 1);
	int rc3 = run_json(data, size, 3, 0, &three, &n3);
	unsetenv("SYNFIN_LIBPCAP_READ");

	FUZZ_CHECK(rc1 == rc3, "-j 1 exit %d, -j 3 exit %d", rc1, rc3);
	FUZZ_CHECK(n1 == n3 && (n1 == 0 || memcmp(one, three, n1) == 0),
	    "-j 3 output (%zu bytes) differs from -j 1 (%zu bytes)", n3, n1);
	FUZZ_CHECK(rc1 == rcp, "read ahead exit %d, -c exit %d", rc1, rcp);
	FUZZ_CHECK(n1 == np && (n1 == 0 || memcmp(one, plain, n1) == 0),
	    "-c output (%zu bytes) differs from the read-ahead's (%zu bytes)",
	    np, n1);
	free(one);
	free(three);
	free(plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;	/* fmemopen() of nothing fails on older libcs */
	conn_fast_check = true;	/* the fast path against the whole one */
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		const struct run *r = &runs[i];
		struct synfin_config cfg;
		struct stats st;
		char *out = NULL;
		size_t outlen = 0;

		memset(&cfg, 0, sizeof(cfg));
		cfg.format = r->format;
		cfg.ladder = r->ladder;
		cfg.anomalies_only = r->anomalies_only;
		cfg.verify_checksums = r->verify;
		cfg.msl = 30;
		cfg.idle_timeout = 300;
		cfg.max_flows = r->max_flows;
		cfg.quiet = true;

		FILE *in = fmemopen((void *)data, size, "rb");
		FUZZ_CHECK(in != NULL, "fmemopen");
		FILE *o = open_memstream(&out, &outlen);
		FUZZ_CHECK(o != NULL, "open_memstream");
		memset(&st, 0, sizeof(st));
		/* The capture owns in (closed even when it is not a pcap). */
		int rc = pipeline_run_fp(&cfg, in, o, &st);
		FUZZ_CHECK(fclose(o) == 0, "fclose");
		FUZZ_CHECK(rc == 0 || rc == 2, "exit status %d without --check",
		    rc);
		if (rc == 2 && outlen == 0) {
			/* Not a capture at all: nothing was written. */
			free(out);
			continue;
		}
		check_stats(&st);
		if (r->format == FMT_JSON)
			check_json(out, outlen, &st);
		else if (r->format == FMT_CSV)
			check_csv(out, outlen, &st, r->anomalies_only);
		else
			FUZZ_CHECK(outlen > 0, "empty text report");
		free(out);
	}
	check_jobs(data, size);
	return 0;
}
