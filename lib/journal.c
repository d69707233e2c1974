/* SPDX-License-Identifier: MIT */
/* The change journal (lib/journal.h): the record, signals, rollback and
 * recovery. The kinds' undo functions are in lib/journal_*.c. */
#include "journal.h"
#include "target.h"
#include "journal_kinds.h"
#include "lock.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#define JNAME "journal"
#define JTMP "journal.tmp"
#define JMAX (16 * 1024 * 1024) /* a record bigger than that is corrupt */

struct kp_jstep {
	json_object *o;
};

static json_object *doc;   /* the active record, NULL when none */
static json_object *steps; /* its "steps" (owned by doc) */

static volatile sig_atomic_t caught;
static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
static struct sigaction saved[3];
static int handlers_on;

const char *kp_jstep_get(const struct kp_jstep *s, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(s->o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* ---- signals ---------------------------------------------------------- */

static void on_signal(int sig)
{
	if (!caught)
		caught = sig;
}

static void handlers_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &saved[i]);
	handlers_on = 1;
}

static void handlers_restore(void)
{
	size_t i;

	if (!handlers_on)
		return;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &saved[i], NULL);
	handlers_on = 0;
}

int kp_journal_signal(void)
{
	return caught;
}

/* ---- the record on disk ----------------------------------------------- */

/*
 * Schema 2 (written): one JSON object per line, appended.
 *
 *   {"schema":2,"tool":…,"command":…,"pid":…,"boot_id":…,"started":…}
 *   {"step":1,"kind":"pci-driver","bdf":…,"driver":…,"driver_override":…}
 *   {"step":1,"done":true}
 *   {"step":2,"kind":"link","name":"br0","ifindex":"0"}
 *   {"step":2,"set":{"ifindex":"7"}}
 *
 * The header is written atomically (temporary file, fsync, rename, fsync
 * of the directory); every later line is one append to the same file
 * (O_APPEND). A step's line is fdatasync'ed before kp_journal_add returns,
 * so the undo is durable before the change; a "set" line (which the undo
 * reads) too; a done mark is only information (the undo is the same done
 * or not: lib/journal.h) and is not synced. A step costs one append, never
 * a rewrite: N steps cost O(N), not O(N²).
 *
 * A line is committed once its '\n' is on disk. A final line without it is
 * an append the killed call never finished: the change it announces was
 * not started (the call makes it only after the append returned), so the
 * reader drops it. Every other defect (a complete line that is not valid
 * JSON, a step number out of order, an unknown key, a header that is not
 * the first line) makes the record corrupt: nothing is undone.
 * After a failed append the file is cut back to its last complete line;
 * when that fails too the journal takes no more steps (-EIO), so a torn
 * line is always the last one.
 *
 * Schema 1 (one JSON document with a "steps" array, rewritten whole at
 * each step by kvmprep before 0.3) is still read, for a record an older
 * kvmprep left in this boot.
 */

static int jfd = -1;    /* the record, open for appending, -1 none */
static off_t jlen;      /* its length up to the last complete line */
static int jbroken;     /* an append failed and could not be cut back */

static int write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		off += (size_t)w;
	}
	return 0;
}

static const char *line_of(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Create the record with its header line, atomically, and keep it open for
 * appending (the temporary file's descriptor is the record's once renamed). */
static int write_header(json_object *hdr)
{
	int dir = kp_lock_dirfd(), fd, r;
	const char *text;
	char *line;
	size_t len;

	if (dir < 0)
		return -ENOLCK;
	text = line_of(hdr);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	line = malloc(len + 2);
	if (!line)
		return -ENOMEM;
	memcpy(line, text, len);
	line[len++] = '\n';
	unlinkat(dir, JTMP, 0);
	fd = openat(dir, JTMP, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0) {
		r = -errno;
		free(line);
		return r;
	}
	r = write_all(fd, line, len);
	free(line);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && renameat(dir, JTMP, dir, JNAME) < 0)
		r = -errno;
	if (r == 0 && fsync(dir) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		unlinkat(dir, JTMP, 0);
		return r;
	}
	jfd = fd;
	jlen = (off_t)len;
	jbroken = 0;
	return 0;
}

