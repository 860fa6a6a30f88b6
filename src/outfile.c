/* outfile.c - opening the files synfin writes, and not letting root be
 * tricked into writing someone else's file.
 *
 * The attack: synfin runs as root (live capture) and is told to write
 * /tmp/report. Another user has put there a symbolic link to /etc/shadow,
 * a hard link to it, or a file of their own; root's open(O_CREAT|O_TRUNC)
 * follows the link or reuses the file and overwrites it. Linux's
 * fs.protected_symlinks, protected_hardlinks and protected_regular
 * sysctls stop some of this in sticky directories when they are on; they
 * are not always on (nor on other systems), and they do not cover a
 * directory owned by another user. So, as root, in a directory others
 * can change: create the file with O_EXCL (a fresh file is ours alone),
 * or else open what is there with O_NOFOLLOW and no O_TRUNC, look at the
 * file actually opened (fstat), and truncate it only if it is a plain
 * file of root's or of the directory owner's, with one link. The
 * directory is opened once and the file is opened relative to it
 * (openat), so what was checked is where the file is created.
 */
#include "config.h"

#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"	/* SYNFIN_ERROR */

/* Can users other than root add, remove or rename entries of this
 * directory? */
static bool
outfile_dir_is_shared(const struct stat *d)
{
	return (d->st_mode & S_IWOTH) ||
	    ((d->st_mode & S_IWGRP) && d->st_gid != 0) || d->st_uid != 0;
}

static const char *
outfile_user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? pw->pw_name : "?";
}

/* Root, in a directory others can change (dfd, ds): an fd or -1. */
static int
outfile_open_shared(int dfd, const struct stat *ds, const char *base,
    const char *path, const char *dir, GError **err)
{
	int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0666);

	if (fd >= 0 || errno != EEXIST) {
		if (fd < 0)
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: %s", path, g_strerror(errno));
		return fd;
	}
	/* Something is there (O_EXCL fails on a symbolic link too). Open it
	 * without following a link or truncating, and without blocking on a
	 * FIFO, then judge the file itself. */
	fd = openat(dfd, base, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: is a symbolic link, in %s, a directory other "
			    "users can write to; synfin runs as root and does "
			    "not follow it (remove it, or write elsewhere)",
			    path, dir);
		else if (errno == ENXIO)	/* a FIFO without a reader */
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: is not a regular file, in %s, a directory "
			    "other users can write to; synfin runs as root "
			    "and does not write it (remove it, or write "
			    "elsewhere)", path, dir);
		else
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: %s", path, g_strerror(errno));
		return -1;
	}
	struct stat fs;
	const char *why = NULL;
	if (fstat(fd, &fs) != 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT, "%s: %s",
		    path, g_strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(fs.st_mode))
		why = "is not a regular file";
	else if (fs.st_uid != 0 && fs.st_uid != ds->st_uid)
		why = "belongs to another user";
	else if (fs.st_nlink != 1)
		why = "has other hard links";
	if (why) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
		    "%s: %s (owner %s, %ju link%s), in %s, a directory other "
		    "users can write to; synfin runs as root and does not "
		    "write it (remove it, or write elsewhere)", path, why,
		    outfile_user_name(fs.st_uid), (uintmax_t)fs.st_nlink,
		    fs.st_nlink == 1 ? "" : "s", dir);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT, "%s: %s",
		    path, g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
outfile_open_as_root(const char *path, GError **err)
{
	size_t len = strlen(path);

	if (len == 0 || path[len - 1] == '/') {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
		    "%s: %s", path, g_strerror(len ? EISDIR : ENOENT));
		return -1;
	}
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat ds;
	int fd;

	if (dfd < 0 || fstat(dfd, &ds) != 0) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT, "%s: %s",
		    path, g_strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	if (outfile_dir_is_shared(&ds)) {
		fd = outfile_open_shared(dfd, &ds, base, path,
		    strcmp(dir, ".") == 0 ? "the current directory" : dir,
		    err);
	} else {
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0666);
		if (fd < 0)
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: %s", path, g_strerror(errno));
	}
	close(dfd);
	return fd;
}

FILE *
outfile_open(const char *path, GError **err)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return stdout;
	if (geteuid() == 0) {
		fd = outfile_open_as_root(path, err);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (fd < 0)
			g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT,
			    "%s: %s", path, g_strerror(errno));
	}
	if (fd < 0)
		return NULL;
	FILE *fp = fdopen(fd, "w");
	if (!fp) {
		g_set_error(err, SYNFIN_ERROR, SYNFIN_ERROR_OUTPUT, "%s: %s",
		    path, g_strerror(errno));
		close(fd);
	}
	return fp;
}
