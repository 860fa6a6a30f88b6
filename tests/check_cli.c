/* check_cli.c - cli_parse() against the command line of SPEC.md.
 *
 * Each case is an argument vector (after the program name) and either the
 * configuration SPEC.md says it means, or a usage error (SYNFIN_ERROR /
 * SYNFIN_ERROR_USAGE, exit status 2).  GOptionContext rewrites argv in
 * place and drops the strings it consumed, so each parse gets its own
 * copy, and the strings are freed through a second pointer array.
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "pipeline.h"

#define MAX_ARGS 12

/* Parse "synfin ARGS..." into cfg; frees every copy it makes. */
static bool
parse(const char *const *args, struct synfin_config *cfg, GError **err)
{
	const char *full[MAX_ARGS + 2] = { "synfin" };
	int argc = 1;

	for (; args[argc - 1]; argc++) {
		ck_assert_int_lt(argc, MAX_ARGS + 1);
		full[argc] = args[argc - 1];
	}
	full[argc] = NULL;
	char **owned = g_strdupv((char **)full);
	/* GOption moves and NULLs entries of the vector it is given: hand it
	 * a shallow copy and free the strings through `owned`. */
	char **argv = g_new(char *, argc + 1);
	memcpy(argv, owned, sizeof(char *) * (size_t)(argc + 1));
	bool ok = cli_parse(argc, argv, cfg, err);

	g_free(argv);
	g_strfreev(owned);
	return ok;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
assert_usage_error(const char *const *args)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert_msg(!parse(args, &cfg, &err), "'%s ...' should fail",
	    args[0] ? args[0] : "");
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(err->domain == SYNFIN_ERROR &&
	    err->code == SYNFIN_ERROR_USAGE, "not a usage error: %s",
	    err->message);
	ck_assert(err->message && *err->message);
	g_error_free(err);
	cli_config_clear(&cfg);
}

/* ---- defaults ------------------------------------------------------- */

START_TEST(test_defaults)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-r", "x.pcap"), &cfg, &err));
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(cfg.reads);
	ck_assert_str_eq(cfg.reads[0], "x.pcap");
	ck_assert_ptr_null(cfg.reads[1]);
	ck_assert_ptr_null(cfg.iface);
	ck_assert_ptr_null(cfg.filter);	/* no filter: all TCP */
	ck_assert_ptr_null(cfg.output);	/* standard output */
	ck_assert_int_eq(cfg.format, FMT_TEXT);	/* "text (default)" */
	ck_assert(cfg.msl == 30.0);		/* "default 30" */
	ck_assert(cfg.idle_timeout == 300.0);	/* "default 300" */
	ck_assert_uint_eq(cfg.max_flows, 0);	/* unbounded */
	ck_assert_uint_eq(cfg.count, 0);	/* all packets */
	ck_assert(!cfg.verify_checksums);	/* "off by default" */
	ck_assert(!cfg.check && !cfg.ladder && !cfg.anomalies_only);
	ck_assert(!cfg.quiet && !cfg.progress && !cfg.version);
	ck_assert(!cfg.list_anomalies && !cfg.list_ifaces);
	ck_assert_int_eq(cfg.fanout, -1);	/* no fanout group */
	cli_config_clear(&cfg);
	ck_assert_ptr_null(cfg.reads);
}
END_TEST

/* ---- -F --------------------------------------------------------------- */

struct fmt_case {
	const char *args[4];
	enum out_format fmt;
};

static const struct fmt_case fmt_cases[] = {
	{ { "-r", "x", "-F", "text" }, FMT_TEXT },
	{ { "-r", "x", "-F", "json" }, FMT_JSON },
	{ { "-r", "x", "-F", "csv" }, FMT_CSV },
	{ { "-r", "x", "--format", "json" }, FMT_JSON },
	{ { "-r", "x", "--format=csv" }, FMT_CSV },
};

START_TEST(test_format)
{
	const struct fmt_case *c = &fmt_cases[_i];
	const char *args[5] = { 0 };
	struct synfin_config cfg;
	GError *err = NULL;

	memcpy(args, c->args, sizeof(c->args));
	ck_assert_msg(parse(args, &cfg, &err), "%s", err ? err->message : "");
	ck_assert_int_eq(cfg.format, c->fmt);
	cli_config_clear(&cfg);
}
END_TEST

START_TEST(test_format_bad)
{
	assert_usage_error(ARGS("-r", "x", "-F", "xml"));
	assert_usage_error(ARGS("-r", "x", "-F", "JSON"));
	assert_usage_error(ARGS("-r", "x", "-F", ""));
	assert_usage_error(ARGS("-r", "x", "-F"));	/* missing value */
}
END_TEST

