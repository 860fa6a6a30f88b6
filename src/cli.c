/* cli.c - GOptionContext -> struct synfin_config (no globals). */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

static bool
parse_num(const char *opt, const char *s, double lo, double hi, double *out,
    GError **err)
{
	char *end = NULL;
	/* Plain decimal only (30, 0.5): no blanks, no hex, no exponent, no
	 * sign (strtod takes them all). */
	bool dec = s && *s && strspn(s, "0123456789.") == strlen(s) &&
	    strchr("0123456789.", *s);
	double v = dec ? g_ascii_strtod(s, &end) : 0;

	if (!dec || !end || *end || !(v >= lo && v <= hi)) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "%s: '%s' is not a number from %.15g to %.15g", opt,
		    s ? s : "", lo, hi);
		return false;
	}
	*out = v;
	return true;
}

/* A count: a whole number from lo to hi. */
static bool
parse_whole(const char *opt, const char *s, uint64_t lo, uint64_t hi,
    uint64_t *out, GError **err)
{
	guint64 v;

	if (!s || !g_ascii_string_to_unsigned(s, 10, lo, hi, &v, NULL)) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "%s: '%s' is not a whole number from %" G_GUINT64_FORMAT
		    " to %" G_GUINT64_FORMAT, opt, s ? s : "", lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* tcpdump's users write a short option's value in the same word: -c10,
 * -rFILE, -j1. GOption wants it in the next one: split such a word in two.
 * A value is never split or looked into (-o -x writes to "-x"), nor is
 * anything after "--". */
static GPtrArray *
split_short_values(int argc, char **argv, const GOptionEntry *e)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	int i = 0;

	if (argc > 0)
		g_ptr_array_add(v, g_strdup(argv[i++]));
	while (i < argc) {
		const char *a = argv[i++];
		const GOptionEntry *opt = NULL;

		if (strcmp(a, "--") == 0) {
			g_ptr_array_add(v, g_strdup(a));
			while (i < argc)
				g_ptr_array_add(v, g_strdup(argv[i++]));
			break;
		}
		if (a[0] == '-' && a[1] == '-') {
			for (const GOptionEntry *x = e; x->long_name; x++) {
				size_t n = strlen(x->long_name);
				if (strncmp(a + 2, x->long_name, n) == 0 &&
				    a[2 + n] == '\0' && x->arg != G_OPTION_ARG_NONE)
					opt = x;
			}
			g_ptr_array_add(v, g_strdup(a));
			if (opt && i < argc)	/* its value, as it is */
				g_ptr_array_add(v, g_strdup(argv[i++]));
			continue;
		}
		if (a[0] == '-' && a[1] != '\0')
			for (const GOptionEntry *x = e; x->long_name; x++)
				if (x->short_name == a[1] &&
				    x->arg != G_OPTION_ARG_NONE)
					opt = x;
		if (!opt) {
			g_ptr_array_add(v, g_strdup(a));
			continue;
		}
		g_ptr_array_add(v, g_strndup(a, 2));
		if (a[2] != '\0')
			g_ptr_array_add(v, g_strdup(a + 2));
		else if (i < argc)	/* its value, as it is */
			g_ptr_array_add(v, g_strdup(argv[i++]));
	}
	g_ptr_array_add(v, NULL);
	return v;
}

/* An option that names one thing (the filter, the report file, the
 * interface, the file -w writes) given twice: GOption keeps the last one
 * silently, and a filter lost that way goes unnoticed. args as
 * split_short_values() made it. */
