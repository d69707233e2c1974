#!/bin/bash
# bench/mdev.sh [N]: kvmprep-mdev against mdevctl doing the same work on
# the same fake host, in one run:
#
#   types, then create N mdevs (default 16), then remove them:
#   kvmprep-mdev types / create -p matrix -t vfio_ap-passthrough -u U1 -u
#   U2 ... (all in one call, all or none) / remove U1 U2 ..., against
#   mdevctl types / start -u U -p matrix -t vfio_ap-passthrough / stop -u U
#   (mdevctl takes one device per call). kvmprep-mdev with one call per
#   device is shown too.
#
# Both run inside the fake host mdev-lab (/sys through umockdev's preload
# and the kernel model; mdevctl has no root prefix, so /etc/mdevctl.d is
# bind-mounted from the tree in a private mount namespace, and the same
# for kvmprep through KVMPREP_ROOT). The tree lives on tmpfs (/dev/shm),
# as /run and /sys are on a real host, so kvmprep's journal writes cost
# what they cost there. CPU is user+sys of each command (wait4, the
# command started with posix_spawn), minus the kernel model's own CPU in
# that process (TREE/fakehost/modeltime): what is left is the tool's work
# plus umockdev's path redirection, which both tools pay. Wall time is the
# whole sequence. Prints both and the ratios; target: kvmprep >= 2x faster.
# Run as root after `make`.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-16}
BIN=$TOP/build/bin/kvmprep-mdev
export LC_ALL=C NO_COLOR=1

[ "$(id -u)" -eq 0 ] || { echo "bench/mdev.sh: must be run as root" >&2; exit 3; }
[ -x "$BIN" ] || { echo "bench/mdev.sh: build first (make)" >&2; exit 3; }
command -v mdevctl >/dev/null && [ -d /etc/mdevctl.d ] ||
	{ echo "bench/mdev.sh: mdevctl is not installed (scripts/deps installs it)" >&2; exit 3; }

INNER='
import os, sys, time
tree, n, kp = os.environ["FAKEHOST_TREE"], int(sys.argv[1]), sys.argv[2]
null = os.open(os.devnull, os.O_WRONLY)
mfile = os.path.join(tree, "fakehost/modeltime")
uuids = ["%08x-0000-4000-8000-%012x" % (i + 1, i + 1) for i in range(n)]

def run(cmd):
    if os.path.exists(mfile):
        os.unlink(mfile)
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
    _, status, ru = os.wait4(pid, 0)
    if status != 0:
        sys.exit("bench/mdev.sh: %s failed (wait status %d)" % (" ".join(cmd), status))
    model = 0.0
    if os.path.exists(mfile):
        for line in open(mfile):
            f = line.split()
            if len(f) == 4 and f[0] == "model_cpu_ns" and int(f[3]) == pid:
                model += int(f[1]) / 1e9
    return ru.ru_utime + ru.ru_stime - model

def side(cmds):
    t0 = time.monotonic()
    cpu = 0.0
    for c in cmds:
        cpu += run(c)
    if os.listdir(os.path.join(tree, "sys/bus/mdev/devices")):
        sys.exit("bench/mdev.sh: devices left behind")
    return cpu * 1000, (time.monotonic() - t0) * 1000

P, T = "matrix", "vfio_ap-passthrough"
many = [[kp, "types"], [kp, "create", "-p", P, "-t", T] + sum([["-u", u] for u in uuids], []),
        [kp, "remove"] + uuids]
each = [[kp, "types"]] + [[kp, "create", "-p", P, "-t", T, "-u", u] for u in uuids] + \
       [[kp, "remove", u] for u in uuids]
mdc = [["mdevctl", "types"]] + [["mdevctl", "start", "-u", u, "-p", P, "-t", T] for u in uuids] + \
      [["mdevctl", "stop", "-u", u] for u in uuids]
k = side(many)
e = side(each)
m = side(mdc)
print("types + create %d + remove %d, same fake host:" % (n, n))
print("  %-34s %5s %10s %10s" % ("tool", "calls", "cpu ms", "wall ms"))
print("  %-34s %5d %10.1f %10.1f" % ("kvmprep-mdev (several per call)", len(many), k[0], k[1]))
print("  %-34s %5d %10.1f %10.1f" % ("kvmprep-mdev (one device per call)", len(each), e[0], e[1]))
print("  %-34s %5d %10.1f %10.1f" % ("mdevctl (one device per call)", len(mdc), m[0], m[1]))
print("  mdevctl/kvmprep: cpu %.1fx, wall %.1fx (one per call: cpu %.1fx, wall %.1fx)" % (
    m[0] / k[0], m[1] / k[1], m[0] / e[0], m[1] / e[1]))
print("  target >= 2x faster for the same work: %s" % (
    "met" if m[0] / k[0] >= 2 and m[1] / k[1] >= 2 else "NOT met"))
'

SHM=/dev/shm
[ -d "$SHM" ] && [ -w "$SHM" ] || SHM=${TMPDIR:-/tmp}
ST=$(mktemp -d "$SHM/kp-bench-mdev.XXXXXX")
rmdir "$ST"
trap 'rm -rf "$ST"' EXIT
"$TOP/tests/fakehost/run" mdev-lab --state "$ST" -- true
# mdevctl 1.2 refuses to run without its callout and notifier directories
mkdir -p "$ST/etc/mdevctl.d/scripts.d/callouts" "$ST/etc/mdevctl.d/scripts.d/notifiers"
KP_OUTER_NS=$(readlink /proc/self/ns/mnt) "$TOP/tests/fakehost/run" mdev-lab --state "$ST" -- \
	unshare --mount --propagation private -- sh -c '
	[ "$(readlink /proc/self/ns/mnt)" != "$KP_OUTER_NS" ] || exit 125
	mount --bind "$FAKEHOST_TREE/etc/mdevctl.d" /etc/mdevctl.d || exit 125
	exec python3 -c "$1" "$2" "$3"' _ "$INNER" "$N" "$BIN"
