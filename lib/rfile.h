/* SPDX-License-Identifier: MIT */
#ifndef KP_RFILE_H
#define KP_RFILE_H

#include <stddef.h>

/*
 * The hardened reader: every file kvmprep reads back (state it wrote
 * itself, or configuration an admin wrote for it: /etc/kvmprep/vfio.conf,
 * mdev definitions, VM files, persisted SR-IOV and bridge state) is read
 * through it, never with plain open/read.
 *
 *   struct kp_rfile f;
 *   char *fld[4];
 *   size_t n;
 *   int r = kp_rfile_open(&f, "/etc/kvmprep/x.conf", 0, 0);
 *   if (r == -ENOENT) ...                        // missing: caller decides
 *   if (r < 0) { kp_err(NULL, "%s", f.err); return r == -EINVAL ? 2 : 1; }
 *   while ((r = kp_rfile_next(&f, fld, 4, &n)) > 0) {
 *           if (n != 3) { r = kp_rfile_bad(&f, "want 3 fields"); break; }
 *           ... validate every field with the option's own validator;
 *           ... on failure r = kp_rfile_bad(&f, "invalid address '%s'", fld[0]);
 *   }
 *   kp_rfile_close(&f);
 *
 * What it guarantees:
 * - the open never blocks and never follows a symlink (O_NONBLOCK,
 *   O_NOFOLLOW, O_NOCTTY): a FIFO, a terminal or a link put in the file's
 *   place is refused, not waited on or followed;
 * - regular files only (fstat): a FIFO, /dev/zero, a socket or a directory
 *   is refused before a byte is read;
 * - not writable by group or others, owned by root or by the caller: a
 *   file someone else can change is not trusted;
 * - at most MAX bytes (0: KP_RFILE_MAX), checked on fstat and while
 *   reading (a file that grows is still capped);
 * - rejected whole on a NUL byte (never truncated at it);
 * - every error is one line in f->err, "FILE:LINE: message" (FILE as
 *   kvmprep names it, without the root prefix; ":LINE" left out when the
 *   whole file is refused), and the return value says what it is:
 *   -EINVAL: the file is bad (its kind, size, owner, mode or content):
 *            exit 2 (KP_EXIT_USAGE), nothing changed;
 *   -ENOENT: the file does not exist (f->err set too);
 *   other -errno: it could not be read (exit 1).
 *
 * Callers validate every field with the validator of the command-line
 * option it stands for (lib/ids.h), reject duplicate entries
 * (kp_rfile_bad_at names the first line), and never rewrite a file they
 * could not read whole.
 */

#define KP_RFILE_MAX (1024 * 1024) /* default size cap, bytes */
#define KP_RFILE_ERRLEN 512

/* kp_rfile_open flags */
enum {
	KP_RFILE_ANY_OWNER = 1 << 0, /* skip the owner/mode check (read-only
					inputs the caller only reports on) */
};

struct kp_rfile {
	char name[256];            /* the file as named (no root prefix) */
	char *text;                /* whole content, NUL-terminated, writable */
	size_t len;                /* bytes in text (no NUL inside) */
	size_t pos;                /* kp_rfile_next's position */
	int line;                  /* line of the last kp_rfile_next (1-based) */
	char err[KP_RFILE_ERRLEN]; /* "FILE:LINE: message" after an error */
};

/* Open and read ABS (root prefix applied) whole. 0, or -errno as above
 * (f->err set). f is always safe to kp_rfile_close afterwards. */
int kp_rfile_open(struct kp_rfile *f, const char *abs, size_t max, unsigned flags);

/* The same checks on a buffer (tests, fuzzing, stdin already read): data is
 * copied. NAME is what messages call it. 0, -EINVAL or -ENOMEM. */
int kp_rfile_from_buffer(struct kp_rfile *f, const char *name, const char *data,
			 size_t len, size_t max);

/*
 * The next line with content, split in place on blanks (space, tab) into
 * at most MAX fields; blank lines, lines starting with '#' and anything
 * from a field starting with '#' on are comments. A '\r' before the
 * newline is dropped (a file edited on Windows). 1 with *n fields, 0 at
 * the end, -EINVAL (err set) when the line has more than MAX fields or a
 * control character other than tab.
 */
int kp_rfile_next(struct kp_rfile *f, char **fields, size_t max, size_t *n);

/* Record "FILE:LINE: message" for the current line (or LINE; 0: no line)
 * and return -EINVAL, for `return kp_rfile_bad(&f, …)`. */
int kp_rfile_bad(struct kp_rfile *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int kp_rfile_bad_at(struct kp_rfile *f, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Free the text (the struct itself is the caller's). */
void kp_rfile_close(struct kp_rfile *f);

#endif
