/* outfile.h - the files synfin writes (-o report, -w savefile). */
#ifndef SYNFIN_OUTFILE_H
#define SYNFIN_OUTFILE_H

#include <glib.h>
#include <stdio.h>

/*
 * Create or truncate path for writing; "-" is standard output. As any
 * user, this is fopen(path, "w"). As root (effective uid 0), in a
 * directory that other users can change (world-writable, group-writable
 * by a group other than root's, or owned by another user), what is there
 * is checked first: a symbolic link is not followed, and an existing
 * file is written only if it is a regular file with one link, owned by
 * root or by the directory's owner. NULL with err set (SYNFIN_ERROR,
 * SYNFIN_ERROR_OUTPUT: exit status 2) otherwise.
 */
FILE *outfile_open(const char *path, GError **err);

#endif
