/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for kvmprep-bridge's netlink changes, linked only into a
 * test build (build/tests/kvmprep-bridge-fault, -Wl,--wrap=nl_send_sync):
 * every change the tool sends goes through nl_send_sync (lib/link.c's
 * kp_nl_send), so the Nth one can be refused or the process killed there.
 *
 *   KP_NLFAULT=N[:ERRNO]   the Nth request is refused with ERRNO (default
 *                          EBUSY) without reaching the kernel
 *   KP_NLFAULT=kill@N      the process is SIGKILLed before the Nth request
 *   KP_NLFAULT=hup@N       SIGHUP (the SSH session went away) is raised
 *                          before the Nth request, which then goes out
 *
 * The count is per process; the requests a rollback sends count too.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/errno.h>

int __real_nl_send_sync(struct nl_sock *sk, struct nl_msg *msg);
int __wrap_nl_send_sync(struct nl_sock *sk, struct nl_msg *msg);

int __wrap_nl_send_sync(struct nl_sock *sk, struct nl_msg *msg)
{
	static long n;
	const char *spec = getenv("KP_NLFAULT");
	long at;

	n++;
	if (spec && !strncmp(spec, "kill@", 5)) {
		at = strtol(spec + 5, NULL, 10);
		if (n == at)
			kill(getpid(), SIGKILL);
	} else if (spec && !strncmp(spec, "hup@", 4)) {
		at = strtol(spec + 4, NULL, 10);
		if (n == at)
			kill(getpid(), SIGHUP);
	} else if (spec && *spec) {
		char *end;

		at = strtol(spec, &end, 10);
		if (n == at) {
			nlmsg_free(msg);
			/* the nearest libnl code; kp_nl_send maps it back to an errno */
			return (*end == ':' && !strcmp(end + 1, "EEXIST")) ? -NLE_EXIST : -NLE_BUSY;
		}
	}
	return __real_nl_send_sync(sk, msg);
}
