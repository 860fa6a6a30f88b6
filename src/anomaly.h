/* anomaly.h - the anomaly catalogue and the per-connection anomaly log. */
#ifndef SYNFIN_ANOMALY_H
#define SYNFIN_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum anom_sev { SEV_INFO, SEV_WARN, SEV_ERR, SEV_MAX };

enum anom_id {
	ANOM_NONE = 0,
#define ANOM(id, name, sev, desc, ref) ANOM_##id,
#include "anomaly.def"
#undef ANOM
	ANOM_MAX
};

/* One finding, as logged on a connection. */
struct anom_rec {
	uint64_t frame;		/* 1-based frame number across all inputs */
	int64_t ts_ns;		/* capture time of that frame */
	char *detail;		/* numbers, relative and absolute (owned) */
	uint16_t id;		/* enum anom_id */
	uint8_t dir;		/* canonical index of the sending endpoint */
};

const char *anomaly_name(enum anom_id id);
enum anom_sev anomaly_severity(enum anom_id id);
const char *anomaly_description(enum anom_id id);
const char *anomaly_reference(enum anom_id id);
const char *anomaly_sev_name(enum anom_sev sev);
/* Look up by snake_case name; ANOM_NONE if unknown. */
enum anom_id anomaly_by_name(const char *name);
/* --list-anomalies */
void anomaly_list(FILE *out);

#endif
