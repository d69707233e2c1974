/* SPDX-License-Identifier: MIT */
/* Journal kind "file": a host file written; undo puts its previous content
 * and mode back, or removes it when it did not exist. */
#include "journal.h"
#include "journal_kinds.h"
#include "persist.h"
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

#define FILE_MAX (1024 * 1024)

static const char hexd[] = "0123456789abcdef";

int kp_journal_save_file(const char *abs, int *step)
{
	char path[PATH_MAX], mode[16], *data = NULL, *hex;
	const char *kv[11];
	struct stat st;
	ssize_t len = 0;
	size_t i;
	int fd, r;

	if (step)
		*step = -1;
	if (!kp_journal_active())
		return 0;
	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		const char *absent[] = { "path", abs, "absent", "1",
					 kp_target()[0] ? "target" : NULL, kp_target(), NULL };

		return kp_journal_add("file", absent, step);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		r = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR
						: !S_ISREG(st.st_mode) ? -EINVAL : -EFBIG;
		close(fd);
		return r;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data)
		len = read(fd, data, (size_t)st.st_size + 1);
	close(fd);
	if (!data || len < 0 || len > st.st_size) {
		free(data);
		return !data ? -ENOMEM : len < 0 ? -errno : -EAGAIN;
	}
	hex = malloc((size_t)len * 2 + 1);
	if (!hex) {
		free(data);
		return -ENOMEM;
	}
	for (i = 0; i < (size_t)len; i++) {
		hex[2 * i] = hexd[(unsigned char)data[i] >> 4];
		hex[2 * i + 1] = hexd[(unsigned char)data[i] & 15];
	}
	hex[2 * len] = '\0';
	free(data);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
	kv[0] = "path"; kv[1] = abs;
	kv[2] = "absent"; kv[3] = "0";
	kv[4] = "mode"; kv[5] = mode;
	kv[6] = "content"; kv[7] = hex;
	/* written into a target (--root DIR): undone there, by any later run */
	kv[8] = kp_target()[0] ? "target" : NULL; kv[9] = kp_target();
	kv[10] = NULL;
	r = kp_journal_add("file", kv, step);
	free(hex);
	return r;
}

static int unhex(int c)
{
	const char *p = c ? strchr(hexd, c) : NULL;

	return p ? (int)(p - hexd) : -1;
}

static int undo_file(const struct kp_jstep *s, char *why, size_t n);

int kp_jundo_file(const struct kp_jstep *s, char *why, size_t n)
{
	const char *target = kp_jstep_get(s, "target");
	struct kp_target_saved saved;
	int r;

	if (target[0] && target[0] != '/') {
		snprintf(why, n, "its target is not an absolute path");
		return -EINVAL;
	}
	kp_target_swap(target, 0, &saved);
	r = undo_file(s, why, n);
	kp_target_restore(&saved);
	return r;
}

static int undo_file(const struct kp_jstep *s, char *why, size_t n)
{
	const char *abs = kp_jstep_get(s, "path"), *hex = kp_jstep_get(s, "content");
	size_t len = strlen(hex), i;
	char *data;
	long mode;
	int r;

	if (abs[0] != '/') {
		snprintf(why, n, "not an absolute path");
		return -EINVAL;
	}
	if (strcmp(kp_jstep_get(s, "absent"), "1") == 0) {
		r = kp_persist_remove(abs, NULL);
		if (r < 0)
			snprintf(why, n, "cannot be removed: %s", strerror(-r));
		return r;
	}
	mode = strtol(kp_jstep_get(s, "mode"), NULL, 8);
	if (len % 2 || mode <= 0 || mode > 07777) {
		snprintf(why, n, "its recorded content or mode is malformed");
		return -EINVAL;
	}
	data = malloc(len / 2 + 1);
	if (!data)
		return -ENOMEM;
	for (i = 0; i < len / 2; i++) {
		int hi = unhex(hex[2 * i]), lo = unhex(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(data);
			snprintf(why, n, "its recorded content is malformed");
			return -EINVAL;
		}
		data[i] = (char)(hi << 4 | lo);
	}
	r = kp_persist_write(abs, data, len / 2, (mode_t)mode, NULL);
	free(data);
	if (r < 0)
		snprintf(why, n, "cannot be written back: %s", strerror(-r));
	return r;
}
