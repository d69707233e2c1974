/* SPDX-License-Identifier: MIT */
/* How a device is reset between guests: per function, alone on its bus,
 * or as a set below its bridge (see reset.h), and the devices whose reset
 * is known not to work. */
#include "reset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Known reset defects: GPUs whose reset the kernel offers (bus, or none
 * at all) but which do not come back from it for a second guest. The
 * table is vendor-reset's (github.com/gnif/vendor-reset, src/device-db.h:
 * the devices it adds a device_specific reset for): AMD Polaris 10/11/12,
 * Vega 10/20, Navi 10/12/14 and Arcturus (Instinct MI100).
 */
static const struct kp_reset_defect defects[] = {
#define D(dev, fam) { 0x1002, dev, fam }
	/* Polaris 10 */
	D(0x67c0, "AMD Polaris 10"), D(0x67c1, "AMD Polaris 10"), D(0x67c2, "AMD Polaris 10"),
	D(0x67c4, "AMD Polaris 10"), D(0x67c7, "AMD Polaris 10"), D(0x67d0, "AMD Polaris 10"),
	D(0x67df, "AMD Polaris 10"), D(0x67c8, "AMD Polaris 10"), D(0x67c9, "AMD Polaris 10"),
	D(0x67ca, "AMD Polaris 10"), D(0x67cc, "AMD Polaris 10"), D(0x67cf, "AMD Polaris 10"),
	D(0x6fdf, "AMD Polaris 10"),
	/* Polaris 11 */
	D(0x67e0, "AMD Polaris 11"), D(0x67e3, "AMD Polaris 11"), D(0x67e8, "AMD Polaris 11"),
	D(0x67eb, "AMD Polaris 11"), D(0x67ef, "AMD Polaris 11"), D(0x67ff, "AMD Polaris 11"),
	D(0x67e1, "AMD Polaris 11"), D(0x67e7, "AMD Polaris 11"), D(0x67e9, "AMD Polaris 11"),
	/* Polaris 12 */
	D(0x6980, "AMD Polaris 12"), D(0x6981, "AMD Polaris 12"), D(0x6985, "AMD Polaris 12"),
	D(0x6986, "AMD Polaris 12"), D(0x6987, "AMD Polaris 12"), D(0x6995, "AMD Polaris 12"),
	D(0x6997, "AMD Polaris 12"), D(0x699f, "AMD Polaris 12"),
	/* Vega 10 */
	D(0x6860, "AMD Vega 10"), D(0x6861, "AMD Vega 10"), D(0x6862, "AMD Vega 10"),
	D(0x6863, "AMD Vega 10"), D(0x6864, "AMD Vega 10"), D(0x6867, "AMD Vega 10"),
	D(0x6868, "AMD Vega 10"), D(0x6869, "AMD Vega 10"), D(0x686a, "AMD Vega 10"),
	D(0x686b, "AMD Vega 10"), D(0x686c, "AMD Vega 10"), D(0x686d, "AMD Vega 10"),
	D(0x686e, "AMD Vega 10"), D(0x686f, "AMD Vega 10"), D(0x687f, "AMD Vega 10"),
	/* Vega 20 */
	D(0x66a0, "AMD Vega 20"), D(0x66a1, "AMD Vega 20"), D(0x66a2, "AMD Vega 20"),
	D(0x66a3, "AMD Vega 20"), D(0x66a4, "AMD Vega 20"), D(0x66a7, "AMD Vega 20"),
	D(0x66af, "AMD Vega 20"),
	/* Navi 10 */
	D(0x7310, "AMD Navi 10"), D(0x7312, "AMD Navi 10"), D(0x7318, "AMD Navi 10"),
	D(0x7319, "AMD Navi 10"), D(0x731a, "AMD Navi 10"), D(0x731b, "AMD Navi 10"),
	D(0x731e, "AMD Navi 10"), D(0x731f, "AMD Navi 10"), D(0x1681, "AMD Navi 10"),
	/* Navi 14 */
	D(0x7340, "AMD Navi 14"), D(0x7341, "AMD Navi 14"), D(0x7347, "AMD Navi 14"),
	D(0x734f, "AMD Navi 14"),
	/* Navi 12 */
	D(0x7360, "AMD Navi 12"), D(0x7362, "AMD Navi 12"),
	/* Arcturus */
	D(0x738c, "AMD Arcturus (Instinct MI100)"),
#undef D
};

const struct kp_reset_defect *kp_reset_defect_of(unsigned vendor, unsigned device)
{
	for (size_t i = 0; i < sizeof(defects) / sizeof(defects[0]); i++)
		if (defects[i].vendor == vendor && defects[i].device == device)
			return &defects[i];
	return NULL;
}