/* ---- inputs ----------------------------------------------------------- */

START_TEST(test_read_repeated)
{
	struct synfin_config cfg;
	GError *err = NULL;

	/* "repeat for several files, read in the order given" */
	ck_assert(parse(ARGS("-r", "a.pcap", "--read", "b.pcapng", "-r", "-"),
	    &cfg, &err));
	ck_assert_ptr_nonnull(cfg.reads);
	ck_assert_str_eq(cfg.reads[0], "a.pcap");
	ck_assert_str_eq(cfg.reads[1], "b.pcapng");
	ck_assert_str_eq(cfg.reads[2], "-");
	ck_assert_ptr_null(cfg.reads[3]);
	ck_assert_ptr_null(cfg.iface);
	cli_config_clear(&cfg);
}
END_TEST

START_TEST(test_iface)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-i", "eth0", "-p", "-s", "96", "-B", "4096",
	    "-Z", "nobody"), &cfg, &err));
	ck_assert_str_eq(cfg.iface, "eth0");
	ck_assert_ptr_null(cfg.reads);
	ck_assert(cfg.no_promisc);
	ck_assert_int_eq(cfg.snaplen, 96);
	ck_assert_int_eq(cfg.buffer_size, 4096);
	ck_assert_str_eq(cfg.user, "nobody");
	cli_config_clear(&cfg);
}
END_TEST

/* --fanout GROUP: a group number 0..65535, with -i only. */
static const struct {
	const char *args[4];
	int group;
} fanout_ok[] = {
	{ { "-i", "eth0", "--fanout", "7" }, 7 },
	{ { "-i", "eth0", "--fanout=0" }, 0 },
	{ { "--fanout", "65535", "-i", "any" }, 65535 },
};

START_TEST(test_fanout)
{
	const char *args[5] = { 0 };
	struct synfin_config cfg;
	GError *err = NULL;

	memcpy(args, fanout_ok[_i].args, sizeof(fanout_ok[_i].args));
	if (!capture_fanout_is_supported()) {
		/* Not Linux: a usage error that says so. */
		assert_usage_error(args);
		return;
	}
	ck_assert_msg(parse(args, &cfg, &err), "%s", err ? err->message : "");
	ck_assert_int_eq(cfg.fanout, fanout_ok[_i].group);
	cli_config_clear(&cfg);
}
END_TEST

static const struct {
	const char *args[4];
	const char *mention;
} fanout_bad[] = {
	{ { "-r", "x", "--fanout", "7" }, "needs -i" },
	{ { "--fanout", "7" }, "nothing to read" },
	{ { "-i", "eth0", "--fanout", "65536" }, "65536" },
	{ { "-i", "eth0", "--fanout", "-1" }, "--fanout" },
	{ { "-i", "eth0", "--fanout", "7.5" }, "--fanout" },
	{ { "-i", "eth0", "--fanout", "+7" }, "--fanout" },
	{ { "-i", "eth0", "--fanout", "" }, "--fanout" },
	{ { "-i", "eth0", "--fanout", "seven" }, "seven" },
	{ { "-i", "eth0", "--fanout" }, "fanout" },	/* missing value */
};

START_TEST(test_fanout_bad)
{
	const char *args[5] = { 0 };
	struct synfin_config cfg;
	GError *err = NULL;

	memcpy(args, fanout_bad[_i].args, sizeof(fanout_bad[_i].args));
	assert_usage_error(args);
	ck_assert(!parse(args, &cfg, &err));
	ck_assert_msg(strstr(err->message, fanout_bad[_i].mention) != NULL,
	    "'%s' does not mention '%s'", err->message,
	    fanout_bad[_i].mention);
	g_error_free(err);
	cli_config_clear(&cfg);
}
END_TEST

START_TEST(test_no_input)
{
	assert_usage_error(ARGS("-F", "json"));
	assert_usage_error((const char *const[]){ NULL });
	/* A trailing word is a filter, not a file. */
	assert_usage_error(ARGS("x.pcap"));
}
END_TEST

START_TEST(test_read_and_iface)
{
	assert_usage_error(ARGS("-r", "x.pcap", "-i", "eth0"));
	assert_usage_error(ARGS("-i", "eth0", "-r", "-"));
}
END_TEST

