/* main.c - synfin: judge TCP handshakes and teardowns against RFC 9293. */
#include "config.h"

#include <glib.h>
#include <pcap/pcap.h>
#include <locale.h>
#ifdef HAVE_MALLOC_H
#include <malloc.h>		/* mallopt() */
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "anomaly.h"
#include "cli.h"
#include "conn.h"
#include "pipeline.h"

/* -L: the interfaces libpcap can open, numbered like tcpdump -D. */
static int
list_interfaces(void)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	int n = 0;

	if (pcap_findalldevs(&all, ebuf) != 0) {
		g_printerr("synfin: cannot list interfaces: %s\n", ebuf);
		return 2;
	}
	for (pcap_if_t *d = all; d; d = d->next)
		printf("%d.%s%s%s%s\n", ++n, d->name,
		    d->description ? " (" : "",
		    d->description ? d->description : "",
		    d->description ? ")" : "");
	pcap_freealldevs(all);
	return 0;
}

/* A warning as synfin writes its errors (DIAGNOSTICS), one line:
 * "synfin: warning: ...", not GLib's "(synfin:PID): synfin-WARNING **:
 * time: ...". */
static void
log_line(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer user)
{
	(void)domain;
	(void)user;
	g_printerr("synfin: %s%s\n", (level & G_LOG_LEVEL_WARNING) ?
	    "warning: " : "", msg);
}

int
main(int argc, char **argv)
{
	struct synfin_config cfg;
	g_autoptr(GError) err = NULL;
	int rc;

	setlocale(LC_ALL, "");
	g_log_set_handler(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING |
	    G_LOG_LEVEL_MESSAGE, log_line, NULL);
	/* Tests: check conn_input()'s fast path on every segment. */
	const char *fc = g_getenv("SYNFIN_FAST_CHECK");
	conn_fast_check = fc && *fc && strcmp(fc, "0") != 0;
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe is an EPIPE write */
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD)
	/*
	 * Blocks of 128 KiB and more (hash buckets, batches, queues, output
	 * buffers) come from mmap() and go back at free(). glibc would
	 * otherwise raise that threshold to the largest such block freed
	 * (the 2 MB of buckets a thread's table outgrows, those of the end
	 * of input's flush), and the large blocks after it would come from
	 * the heap and stay: 2 MB more at the peak on 10 million short
	 * connections with -j 2.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	if (!cli_parse(argc, argv, &cfg, &err)) {
		g_printerr("synfin: %s\n", err->message);
		cli_config_clear(&cfg);
		return 2;
	}
	if (cfg.version) {
		printf("synfin %s\n", PACKAGE_VERSION);
		rc = 0;
	} else if (cfg.list_ifaces) {
		rc = list_interfaces();
	} else if (cfg.list_anomalies) {
		anomaly_list(stdout);
		rc = 0;
	} else {
		cfg.color = cfg.format == FMT_TEXT && !cfg.output &&
		    isatty(STDOUT_FILENO) && !g_getenv("NO_COLOR");
		rc = pipeline_run(&cfg);
	}
	cli_config_clear(&cfg);
	return rc;
}
