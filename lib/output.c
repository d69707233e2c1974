/* SPDX-License-Identifier: MIT */
#include "output.h"
#include "err.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kp_cell {
	int set;    /* 0: null */
	char *text; /* table text (strings, formatted ints and bools) */
	long long i;
	int b;
};

struct kp_table {
	const struct kp_col *cols;
	size_t ncols;
	size_t nrows, cap;
	struct kp_cell *cells; /* nrows * ncols */
};

static int stdout_errno;  /* the first failed write to stdout, for kp_out_close */

/* A write to f failed: remember why (stdio keeps only the error flag) */
static int out_failed(FILE *f)
{
	int e = errno ? errno : EIO;

	if (f == stdout && !stdout_errno)
		stdout_errno = e;
	return -e;
}

int kp_color_wanted(int json, int fd)
{
	if (json)
		return 0;
	if (getenv("NO_COLOR"))
		return 0;
	/* a terminal that says it cannot (TERM=dumb: Emacs shells, some CI) */
	if (getenv("TERM") && !strcmp(getenv("TERM"), "dumb"))
		return 0;
	return isatty(fd) == 1;
}

void kp_out_init(struct kp_out *o, int json, int quiet)
{
	o->json = json;
	o->quiet = quiet;
	o->color = kp_color_wanted(json, STDOUT_FILENO);
}

const char *kp_color(const struct kp_out *o, enum kp_color c)
{
	static const char *const seq[] = {
		[KP_C_RESET] = "\033[0m",  [KP_C_BOLD] = "\033[1m",
		[KP_C_GREEN] = "\033[32m", [KP_C_YELLOW] = "\033[33m",
		[KP_C_RED] = "\033[31m",   [KP_C_DIM] = "\033[2m",
	};

	if (!o || !o->color || (unsigned)c >= sizeof(seq) / sizeof(seq[0]))
		return "";
	return seq[c];
}

enum kp_color kp_status_color(const char *status)
{
	if (!status)
		return KP_C_RESET;
	if (!strcasecmp(status, "PASS") || !strcasecmp(status, "ok"))
		return KP_C_GREEN;
	if (!strcasecmp(status, "WARN"))
		return KP_C_YELLOW;
	if (!strcasecmp(status, "FAIL"))
		return KP_C_RED;
	if (!strcasecmp(status, "SKIP"))
		return KP_C_DIM;
	return KP_C_RESET;
}

struct kp_table *kp_table_new(const struct kp_col *cols, size_t ncols)
{
	struct kp_table *t;