/* Append the lines of objs[0..n) in one write; sync: fdatasync after it.
 * On failure the file is cut back to what it was (or, failing that, the
 * journal takes nothing more). */
static int append_lines(json_object *const *objs, size_t n, int sync)
{
	size_t i, len = 0, cap = 0;
	char *buf = NULL;
	int r;

	if (jfd < 0)
		return -ENOLCK;
	if (jbroken)
		return -EIO;
	for (i = 0; i < n; i++) {
		const char *t = line_of(objs[i]);
		size_t l;

		if (!t) {
			free(buf);
			return -ENOMEM;
		}
		l = strlen(t);
		if (len + l + 1 > cap) {
			char *nb;

			cap = (len + l + 1) * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, t, l);
		len += l;
		buf[len++] = '\n';
	}
	r = write_all(jfd, buf, len);
	free(buf);
	if (r == 0 && sync && fdatasync(jfd) < 0)
		r = -errno;
	if (r < 0) {
		if (ftruncate(jfd, jlen) < 0 || (sync && fdatasync(jfd) < 0))
			jbroken = 1;
		return r;
	}
	jlen += (off_t)len;
	return 0;
}

static int remove_record(void)
{
	int dir = kp_lock_dirfd();

	if (dir < 0)
		return -ENOLCK;
	if (unlinkat(dir, JNAME, 0) < 0 && errno != ENOENT)
		return -errno;
	return fsync(dir) < 0 ? -errno : 0;
}

static void boot_id(char *buf, size_t n)
{
	if (kp_read_line("/proc/sys/kernel/random/boot_id", buf, n) < 0)
		buf[0] = '\0';
}

static void end_journal(void)
{
	json_object_put(doc);
	doc = NULL;
	steps = NULL;
	if (jfd >= 0)
		close(jfd);
	jfd = -1;
	jlen = 0;
	jbroken = 0;
	handlers_restore();
}

/* ---- the call's journal ----------------------------------------------- */

