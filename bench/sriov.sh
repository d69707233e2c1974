#!/bin/bash
# bench/sriov.sh [RUNS]: kvmprep-sriov on the sriov-lab fake host's
# 82599-like PF (0000:01:00.0, 63 VFs), medians of RUNS runs.
#
#  1. create + bind: `kvmprep-sriov set 01:00.0 63 --driver vfio-pci` (one
#     call: VFs created with autoprobe off, each bound through
#     driver_override + drivers_probe, /dev/vfio/N awaited), against what
#     users do today: `echo 63 > sriov_numvfs`, then `driverctl --nosave
#     set-override VF vfio-pci` for each VF.
#  2. listing: `kvmprep-sriov list -v 01:00.0` against `ip -d link show`
#     of the PF plus the sysfs reads the same facts need per VF (address,
#     driver, IOMMU group, interface).
#
# What is charged: each side pays its own work, never the kernel's.
# kvmprep-sriov runs inside the fake host, whose kernel model (a preload
# playing the kernel inside the tool's process) reports its own CPU time
# (TREE/fakehost/modeltime), subtracted: the tool's and that of its forked
# sriov_numvfs writer (which reports from _exit).
# driverctl and ip run in a private mount and network namespace with the
# fake host's sys/ bind-mounted on /sys, no preload (as on a real host,
# without a kernel doing the work behind the writes): the tree is the
# state after a bind (VFs on vfio-pci), so driverctl's checks see what a
# real kernel would show. Nothing outside the namespaces is touched.
# CPU is user+sys of the process and its waited children (wait4).
# Run as root after `make tests-build`.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-7}
BIN=$TOP/build/bin/kvmprep-sriov
FAKEHOST=$TOP/tests/fakehost/run
PF=0000:01:00.0
export LC_ALL=C NO_COLOR=1

[ "$(id -u)" -eq 0 ] || { echo "bench/sriov.sh: must be run as root" >&2; exit 3; }
[ -x "$BIN" ] || { echo "bench/sriov.sh: build first (make tests-build)" >&2; exit 3; }
command -v driverctl >/dev/null || { echo "bench/sriov.sh: needs driverctl" >&2; exit 3; }

