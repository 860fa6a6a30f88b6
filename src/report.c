/* report.c - writer selection and shared helpers. */
#include "config.h"

#include "report.h"

#include <inttypes.h>

#include "decode.h"

const char *const derr_name[DERR_MAX] = {
	[DERR_TRUNCATED] = "truncated_segment",
	[DERR_MALFORMED] = "malformed_packet",
	[DERR_FRAGMENT] = "ip_fragment",
	[DERR_UNSUPPORTED] = "unsupported_packet",
	[DERR_BAD_CHECKSUM] = "bad_checksum",
};

void
report_init(struct report *r, const struct synfin_config *cfg,
    const struct conn_cfg *ccfg, FILE *out)
{
	static const struct report_ops *const ops[FMT_MAX] = {
		[FMT_TEXT] = &report_text_ops,
		[FMT_JSON] = &report_json_ops,
		[FMT_CSV] = &report_csv_ops,
	};
	r->ops = ops[cfg->format];
	r->out = out;
	r->cfg = cfg;
	r->ccfg = *ccfg;
	r->color = cfg->color;
	r->written = 0;
}

void
report_conn(struct report *r, struct stats *st, const struct conn *c)
{
	st->connections++;
	st->hs[conn_hs_outcome(c)]++;
	st->td[conn_td_outcome(c)]++;
	for (unsigned i = 0; i < c->nanoms; i++)
		st->anom[c->anoms[i].id]++;
	if (c->nanoms)
		st->with_anomalies++;
	if (r->cfg->anomalies_only && !c->nanoms)
		return;
	if (!cli_conn_selected(r->cfg, c->id))
		return;
	r->ops->conn(r, c);
	r->written++;
	/* A record is complete when written: flush so a reader of a pipe
	 * (synfin -i eth0 -F json | jq) sees it now. */
	fflush(r->out);
}

void
report_ts(char *buf, size_t len, int64_t ns)
{
	int64_t s = ns / 1000000000, f = ns % 1000000000;

	if (f < 0) {
		f += 1000000000;
		s--;
	}
	snprintf(buf, len, "%" PRId64 ".%06" PRId64, s, f / 1000);
}

void
report_dur(char *buf, size_t len, int64_t ns)
{
	if (ns < 0) {
		snprintf(buf, len, "-");
		report_dur(buf + 1, len - 1, -ns);
		return;
	}
	snprintf(buf, len, "%" PRId64 ".%06" PRId64, ns / 1000000000,
	    (ns % 1000000000) / 1000);
}

void
report_addr(const struct conn *c, int idx, char *buf, size_t len)
{
	decode_addr_str(c->key.af, c->key.addr[idx], buf, len);
}

const char *
report_side(const struct conn *c, int idx)
{
	return idx == conn_client(c) ? "client" : "server";
}
