/* SPDX-License-Identifier: MIT */
/*
 * mdevctl's callout scripts, run the way mdevctl runs them (its
 * src/callouts.rs): every executable in /usr/lib/mdevctl/scripts.d/callouts,
 * then /etc/mdevctl.d/scripts.d/callouts, in name order, is called
 *
 *   SCRIPT -t TYPE -e pre|post -a ACTION -s none|success|failure -u UUID -p PARENT
 *
 * with the device's definition as compact JSON on stdin. Exit 2: not its
 * device type, the next script is asked; 0: it agrees; anything else: it
 * refuses and the action is not done (--force: done anyway, warned). The
 * script that answered pre gets the post event after the action with its
 * outcome. Notifier scripts (scripts.d/notifiers) get "-e notify" after
 * it, without stdin; their result is ignored. A script's stderr is shown
 * as "SCRIPT: line", as mdevctl shows it. A script gets CALLOUT_TIMEOUT_S
 * to answer, then it is killed and counts as refusing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "target.h"
#include "err.h"
#include "exitcodes.h"
#include "root.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

#define CALLOUT_TIMEOUT_S 30

static const char *const callout_dirs[] = {
	"/usr/lib/mdevctl/scripts.d/callouts",
	"/etc/mdevctl.d/scripts.d/callouts",
};
static const char *const notifier_dirs[] = {
	"/usr/lib/mdevctl/scripts.d/notifiers",
	"/etc/mdevctl.d/scripts.d/notifiers",
};

/* the script that answered the last pre event (prefixed path) */
static char matched[4096];

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted executable regular files of a directory (prefixed paths) */
static int scripts(const char *abs, char ***out, size_t *n)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (kp_path(dir, sizeof(dir), abs) < 0 || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		char p[4400];
		struct stat st;
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode) || access(p, X_OK) < 0)
			continue;
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		if (!(v[k] = strdup(p)))
			break;
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	*out = v;
	*n = k;
	return 0;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* The definition as mdevctl hands it to scripts: compact JSON. */
static char *config_json(const struct kp_mdev_def *d)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char *s;
	size_t i;

	json_object_object_add(o, "mdev_type", json_object_new_string(d->type));
	json_object_object_add(o, "start", json_object_new_string(d->autostart ? "auto" : "manual"));
	for (i = 0; i < d->nattrs; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, d->attrs[i].key, json_object_new_string(d->attrs[i].value));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "attrs", a);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* Run one script; its exit status (0..255), 256 + signal when killed, or
 * -errno when it could not run. stderr is shown line by line. */
static int run_script(const char *path, const char *event, const char *action, const char *state,
		      const struct kp_mdev_def *d, const char *stdin_text)
{
	int in[2], err[2], status;
	pid_t pid;
	time_t deadline = time(NULL) + CALLOUT_TIMEOUT_S;
	char buf[4096], line[4096];
	size_t ll = 0;
	int killed = 0;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(in[0]);
		close(in[1]);
		close(err[0]);
		close(err[1]);
		return -e;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(null >= 0 ? null : 2, 1);
		dup2(err[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execl(path, path, "-t", d->type, "-e", event, "-a", action, "-s", state, "-u",
		      d->uuid, "-p", d->parent, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	if (stdin_text) {
		size_t len = strlen(stdin_text), off = 0;
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		while (off < len) {
			ssize_t w = write(in[1], stdin_text + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break; /* the script closed stdin: fine, as in mdevctl */
			off += (size_t)w;
		}
		signal(SIGPIPE, old);
	}
	close(in[1]);
	for (;;) {
		struct pollfd p = { .fd = err[0], .events = POLLIN };
		long left = (long)(deadline - time(NULL));
		ssize_t got;
		int pr;

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		pr = poll(&p, 1, (int)(left * 1000));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		got = read(err[0], buf, sizeof(buf));
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n' || ll == sizeof(line) - 1) {
				line[ll] = '\0';
				fprintf(stderr, "%s: %s\n", base(path), line);
				ll = 0;
			} else {
				line[ll++] = buf[i];
			}
		}
	}
	if (ll) {
		line[ll] = '\0';
		fprintf(stderr, "%s: %s\n", base(path), line);
	}
	close(err[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed) {
		kp_err(base(path), "callout script did not answer within %d s: killed",
		       CALLOUT_TIMEOUT_S);
		return 256 + SIGKILL;
	}
	if (WIFSIGNALED(status))
		return 256 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int callout_pre(struct opts *o, const char *action, const struct kp_mdev_def *d)
{
	char *conf;
	size_t i, j;
	int r = 0;

	matched[0] = '\0';
	/* --offline / --root: a callout is a hook that acts on the host now
	 * (and the target's scripts never run here, lib/target.h) */
	if (kp_offline())
		return 0;
	conf = config_json(d);
	if (!conf)
		return KP_EXIT_FAIL;
	for (i = 0; i < sizeof(callout_dirs) / sizeof(callout_dirs[0]) && !matched[0]; i++) {
		char **v;
		size_t n;

		scripts(callout_dirs[i], &v, &n);
		for (j = 0; j < n && !matched[0]; j++) {
			int rc = run_script(v[j], "pre", action, "none", d, conf);

			if (rc == 2 || rc < 0 || rc > 255)
				continue; /* not its type, could not run, or killed: the next one */
			snprintf(matched, sizeof(matched), "%s", v[j]);
			if (rc != 0) {
				if (o->force) {
					kp_warn(d->uuid, "%s anyway: callout script %s refused it (exit %d)",
						action, base(v[j]), rc);
				} else {
					kp_err(d->uuid, "cannot %s on %s: callout script %s refused it (exit %d; --force goes on anyway)",
					       action, d->parent, base(v[j]), rc);
					r = KP_EXIT_FAIL;
				}
			}
		}
		free_list(v, n);
	}
	free(conf);
	return r;
}

void callout_post(struct opts *o, const char *action, const struct kp_mdev_def *d, int ok)
{
	size_t i, j;

	if (kp_offline()) /* no hook: see callout_pre */
		return;
	if (matched[0]) {
		char *conf = config_json(d);

		if (conf)
			run_script(matched, "post", action, ok ? "success" : "failure", d, conf);
		free(conf);
	}
	matched[0] = '\0';
	for (i = 0; i < sizeof(notifier_dirs) / sizeof(notifier_dirs[0]); i++) {
		char **v;
		size_t n;

		scripts(notifier_dirs[i], &v, &n);
		for (j = 0; j < n; j++)
			run_script(v[j], "notify", action, ok ? "success" : "failure", d, NULL);
		free_list(v, n);
	}
}
