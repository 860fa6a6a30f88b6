/* anomaly.c - tables expanded from anomaly.def. */
#include "config.h"

#include "anomaly.h"

#include <string.h>

struct anom_info {
	const char *name;
	enum anom_sev sev;
	const char *desc;
	const char *ref;
};

static const struct anom_info anom_tab[ANOM_MAX] = {
	[ANOM_NONE] = { "none", SEV_INFO, "", "" },
#define ANOM(id, name, sev, desc, ref) [ANOM_##id] = { name, sev, desc, ref },
#include "anomaly.def"
#undef ANOM
};

const char *
anomaly_name(enum anom_id id)
{
	return (unsigned)id < ANOM_MAX ? anom_tab[id].name : "?";
}

enum anom_sev
anomaly_severity(enum anom_id id)
{
	return (unsigned)id < ANOM_MAX ? anom_tab[id].sev : SEV_ERR;
}

const char *
anomaly_description(enum anom_id id)
{
	return (unsigned)id < ANOM_MAX ? anom_tab[id].desc : "";
}

const char *
anomaly_reference(enum anom_id id)
{
	return (unsigned)id < ANOM_MAX ? anom_tab[id].ref : "";
}

const char *
anomaly_sev_name(enum anom_sev sev)
{
	static const char *const names[] = {
		[SEV_INFO] = "info", [SEV_WARN] = "warning", [SEV_ERR] = "error",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == SEV_MAX, "sev");
	return (unsigned)sev < SEV_MAX ? names[sev] : "?";
}

enum anom_id
anomaly_by_name(const char *name)
{
	for (int i = 1; i < ANOM_MAX; i++)
		if (strcmp(anom_tab[i].name, name) == 0)
			return (enum anom_id)i;
	return ANOM_NONE;
}

void
anomaly_list(FILE *out)
{
	for (int i = 1; i < ANOM_MAX; i++)
		fprintf(out, "%-26s %-8s %s (%s)\n", anom_tab[i].name,
		    anomaly_sev_name(anom_tab[i].sev), anom_tab[i].desc,
		    anom_tab[i].ref);
}