int kp_journal_begin(const char *tool, const char *command)
{
	json_object *hdr;
	char boot[64];
	int r;

	if (doc)
		return -EBUSY;
	if (!kp_lock_held())
		return -ENOLCK;
	doc = json_object_new_object();
	steps = json_object_new_array();
	hdr = json_object_new_object();
	if (!doc || !steps || !hdr) {
		json_object_put(doc);
		json_object_put(steps);
		json_object_put(hdr);
		doc = steps = NULL;
		return -ENOMEM;
	}
	boot_id(boot, sizeof(boot));
	json_object_object_add(hdr, "schema", json_object_new_int(2));
	json_object_object_add(hdr, "tool", json_object_new_string(tool ? tool : ""));
	json_object_object_add(hdr, "command", json_object_new_string(command ? command : ""));
	json_object_object_add(hdr, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(hdr, "boot_id", json_object_new_string(boot));
	json_object_object_add(hdr, "started", json_object_new_int64((int64_t)time(NULL)));
	/* in memory: the header's fields and the steps (what rollback undoes) */
	json_object_object_add(doc, "steps", steps);
	caught = 0;
	handlers_install();
	r = write_header(hdr);
	json_object_put(hdr);
	if (r < 0)
		end_journal();
	return r;
}

int kp_journal_active(void)
{
	return doc != NULL;
}

/* Check one step (kind known, its keys there, no reserved key) and build
 * its object for memory (kind, done: false, keys) and its line (step N,
 * kind, keys). 0 or -errno. */
static int make_step(const char *kind, const char *const *kv, size_t number, json_object **mem,
		     json_object **line)
{
	const struct kp_jkind *k = kp_jkind_find(kind);
	json_object *s, *l;
	size_t i, j;

	if (!k)
		return -EINVAL;
	for (i = 0; k->keys[i]; i++) {
		for (j = 0; kv && kv[j] && kv[j + 1]; j += 2)
			if (strcmp(kv[j], k->keys[i]) == 0)
				break;
		if (!kv || !kv[j] || !kv[j + 1])
			return -EINVAL;
	}
	for (j = 0; kv && kv[j] && kv[j + 1]; j += 2)
		if (!strcmp(kv[j], "kind") || !strcmp(kv[j], "done") || !strcmp(kv[j], "step") ||
		    !strcmp(kv[j], "set"))
			return -EINVAL;
	s = json_object_new_object();
	l = json_object_new_object();
	if (!s || !l) {
		json_object_put(s);
		json_object_put(l);
		return -ENOMEM;
	}
	json_object_object_add(s, "kind", json_object_new_string(kind));
	json_object_object_add(s, "done", json_object_new_boolean(0));
	json_object_object_add(l, "step", json_object_new_int64((int64_t)number));
	json_object_object_add(l, "kind", json_object_new_string(kind));
	for (j = 0; kv && kv[j] && kv[j + 1]; j += 2) {
		json_object_object_add(s, kv[j], json_object_new_string(kv[j + 1]));
		json_object_object_add(l, kv[j], json_object_new_string(kv[j + 1]));
	}
	*mem = s;
	*line = l;
	return 0;
}

int kp_journal_add_batch(const struct kp_journal_step *v, size_t n, int *first)
{
	json_object **mem, **lines;
	size_t i, base;
	int r = 0;

	if (first)
		*first = -1;
	if (!doc || n == 0)
		return 0;
	if (caught)
		return -EINTR;
	mem = calloc(n, sizeof(*mem));
	lines = calloc(n, sizeof(*lines));
	if (!mem || !lines) {
		free(mem);
		free(lines);
		return -ENOMEM;
	}
	base = json_object_array_length(steps);
	for (i = 0; i < n && r == 0; i++)
		r = make_step(v[i].kind, v[i].kv, base + i + 1, &mem[i], &lines[i]);
	if (r == 0)
		r = append_lines(lines, n, 1);
	for (i = 0; i < n; i++) {
		json_object_put(lines[i]);
		if (r == 0)
			json_object_array_add(steps, mem[i]);
		else
			json_object_put(mem[i]); /* not on disk: not done either */
	}
	free(mem);
	free(lines);
	if (r == 0 && first)
		*first = (int)base;
	return r;
}

int kp_journal_add(const char *kind, const char *const *kv, int *step)
{
	struct kp_journal_step one = { kind, kv };

	if (step)
		*step = -1;
	if (doc && !kp_jkind_find(kind))
		return -EINVAL;
	return kp_journal_add_batch(&one, 1, step);
}

static json_object *step_at(int step)
{
	if (!doc || step < 0 || (size_t)step >= json_object_array_length(steps))
		return NULL;
	return json_object_array_get_idx(steps, (size_t)step);
}

/* Append {"step": N, key: val} (val owned by the call). */
static int append_amend(int step, const char *key, json_object *val, int sync)
{
	json_object *l = json_object_new_object();
	int r;

	if (!l) {
		json_object_put(val);
		return -ENOMEM;
	}
	json_object_object_add(l, "step", json_object_new_int64((int64_t)step + 1));
	json_object_object_add(l, key, val);
	r = append_lines(&l, 1, sync);
	json_object_put(l);
	return r;
}

int kp_journal_update(int step, const char *key, const char *value)
{
	json_object *s, *set;
	int r;

	if (!doc)
		return 0;
	s = step_at(step);
	if (!s || !key || !value || !strcmp(key, "kind") || !strcmp(key, "done") ||
	    !strcmp(key, "step") || !strcmp(key, "set"))
		return -EINVAL;
	set = json_object_new_object();
	if (!set)
		return -ENOMEM;
	json_object_object_add(set, key, json_object_new_string(value));
	r = append_amend(step, "set", set, 1);
	if (r == 0)
		json_object_object_add(s, key, json_object_new_string(value));
	return r;
}

int kp_journal_done(int step)
{
	json_object *s;
	int r;

	if (!doc)
		return 0;
	s = step_at(step);
	if (!s)
		return -EINVAL;
	r = append_amend(step, "done", json_object_new_boolean(1), 0);
	if (r == 0)
		json_object_object_add(s, "done", json_object_new_boolean(1));
	return r;
}

int kp_journal_commit(void)
{
	int r;

	if (!doc)
		return 0;
	if (caught)
		return -EINTR;
	r = remove_record();
	if (r < 0)
		return r;
	end_journal();
	return 0;
}

/* ---- undo -------------------------------------------------------------- */

static const char *step_object(const struct kp_jkind *k, const struct kp_jstep *s)
{
	return kp_jstep_get(s, k->object_key);
}

/* Undo every step of arr, newest first (other_boot: only what survives a
 * reboot). 0, or -EIO with the first failure described in stuck. */
static int undo_all(json_object *arr, int other_boot, char *stuck, size_t n)
{
	size_t i = json_object_array_length(arr);
	int r = 0;

	if (stuck && n)
		stuck[0] = '\0';
	while (i-- > 0) {
		struct kp_jstep s = { json_object_array_get_idx(arr, i) };
		const struct kp_jkind *k = kp_jkind_find(kp_jstep_get(&s, "kind"));
		char why[192] = "";

		struct kp_target_saved tsaved;
		int u;

		if (!k || (other_boot && !k->survives_reboot))
			continue;
		/* an undo puts back what a run changed, also from an --offline
		 * one (whose live guard stays off meanwhile, lib/target.h) */
		kp_target_swap(kp_target(), 0, &tsaved);
		u = k->undo(&s, why, sizeof(why));
		kp_target_restore(&tsaved);
		if (u == 0)
			continue;
		if (r == 0 && stuck && n)
			snprintf(stuck, n, "%s %s: %s", k->name, step_object(k, &s),
				 why[0] ? why : "cannot be undone");
		r = -EIO;
	}
	return r;
}

int kp_journal_rollback(char *stuck, size_t n)
{
	int r;

	if (stuck && n)
		stuck[0] = '\0';
	if (!doc)
		return 0;
	/* signals only set the flag meanwhile: the handlers stay */
	r = undo_all(steps, 0, stuck, n);
	if (r == 0)
		r = remove_record();
	/* else the record stays as it is on disk, for the next command */
	end_journal();
	return r;
}

/* ---- recovery ---------------------------------------------------------- */

static int bad(struct kp_journal_info *info, const char *fmt, const char *a, long b)
{
	if (info)
		snprintf(info->detail, sizeof(info->detail), fmt, a, b);
	return -EBADMSG;
}

/* Read the record (regular file, size-capped) into *text. 0, 1 none, -errno. */
static int read_record(int dir, char **text, size_t *len)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd, r;

	fd = openat(dir, JNAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > JMAX) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got = read(fd, buf + off, (size_t)st.st_size - off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (got == 0 || (off += (size_t)got) >= (size_t)st.st_size)
			break;
	}
	close(fd);
	buf[off] = '\0';
	*text = buf;
	*len = off;
	return 0;
}

