/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-launch: a QMP client (json-c). QEMU sends one JSON object per
 * line: the greeting, then replies ("return"/"error") and events.
 */
#include "launch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct l_qmp {
	int fd;
	char buf[65536];
	size_t len;
	int eof;
	int shutdown;
	long long id;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read more bytes, waiting up to timeout_ms (0: no wait). 1 got some,
 * 0 none, -EPIPE at EOF, -errno. */
static int fill(struct l_qmp *q, int timeout_ms)
{
	struct pollfd pfd = { q->fd, POLLIN, 0 };
	ssize_t n;
	int r;

	if (q->eof)
		return -EPIPE;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	if (q->len >= sizeof(q->buf) - 1)
		return -EMSGSIZE;
	n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		q->eof = 1;
		return -EPIPE;
	}
	q->len += (size_t)n;
	return 1;
}

/* Take one complete line as JSON (NULL when none is complete). Events are
 * noted (SHUTDOWN) and dropped. */
static json_object *next_msg(struct l_qmp *q)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		json_object *m, *ev;
		size_t n;

		if (!nl)
			return NULL;
		*nl = '\0';
		m = json_tokener_parse(q->buf);
		n = (size_t)(nl - q->buf) + 1;
		memmove(q->buf, q->buf + n, q->len - n);
		q->len -= n;
		if (!m)
			continue;
		if (json_object_object_get_ex(m, "event", &ev)) {
			if (!strcmp(json_object_get_string(ev), "SHUTDOWN"))
				q->shutdown = 1;
			json_object_put(m);
			continue;
		}
		return m;
	}
}

static int send_cmd(struct l_qmp *q, const char *cmd, json_object *args, long long id)
{
	json_object *m = json_object_new_object();
	const char *s;
	size_t len, off = 0;
	int r = 0;

	json_object_object_add(m, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(m, "arguments", json_object_get(args));
	json_object_object_add(m, "id", json_object_new_int64(id));
	s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	len = strlen(s);
	while (off < len) {
		ssize_t n = write(q->fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno == EPIPE ? -EPIPE : -errno;
			break;
		}
		off += (size_t)n;
	}
	if (!r && write(q->fd, "\n", 1) != 1)
		r = -EPIPE;
	json_object_put(m);
	return r;
}

int l_qmp_exec(struct l_qmp *q, const char *cmd, json_object *args, json_object **ret,
	       int timeout_ms, char *err, size_t errn)
{
	long long deadline = now_ms() + timeout_ms, id = ++q->id;
	int r;

	if (ret)
		*ret = NULL;
	if (err && errn)
		err[0] = '\0';
	r = send_cmd(q, cmd, args, id);
	if (r < 0)
		return r;
	for (;;) {
		json_object *m, *v, *mid;
		long long left;

		while ((m = next_msg(q))) {
			if (!json_object_object_get_ex(m, "id", &mid) || json_object_get_int64(mid) != id) {
				json_object_put(m);
				continue;
			}
			if (json_object_object_get_ex(m, "return", &v)) {
				if (ret)
					*ret = json_object_get(v);
				json_object_put(m);
				return 0;
			}
			if (json_object_object_get_ex(m, "error", &v)) {
				json_object *desc;

				if (err && json_object_object_get_ex(v, "desc", &desc))
					snprintf(err, errn, "%s", json_object_get_string(desc));
				json_object_put(m);
				return -EIO;
			}
			json_object_put(m);
		}
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = fill(q, (int)left);
		if (r < 0)
			return r;
	}
}

int l_qmp_open(int fd, int timeout_ms, struct l_qmp **out)
{
	struct l_qmp *q = calloc(1, sizeof(*q));
	long long deadline = now_ms() + timeout_ms;
	json_object *m = NULL;
	int r;

	if (!q)
		return -ENOMEM;
	q->fd = fd;
	while (!(m = next_msg(q))) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			free(q);
			return -ETIMEDOUT;
		}
		r = fill(q, (int)left);
		if (r < 0) {
			free(q);
			return r;
		}
	}
	if (!json_object_object_get_ex(m, "QMP", NULL)) {
		json_object_put(m);
		free(q);
		return -EPROTO;
	}
	json_object_put(m);
	r = l_qmp_exec(q, "qmp_capabilities", NULL, NULL, timeout_ms, NULL, 0);
	if (r < 0) {
		free(q);
		return r;
	}
	*out = q;
	return 0;
}

int l_qmp_pump(struct l_qmp *q)
{
	json_object *m;
	int r;

	do {
		r = fill(q, 0);
		while ((m = next_msg(q)))
			json_object_put(m);
	} while (r > 0);
	return r < 0 ? r : 0;
}

int l_qmp_shutdown_seen(const struct l_qmp *q)
{
	return q->shutdown;
}

int l_qmp_fd(const struct l_qmp *q)
{
	return q->fd;
}

void l_qmp_close(struct l_qmp *q)
{
	if (!q)
		return;
	close(q->fd);
	free(q);
}