static bool
check_once(const GPtrArray *args, const GOptionEntry *e, GError **err)
{
	static const char once[] = "foiw";
	unsigned seen[sizeof(once)] = { 0 };

	for (guint i = 1; i + 1 < args->len; i++) {
		const char *a = g_ptr_array_index(args, i);
		const GOptionEntry *opt = NULL;
		bool inline_value = false;
		if (strcmp(a, "--") == 0)
			break;
		for (const GOptionEntry *x = e; x->long_name; x++) {
			size_t n = strlen(x->long_name);
			if (a[0] == '-' && a[1] == '-' &&
			    strncmp(a + 2, x->long_name, n) == 0 &&
			    (a[2 + n] == '\0' || a[2 + n] == '=')) {
				opt = x;
				inline_value = a[2 + n] == '=';
			} else if (a[0] == '-' && a[1] != '-' &&
			    x->short_name && a[1] == x->short_name &&
			    a[2] == '\0') {
				opt = x;
			}
		}
		if (!opt)
			continue;
		const char *k = opt->short_name ?
		    strchr(once, opt->short_name) : NULL;
		if (k && ++seen[k - once] > 1) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "-%c (--%s) given twice: it takes one %s",
			    opt->short_name, opt->long_name,
			    opt->short_name == 'f' ? "filter (join "
			    "expressions with 'and')" : opt->short_name == 'i'
			    ? "interface" : "file");
			return false;
		}
		if (opt->arg != G_OPTION_ARG_NONE && !inline_value)
			i++;	/* its value, whatever it looks like */
	}
	return true;
}

