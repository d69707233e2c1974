/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-launch: open what QEMU gets as file descriptors, start it, pin
 * its vCPU threads, and shut the guest down cleanly on SIGTERM.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "output.h"
#include "root.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A tap queue through /dev/net/tun: an existing tap by name, or a new one
 * ("kpt%d") for a bridge. */
static int open_tun(const char *name, int multi, char *got, size_t gotn)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (multi ? IFF_MULTI_QUEUE : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (got)
		snprintf(got, gotn, "%s", ifr.ifr_name);
	return fd;
}

/* /dev/tapN appears when udev has handled the macvtap's uevent: retry for
 * up to two seconds. */
static int open_retry(const char *path)
{
	long long deadline = now_ms() + 2000;

	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd >= 0)
			return fd;
		if (errno != ENOENT || now_ms() >= deadline)
			return -errno;
		usleep(20000);
	}
}

static int open_fds(struct l_opts *o, struct l_plan *p, int *qmp_mine)
{
	int sv[2];
	size_t i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		kp_err_errno(NULL, -errno, "cannot make the QMP socket pair");
		return KP_EXIT_FAIL;
	}
	*qmp_mine = sv[0];
	p->fds[0].fd = sv[1];
	for (i = 1; i < p->nfds; i++) {
		struct l_fd *f = &p->fds[i];
		struct l_nic *nic = &o->nics[f->nic];
		int fd;

		if (f->kind == L_FD_VHOST) {
			fd = open(f->path, O_RDWR | O_CLOEXEC);
		} else if (nic->kind == L_NIC_MACVTAP) {
			fd = open_retry(f->path);
		} else if (nic->kind == L_NIC_TAP) {
			fd = open_tun(nic->ifname, nic->queues > 1, NULL, 0);
		} else {
			char got[IFNAMSIZ];
			/* every queue of a new tap opens the same name */
			const char *want = f->queue == 0 ? "kpt%d" : p->fds[i - (size_t)f->queue].what;

			fd = open_tun(f->queue == 0 ? want : strrchr(want, ' ') + 1, nic->queues > 1,
				      got, sizeof(got));
			if (fd >= 0 && f->queue == 0) {
				int r = l_link_enslave_up(got, nic->ifname);

				snprintf(f->what, sizeof(f->what), "tap on bridge %s: %s", nic->ifname, got);
				if (r < 0) {
					close(fd);
					kp_err_errno(got, r, "cannot attach to bridge %s", nic->ifname);
					return KP_EXIT_HOST;
				}
			}
		}
		if (fd < 0 && fd == -EINVAL && nic->kind == L_NIC_TAP) {
			kp_err(nic->ifname, "cannot open the tap: %s (queues=%d needs a tap made %s: kvmprep-bridge tap add %s%s)",
			       strerror(-fd), nic->queues, nic->queues > 1 ? "multi-queue" : "single-queue",
			       nic->ifname, nic->queues > 1 ? " --multi-queue" : "");
			return KP_EXIT_HOST;
		}
		if (fd < 0) {
			kp_err_errno(f->path, fd, "cannot open for %s", f->what);
			return fd == -EACCES || fd == -EPERM || fd == -ENOENT ? KP_EXIT_HOST : KP_EXIT_FAIL;
		}
		f->fd = fd;
	}
	return KP_EXIT_OK;
}

static int copy_vars(const struct l_plan *p)
{
	char dir[4096], tmp[4200], buf[65536];
	char *slash;
	int in, out = -1, rc = -1;
	ssize_t n;

	if (p->vars_exists || !p->fw_code[0])
		return 0;
	snprintf(dir, sizeof(dir), "%s", p->vars_dst);
	slash = strrchr(dir, '/');
	if (slash) {
		char *s;

		*slash = '\0';
		for (s = dir + 1; *s; s++)
			if (*s == '/') {
				*s = '\0';
				mkdir(dir, 0755);
				*s = '/';
			}
		mkdir(dir, 0700);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", p->vars_dst, (int)getpid());
	{
		char src[4096];

		if (kp_path(src, sizeof(src), p->vars_src) < 0)
			src[0] = '\0';
		in = open(src, O_RDONLY | O_CLOEXEC);
	}
	if (in >= 0)
		out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in >= 0 && out >= 0) {
		rc = 0;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				rc = -1;
		if (n < 0 || fsync(out) < 0)
			rc = -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, p->vars_dst) < 0)
		rc = -1;
	if (rc < 0) {
		kp_err_errno(p->vars_dst, -errno, "cannot copy the UEFI variables from %s", p->vars_src);
		unlink(tmp);
	}
	return rc;
}