static int get_str(json_object *o, const char *key, const char **out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

static int get_int(json_object *o, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

/* The first object of the text is a schema-2 header. */
static int is_v2(json_object *o)
{
	int64_t schema;

	return json_object_is_type(o, json_type_object) && get_int(o, "schema", &schema) == 0 &&
	       schema == 2;
}

static int badline(struct kp_journal_info *info, size_t line, const char *what, const char *a)
{
	if (info)
		snprintf(info->detail, sizeof(info->detail), "line %zu: %s%.64s", line, what, a);
	return -EBADMSG;
}

/* A reserved key of a step line (or of a "set"). */
static int reserved(const char *key)
{
	return !strcmp(key, "step") || !strcmp(key, "kind") || !strcmp(key, "done") ||
	       !strcmp(key, "set");
}

/* One line of a schema-2 record after the header, applied to arr (the
 * steps as schema 1 holds them). 0 or -EBADMSG. */
static int apply_line(json_object *l, json_object *arr, size_t line, struct kp_journal_info *info)
{
	size_t count = json_object_array_length(arr);
	json_object *v, *s;
	int64_t step;
	int amended = 0;

	if (!json_object_is_type(l, json_type_object))
		return badline(info, line, "not an object", "");
	if (get_int(l, "step", &step) < 0 || step < 1)
		return badline(info, line, "no step number", "");
	if (json_object_object_get_ex(l, "kind", &v)) {
		/* a new step: the next number, string values only */
		if ((size_t)step != count + 1)
			return badline(info, line, "step out of order", "");
		s = json_object_new_object();
		if (!s)
			return -ENOMEM;
		json_object_object_foreach(l, key, val) {
			if (!strcmp(key, "step"))
				continue;
			if (!json_object_is_type(val, json_type_string) ||
			    (strcmp(key, "kind") && reserved(key))) {
				json_object_put(s);
				return badline(info, line, "not a string: ", key);
			}
			json_object_object_add(s, key, json_object_get(val));
		}
		json_object_object_add(s, "done", json_object_new_boolean(0));
		json_object_array_add(arr, s);
		return 0;
	}
	/* an amendment of a recorded step: done, or keys set */
	if ((size_t)step > count)
		return badline(info, line, "amends a step not recorded", "");
	s = json_object_array_get_idx(arr, (size_t)step - 1);
	json_object_object_foreach(l, key, val) {
		if (!strcmp(key, "step"))
			continue;
		if (!strcmp(key, "done")) {
			if (!json_object_is_type(val, json_type_boolean) ||
			    !json_object_get_boolean(val))
				return badline(info, line, "done is not true", "");
			json_object_object_add(s, "done", json_object_new_boolean(1));
			amended = 1;
		} else if (!strcmp(key, "set") && json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, k2, v2) {
				if (reserved(k2) || !json_object_is_type(v2, json_type_string))
					return badline(info, line, "cannot set ", k2);
				json_object_object_add(s, k2, json_object_get(v2));
			}
			amended = 1;
		} else {
			return badline(info, line, "unknown key ", key);
		}
	}
	return amended ? 0 : badline(info, line, "amends nothing", "");
}

/* The lines after a schema-2 header (rest: the text after its closing
 * brace): each applied to a new "steps" array added to hdr. A final line
 * without its newline is an append that never completed: dropped. 0 or
 * -EBADMSG (info->detail). */
static int parse_v2(json_object *hdr, const char *rest, size_t len, struct kp_journal_info *info)
{
	struct json_tokener *tok;
	json_object *arr;
	size_t off = 1, line = 1;

	if (json_object_object_get_ex(hdr, "steps", &arr))
		return bad(info, "schema 2 with a \"steps\" array%s", "", 0);
	if (len == 0 || rest[0] != '\n')
		return bad(info, "the header line is %s", len ? "followed by data" : "truncated", 0);
	arr = json_object_new_array();
	tok = json_tokener_new();
	if (!arr || !tok) {
		json_object_put(arr);
		json_tokener_free(tok);
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object_object_add(hdr, "steps", arr);
	while (off < len) {
		const char *nl = memchr(rest + off, '\n', len - off);
		size_t l;
		json_object *o;
		int r;

		if (!nl)
			break; /* torn final append */
		l = (size_t)(nl - (rest + off));
		line++;
		json_tokener_reset(tok);
		o = l ? json_tokener_parse_ex(tok, rest + off, (int)l) : NULL;
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != l) {
			json_object_put(o);
			json_tokener_free(tok);
			return badline(info, line, "not valid JSON", "");
		}
		r = apply_line(o, arr, line, info);
		json_object_put(o);
		if (r < 0) {
			json_tokener_free(tok);
			return r;
		}
		off += l + 1;
	}
	json_tokener_free(tok);
	return 0;
}

/* Check every part of the record before anything is undone. */
static int validate(json_object *o, struct kp_journal_info *info, json_object **arr)
{
	const char *tool, *command, *boot;
	int64_t schema, pid, started;
	size_t i, n;
	char here[64];

	if (!json_object_is_type(o, json_type_object))
		return bad(info, "not a JSON object%s", "", 0);
	if (get_int(o, "schema", &schema) < 0 || (schema != 1 && schema != 2))
		return bad(info, "no \"schema\": 1 or 2%s", "", 0);
	if (get_str(o, "tool", &tool) < 0 || get_str(o, "command", &command) < 0 ||
	    get_int(o, "pid", &pid) < 0 || get_str(o, "boot_id", &boot) < 0 ||
	    get_int(o, "started", &started) < 0)
		return bad(info, "missing tool, command, pid, boot_id or started%s", "", 0);
	if (!json_object_object_get_ex(o, "steps", arr) ||
	    !json_object_is_type(*arr, json_type_array))
		return bad(info, "no \"steps\" array%s", "", 0);
	if (info) {
		snprintf(info->tool, sizeof(info->tool), "%s", tool);
		snprintf(info->command, sizeof(info->command), "%s", command);
		info->pid = (long)pid;
		info->started = (long)started;
		boot_id(here, sizeof(here));
		info->other_boot = strcmp(here, boot) != 0;
	}
	n = json_object_array_length(*arr);
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(*arr, i), *done;
		const struct kp_jkind *k;
		const char *kind;
		size_t j;

		if (!json_object_is_type(s, json_type_object))
			return bad(info, "step %s%ld: not an object", "", (long)i + 1);
		if (get_str(s, "kind", &kind) < 0)
			return bad(info, "step %s%ld: no kind", "", (long)i + 1);
		k = kp_jkind_find(kind);
		if (!k)
			return bad(info, "unknown kind '%.64s' (step %ld): written by a newer kvmprep?",
				   kind, (long)i + 1);
		if (!json_object_object_get_ex(s, "done", &done) ||
		    !json_object_is_type(done, json_type_boolean))
			return bad(info, "step %s%ld: no done", "", (long)i + 1);
		for (j = 0; k->keys[j]; j++) {
			const char *v;

			if (get_str(s, k->keys[j], &v) < 0)
				return bad(info, "no key '%s' in step %ld", k->keys[j], (long)i + 1);
		}
		if (info) {
			info->nsteps++;
			info->ndone += json_object_get_boolean(done);
		}
	}
	return 0;
}