/* Modes that need no input. */
START_TEST(test_no_input_modes)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-V"), &cfg, &err));
	ck_assert(cfg.version);
	cli_config_clear(&cfg);
	ck_assert(parse(ARGS("--list-anomalies"), &cfg, &err));
	ck_assert(cfg.list_anomalies);
	cli_config_clear(&cfg);
	ck_assert(parse(ARGS("-L"), &cfg, &err));
	ck_assert(cfg.list_ifaces);
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

/* ---- filter --------------------------------------------------------- */

START_TEST(test_filter_trailing)
{
	struct synfin_config cfg;
	GError *err = NULL;

	/* tcpdump joins the trailing words with single spaces. */
	ck_assert(parse(ARGS("-r", "x", "tcp", "port", "80"), &cfg, &err));
	ck_assert_str_eq(cfg.filter, "tcp port 80");
	ck_assert_str_eq(cfg.reads[0], "x");
	ck_assert_ptr_null(cfg.reads[1]);
	cli_config_clear(&cfg);

	/* Options may follow the words (GOption permutes). */
	ck_assert(parse(ARGS("host", "10.0.0.1", "-r", "x", "-F", "csv"),
	    &cfg, &err));
	ck_assert_str_eq(cfg.filter, "host 10.0.0.1");
	ck_assert_int_eq(cfg.format, FMT_CSV);
	cli_config_clear(&cfg);

	/* One word holding the whole expression is kept as is. */
	ck_assert(parse(ARGS("-r", "x", "tcp and not port 22"), &cfg, &err));
	ck_assert_str_eq(cfg.filter, "tcp and not port 22");
	cli_config_clear(&cfg);

	/* After "--" everything is a filter word. */
	ck_assert(parse(ARGS("-r", "x", "--", "tcp", "port", "443"), &cfg,
	    &err));
	ck_assert_str_eq(cfg.filter, "tcp port 443");
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_filter_option)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-r", "x", "-f", "tcp port 80"), &cfg, &err));
	ck_assert_str_eq(cfg.filter, "tcp port 80");
	cli_config_clear(&cfg);
	ck_assert(parse(ARGS("-r", "x", "--filter=vlan and tcp"), &cfg,
	    &err));
	ck_assert_str_eq(cfg.filter, "vlan and tcp");
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_filter_both)
{
	assert_usage_error(ARGS("-r", "x", "-f", "tcp", "port", "80"));
	assert_usage_error(ARGS("-r", "x", "tcp", "-f", "port 80"));
}
END_TEST

START_TEST(test_filter_bad)
{
	/* Not tcpdump syntax: pcap_compile() rejects each. */
	assert_usage_error(ARGS("-r", "x", "-f", "tcp and ("));
	assert_usage_error(ARGS("-r", "x", "-f", "tcp dst port"));
	assert_usage_error(ARGS("-r", "x", "tcp", "port", "99999999"));
	assert_usage_error(ARGS("-i", "eth0", "tcp", "and", "("));
}
END_TEST

/* ---- numbers ---------------------------------------------------------- */

START_TEST(test_numbers_ok)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-r", "x", "--msl", "2.5", "--idle-timeout", "60",
	    "--max-flows", "1000", "-c", "5"), &cfg, &err));
	ck_assert(cfg.msl == 2.5);
	ck_assert(cfg.idle_timeout == 60.0);
	ck_assert_uint_eq(cfg.max_flows, 1000);
	ck_assert_uint_eq(cfg.count, 5);
	cli_config_clear(&cfg);

	/* An MSL of 0 (no TIME_WAIT wait) is meaningful. */
	ck_assert(parse(ARGS("-r", "x", "--msl=0"), &cfg, &err));
	ck_assert(cfg.msl == 0.0);
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

/* Each row is one bad value; all must be usage errors whose message names
 * the offending option or value, so the user knows what to fix. */
