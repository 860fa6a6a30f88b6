/* capture.c - libpcap offline reading with the errors a user needs. */
#include "config.h"

#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"

struct capture {
	pcap_t *p;
	char *name;		/* as given on the command line */
	int dlt;
	uint64_t off;		/* offset after the last whole record */
	uint64_t size;		/* file size, 0 if not a regular file */
	bool pcapng;		/* offsets are exact only for classic pcap */
	uint64_t records;	/* records read */
};

G_DEFINE_QUARK(synfin-error-quark, synfin_error)

static struct capture *
capture_setup(pcap_t *p, const char *name, const char *filter, uint64_t size,
    GError **err)
{
	int dlt = pcap_datalink(p);

	if (!decode_dlt_is_supported(dlt)) {
		const char *dn = pcap_datalink_val_to_name(dlt);
		const char *dd = pcap_datalink_val_to_description(dlt);
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: link-layer type %d (%s%s%s%s) is not supported; "
		    "synfin reads Ethernet, Linux cooked v1/v2, raw IP and "
		    "BSD loopback", name, dlt, dn ? "DLT_" : "unknown",
		    dn ? dn : "", dd ? ", " : "", dd ? dd : "");
		pcap_close(p);
		return NULL;
	}
	if (filter && *filter) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
			    "bad filter '%s': %s", filter, pcap_geterr(p));
			pcap_close(p);
			return NULL;
		}
		if (pcap_setfilter(p, &prog) < 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: cannot set filter: %s", name, pcap_geterr(p));
			pcap_freecode(&prog);
			pcap_close(p);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	struct capture *c = g_new0(struct capture, 1);
	c->p = p;
	c->name = g_strdup(name);
	c->dlt = dlt;
	c->size = size;
	/* A classic pcap file header is 24 bytes; pcapng sections vary. */
	c->pcapng = pcap_major_version(p) != 2;
	FILE *fp = pcap_file(p);
	long pos = fp ? ftell(fp) : -1;
	c->off = pos >= 0 ? (uint64_t)pos : 24;
	return c;
}

struct capture *
capture_open_file(const char *path, const char *filter, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	uint64_t size = 0;
	struct stat st;

	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) != 0) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: %s", path, g_strerror(errno));
			return NULL;
		}
		if (S_ISDIR(st.st_mode)) {
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
			    "%s: is a directory", path);
			return NULL;
		}
		if (S_ISREG(st.st_mode))
			size = (uint64_t)st.st_size;
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: not a readable pcap or pcapng capture (%s)",
		    strcmp(path, "-") == 0 ? "standard input" : path, ebuf);
		return NULL;
	}
	return capture_setup(p, strcmp(path, "-") == 0 ? "standard input" :
	    path, filter, size, err);
}

struct capture *
capture_open_fp(FILE *fp, const char *name, const char *filter, GError **err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);

	if (!p) {
		fclose(fp);
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
		    "%s: not a readable pcap or pcapng capture (%s)", name, ebuf);
		return NULL;
	}
	return capture_setup(p, name, filter, 0, err);
}

enum capture_status
capture_next(struct capture *c, struct frame *f, GError **err)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int r = pcap_next_ex(c->p, &h, &d);

	if (r == 1) {
		FILE *fp = pcap_file(c->p);
		long pos = fp ? ftell(fp) : -1;
		c->records++;
		if (pos >= 0)
			c->off = (uint64_t)pos;
		else if (!c->pcapng)
			c->off += 16 + h->caplen;
		f->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 +
		    (int64_t)h->ts.tv_usec;	/* tv_usec holds ns here */
		f->caplen = h->caplen;
		f->wirelen = h->len;
		f->dlt = c->dlt;
		f->data = d;
		return CAPTURE_OK;
	}
	if (r == PCAP_ERROR_BREAK)
		return CAPTURE_EOF;
	if (r == 0)
		return CAPTURE_AGAIN;
	g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_INPUT,
	    "%s: %s at byte offset %" G_GUINT64_FORMAT " (after record %"
	    G_GUINT64_FORMAT "); the report covers everything before it",
	    c->name, pcap_geterr(c->p), c->off, c->records);
	return CAPTURE_ERROR;
}

uint64_t
capture_offset(const struct capture *c)
{
	return c->off;
}

uint64_t
capture_size(const struct capture *c)
{
	return c->size;
}

const char *
capture_name(const struct capture *c)
{
	return c->name;
}

void
capture_close(struct capture *c)
{
	if (!c)
		return;
	pcap_close(c->p);
	g_free(c->name);
	g_free(c);
}

bool
capture_filter_check(const char *filter, GError **err)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	bool ok = true;

	if (!p)
		return true;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_USAGE,
		    "bad filter '%s': %s", filter, pcap_geterr(p));
		ok = false;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return ok;
}
