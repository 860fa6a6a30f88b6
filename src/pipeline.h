/* pipeline.h - capture -> decode -> flow -> conn -> report. */
#ifndef SYNFIN_PIPELINE_H
#define SYNFIN_PIPELINE_H

#include <glib.h>
#include <stdio.h>

#include "cli.h"
#include "report.h"

/* Run the whole analysis; returns the exit status (SPEC: 0, 1 or 2). */
int pipeline_run(const struct synfin_config *cfg);

/* -j: the threads to use for files of this many bytes (cfg->jobs, else
 * the cores for files of PIPELINE_MT_BYTES or more). */
#define PIPELINE_MT_BYTES (512u << 20)
unsigned pipeline_jobs(const struct synfin_config *cfg, uint64_t bytes);

/* For tests and fuzzing: analyze one in-memory capture, report to out
 * (on cfg->jobs threads when it is 2 or more). */
int pipeline_run_fp(const struct synfin_config *cfg, FILE *in, FILE *out,
    struct stats *st_out);

#endif
