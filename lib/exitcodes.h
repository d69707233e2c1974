/* SPDX-License-Identifier: MIT */
#ifndef KP_EXITCODES_H
#define KP_EXITCODES_H

/*
 * The exit status of every kvmprep tool. This is a contract with the
 * scripts, kickstart files, systemd units and Ansible tasks that run the
 * tools: values never change meaning once released.
 */
enum {
	KP_EXIT_OK = 0,    /* done, or: every check passed */
	KP_EXIT_FAIL = 1,  /* failed, or: a check failed */
	KP_EXIT_USAGE = 2, /* usage error: bad option or argument */
	KP_EXIT_HOST = 3,  /* the host cannot do it: not root, no IOMMU,
			      no such device, checks could not run */
	/* A change interrupted by signal N (SIGTERM, SIGINT, SIGHUP) and
	 * rolled back exits KP_EXIT_SIGNAL + N: 143, 130, 129, as a shell
	 * shows a process killed by that signal (lib/journal.h). */
	KP_EXIT_SIGNAL = 128,
};

#endif