/*
 * The kernel's quirks that take a reset method away, from
 * drivers/pci/quirks.c:
 *  - quirk_no_bus_reset (PCI_DEV_FLAGS_NO_BUS_RESET): Atheros AR9xxx and
 *    QCA988x 168c:0030 0032 0033 0034 003c 003e, Qualcomm WCN6855
 *    17cb:1103, WCN7850 17cb:1107, SDX62/SDX65 17cb:0308, the NVIDIA GB10
 *    root ports 10de:22ce 10de:22d0, the Cavium CN8xxx root port
 *    177d:a100, TI KeyStone C667X 104c:b005, ASMedia ASM1164 1b21:1164;
 *    quirk_nvidia_no_bus_reset: NVIDIA (device & 0xffc0) == 0x2340 (a
 *    row for the Tesla T4 10de:1eb8 was added in 2023 and reverted the
 *    same year, https://lore.kernel.org/r/20230908201104.GA305023@bhelgaas:
 *    the T4 has no quirk);
 *    as in Debian's 6.1.192 (drivers/pci/quirks.c, the stable backports
 *    of mainline's rows);
 *  - quirk_no_flr (PCI_DEV_FLAGS_NO_FLR_RESET): AMD 1022:1487 1022:148c
 *    1022:149c 1022:7901, Intel 82579 8086:1502 8086:1503;
 *  - quirk_no_pm_reset (PCI_DEV_FLAGS_NO_PM_RESET): every ATI/AMD VGA
 *    device (1002, class 0300) not on a root bus, Mellanox Spectrum
 *    15b3:cb84.
 */
static const struct {
	unsigned vendor, device, mask, quirk;
} quirks[] = {
	{ 0x168c, 0x0030, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x168c, 0x0032, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x168c, 0x0033, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x168c, 0x0034, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x168c, 0x003c, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x168c, 0x003e, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x177d, 0xa100, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x104c, 0xb005, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x1b21, 0x1164, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x10de, 0x2340, 0xffc0, KP_QUIRK_NO_BUS_RESET },
	{ 0x10de, 0x22ce, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x10de, 0x22d0, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x17cb, 0x1103, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x17cb, 0x1107, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x17cb, 0x0308, 0xffff, KP_QUIRK_NO_BUS_RESET },
	{ 0x1022, 0x1487, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x1022, 0x148c, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x1022, 0x149c, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x1022, 0x7901, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x8086, 0x1502, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x8086, 0x1503, 0xffff, KP_QUIRK_NO_FLR },
	{ 0x15b3, 0xcb84, 0xffff, KP_QUIRK_NO_PM_RESET },
};

unsigned kp_reset_quirks(unsigned vendor, unsigned device, unsigned class, int root_bus)
{
	unsigned q = 0;

	for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (quirks[i].vendor == vendor && (device & quirks[i].mask) == quirks[i].device)
			q |= quirks[i].quirk;
	if (vendor == 0x1002 && (class >> 8) == 0x0300 && !root_bus)
		q |= KP_QUIRK_NO_PM_RESET;
	return q;
}

static unsigned quirks_of(const struct kp_pcidev *d)
{
	return kp_reset_quirks(d->vendor, d->device, d->class, d->parent[0] == '\0');
}

/* The per-function methods of d: reset_method without bus and cxl_bus
 * (or FLR from DevCap when the kernel has no reset_method file), less
 * what a quirk takes away. */
static void function_methods(const struct kp_pcidev *d, char *buf, size_t n, int *bus)
{
	char all[128], *tok, *save = NULL;
	unsigned q = quirks_of(d);
	size_t len = 0;

	*bus = 0;
	buf[0] = '\0';
	kp_pcidev_resets(d, all, sizeof(all));
	for (tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "bus") || !strcmp(tok, "cxl_bus")) {
			*bus = 1;
			continue;
		}
		/* reset_method already reflects the kernel's quirks; the DevCap
		 * fallback of an older kernel does not */
		if (!d->has_reset_method && !strcmp(tok, "flr") && (q & KP_QUIRK_NO_FLR))
			continue;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? " " : "", tok);
	}
}

/* m is below the bridge b (at any depth) */
static int below(struct kp_pci *pci, const struct kp_pcidev *m, const char *b)
{
	const struct kp_pcidev *p = m;

	for (int depth = 0; p && p->parent[0] && depth < 64; depth++) {
		if (!strcmp(p->parent, b))
			return 1;
		p = kp_pci_find(pci, p->parent);
	}
	return 0;
}

static void append(char *buf, size_t n, const char *sep, const char *fmt, const char *a,
		   const char *b)
{
	size_t len = strlen(buf);

	snprintf(buf + len, len < n ? n - len : 0, fmt, len ? sep : "", a, b);
}

/* pci_parent_bus_reset's test: below a bridge, no subordinate bus, no
 * other device on the bus (VFs included) */
