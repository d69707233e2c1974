/* SPDX-License-Identifier: MIT */
/*
 * fh-udevwait: run a command while a libudev monitor listens, print the
 * events it receives, for the kernel model's uevent tests.
 *
 *   fh-udevwait [-s SUBSYSTEM] -- COMMAND [ARG…]
 *
 * One line per event, in order: "ACTION SUBSYSTEM DEVPATH[ DRIVER=D][ DEVNAME=N]",
 * printed after the command has finished (so they never mix with its output).
 * Exits with the command's status (125 when the monitor cannot be set up).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libudev.h>

static void drain(struct udev_monitor *mon, FILE *out)
{
	struct udev_device *d;

	while ((d = udev_monitor_receive_device(mon))) {
		const char *drv = udev_device_get_property_value(d, "DRIVER");
		const char *node = udev_device_get_property_value(d, "DEVNAME");

		fprintf(out, "%s %s %s", udev_device_get_action(d) ?: "-",
		       udev_device_get_subsystem(d) ?: "-", udev_device_get_devpath(d) ?: "-");
		if (drv)
			fprintf(out, " DRIVER=%s", drv);
		if (node)
			fprintf(out, " DEVNAME=%s", node);
		fprintf(out, "\n");
		udev_device_unref(d);
	}
}

int main(int argc, char **argv)
{
	const char *subsystem = NULL;
	struct udev_monitor *mon;
	struct udev *udev;
	struct pollfd pfd;
	char *events = NULL;
	size_t events_len = 0;
	FILE *out;
	int i = 1, status = 0;
	pid_t pid;

	if (i + 1 < argc && !strcmp(argv[i], "-s")) {
		subsystem = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc) {
		fprintf(stderr, "usage: fh-udevwait [-s SUBSYSTEM] -- COMMAND [ARG...]\n");
		return 2;
	}
	udev = udev_new();
	mon = udev ? udev_monitor_new_from_netlink(udev, "udev") : NULL;
	if (!mon || (subsystem && udev_monitor_filter_add_match_subsystem_devtype(mon, subsystem, NULL) < 0) ||
	    udev_monitor_enable_receiving(mon) < 0) {
		fprintf(stderr, "fh-udevwait: cannot set up a udev monitor\n");
		return 125;
	}
	out = open_memstream(&events, &events_len);
	if (!out)
		return 125;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		execvp(argv[i + 1], argv + i + 1);
		perror(argv[i + 1]);
		_exit(127);
	}
	pfd.fd = udev_monitor_get_fd(mon);
	pfd.events = POLLIN;
	for (;;) {
		int done = waitpid(pid, &status, WNOHANG) == pid;

		if (poll(&pfd, 1, done ? 300 : 50) > 0)
			drain(mon, out);
		else if (done)
			break;
	}
	fclose(out);
	fputs(events, stdout);
	free(events);
	udev_monitor_unref(mon);
	udev_unref(udev);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