static void child(struct l_plan *p, const sigset_t *old)
{
	int high[L_MAX_FDS];
	size_t i;

	/* the guest goes with the launcher */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (p->numa_cpus_valid) {
		cpu_set_t set;
		int c;

		CPU_ZERO(&set);
		for (c = 0; c < L_MAX_CPUS && c < CPU_SETSIZE; c++)
			if (p->numa_cpus[c / 8] & (1u << (c % 8)))
				CPU_SET(c, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	/* move every passed fd above the targets first, then into place:
	 * dup2 clears close-on-exec on exactly these */
	for (i = 0; i < p->nfds; i++) {
		high[i] = fcntl(p->fds[i].fd, F_DUPFD_CLOEXEC, 100);
		if (high[i] < 0)
			_exit(127);
	}
	for (i = 0; i < p->nfds; i++)
		if (dup2(high[i], p->fds[i].child_fd) < 0)
			_exit(127);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, old, NULL);
	execv(p->argv[0], p->argv);
	fprintf(stderr, "%s: %s: cannot start: %s\n", TOOL, p->argv[0], strerror(errno));
	_exit(127);
}

static int status_rc(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return KP_EXIT_FAIL;
}

static int pin_vcpus(struct l_qmp *q, struct l_plan *p, json_object *doc)
{
	json_object *ret = NULL, *threads = json_object_new_array();
	char err[256];
	size_t i, n;
	int r;

	r = l_qmp_exec(q, "query-cpus-fast", NULL, &ret, 10000, err, sizeof(err));
	if (r < 0 || !json_object_is_type(ret, json_type_array)) {
		kp_err("QMP", "cannot pin vCPUs: query-cpus-fast: %s", r == -EIO ? err : strerror(-r));
		json_object_put(ret);
		json_object_put(threads);
		return -1;
	}
	n = json_object_array_length(ret);
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(ret, i), *v, *e;
		int idx = -1, tid = -1, k;
		cpu_set_t set;

		if (json_object_object_get_ex(c, "cpu-index", &v))
			idx = json_object_get_int(v);
		if (json_object_object_get_ex(c, "thread-id", &v))
			tid = json_object_get_int(v);
		if (idx < 0 || (size_t)idx >= p->npins || tid <= 0)
			continue;
		CPU_ZERO(&set);
		for (k = 0; k < L_MAX_CPUS && k < CPU_SETSIZE; k++)
			if (p->pins[idx].cpus[k / 8] & (1u << (k % 8)))
				CPU_SET(k, &set);
		if (sched_setaffinity(tid, sizeof(set), &set) < 0) {
			kp_err_errno("QMP", -errno, "cannot pin vCPU %d (thread %d) to CPU %s", idx, tid,
				     p->pins[idx].list);
			json_object_put(ret);
			json_object_put(threads);
			return -1;
		}
		e = json_object_new_object();
		json_object_object_add(e, "vcpu", json_object_new_int(idx));
		json_object_object_add(e, "thread_id", json_object_new_int(tid));
		json_object_object_add(e, "cpus", json_object_new_string(p->pins[idx].list));
		json_object_array_add(threads, e);
	}
	json_object_put(ret);
	if (doc)
		json_object_object_add(doc, "vcpu_threads", threads);
	else
		json_object_put(threads);
	return 0;
}

static void console_path(struct l_qmp *q, json_object *doc)
{
	json_object *ret = NULL;
	size_t i, n;

	if (l_qmp_exec(q, "query-chardev", NULL, &ret, 5000, NULL, 0) < 0 ||
	    !json_object_is_type(ret, json_type_array)) {
		json_object_put(ret);
		return;
	}
	n = json_object_array_length(ret);
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(ret, i), *l, *f;

		if (json_object_object_get_ex(c, "label", &l) && !strcmp(json_object_get_string(l), "con0") &&
		    json_object_object_get_ex(c, "filename", &f)) {
			const char *s = json_object_get_string(f);

			if (!strncmp(s, "pty:", 4)) {
				if (doc)
					json_object_object_add(doc, "console", json_object_new_string(s + 4));
				else
					fprintf(stderr, "%s: console: %s\n", TOOL, s + 4);
			}
		}
	}
	json_object_put(ret);
}