static int alone_on_bus(struct kp_pci *pci, const struct kp_pcidev *d)
{
	if (!d->parent[0] || kp_pcidev_is_bridge(d))
		return 0;
	for (size_t i = 0; i < kp_pci_count(pci); i++) {
		const struct kp_pcidev *m = kp_pci_dev(pci, i);

		if (m != d && m->domain == d->domain && m->bus == d->bus)
			return 0;
	}
	return 1;
}

int kp_reset_judge(struct kp_pci *pci, const struct kp_pcidev *d, struct kp_reset_judgement *j)
{
	const struct kp_pcidev *bridge;
	int bus_listed, blocked = 0;
	size_t i;

	if (!pci || !d || !j)
		return -EINVAL;
	memset(j, 0, sizeof(*j));
	j->defect = kp_reset_defect_of(d->vendor, d->device);
	function_methods(d, j->methods, sizeof(j->methods), &bus_listed);
	if (j->methods[0]) {
		j->kind = KP_RESET_FUNCTION;
		return 0;
	}
	/* the kernel lists bus (pci_reset_bus_function) for a hotplug slot's
	 * reset of a single-function device (pci_dev_reset_slot_function),
	 * else for the first device it scans on a bus below a bridge: it
	 * probes before the device joins the bus's list and before a bridge
	 * has its subordinate bus (pci_device_add). pci_parent_bus_reset
	 * checks again when it resets: alone on the bus, no bridge (a
	 * function 0 whose other functions came after it, a PF whose VFs now
	 * share its bus, have lost it). A function that shares its bus is
	 * reset with the others, as a set, below */
	if (bus_listed && (!d->multifunction || alone_on_bus(pci, d))) {
		j->kind = KP_RESET_BUS;
		snprintf(j->methods, sizeof(j->methods), "bus");
		return 0;
	}
	if (!d->parent[0]) {
		j->kind = KP_RESET_NONE;
		snprintf(j->blocker, sizeof(j->blocker), "no function reset, and on the root bus "
			 "there is no bridge whose bus could be reset");
		return 0;
	}
	snprintf(j->bridge, sizeof(j->bridge), "%s", d->parent);
	bridge = kp_pci_find(pci, d->parent);
	if (bridge && (quirks_of(bridge) & KP_QUIRK_NO_BUS_RESET)) {
		j->kind = KP_RESET_NONE;
		snprintf(j->blocker, sizeof(j->blocker), "no function reset, and the bridge %s has "
			 "the kernel's no-bus-reset quirk (%04x:%04x)", bridge->bdf, bridge->vendor,
			 bridge->device);
		return 0;
	}
	/* the set: every device below the bridge, d first */
	append(j->set, sizeof(j->set), " ", "%s%s%s", d->bdf, "");
	for (i = 0; i < kp_pci_count(pci); i++) {
		const struct kp_pcidev *m = kp_pci_dev(pci, i);

		if (m == d || !below(pci, m, d->parent))
			continue;
		append(j->set, sizeof(j->set), " ", "%s%s%s", m->bdf, "");
		if ((quirks_of(m) & KP_QUIRK_NO_BUS_RESET) && !blocked) {
			blocked = 1;
			snprintf(j->blocker, sizeof(j->blocker), "no function reset, and %s on the same "
				 "bus has the kernel's no-bus-reset quirk (%04x:%04x)", m->bdf, m->vendor,
				 m->device);
		}
		if (kp_pcidev_is_bridge(m) || !strcmp(m->driver, "vfio-pci"))
			continue;
		{
			char who[80];

			snprintf(who, sizeof(who), "%s (%s)", m->bdf, m->driver[0] ? m->driver : "no driver");
			append(j->outside, sizeof(j->outside), ", ", "%s%s%s", who, "");
		}
	}
	if (quirks_of(d) & KP_QUIRK_NO_BUS_RESET) {
		blocked = 1;
		snprintf(j->blocker, sizeof(j->blocker), "no function reset, and the kernel's "
			 "no-bus-reset quirk (%04x:%04x) forbids a bus reset", d->vendor, d->device);
	}
	if (blocked) {
		j->kind = KP_RESET_NONE;
		j->outside[0] = '\0';
		return 0;
	}
	if (!strchr(j->set, ' ')) {
		/* alone on its bus and the kernel did not list bus: a kernel
		 * with reset_method (5.15+, some device has the file) probed
		 * it and found none */
		for (i = 0; i < kp_pci_count(pci); i++)
			if (kp_pci_dev(pci, i)->has_reset_method) {
				j->kind = KP_RESET_NONE;
				snprintf(j->blocker, sizeof(j->blocker), "the kernel offers no reset "
					 "method (no FLR, and its bus reset probe failed)");
				return 0;
			}
		j->kind = KP_RESET_BUS;
		snprintf(j->methods, sizeof(j->methods), "bus");
		return 0;
	}
	j->kind = KP_RESET_SET;
	return 0;
}