static const struct {
	const char *args[4];
	const char *mention;
} bad_numbers[] = {
	{ { "-r", "x", "--msl", "-1" }, "--msl" },
	{ { "-r", "x", "--msl=-1" }, "--msl" },
	{ { "-r", "x", "--msl", "abc" }, "--msl" },
	{ { "-r", "x", "--msl", "" }, "--msl" },
	{ { "-r", "x", "--msl", "30s" }, "--msl" },
	{ { "-r", "x", "--msl", "nan" }, "--msl" },
	{ { "-r", "x", "--msl", "1e3" }, "--msl" },	/* plain decimals */
	{ { "-r", "x", "--msl", "+5" }, "--msl" },
	{ { "-r", "x", "--msl=1e-400" }, "--msl" },
	{ { "-r", "x", "--idle-timeout", "0" }, "--idle-timeout" },
	{ { "-r", "x", "--idle-timeout", "-5" }, "--idle-timeout" },
	{ { "-r", "x", "--max-flows", "0" }, "--max-flows" },
	{ { "-r", "x", "--max-flows", "-3" }, "--max-flows" },
	{ { "-r", "x", "--max-flows", "many" }, "--max-flows" },
	{ { "-r", "x", "-c", "abc" }, "-c" },
	{ { "-r", "x", "-c", "0" }, "-c" },
	{ { "-r", "x", "-c", "-1" }, "-c" },
	{ { "-r", "x", "-c", "10x" }, "10x" },
	{ { "-r", "x", "-c", " " }, "-c" },
	{ { "-i", "eth0", "-s", "-1" }, "-s" },
	{ { "-i", "eth0", "-B", "0" }, "-B" },
	{ { "-r", "x", "--bogus-option" }, "bogus" },
	{ { "-r", "x", "-j", "0" }, "-j" },
	{ { "-r", "x", "-j", "65" }, "-j" },
	{ { "-r", "x", "-j", "1.5" }, "-j" },
	{ { "-r", "x", "--jobs", "two" }, "-j" },
};

START_TEST(test_numbers_bad)
{
	const char *args[5] = { 0 };
	struct synfin_config cfg;
	GError *err = NULL;

	memcpy(args, bad_numbers[_i].args, sizeof(bad_numbers[_i].args));
	assert_usage_error(args);
	ck_assert(!parse(args, &cfg, &err));
	ck_assert_msg(strstr(err->message, bad_numbers[_i].mention) != NULL,
	    "'%s' does not mention '%s'", err->message,
	    bad_numbers[_i].mention);
	g_error_free(err);
	cli_config_clear(&cfg);
}
END_TEST

/* Options that contradict the rest of the command line: each a usage
 * error naming what to fix (man page, EXIT STATUS). */
static const struct {
	const char *args[7];
	const char *mention;
} conflicts[] = {
	/* One filter, one report file, one interface: the last of two
	 * given used to win silently. */
	{ { "-r", "x", "-f", "port 80", "-f", "port 81" }, "-f (--filter) "
	    "given twice" },
	{ { "-r", "x", "--filter=tcp", "-ftcp" }, "-f (--filter) given twice" },
	{ { "-r", "x", "-o", "a", "--output", "b" }, "-o (--output) given "
	    "twice" },
	{ { "-i", "a", "-i", "b" }, "-i (--interface) given twice" },
	/* A value is a value, even "-f": not a second -f. */
	{ { "-r", "x", "-o", "-f", "-f", "tcp", "-s1" }, "-s sets up a live "
	    "capture" },
	/* A live capture's options with a file. */
	{ { "-r", "x", "-s", "100" }, "-s sets up a live capture" },
	{ { "-r", "x", "-B", "1024" }, "-B sets up a live capture" },
	{ { "-r", "x", "-p" }, "-p sets up a live capture" },
	{ { "-r", "x", "-q", "--progress" }, "contradict" },
};

START_TEST(test_conflicts)
{
	const char *args[8] = { 0 };
	struct synfin_config cfg;
	GError *err = NULL;

	memcpy(args, conflicts[_i].args, sizeof(conflicts[_i].args));
	assert_usage_error(args);
	ck_assert(!parse(args, &cfg, &err));
	ck_assert_msg(strstr(err->message, conflicts[_i].mention) != NULL,
	    "'%s' does not say '%s'", err->message, conflicts[_i].mention);
	g_error_free(err);
	cli_config_clear(&cfg);
}
END_TEST

/* A short option's value in the same word (man page: "-oVALUE"), as
 * tcpdump users write it; a value is never split or parsed as options,
 * even one that starts with a dash. */
START_TEST(test_short_value_attached)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-rx.pcap", "-ry.pcap", "-c10", "-j2",
	    "-Fcsv", "-o-x", "-q", "-ftcp"), &cfg, &err));
	ck_assert_ptr_null(err);
	ck_assert_str_eq(cfg.reads[0], "x.pcap");
	ck_assert_str_eq(cfg.reads[1], "y.pcap");
	ck_assert_uint_eq(cfg.count, 10);
	ck_assert_int_eq(cfg.jobs, 2);
	ck_assert_int_eq(cfg.format, FMT_CSV);
	ck_assert_str_eq(cfg.output, "-x");
	ck_assert(cfg.quiet);
	ck_assert_str_eq(cfg.filter, "tcp");
	cli_config_clear(&cfg);

	/* "-o -q": -q is the file's name, not the option. */
	ck_assert(parse(ARGS("-r", "x", "-o", "-q"), &cfg, &err));
	ck_assert_str_eq(cfg.output, "-q");
	ck_assert(!cfg.quiet);
	cli_config_clear(&cfg);
}
END_TEST

