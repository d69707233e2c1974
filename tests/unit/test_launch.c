/* SPDX-License-Identifier: MIT */
// tool-sources: tools/launch/util.c tools/launch/conf.c
/* kvmprep-launch's parsers and decisions: sizes, CPU lists, MACs, NIC
 * specs, the locked-memory limit and VM files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "exitcodes.h"
#include "launch/launch.h"

static void test_size(void **state)
{
	unsigned long long b;

	assert_int_equal(l_size_parse("512", &b), 0);
	assert_true(b == 512 * L_MIB);
	assert_int_equal(l_size_parse("2G", &b), 0);
	assert_true(b == 2 * L_GIB);
	assert_int_equal(l_size_parse("2GiB", &b), 0);
	assert_true(b == 2 * L_GIB);
	assert_int_equal(l_size_parse("1t", &b), 0);
	assert_true(b == 1024 * L_GIB);
	assert_int_equal(l_size_parse("1048576K", &b), 0);
	assert_true(b == L_GIB);
	assert_int_equal(l_size_parse("", &b), -EINVAL);
	assert_int_equal(l_size_parse("-1G", &b), -EINVAL);
	assert_int_equal(l_size_parse("1X", &b), -EINVAL);
	assert_int_equal(l_size_parse("1GG", &b), -EINVAL);
	assert_int_equal(l_size_parse("99999999999999999999", &b), -ERANGE);
	assert_int_equal(l_size_parse("99999999999T", &b), -ERANGE);
}

static void test_hugesize(void **state)
{
	long long kb;

	assert_int_equal(l_hugesize_parse("2M", &kb), 0);
	assert_int_equal(kb, 2048);
	assert_int_equal(l_hugesize_parse("1G", &kb), 0);
	assert_int_equal(kb, 1048576);
	assert_int_equal(l_hugesize_parse("2048K", &kb), 0);
	assert_int_equal(kb, 2048);
	assert_int_equal(l_hugesize_parse("4M", &kb), -EINVAL);
	assert_int_equal(l_hugesize_parse("2", &kb), -EINVAL); /* a bare number is ambiguous */
	assert_int_equal(l_hugesize_parse("", &kb), -EINVAL);
}

static void test_cpulist(void **state)
{
	unsigned char b[L_MAX_CPUS / 8];
	char out[64];
	int order[8];

	assert_int_equal(l_cpulist_parse("0-3,8,10-11", b), 7);
	l_cpulist_format(b, out, sizeof(out));
	assert_string_equal(out, "0-3,8,10-11");
	assert_int_equal(l_cpulist_parse("5,4,4", b), 2);
	l_cpulist_format(b, out, sizeof(out));
	assert_string_equal(out, "4-5");
	assert_int_equal(l_cpulist_parse("1023", b), 1);
	assert_int_equal(l_cpulist_parse("1024", b), -EINVAL);
	assert_int_equal(l_cpulist_parse("3-1", b), -EINVAL);
	assert_int_equal(l_cpulist_parse("1,", b), -EINVAL);
	assert_int_equal(l_cpulist_parse(",1", b), -EINVAL);
	assert_int_equal(l_cpulist_parse("1-", b), -EINVAL);
	assert_int_equal(l_cpulist_parse("", b), -EINVAL);
	assert_int_equal(l_cpulist_parse("a", b), -EINVAL);
	/* the order written decides which vCPU goes where */
	assert_int_equal(l_cpulist_order("6,2-3,2", order, 8), 3);
	assert_int_equal(order[0], 6);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
}

static void test_mac(void **state)
{
	char m[18], m2[18];

	assert_int_equal(l_mac_parse("52:54:00:AB:cd:01", m), 0);
	assert_string_equal(m, "52:54:00:ab:cd:01");
	assert_int_equal(l_mac_parse("01:00:5e:00:00:01", m), -EADDRNOTAVAIL);
	assert_int_equal(l_mac_parse("ff:ff:ff:ff:ff:ff", m), -EADDRNOTAVAIL);
	assert_int_equal(l_mac_parse("00:00:00:00:00:00", m), -EADDRNOTAVAIL);
	assert_int_equal(l_mac_parse("52:54:00:ab:cd", m), -EINVAL);
	assert_int_equal(l_mac_parse("52-54-00-ab-cd-01", m), -EINVAL);
	assert_int_equal(l_mac_parse("52:54:00:ab:cd:0g", m), -EINVAL);
	/* generated MACs: stable, per NIC, locally administered QEMU prefix */
	l_mac_for("web", 0, m);
	l_mac_for("web", 0, m2);
	assert_string_equal(m, m2);
	assert_memory_equal(m, "52:54:00:", 9);
	l_mac_for("web", 1, m2);
	assert_string_not_equal(m, m2);
	l_mac_for("db", 0, m2);
	assert_string_not_equal(m, m2);
}