	if (!cols || ncols == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

void kp_table_free(struct kp_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}

int kp_table_add_row(struct kp_table *t)
{
	if (!t)
		return -EINVAL;
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct kp_cell *nc = realloc(t->cells, ncap * t->ncols * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		t->cells = nc;
		t->cap = ncap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	return (int)t->nrows++;
}

size_t kp_table_nrows(const struct kp_table *t)
{
	return t ? t->nrows : 0;
}

static struct kp_cell *cell(const struct kp_table *t, size_t row, size_t col)
{
	if (!t || row >= t->nrows || col >= t->ncols)
		return NULL;
	return &t->cells[row * t->ncols + col];
}

/* Replace a cell's text with a copy of s (s NULL: null). */
static int cell_put(struct kp_cell *c, const char *s)
{
	char *dup = NULL;

	if (s) {
		dup = strdup(s);
		if (!dup)
			return -ENOMEM;
	}
	free(c->text);
	c->text = dup;
	c->set = s != NULL;
	return 0;
}

int kp_table_set_str(struct kp_table *t, size_t row, size_t col, const char *s)
{
	struct kp_cell *c = cell(t, row, col);

	if (!c || t->cols[col].type != KP_STR)
		return -EINVAL;
	return cell_put(c, s);
}

int kp_table_set_strf(struct kp_table *t, size_t row, size_t col, const char *fmt, ...)
{
	struct kp_cell *c = cell(t, row, col);
	va_list ap;
	char *s;
	int r;

	if (!c || t->cols[col].type != KP_STR)
		return -EINVAL;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(c->text);
	c->text = s;
	c->set = 1;
	return 0;
}

int kp_table_set_int(struct kp_table *t, size_t row, size_t col, long long v)
{
	struct kp_cell *c = cell(t, row, col);
	char buf[32];
	int r;

	if (!c || t->cols[col].type != KP_INT)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%lld", v);
	r = cell_put(c, buf);
	if (r == 0)
		c->i = v;
	return r;
}

int kp_table_set_bool(struct kp_table *t, size_t row, size_t col, int v)
{
	struct kp_cell *c = cell(t, row, col);
	int r;

	if (!c || t->cols[col].type != KP_BOOL)
		return -EINVAL;
	r = cell_put(c, v ? "yes" : "no");
	if (r == 0)
		c->b = !!v;
	return r;
}

int kp_table_set_null(struct kp_table *t, size_t row, size_t col)
{
	struct kp_cell *c = cell(t, row, col);

	if (!c)
		return -EINVAL;
	return cell_put(c, NULL);
}

const char *kp_table_get(const struct kp_table *t, size_t row, size_t col)
{
	struct kp_cell *c = cell(t, row, col);

	return c && c->set ? c->text : "";
}

/* Terminal columns taken by a UTF-8 string (one per code point). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static const char *cell_text(const struct kp_table *t, size_t row, size_t col)
{
	const struct kp_cell *c = cell(t, row, col);

	return c && c->set ? c->text : "-";
}

static void put_fill(FILE *f, size_t n)
{
	static const char blanks[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		fwrite(blanks, 1, k, f);
		n -= k;
	}
}

/* Plain fputs/fwrite, no format parsing: a 1000-row listing prints ten
 * thousand cells. */
static void put_cell(FILE *f, const struct kp_out *o, const struct kp_col *col,
		     const char *text, size_t width, int pad, int status)
{
	size_t w = text_width(text), fill = w < width ? width - w : 0;
	const char *on = status ? kp_color(o, kp_status_color(text)) : "";
	const char *off = *on ? kp_color(o, KP_C_RESET) : "";

	if (col->flags & KP_COL_RIGHT)
		put_fill(f, fill);
	fputs(on, f);
	fputs(text, f);
	fputs(off, f);
	if (pad && !(col->flags & KP_COL_RIGHT))
		put_fill(f, fill);
}

/* Cells that hold control characters or bytes that are not UTF-8 (an
 * argument, a sysfs string) are shown escaped (kp_esc, KP_ESC_TERM): NULL
 * where the cell is fine as it is, the escaped copy otherwise. */
static char **escaped_cells(const struct kp_table *t)
{
	char **esc = calloc(t->nrows * t->ncols + 1, sizeof(*esc));

	if (!esc)
		return NULL;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		if (t->cells[i].set && kp_esc_needed(t->cells[i].text, KP_ESC_TERM))
			esc[i] = kp_esc_dup(t->cells[i].text, KP_ESC_TERM);
	return esc;
}

static void free_escaped(const struct kp_table *t, char **esc)
{
	if (!esc)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(esc[i]);
	free(esc);
}

static const char *shown(const struct kp_table *t, char **esc, size_t row, size_t col)
{
	char *e = esc[row * t->ncols + col];

	return e ? e : cell_text(t, row, col);
}

int kp_table_print(const struct kp_table *t, FILE *f, const struct kp_out *o)
{
	size_t *width, last = 0;
	char **esc;
	int any = 0;

	if (!t || !f)
		return -EINVAL;
	width = calloc(t->ncols, sizeof(*width));
	esc = escaped_cells(t);
	if (!width || !esc) {
		free(width);
		free_escaped(t, esc);
		return -ENOMEM;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].flags & KP_COL_NOTABLE)
			continue;
		any = 1;
		last = c;
		width[c] = text_width(t->cols[c].header ? t->cols[c].header : "");
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = text_width(shown(t, esc, r, c));

			if (w > width[c])
				width[c] = w;
		}
	}
	if (!any) {
		free(width);
		free_escaped(t, esc);
		return 0;
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		int first = 1;

		for (size_t c = 0; c < t->ncols; c++) {
			const struct kp_col *col = &t->cols[c];
			const char *text;
			int pad;

			if (col->flags & KP_COL_NOTABLE)
				continue;
			if (!first)
				fputs("  ", f);
			first = 0;
			/* the last column and free-text columns are not padded
			 * (no trailing blanks), right-aligned ones always are */
			pad = c != last && !(col->flags & KP_COL_LAST);
			if (r == 0)
				text = col->header ? col->header : "";
			else
				text = shown(t, esc, r - 1, c);
			put_cell(f, o, col, text, width[c], pad,
				 r > 0 && (col->flags & KP_COL_STATUS));
		}
		fputc('\n', f);
	}
	free(width);
	free_escaped(t, esc);
	if (ferror(f))
		return out_failed(f);
	return 0;
}

json_object *kp_table_json(const struct kp_table *t)
{
	json_object *arr;

	if (!t)
		return NULL;
	arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++) {
		json_object *row = json_object_new_object();

		if (!row) {
			json_object_put(arr);
			return NULL;
		}
		for (size_t c = 0; c < t->ncols; c++) {
			const struct kp_cell *ce = cell(t, r, c);
			json_object *v = NULL;

			if (ce->set) {
				switch (t->cols[c].type) {
				case KP_INT:
					v = json_object_new_int64(ce->i);
					break;
				case KP_BOOL:
					v = json_object_new_boolean(ce->b);
					break;
				default:
					v = json_object_new_string(ce->text);
					break;
				}
			}
			json_object_object_add(row, t->cols[c].key, v);
		}
		json_object_array_add(arr, row);
	}
	return arr;
}