bool
cli_parse(int argc, char **argv, struct synfin_config *cfg, GError **err)
{
	g_autofree char *format = NULL, *msl = NULL, *idle = NULL;
	g_autofree char *maxf = NULL, *count = NULL, *jobs = NULL;
	g_autofree char *snap = NULL, *buf = NULL, *fanout = NULL;
	g_auto(GStrv) conns = NULL;
	g_auto(GStrv) rest = NULL;
	gboolean ladder = FALSE, aonly = FALSE, check = FALSE, verify = FALSE;
	gboolean keep_copies = FALSE;
	gboolean nopromisc = FALSE, quiet = FALSE, progress = FALSE;
	gboolean list = FALSE, listan = FALSE, version = FALSE;

	memset(cfg, 0, sizeof(*cfg));
	cfg->msl = 30;
	cfg->idle_timeout = 300;
	cfg->snaplen = 262144;
	cfg->fanout = -1;

	GOptionEntry entries[] = {
		{ "read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &cfg->reads,
		  "Read a pcap or pcapng file ('-' for standard input); "
		  "repeat to read several as one capture", "FILE" },
		{ "interface", 'i', 0, G_OPTION_ARG_STRING, &cfg->iface,
		  "Capture live on an interface", "IFACE" },
		{ "list-interfaces", 'L', 0, G_OPTION_ARG_NONE, &list,
		  "List the interfaces and exit", NULL },
		{ "filter", 'f', 0, G_OPTION_ARG_STRING, &cfg->filter,
		  "BPF filter in tcpdump syntax (or give it as trailing words)",
		  "EXPR" },
		{ "format", 'F', 0, G_OPTION_ARG_STRING, &format,
		  "Report format: text (default), json (JSON Lines), csv",
		  "FMT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &cfg->output,
		  "Write the report to FILE (default standard output)", "FILE" },
		{ "write", 'w', 0, G_OPTION_ARG_FILENAME, &cfg->write,
		  "With -i, also save the raw packets to FILE (pcap)", "FILE" },
		{ "ladder", 0, 0, G_OPTION_ARG_NONE, &ladder,
		  "In text, draw each connection's packet ladder", NULL },
		{ "anomalies-only", 'A', 0, G_OPTION_ARG_NONE, &aonly,
		  "Report only connections with at least one anomaly", NULL },
		{ "conn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &conns,
		  "Report only the connections with these ids (repeatable, "
		  "or a comma-separated list)", "ID[,ID...]" },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Exit 1 when any anomaly was found", NULL },
		{ "msl", 0, 0, G_OPTION_ARG_STRING, &msl,
		  "Maximum segment lifetime for TIME_WAIT (default 30)", "SEC" },
		{ "idle-timeout", 0, 0, G_OPTION_ARG_STRING, &idle,
		  "Report and forget a connection silent this long "
		  "(default 300)", "SEC" },
		{ "max-flows", 0, 0, G_OPTION_ARG_STRING, &maxf,
		  "Track at most N connections; the longest idle are "
		  "reported and evicted first", "N" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs,
		  "Analyse files on N threads (default: the cores, for files "
		  "of 512 MB or more)", "N" },
		{ "count", 'c', 0, G_OPTION_ARG_STRING, &count,
		  "Stop after COUNT packets", "COUNT" },
		{ "verify-checksums", 0, 0, G_OPTION_ARG_NONE, &verify,
		  "Drop segments with a bad IPv4 or TCP checksum", NULL },
		{ "keep-copies", 0, 0, G_OPTION_ARG_NONE, &keep_copies,
		  "Analyse every copy of a segment a capture on several "
		  "interfaces (-i any) holds", NULL },
		{ "snaplen", 's', 0, G_OPTION_ARG_STRING, &snap,
		  "Live capture snapshot length (default 262144)", "LEN" },
		{ "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &nopromisc,
		  "Do not put the interface in promiscuous mode", NULL },
		{ "buffer-size", 'B', 0, G_OPTION_ARG_STRING, &buf,
		  "Live capture buffer size in KiB", "KIB" },
		{ "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING,
		  &cfg->user, "Drop privileges to USER after opening the "
		  "interface", "USER" },
		{ "fanout", 0, 0, G_OPTION_ARG_STRING, &fanout,
		  "With -i, share the link with the other synfin processes "
		  "of AF_PACKET fanout group GROUP (0-65535, Linux): each "
		  "connection goes whole to one of them", "GROUP" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "No progress line", NULL },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
		  "Force the progress line on standard error", NULL },
		{ "list-anomalies", 0, 0, G_OPTION_ARG_NONE, &listan,
		  "List every anomaly with its severity and RFC section", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version,
		  "Print the version and exit", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest,
		  NULL, "[BPF FILTER ...]" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("- judge TCP handshakes and teardowns "
		"against RFC 9293");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx,
	    "synfin [OPTIONS] -r FILE [-r FILE ...] [BPF FILTER ...]\n"
	    "synfin [OPTIONS] -i IFACE              [BPF FILTER ...]");
	g_option_context_set_description(ctx,
	    "Exit status: 0 done; 1 done, --check given and anomalies found; "
	    "2 usage error or unreadable input.\nSee synfin(1).");
	/* GOption removes what it parsed from the vector it is given: give
	 * it a copy of the pointers; args keeps (and frees) the strings. */
	g_autoptr(GPtrArray) args = split_short_values(argc, argv, entries);
	g_autofree char **av = g_memdup2(args->pdata,
	    args->len * sizeof(char *));
	int ac = (int)args->len - 1;
	if (!check_once(args, entries, err))
		return false;
	if (!g_option_context_parse(ctx, &ac, &av, err)) {
		if (err && *err) {
			(*err)->domain = SYNFIN_ERROR, (*err)->code =
			    SYNFIN_ERROR_USAGE;
			char *m = g_strdup_printf("%s (see --help)",
			    (*err)->message);
			g_free((*err)->message);
			(*err)->message = m;
		}
		return false;
	}

	cfg->ladder = ladder;
	cfg->anomalies_only = aonly;
	cfg->check = check;
	cfg->verify_checksums = verify;
	cfg->keep_copies = keep_copies;
	cfg->no_promisc = nopromisc;
	cfg->quiet = quiet;
	cfg->progress = progress;
	cfg->list_ifaces = list;
	cfg->list_anomalies = listan;
	cfg->version = version;

	if (format) {
		if (strcmp(format, "text") == 0)
			cfg->format = FMT_TEXT;
		else if (strcmp(format, "json") == 0 ||
		    strcmp(format, "jsonl") == 0)
			cfg->format = FMT_JSON;
		else if (strcmp(format, "csv") == 0)
			cfg->format = FMT_CSV;
		else {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "-F: unknown format '%s' (text, json, csv)",
			    format);
			return false;
		}
	}
	double v;
	if (msl) {
		if (!parse_num("--msl", msl, 0, 86400, &v, err))
			return false;
		cfg->msl = v;
	}
	if (idle) {
		if (!parse_num("--idle-timeout", idle, 0.001, 31536000, &v, err))
			return false;
		cfg->idle_timeout = v;
	}
	uint64_t u;
	if (maxf) {
		if (!parse_whole("--max-flows", maxf, 1, 1000000000000ull, &u,
		    err))
			return false;
		cfg->max_flows = u;
	}
	if (jobs) {
		if (!parse_whole("-j", jobs, 1, 64, &u, err))
			return false;
		cfg->jobs = (int)u;
	}
	if (count) {
		if (!parse_whole("-c", count, 1, 1000000000000000000ull, &u,
		    err))
			return false;
		cfg->count = u;
	}
	if (snap) {
		if (!parse_whole("-s", snap, 0, 262144, &u, err))
			return false;
		cfg->snaplen = u == 0 ? 262144 : (int)u;
	}
	if (buf) {
		if (!parse_whole("-B", buf, 1, 4194304, &u, err))
			return false;
		cfg->buffer_size = (int)u;
	}

	if (fanout) {
		guint64 g;
		if (!g_ascii_string_to_unsigned(fanout, 10, 0, 65535, &g,
		    NULL)) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "--fanout: '%s' is not a group number from 0 to "
			    "65535", fanout);
			return false;
		}
		cfg->fanout = (int)g;
	}

	for (char **c = conns; c && *c; c++) {
		if (!**c) {	/* an empty list would select everything */
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "--conn: no connection id given");
			return false;
		}
		g_auto(GStrv) parts = g_strsplit(*c, ",", -1);
		for (char **p = parts; *p; p++) {
			guint64 id;
			if (!g_ascii_string_to_unsigned(g_strstrip(*p), 10, 1,
			    G_MAXUINT64, &id, NULL)) {
				g_set_error(err, SYNFIN_ERROR,
				    SYNFIN_ERROR_USAGE, "--conn: '%s' is not "
				    "a connection id (1, 2, ...)", *p);
				return false;
			}
			cfg->conn_ids = g_renew(uint64_t, cfg->conn_ids,
			    cfg->n_conn_ids + 1);
			cfg->conn_ids[cfg->n_conn_ids++] = id;
		}
	}
	if (cfg->n_conn_ids)
		qsort(cfg->conn_ids, cfg->n_conn_ids, sizeof(uint64_t),
		    cmp_u64);

	/* Trailing words are the filter, joined as tcpdump does. */
	if (rest && rest[0]) {
		if (cfg->filter) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "give the filter either with -f or as trailing "
			    "words, not both");
			return false;
		}
		cfg->filter = g_strjoinv(" ", rest);
	}

	if (cfg->version || cfg->list_anomalies || cfg->list_ifaces)
		return true;
	if (!cfg->reads && !cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "nothing to read: give -r FILE or -i IFACE (see --help)");
		return false;
	}
	if (cfg->write && !cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-w saves a live capture: it needs -i");
		return false;
	}
	if (cfg->user && !cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-Z drops privileges after opening an interface: it needs -i");
		return false;
	}
	if (quiet && progress) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-q (no progress line) and --progress contradict each "
		    "other");
		return false;
	}
	if ((snap || buf || nopromisc) && !cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "%s sets up a live capture: it needs -i", snap ? "-s" :
		    buf ? "-B" : "-p");
		return false;
	}
	if (cfg->fanout >= 0 && !cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "--fanout shares a live capture between processes: it "
		    "needs -i");
		return false;
	}
	if (cfg->fanout >= 0 && !capture_fanout_is_supported()) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "--fanout needs Linux AF_PACKET fanout (PACKET_FANOUT), "
		    "which this build of synfin does not have");
		return false;
	}
	unsigned nstdin = 0;
	for (char **r = cfg->reads; r && *r; r++)
		nstdin += strcmp(*r, "-") == 0;
	if (nstdin > 1) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-r -: standard input can be read once");
		return false;
	}
	if (cfg->reads && cfg->iface) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "-r and -i cannot be used together");
		return false;
	}
	if (cfg->filter && !capture_filter_check(cfg->filter, err))
		return false;
	return true;
}

bool
cli_conn_selected(const struct synfin_config *cfg, uint64_t id)
{
	return !cfg->n_conn_ids || bsearch(&id, cfg->conn_ids,
	    cfg->n_conn_ids, sizeof(uint64_t), cmp_u64);
}

void
cli_config_clear(struct synfin_config *cfg)
{
	g_strfreev(cfg->reads);
	g_free(cfg->iface);
	g_free(cfg->filter);
	g_free(cfg->output);
	g_free(cfg->write);
	g_free(cfg->conn_ids);
	g_free(cfg->user);
	memset(cfg, 0, sizeof(*cfg));
}