static void test_nic(void **state)
{
	struct l_nic n;
	char err[160];

	assert_int_equal(l_nic_parse("bridge=br0", &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, L_NIC_BRIDGE);
	assert_string_equal(n.ifname, "br0");
	assert_int_equal(n.queues, 1);
	assert_int_equal(n.mac_given, 0);
	assert_int_equal(l_nic_parse("tap=vm0,mac=52:54:00:00:00:01,queues=4", &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, L_NIC_TAP);
	assert_int_equal(n.queues, 4);
	assert_string_equal(n.mac, "52:54:00:00:00:01");
	assert_int_equal(l_nic_parse("macvtap=mvt0", &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, L_NIC_MACVTAP);
	assert_int_equal(l_nic_parse("mac=52:54:00:00:00:01,bridge=br0", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("bridge=br0,tap=x", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("bridge=br0,queues=0", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("bridge=br0,queues=17", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("bridge=br0,vhost=on", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key 'vhost'"));
	assert_int_equal(l_nic_parse("bridge=", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("bridge=a/b", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(l_nic_parse("", &n, err, sizeof(err)), -EINVAL);
}

static void test_memlock(void **state)
{
	struct l_memlock m;
	const unsigned long long inf = ~0ULL, k8 = 8 * L_MIB;

	/* no VFIO or mdev: the limit is none of our business */
	l_memlock_decide(4 * L_GIB, 0, k8, k8, 0, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_NONE);
	assert_true(m.need == 0);
	/* guest memory + 1 GiB, as libvirt */
	l_memlock_decide(4 * L_GIB, 1, k8, k8, 0, 1, &m);
	assert_int_equal(m.action, L_MEMLOCK_RAISE);
	assert_true(m.need == 5 * L_GIB);
	/* the hard limit allows it: no privilege needed */
	l_memlock_decide(2 * L_GIB, 2, k8, 3 * L_GIB, 0, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_RAISE);
	assert_true(m.need == 3 * L_GIB);
	/* one byte short of the hard limit and no CAP_SYS_RESOURCE: refused */
	l_memlock_decide(2 * L_GIB, 1, k8, 3 * L_GIB - 1, 0, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_REFUSE);
	/* ... unless CAP_IPC_LOCK exempts QEMU from the limit */
	l_memlock_decide(2 * L_GIB, 1, k8, 3 * L_GIB - 1, 1, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_KEEP);
	assert_int_equal(m.by_cap, 1);
	/* already enough, or unlimited */
	l_memlock_decide(2 * L_GIB, 1, 3 * L_GIB, 3 * L_GIB, 0, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_KEEP);
	assert_int_equal(m.by_cap, 0);
	l_memlock_decide(64 * L_GIB, 1, inf, inf, 0, 0, &m);
	assert_int_equal(m.action, L_MEMLOCK_KEEP);
	/* with CAP_SYS_RESOURCE it is raised even where CAP_IPC_LOCK would do */
	l_memlock_decide(2 * L_GIB, 1, k8, k8, 1, 1, &m);
	assert_int_equal(m.action, L_MEMLOCK_RAISE);
}

static void test_names(void **state)
{
	char *e;

	assert_int_equal(l_name_check("web-01.prod_a"), 0);
	assert_int_equal(l_name_check(""), -EINVAL);
	assert_int_equal(l_name_check(".hidden"), -EINVAL);
	assert_int_equal(l_name_check("-opt"), -EINVAL);
	assert_int_equal(l_name_check("a/b"), -EINVAL);
	assert_int_equal(l_name_check("a,b"), -EINVAL);
	assert_int_equal(l_name_check("a b"), -EINVAL);
	e = l_qemu_escape("/img/a,b,,c.raw");
	assert_string_equal(e, "/img/a,,b,,,,c.raw");
	free(e);
}

static void test_human(void **state)
{
	char b[32];

	l_human_size(3 * L_GIB, b, sizeof(b));
	assert_string_equal(b, "3 GiB");
	l_human_size(1536 * L_MIB, b, sizeof(b));
	assert_string_equal(b, "1.5 GiB");
	l_human_size(8 * L_MIB, b, sizeof(b));
	assert_string_equal(b, "8 MiB");
	l_human_size(~0ULL, b, sizeof(b));
	assert_string_equal(b, "unlimited");
}

static int parse(struct l_opts *o, const char *text)
{
	memset(o, 0, sizeof(*o));
	o->numa_node = -1;
	return l_vmfile_parse(o, "t.conf", text, strlen(text));
}

static void test_vmfile(void **state)
{
	struct l_opts o;
	static const char nul[] = "memory = 1G\ncpus = 2\0\n";

	kp_set_program("test");
	assert_int_equal(parse(&o, "# c\n\nkernel = /k\nappend = \"a b=c\"\ndisk = /d1\ndisk=/d2\n"
				   "memory=2G\n  cpus = 3  \nnic = bridge=br0,queues=2\n"), KP_EXIT_OK);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.append, "a b=c");
	assert_int_equal(o.ndisks, 2);
	assert_string_equal(o.disks[1], "/d2");
	assert_true(o.mem == 2 * L_GIB);
	assert_int_equal(o.cpus, 3);
	assert_int_equal(o.nnics, 1);
	assert_int_equal(o.nics[0].queues, 2);
	l_opts_free(&o);

	assert_int_equal(parse(&o, "kernel = /k\nbogus = 1\n"), KP_EXIT_USAGE);
	assert_string_equal(kp_last_error(), "t.conf:2: unknown key 'bogus'");
	l_opts_free(&o);
	assert_int_equal(parse(&o, "cpus = 1\ncpus = 2\n"), KP_EXIT_USAGE);
	assert_string_equal(kp_last_error(), "t.conf:2: 'cpus' given twice");
	l_opts_free(&o);
	assert_int_equal(parse(&o, "memory\n"), KP_EXIT_USAGE);
	l_opts_free(&o);
	assert_int_equal(parse(&o, "json = 1\n"), KP_EXIT_USAGE);
	l_opts_free(&o);
	assert_int_equal(parse(&o, "cpus = 0\n"), KP_EXIT_USAGE);
	assert_string_equal(kp_last_error(), "t.conf:1: cpus: a number of vCPUs, 1..288");
	l_opts_free(&o);
	memset(&o, 0, sizeof(o));
	assert_int_equal(l_vmfile_parse(&o, "t.conf", nul, sizeof(nul) - 1), KP_EXIT_USAGE);
	assert_string_equal(kp_last_error(), "t.conf:2: cannot read: a NUL byte (not a text file)");
	l_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_hugesize),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_nic),
		cmocka_unit_test(test_memlock),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_vmfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