int l_run(struct l_opts *o, struct l_plan *p)
{
	sigset_t mask, old;
	struct l_qmp *q = NULL;
	int qmp_fd = -1, sfd, rc, st = 0, stopping = 0, exited = 0;
	long long deadline = 0;
	json_object *doc = NULL;
	pid_t pid;
	size_t i;

	rc = open_fds(o, p, &qmp_fd);
	if (rc)
		goto out_fds;
	if (copy_vars(p) < 0) {
		rc = KP_EXIT_FAIL;
		goto out_fds;
	}
	if (p->memlock.action == L_MEMLOCK_RAISE) {
		struct rlimit rl = { p->memlock.need, p->memlock.need };

		if (p->memlock.cur_hard > p->memlock.need)
			rl.rlim_max = p->memlock.cur_hard == ~0ULL ? RLIM_INFINITY : p->memlock.cur_hard;
		if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
			char need[32];

			l_human_size(p->memlock.need, need, sizeof(need));
			kp_err_errno("RLIMIT_MEMLOCK", -errno, "cannot raise to %s", need);
			rc = KP_EXIT_HOST;
			goto out_fds;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &old);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		kp_err_errno(NULL, -errno, "cannot watch signals");
		rc = KP_EXIT_FAIL;
		goto out_fds;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		kp_err_errno(p->argv[0], -errno, "cannot start");
		rc = KP_EXIT_FAIL;
		close(sfd);
		goto out_fds;
	}
	if (pid == 0)
		child(p, &old);
	for (i = 0; i < p->nfds; i++) {
		close(p->fds[i].fd);
		p->fds[i].fd = -1;
	}

	rc = l_qmp_open(qmp_fd, 60000, &q);
	qmp_fd = -1;
	if (rc < 0) {
		/* QEMU said why on stderr; pass its exit code on */
		waitpid(pid, &st, 0);
		rc = status_rc(st);
		if (rc == 0)
			rc = KP_EXIT_FAIL;
		kp_err(p->argv[0], "exited with status %d before the guest started", rc);
		close(sfd);
		return rc;
	}
	if (o->json) {
		doc = l_plan_json(o, p);
		json_object_object_add(doc, "pid", json_object_new_int(pid));
	}
	if (p->paused) {
		char err[256];

		if (pin_vcpus(q, p, doc) < 0 || l_qmp_exec(q, "cont", NULL, NULL, 10000, err, sizeof(err)) < 0) {
			l_qmp_exec(q, "quit", NULL, NULL, 5000, NULL, 0);
			waitpid(pid, &st, 0);
			l_qmp_close(q);
			json_object_put(doc);
			close(sfd);
			return KP_EXIT_FAIL;
		}
	}
	if (o->console == L_CON_PTY)
		console_path(q, doc);
	if (doc) {
		kp_json_print(doc, stdout);
		json_object_put(doc);
		fflush(stdout);
	}

	for (;;) {
		struct pollfd pf[2] = { { sfd, POLLIN, 0 }, { l_qmp_fd(q), POLLIN, 0 } };
		int timeout = -1, n;

		if (stopping && !exited) {
			long long left = deadline - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		n = poll(pf, exited ? 1 : 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					if (waitpid(pid, &st, WNOHANG) == pid)
						break;
				} else if (!stopping) {
					stopping = 1;
					if (o->shutdown_timeout == 0) {
						/* not asked to wait: stop the vCPUs, then quit */
						l_qmp_exec(q, "stop", NULL, NULL, 5000, NULL, 0);
						l_qmp_exec(q, "quit", NULL, NULL, 5000, NULL, 0);
						deadline = now_ms() + 10000;
					} else {
						if (!o->quiet)
							fprintf(stderr, "%s: %s: asking the guest to power down (system_powerdown), %d s\n",
								TOOL, o->name, o->shutdown_timeout);
						l_qmp_exec(q, "system_powerdown", NULL, NULL, 5000, NULL, 0);
						deadline = now_ms() + (long long)o->shutdown_timeout * 1000;
					}
				} else {
					/* a second signal: do not wait any longer */
					l_qmp_exec(q, "quit", NULL, NULL, 5000, NULL, 0);
					deadline = now_ms() + 10000;
				}
			}
		}
		if (!exited && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (l_qmp_pump(q) == -EPIPE)
				exited = 1;
		}
		if (stopping && !exited && now_ms() >= deadline) {
			if (!l_qmp_shutdown_seen(q)) {
				kp_warn(o->name, "the guest did not power down within %d s: quitting QEMU",
					o->shutdown_timeout);
				l_qmp_exec(q, "quit", NULL, NULL, 5000, NULL, 0);
			}
			deadline = now_ms() + 10000;
			stopping = 2;
		}
		if (exited && waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (exited && stopping && now_ms() >= deadline + 10000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
	}
	l_qmp_close(q);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status_rc(st);

out_fds:
	if (qmp_fd >= 0)
		close(qmp_fd);
	for (i = 0; i < p->nfds; i++)
		if (p->fds[i].fd >= 0)
			close(p->fds[i].fd);
	return rc;
}