static int load(struct kp_journal_info *info, int undo);

int kp_journal_recover(struct kp_journal_info *info)
{
	return load(info, 1);
}

int kp_journal_peek(struct kp_journal_info *info)
{
	return load(info, 0);
}

static int load(struct kp_journal_info *info, int undo)
{
	struct json_tokener *tok;
	json_object *o, *arr = NULL;
	char *text = NULL, *nl;
	size_t len = 0;
	int dir = kp_lock_dirfd(), r;

	if (info)
		memset(info, 0, sizeof(*info));
	if (dir < 0 && !undo) {
		/* a look without the lock (a dry run): the directory by path */
		char path[PATH_MAX];

		if (kp_path(path, sizeof(path), KP_LOCK_DIR) < 0)
			return -ENAMETOOLONG;
		dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir < 0)
			return errno == ENOENT ? 0 : -errno;
		r = read_record(dir, &text, &len);
		close(dir);
		dir = -1;
	} else if (dir < 0) {
		return -ENOLCK;
	} else if (doc && undo) {
		return -EBUSY;
	} else {
		r = read_record(dir, &text, &len);
	}
	if (r == 1)
		return 0;
	if (r == -EINVAL || r == -EFBIG) {
		if (info)
			snprintf(info->detail, sizeof(info->detail), "%s",
				 r == -EINVAL ? "not a regular file" : "larger than 16 MiB");
		return -EBADMSG;
	}
	if (r < 0)
		return r;
	if (strlen(text) != len) {
		free(text);
		return bad(info, "a NUL byte in it%s", "", 0);
	}
	tok = json_tokener_new();
	if (!tok) {
		free(text);
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* schema 2: a complete header object alone on the first line */
	nl = memchr(text, '\n', len);
	o = nl ? json_tokener_parse_ex(tok, text, (int)(nl - text)) : NULL;
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  json_tokener_get_parse_end(tok) != (size_t)(nl - text) || !is_v2(o))) {
		json_object_put(o);
		o = NULL;
	}
	if (o) {
		size_t end = (size_t)(nl - text);

		json_tokener_free(tok);
		r = parse_v2(o, text + end, len - end, info);
		free(text);
		if (r < 0) {
			json_object_put(o);
			return r;
		}
	} else if (json_tokener_reset(tok), o = json_tokener_parse_ex(tok, text, (int)len),
		   !o || json_tokener_get_error(tok) != json_tokener_success ||
		   json_tokener_get_parse_end(tok) < len - (len && text[len - 1] == '\n')) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		r = bad(info, "not valid JSON (%s)", o ? "trailing data" :
			je == json_tokener_continue || je == json_tokener_success ? "truncated" :
			json_tokener_error_desc(je), 0);
		json_object_put(o);
		json_tokener_free(tok);
		free(text);
		return r;
	} else {
		json_tokener_free(tok);
		free(text);
		if (is_v2(o)) { /* schema 2 is lines, never one document */
			json_object_put(o);
			return bad(info, "schema 2 as one document%s", "", 0);
		}
	}
	r = validate(o, info, &arr);
	if (r == 0 && !undo) {
		r = 1;
	} else if (r == 0) {
		caught = 0;
		r = undo_all(arr, info ? info->other_boot : 0, info ? info->detail : NULL,
			     info ? sizeof(info->detail) : 0);
		if (r == 0)
			r = remove_record();
		if (r == 0)
			r = 1;
	}
	json_object_put(o);
	return r;
}

