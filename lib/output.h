/* SPDX-License-Identifier: MIT */
#ifndef KP_OUTPUT_H
#define KP_OUTPUT_H

#include <stdio.h>
#include <json-c/json.h>

/*
 * The output layer. A listing declares its columns once (struct kp_col); its
 * rows are filled once; the human table and the --json array are rendered
 * from the same rows (util-linux's lsns, iproute2's print_* lesson).
 *
 * JSON: snake_case keys, typed values, null for unknown, every document
 * carries "schema": 1, printed with KP_JSON_FLAGS (see kp_json_print).
 *
 * Colour: only when stdout is a terminal, never with NO_COLOR set (any
 * value), never with TERM=dumb, never in JSON.
 *
 * Text from outside (arguments, sysfs strings) is escaped in tables
 * (control characters, bytes that are not UTF-8: kp_esc in err.h) and in
 * JSON documents (bytes that are not UTF-8), so a document is always valid
 * UTF-8 and a terminal never receives an escape sequence it did not ask
 * for.
 */

enum kp_type {
	KP_STR,  /* string, or null */
	KP_INT,  /* integer, or null */
	KP_BOOL, /* true/false ("yes"/"no" in the table), or null */
};

enum kp_col_flags {
	KP_COL_RIGHT = 1 << 0,  /* right-align in the table */
	KP_COL_STATUS = 1 << 1, /* PASS/WARN/FAIL/SKIP: coloured on a terminal */
	KP_COL_NOTABLE = 1 << 2, /* JSON only, not a table column */
	KP_COL_LAST = 1 << 3,    /* free text, not padded (last column) */
};

struct kp_col {
	const char *key;    /* JSON key, snake_case */
	const char *header; /* table header, upper case */
	enum kp_type type;
	unsigned flags;
};

struct kp_out {
	int json;  /* --json */
	int quiet; /* -q */
	int color; /* decided by kp_out_init */
};

/* Fill o: colour when stdout is a tty, NO_COLOR unset and not json. */
void kp_out_init(struct kp_out *o, int json, int quiet);
/* The decision kp_out_init takes, for any fd: 1 when !json, NO_COLOR is
 * not in the environment (even empty) and fd is a terminal. */
int kp_color_wanted(int json, int fd);

/* Colour names for kp_color(). */
enum kp_color { KP_C_RESET, KP_C_BOLD, KP_C_GREEN, KP_C_YELLOW, KP_C_RED, KP_C_DIM };
/* The escape sequence, or "" when o->color is 0. */
const char *kp_color(const struct kp_out *o, enum kp_color c);
/* The colour for a status word (PASS green, WARN yellow, FAIL red, SKIP dim). */
enum kp_color kp_status_color(const char *status);

struct kp_table;

struct kp_table *kp_table_new(const struct kp_col *cols, size_t ncols);
void kp_table_free(struct kp_table *t);

/* A new row with every cell null. Row index, or -ENOMEM. */
int kp_table_add_row(struct kp_table *t);
size_t kp_table_nrows(const struct kp_table *t);

/* Set a cell (s NULL means null). 0 or -errno (-EINVAL: no such row or
 * column, or the setter does not match the column's type, so a KP_INT
 * column only ever holds integers). */
int kp_table_set_str(struct kp_table *t, size_t row, size_t col, const char *s);
int kp_table_set_strf(struct kp_table *t, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int kp_table_set_int(struct kp_table *t, size_t row, size_t col, long long v);
int kp_table_set_bool(struct kp_table *t, size_t row, size_t col, int v);
int kp_table_set_null(struct kp_table *t, size_t row, size_t col);
/* The cell's string ("" for null; ints and bools formatted). */
const char *kp_table_get(const struct kp_table *t, size_t row, size_t col);

/* Human table: header line, then rows, columns padded to their widest
 * cell (two spaces between columns); null shows as "-", bools "yes"/"no";
 * KP_COL_NOTABLE columns skipped; KP_COL_LAST and the last column are not
 * padded (no trailing blanks); KP_COL_STATUS cells coloured when o->color.
 * o->quiet is the caller's business. 0 or -errno. */
int kp_table_print(const struct kp_table *t, FILE *f, const struct kp_out *o);

/* The rows as a JSON array of objects (new reference). */
json_object *kp_table_json(const struct kp_table *t);

/* A new JSON document {"schema": 1, "tool": TOOL}. */
json_object *kp_json_doc(const char *tool);
/* Print doc and a newline (strings made valid UTF-8 first). 0 or -errno. Flags (KP_JSON_FLAGS):
 * JSON_C_TO_STRING_PRETTY (two-space indent, one key per line: diffable,
 * readable in logs) | JSON_C_TO_STRING_SPACED (PRETTY alone prints
 * "key":value; SPACED makes it "key": value, as jq and python print it) |
 * JSON_C_TO_STRING_NOSLASHESCAPE (sysfs paths stay "/sys/…"). */
#define KP_JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		       JSON_C_TO_STRING_NOSLASHESCAPE)
int kp_json_print(json_object *doc, FILE *f);

/* {"schema": 1, "tool": TOOL, KEY: TEXT} on stdout: --json --help
 * (KEY "help") and --json --version (KEY "version") print one document
 * like every other command. 0 or -errno. */
int kp_json_text(const char *tool, const char *key, const char *text);

/* --help (c 'h') or --version (c 'V') seen by getopt_long: scans the rest
 * of the line (optstring, longopts: the tool's) for --json / -j, then
 * prints usage_text or "TOOL VERSION" as text, or one document (json set
 * or found: kp_json_text). Returns the exit status (0, or 1 when the
 * document could not be built). A write error is kp_out_close's. */
struct option;
int kp_help_version(const char *tool, int c, int json, int argc, char **argv,
		    const char *optstring, const struct option *longopts, const char *usage_text);

/*
 * The last thing main() does: flush and close stdout. A write that failed
 * (now or earlier: /dev/full, a full disk, EPIPE) is an error: one line
 * "PROG: standard output: cannot write: REASON" and exit status 1 (RC
 * itself when it already says failure); else RC. Returns the status to
 * exit with.
 */
int kp_out_close(int rc);

/* 1 once kp_json_print has printed a document in this process. */
int kp_json_printed(void);

/*
 * For a command that failed under --json before printing its document:
 * {"schema": 1, "tool": TOOL, "command": COMMAND (omitted when NULL),
 *  "ok": false, "exit": RC, "error": the last error line (kp_last_error) or
 *  null} on stdout, so a script always gets one document. Nothing when a
 * document was printed already. 0 or -errno.
 */
int kp_json_error(const char *tool, const char *command, int rc);

#endif