/* -j: given, or the cores for a file of 512 MB or more, capped at 8; one
 * thread live, for small files and under --max-flows (one exact bound). */
START_TEST(test_jobs)
{
	struct synfin_config cfg;
	GError *err = NULL;
	unsigned cores = g_get_num_processors();
	unsigned want = cores > 8 ? 8 : cores;

	ck_assert(parse(ARGS("-r", "x", "-j", "3"), &cfg, &err));
	ck_assert_int_eq(cfg.jobs, 3);
	ck_assert_uint_eq(pipeline_jobs(&cfg, 1), 3);
	cli_config_clear(&cfg);

	ck_assert(parse(ARGS("-r", "x"), &cfg, &err));
	ck_assert_int_eq(cfg.jobs, 0);
	ck_assert_uint_eq(pipeline_jobs(&cfg, PIPELINE_MT_BYTES - 1), 1);
	ck_assert_uint_eq(pipeline_jobs(&cfg, PIPELINE_MT_BYTES), want);
	cli_config_clear(&cfg);

	ck_assert(parse(ARGS("-r", "x", "--max-flows", "10"), &cfg, &err));
	ck_assert_uint_eq(pipeline_jobs(&cfg, 1ull << 40), 1);
	cli_config_clear(&cfg);

	ck_assert(parse(ARGS("-i", "eth0"), &cfg, &err));
	ck_assert_uint_eq(pipeline_jobs(&cfg, 0), 1);
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

/* GError convention: a caller may pass no GError at all. */
START_TEST(test_null_gerror)
{
	struct synfin_config cfg;

	ck_assert(!parse(ARGS("-r", "x", "--bogus-option"), &cfg, NULL));
	cli_config_clear(&cfg);
	ck_assert(!parse(ARGS("-r", "x", "-c", "abc"), &cfg, NULL));
	cli_config_clear(&cfg);
	ck_assert(!parse(ARGS("-F", "json"), &cfg, NULL));
	cli_config_clear(&cfg);
	ck_assert(parse(ARGS("-r", "x"), &cfg, NULL));
	cli_config_clear(&cfg);
}
END_TEST

/* ---- flags ------------------------------------------------------------ */

START_TEST(test_flags)
{
	struct synfin_config cfg;
	GError *err = NULL;

	ck_assert(parse(ARGS("-r", "x", "--check", "-A", "--ladder",
	    "--verify-checksums", "-q", "-o", "out.txt"), &cfg, &err));
	ck_assert(cfg.check);
	ck_assert(cfg.anomalies_only);
	ck_assert(cfg.ladder);
	ck_assert(cfg.verify_checksums);
	ck_assert(cfg.quiet);
	ck_assert(!cfg.progress);
	ck_assert_str_eq(cfg.output, "out.txt");
	cli_config_clear(&cfg);
	ck_assert_ptr_null(err);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_short_value_attached);
	tcase_add_loop_test(tc, test_format, 0, G_N_ELEMENTS(fmt_cases));
	tcase_add_test(tc, test_format_bad);
	tcase_add_test(tc, test_read_repeated);
	tcase_add_test(tc, test_iface);
	tcase_add_loop_test(tc, test_fanout, 0, G_N_ELEMENTS(fanout_ok));
	tcase_add_loop_test(tc, test_fanout_bad, 0, G_N_ELEMENTS(fanout_bad));
	tcase_add_test(tc, test_no_input);
	tcase_add_test(tc, test_read_and_iface);
	tcase_add_test(tc, test_no_input_modes);
	tcase_add_test(tc, test_filter_trailing);
	tcase_add_test(tc, test_filter_option);
	tcase_add_test(tc, test_filter_both);
	tcase_add_test(tc, test_filter_bad);
	tcase_add_test(tc, test_numbers_ok);
	tcase_add_loop_test(tc, test_numbers_bad, 0,
	    G_N_ELEMENTS(bad_numbers));
	tcase_add_test(tc, test_jobs);
	tcase_add_loop_test(tc, test_conflicts, 0, G_N_ELEMENTS(conflicts));
	tcase_add_test(tc, test_null_gerror);
	tcase_add_test(tc, test_flags);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