void kp_journal_describe(const struct kp_journal_info *info, char *buf, size_t n)
{
	snprintf(buf, n, "rolled back an interrupted '%s %s' (pid %ld, %d step%s, %d done)%s",
		 info->tool, info->command, info->pid, info->nsteps, info->nsteps == 1 ? "" : "s",
		 info->ndone, info->other_boot ? " from an earlier boot: its files only" : "");
}

/* ---- typed adds --------------------------------------------------------- */

int kp_journal_add_pci_driver(const char *bdf, const char *driver, const char *override,
			      int *step)
{
	const char *kv[] = { "bdf", bdf, "driver", driver ? driver : "", "driver_override",
			     override ? override : "", NULL };

	return kp_journal_add("pci-driver", kv, step);
}

int kp_journal_add_sysfs_attr(const char *path, const char *value, const char *reset, int *step)
{
	const char *kv[] = { "path", path, "value", value ? value : "",
			     reset ? "reset" : NULL, reset, NULL };

	return kp_journal_add("sysfs-attr", kv, step);
}

int kp_journal_add_mdev(const char *uuid, const char *parent, int *step)
{
	const char *kv[] = { "uuid", uuid, parent ? "parent" : NULL, parent, NULL };

	return kp_journal_add("mdev", kv, step);
}

int kp_journal_add_link(const char *name, int ifindex, int *step)
{
	char idx[16], ns[32];
	const char *kv[] = { "name", name, "ifindex", idx, "netns", ns, NULL };

	snprintf(idx, sizeof(idx), "%d", ifindex > 0 ? ifindex : 0);
	if (kp_jnetns(ns, sizeof(ns)) < 0)
		kv[4] = NULL; /* no /proc: the caller's namespace, unrecorded */
	return kp_journal_add("link", kv, step);
}
