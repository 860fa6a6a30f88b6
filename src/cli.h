/* cli.h - the command line (SPEC.md) into a struct synfin_config. */
#ifndef SYNFIN_CLI_H
#define SYNFIN_CLI_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum out_format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_MAX };

struct synfin_config {
	char **reads;		/* -r FILE..., NULL-terminated */
	char *iface;		/* -i IFACE */
	char *filter;		/* -f EXPR or trailing words */
	char *output;		/* -o FILE */
	char *write;		/* -w FILE: save the raw packets (live) */
	enum out_format format;	/* -F */
	bool ladder;		/* --ladder */
	bool anomalies_only;	/* -A */
	uint64_t *conn_ids;	/* --conn: report only these ids (sorted) */
	size_t n_conn_ids;
	bool check;		/* --check: exit 1 on anomalies */
	double msl;		/* --msl seconds */
	double idle_timeout;	/* --idle-timeout seconds */
	uint64_t max_flows;	/* --max-flows (0: unbounded) */
	uint64_t count;		/* -c (0: all) */
	int jobs;		/* -j (0: automatic) */
	bool verify_checksums;	/* --verify-checksums */
	bool keep_copies;	/* --keep-copies */
	int snaplen;		/* -s */
	bool no_promisc;	/* -p */
	int buffer_size;	/* -B KiB */
	char *user;		/* -Z */
	int fanout;		/* --fanout GROUP (0..65535), -1: none */
	bool quiet;		/* -q */
	bool progress;		/* --progress */
	bool list_ifaces;	/* -L */
	bool list_anomalies;	/* --list-anomalies */
	bool version;		/* -V */
	bool color;		/* colour in text (decided from the terminal) */
};

/* Parse argv; false with err set on a usage error (exit 2). */
bool cli_parse(int argc, char **argv, struct synfin_config *cfg,
    GError **err);
void cli_config_clear(struct synfin_config *cfg);
/* --conn: is connection id selected (true when no --conn was given)? */
bool cli_conn_selected(const struct synfin_config *cfg, uint64_t id);

#endif
