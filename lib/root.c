/* SPDX-License-Identifier: MIT */
#include "root.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *kp_root(void)
{
	const char *r = getenv("KVMPREP_ROOT");

	return r ? r : "";
}

int kp_path(char *buf, size_t n, const char *abs)
{
	const char *root = kp_root();
	size_t rlen;
	int len;

	if (!abs || abs[0] != '/')
		return -EINVAL;
	/* --root DIR: a system's configuration is the target's (lib/target.h) */
	if (kp_target()[0] && kp_target_path(abs))
		root = kp_target();
	rlen = strlen(root);
	/* trailing slashes of the prefix go ("/" alone means no prefix), so
	 * paths in messages read "/mnt/sysimage/etc/…" */
	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	if (rlen > (size_t)INT_MAX)
		return -ENAMETOOLONG;
	len = snprintf(buf, n, "%.*s%s", (int)rlen, root, abs);
	if (len < 0 || (size_t)len >= n)
		return -ENAMETOOLONG;
	return 0;
}

int kp_read_file(const char *abs, char **out, size_t *lenp)
{
	char path[4096];
	size_t cap = 4096, len = 0;
	char *buf;
	int fd, r;

	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

int kp_read_line(const char *abs, char *buf, size_t n)
{
	char *data, *nl;
	int r;

	r = kp_read_file(abs, &data, NULL);
	if (r < 0)
		return r;
	nl = strchr(data, '\n');
	if (nl)
		*nl = '\0';
	if (strlen(data) >= n) {
		free(data);
		return -ENAMETOOLONG;
	}
	strcpy(buf, data);
	free(data);
	return 0;
}

int kp_exists(const char *abs)
{
	char path[4096];
	struct stat st;

	if (kp_path(path, sizeof(path), abs) < 0)
		return 0;
	return stat(path, &st) == 0;
}