# python3 -c "$CPU" RUNS TREE|- RESET|- CMD…: RUNS times CMD (a failure
# stops the bench), after each the unmeasured RESET command (a shell line,
# or -); prints the median CPU ms (minus the model's in that process) and
# the median wall ms.
CPU='
import os, subprocess, sys, time, statistics
runs, tree, reset, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
null = os.open(os.devnull, os.O_WRONLY)
mfile = None if tree == "-" else os.path.join(tree, "fakehost/modeltime")
cpus, walls = [], []
for _ in range(runs):
    if mfile and os.path.exists(mfile):
        os.unlink(mfile)
    t0 = time.monotonic()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, null, 1),
                                        (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        sys.exit("bench/sriov.sh: %s failed (wait status %d)" % (" ".join(cmd[:3]), status))
    model = 0.0
    if mfile and os.path.exists(mfile):
        for line in open(mfile):
            f = line.split()
            # the tool and its forked sriov_numvfs writer (nothing else
            # runs in the fake host meanwhile)
            if len(f) == 4 and f[0] == "model_cpu_ns":
                model += int(f[1]) / 1e9
    cpus.append((ru.ru_utime + ru.ru_stime - model) * 1000)
    walls.append(wall * 1000)
    if reset != "-":
        subprocess.run(reset, shell=True, check=True, stdout=null, stderr=null)
print("%.1f %.1f" % (statistics.median(cpus), statistics.median(walls)))
'

if [ "${1:-}" = --inner-plain ]; then
	# a private mount + network namespace: /sys is the fake host's tree
	RUNS=$2 ST=$3
	mount --bind "$ST/sys" /sys
	ip link add enp1s0f0 type ifb 2>/dev/null || ip link add enp1s0f0 type dummy
	vfs=$(for l in /sys/bus/pci/devices/$PF/virtfn*; do basename "$(readlink "$l")"; done)
	# the users' way: one echo, then driverctl per VF
	cat >"$ST/user-bind.sh" <<EOS
echo 63 > /sys/bus/pci/devices/$PF/sriov_numvfs
for v in $(echo $vfs); do driverctl --nosave set-override \$v vfio-pci; done
EOS
	read -r u_cpu u_wall < <(python3 -c "$CPU" "$RUNS" - - sh "$ST/user-bind.sh")
	# listing: ip -d link show of the PF, then per VF its address,
	# driver, group and interface from sysfs
	cat >"$ST/user-list.sh" <<'EOS'
ip -d link show enp1s0f0
for v in /sys/bus/pci/devices/0000:01:00.0/virtfn*; do
	basename "$(readlink "$v")"
	basename "$(readlink "$v/driver")"
	basename "$(readlink "$v/iommu_group")"
	ls "$v/net" 2>/dev/null || true
done
EOS
	read -r ul_cpu ul_wall < <(python3 -c "$CPU" "$RUNS" - - sh "$ST/user-list.sh")
	read -r kl_cpu kl_wall < <(KVMPREP_ROOT=$ST python3 -c "$CPU" "$RUNS" - - "$BIN" list -v $PF)
	echo "$u_cpu $u_wall $ul_cpu $ul_wall $kl_cpu $kl_wall"
	exit 0
fi
if [ "${1:-}" = --inner-fake ]; then
	# inside the fake host: set 63 --driver vfio-pci, measured; set 0 between
	RUNS=$2
	python3 -c "$CPU" "$RUNS" "$FAKEHOST_TREE" "$BIN set $PF 0 -q" \
		"$BIN" set $PF 63 --driver vfio-pci -q
	exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/kp-bench-sriov.XXXXXX")
trap 'rm -rf "$W"' EXIT
read -r k_cpu k_wall < <("$FAKEHOST" sriov-lab --state "$W/fake" -- "$0" --inner-fake "$RUNS")
# the tree the users' tools see: the VFs bound to vfio-pci (what the
# kernel would show after their writes); driverctl looks for the module
# by the driver's name in /sys/module
"$FAKEHOST" sriov-lab --state "$W/plain" -- "$BIN" set $PF 63 --driver vfio-pci -q
mkdir -p "$W/plain/sys/module/vfio-pci"
read -r u_cpu u_wall ul_cpu ul_wall kl_cpu kl_wall < \
	<(unshare --mount --net --propagation private "$0" --inner-plain "$RUNS" "$W/plain")

echo "create + bind 63 VFs of $PF (median of $RUNS)"
printf '  %-44s %9s %9s\n' way "cpu ms" "wall ms"
printf '  %-44s %9s %9s\n' "kvmprep-sriov set 63 --driver vfio-pci" "$k_cpu" "$k_wall"
printf '  %-44s %9s %9s\n' "echo 63 > sriov_numvfs + driverctl x63" "$u_cpu" "$u_wall"
echo "list -v of the 63-VF PF"
printf '  %-44s %9s %9s\n' "kvmprep-sriov list -v" "$kl_cpu" "$kl_wall"
printf '  %-44s %9s %9s\n' "ip -d link show + sysfs reads per VF" "$ul_cpu" "$ul_wall"
awk -v k="$k_cpu" -v u="$u_cpu" -v kw="$k_wall" -v uw="$u_wall" -v kl="$kl_cpu" -v ul="$ul_cpu" 'BEGIN {
	printf "  bind: driverctl way / kvmprep = %.0fx cpu, %.0fx wall (target >= 20x: %s)\n",
		u / k, uw / kw, (u / k >= 20 ? "met" : "NOT met")
	printf "  list: kvmprep / ip way = %.2f cpu (target <= 0.5: %s)\n",
		kl / ul, (kl / ul <= 0.5 ? "met" : "NOT met") }'