json_object *kp_json_doc(const char *tool)
{
	json_object *doc = json_object_new_object();

	if (!doc)
		return NULL;
	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "tool", tool ? json_object_new_string(tool) : NULL);
	return doc;
}

static int json_printed; /* a document went out: kp_json_error stays quiet */

/* Every string of the document (values and keys) as valid UTF-8: bytes
 * that are not are written \xNN (kp_esc, KP_ESC_JSON), the same escape
 * the stderr line gets. 0 or -ENOMEM. */
static int json_fix(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string: {
		const char *s = json_object_get_string(o);
		char *e;
		int r;

		if (!kp_esc_needed(s, KP_ESC_JSON))
			return 0;
		e = kp_esc_dup(s, KP_ESC_JSON);
		if (!e)
			return -ENOMEM;
		r = json_object_set_string(o, e) ? 0 : -ENOMEM;
		free(e);
		return r;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			int r = json_fix(json_object_array_get_idx(o, i));

			if (r < 0)
				return r;
		}
		return 0;
	case json_type_object: {
		int badkey = 0;

		json_object_object_foreach(o, key, val) {
			int r = json_fix(val);

			if (r < 0)
				return r;
			badkey |= kp_esc_needed(key, KP_ESC_JSON);
		}
		/* a key from the outside (rare): re-add it escaped */
		while (badkey) {
			char *k = NULL, *ek;
			json_object *v = NULL;

			badkey = 0;
			json_object_object_foreach(o, key2, val2) {
				if (kp_esc_needed(key2, KP_ESC_JSON)) {
					k = strdup(key2);
					v = json_object_get(val2);
					badkey = 1;
					break;
				}
			}
			if (!badkey)
				break;
			ek = k ? kp_esc_dup(k, KP_ESC_JSON) : NULL;
			if (!ek) {
				free(k);
				json_object_put(v);
				return -ENOMEM;
			}
			json_object_object_del(o, k);
			json_object_object_add(o, ek, v);
			free(k);
			free(ek);
		}
		return 0;
	}
	default:
		return 0;
	}
}

int kp_json_print(json_object *doc, FILE *f)
{
	const char *s;

	if (!f)
		return -EINVAL;
	if (json_fix(doc) < 0)
		return -ENOMEM;
	s = json_object_to_json_string_ext(doc, KP_JSON_FLAGS);
	if (!s)
		return -ENOMEM;
	/* a document that failed half-way still counts: a second one after
	 * it would make the output two documents */
	json_printed = 1;
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
		return out_failed(f);
	return 0;
}

int kp_json_printed(void)
{
	return json_printed;
}

int kp_json_error(const char *tool, const char *command, int rc)
{
	json_object *doc;
	const char *err;
	int r;

	if (json_printed)
		return 0;
	doc = kp_json_doc(tool);
	if (!doc)
		return -ENOMEM;
	err = kp_last_error();
	if (command)
		json_object_object_add(doc, "command", json_object_new_string(command));
	json_object_object_add(doc, "ok", json_object_new_boolean(0));
	json_object_object_add(doc, "exit", json_object_new_int(rc));
	json_object_object_add(doc, "error", err ? json_object_new_string(err) : NULL);
	r = kp_json_print(doc, stdout);
	json_object_put(doc);
	return r;
}

int kp_json_text(const char *tool, const char *key, const char *text)
{
	json_object *doc = kp_json_doc(tool);
	int r;

	if (!doc)
		return -ENOMEM;
	json_object_object_add(doc, key, json_object_new_string(text));
	r = kp_json_print(doc, stdout);
	json_object_put(doc);
	return r;
}

int kp_help_version(const char *tool, int c, int json, int argc, char **argv,
		    const char *optstring, const struct option *longopts, const char *usage_text)
{
	int k;

	/* the rest of the line: --json after --help counts too */
	while ((k = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
		json |= k == 'j';
	if (json)
		return kp_json_text(tool, c == 'h' ? "help" : "version",
				    c == 'h' ? usage_text : KP_VERSION) < 0 ? 1 : 0;
	if (c == 'h')
		fputs(usage_text, stdout);
	else
		printf("%s %s\n", tool, KP_VERSION);
	return 0;
}

int kp_out_close(int rc)
{
	int bad = 0, err = 0;

	/* a write that failed earlier leaves ferror set; the flush and the
	 * close find the ones still in the buffer (/dev/full, a full disk,
	 * a closed pipe with SIGPIPE ignored) */
	if (ferror(stdout))
		bad = 1, err = stdout_errno ? stdout_errno : EIO;
	errno = 0;
	if (fflush(stdout) == EOF)
		bad = 1, err = errno ? errno : EIO;
	if (fclose(stdout) == EOF && !bad)
		bad = 1, err = errno ? errno : EIO;
	if (!bad)
		return rc;
	kp_err_errno("standard output", -err, "cannot write");
	return rc == 0 ? 1 : rc;
}
