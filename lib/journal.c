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

/* Atomically replace the record with the text of o: a temporary file in
 * /run/kvmprep, fsync, rename, fsync of the directory. */
static int write_record(json_object *o)
{
	int dir = kp_lock_dirfd(), fd, r = 0;
	const char *text;
	size_t len, off = 0;

	if (dir < 0)
		return -ENOLCK;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	unlinkat(dir, JTMP, 0);
	fd = openat(dir, JTMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (r == 0 && write(fd, "\n", 1) != 1)
		r = -EIO;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir, JTMP, dir, JNAME) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dir, JTMP, 0);
		return r;
	}
	return fsync(dir) < 0 ? -errno : 0;
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
	handlers_restore();
}

/* ---- the call's journal ----------------------------------------------- */

int kp_journal_begin(const char *tool, const char *command)
{
	char boot[64];
	int r;

	if (doc)
		return -EBUSY;
	if (!kp_lock_held())
		return -ENOLCK;
	doc = json_object_new_object();
	steps = json_object_new_array();
	if (!doc || !steps) {
		json_object_put(doc);
		json_object_put(steps);
		doc = steps = NULL;
		return -ENOMEM;
	}
	boot_id(boot, sizeof(boot));
	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "tool", json_object_new_string(tool ? tool : ""));
	json_object_object_add(doc, "command", json_object_new_string(command ? command : ""));
	json_object_object_add(doc, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(doc, "boot_id", json_object_new_string(boot));
	json_object_object_add(doc, "started", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(doc, "steps", steps);
	caught = 0;
	handlers_install();
	r = write_record(doc);
	if (r < 0)
		end_journal();
	return r;
}

int kp_journal_active(void)
{
	return doc != NULL;
}

int kp_journal_add(const char *kind, const char *const *kv, int *step)
{
	const struct kp_jkind *k = kp_jkind_find(kind);
	json_object *s;
	size_t i, j;
	int r;

	if (step)
		*step = -1;
	if (!doc)
		return 0;
	if (!k)
		return -EINVAL;
	if (caught)
		return -EINTR;
	for (i = 0; k->keys[i]; i++) {
		for (j = 0; kv && kv[j] && kv[j + 1]; j += 2)
			if (strcmp(kv[j], k->keys[i]) == 0)
				break;
		if (!kv || !kv[j] || !kv[j + 1])
			return -EINVAL;
	}
	s = json_object_new_object();
	if (!s)
		return -ENOMEM;
	json_object_object_add(s, "kind", json_object_new_string(kind));
	json_object_object_add(s, "done", json_object_new_boolean(0));
	for (j = 0; kv && kv[j] && kv[j + 1]; j += 2) {
		if (!strcmp(kv[j], "kind") || !strcmp(kv[j], "done")) {
			json_object_put(s);
			return -EINVAL;
		}
		json_object_object_add(s, kv[j], json_object_new_string(kv[j + 1]));
	}
	json_object_array_add(steps, s);
	r = write_record(doc);
	if (r < 0) {
		/* not on disk: not done either */
		json_object_array_del_idx(steps, json_object_array_length(steps) - 1, 1);
		return r;
	}
	if (step)
		*step = (int)json_object_array_length(steps) - 1;
	return 0;
}

static json_object *step_at(int step)
{
	if (!doc || step < 0 || (size_t)step >= json_object_array_length(steps))
		return NULL;
	return json_object_array_get_idx(steps, (size_t)step);
}

int kp_journal_update(int step, const char *key, const char *value)
{
	json_object *s;

	if (!doc)
		return 0;
	s = step_at(step);
	if (!s || !key || !value || !strcmp(key, "kind") || !strcmp(key, "done"))
		return -EINVAL;
	json_object_object_add(s, key, json_object_new_string(value));
	return write_record(doc);
}

int kp_journal_done(int step)
{
	json_object *s;

	if (!doc)
		return 0;
	s = step_at(step);
	if (!s)
		return -EINVAL;
	json_object_object_add(s, "done", json_object_new_boolean(1));
	return write_record(doc);
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
	else
		write_record(doc); /* kept, as it is, for the next command */
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

/* Check every part of the record before anything is undone. */
static int validate(json_object *o, struct kp_journal_info *info, json_object **arr)
{
	const char *tool, *command, *boot;
	int64_t schema, pid, started;
	size_t i, n;
	char here[64];

	if (!json_object_is_type(o, json_type_object))
		return bad(info, "not a JSON object%s", "", 0);
	if (get_int(o, "schema", &schema) < 0 || schema != 1)
		return bad(info, "no \"schema\": 1%s", "", 0);
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
	char *text = NULL;
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
	} else if (doc) {
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
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len - (len && text[len - 1] == '\n')) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		r = bad(info, "not valid JSON (%s)", o ? "trailing data" :
			je == json_tokener_continue || je == json_tokener_success ? "truncated" :
			json_tokener_error_desc(je), 0);
		json_object_put(o);
		json_tokener_free(tok);
		free(text);
		return r;
	}
	json_tokener_free(tok);
	free(text);
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
	char idx[16];
	const char *kv[] = { "name", name, "ifindex", idx, NULL };

	snprintf(idx, sizeof(idx), "%d", ifindex > 0 ? ifindex : 0);
	return kp_journal_add("link", kv, step);
}
