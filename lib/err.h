/* SPDX-License-Identifier: MIT */
#ifndef KP_ERR_H
#define KP_ERR_H

/*
 * Error reporting for the tools (the library functions themselves never
 * print: they return 0 or -errno). One line on stderr, object first,
 * lowercase, no final period, the kernel's reason last:
 *
 *   kvmprep-iommu: 0000:01:00.0: cannot unbind from e1000e: Device or resource busy
 */

#include <stddef.h>

/*
 * Text that came from outside (arguments, file names, sysfs strings) made
 * safe before it reaches a terminal, a log or a JSON document:
 *
 * - KP_ESC_TERM (messages, tables): a control character (C0, DEL, C1) is
 *   written \n, \t, \r or \xNN, so an argument with a newline stays on
 *   its line and an escape sequence never reaches the terminal;
 * - both modes: a byte that is not part of valid UTF-8 is written \xNN
 *   (4 ASCII characters), so every JSON string is valid UTF-8 and the
 *   "error" of a JSON document is the stderr line byte for byte.
 *
 * Valid UTF-8 text (accents, CJK) passes unchanged. Every message of
 * kp_err/kp_warn/kp_usage_err goes through KP_ESC_TERM; every string of a
 * document printed by kp_json_print through KP_ESC_JSON.
 */
enum { KP_ESC_JSON = 0, KP_ESC_TERM = 1 };
/* Escape s into dst (n bytes, always NUL-terminated, cut at a whole
 * escape). Returns dst. */
char *kp_esc(char *dst, size_t n, const char *s, int mode);
/* 1 when kp_esc would change s. */
int kp_esc_needed(const char *s, int mode);
/* kp_esc into a new malloc'ed string (NULL on ENOMEM). */
char *kp_esc_dup(const char *s, int mode);

/* Set once from main(): the name every message starts with. */
void kp_set_program(const char *name);
const char *kp_program(void);

/* "PROG: OBJ: MESSAGE\n" (OBJ may be NULL: "PROG: MESSAGE\n"). */
void kp_err(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* kp_err plus ": strerror(-neg_errno)". */
void kp_err_errno(const char *obj, int neg_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "PROG: warning: OBJ: MESSAGE\n"; silenced by kp_set_quiet(1). */
void kp_warn(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kp_set_quiet(int quiet);

/* A usage error, on one line: "PROG: MESSAGE (try 'PROG --help')";
 * returns KP_EXIT_USAGE for `return kp_usage_err(…)`. */
int kp_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last error or usage error reported (without "PROG: "), or NULL: what
 * a tool puts in the JSON document of a command that failed. */
const char *kp_last_error(void);

/*
 * getopt_long's '?' or ':' as one usage-error line (the tools set opterr = 0
 * and start their optstring with ':' so that getopt itself prints nothing):
 * "PROG: unknown option '--frob' (try 'PROG --help')". Returns
 * KP_EXIT_USAGE. c is what getopt_long returned; argv and optind/optopt as
 * getopt left them.
 */
int kp_bad_option(int c, char *const argv[], int optind_now, int optopt_now);

#endif
