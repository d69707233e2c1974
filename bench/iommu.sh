#!/bin/bash
# bench/iommu.sh [RUNS]: kvmprep-iommu on the 1024-device fake host.
#
#  1. listing: kvmprep-iommu list against `driverctl list-devices` and
#     `lspci -k`, all three on the same sysfs tree in one run. The fake
#     host's sys/ is bind-mounted on /sys in a private mount and network
#     namespace (no preload at all: each tool pays only its own syscalls,
#     as on a real host; nothing outside the namespace is touched).
#  2. binding: 256 devices (whole groups of igb and i40e functions) in one
#     kvmprep-iommu call inside the fake host, then the same call with
#     --dry-run (scan and checks only). The kernel model (the preload that
#     plays the kernel inside the tool's process) reports its own CPU time
#     (TREE/fakehost/modeltime); tool time = the process's CPU time minus
#     the model's. umockdev's path redirection stays counted (see
#     bench/README.md).
#
# CPU is user+sys of the measured process and its children (wait4; the
# process is started with posix_spawn, so no launcher work is charged to
# it); mean over RUNS.
# Run as root after `make tests-build`.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-11}
HOST=large-1024
BIN=$TOP/build/bin/kvmprep-iommu
FAKEHOST=$TOP/tests/fakehost/run
export LC_ALL=C NO_COLOR=1

[ "$(id -u)" -eq 0 ] || { echo "bench/iommu.sh: must be run as root" >&2; exit 3; }
[ -x "$BIN" ] || { echo "bench/iommu.sh: build first (make tests-build)" >&2; exit 3; }

# python3 -c "$CPU" RUNS TREE|- CMD…: runs CMD RUNS times (output to
# /dev/null; a failure stops the bench) and prints the mean CPU ms (user +
# sys from wait4), wall ms and the kernel model's CPU ms in that process
# (its line in TREE/fakehost/modeltime, emptied before each run; 0 for -).
CPU='
import os, sys, time
runs, tree, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
null = os.open(os.devnull, os.O_WRONLY)
mfile = None if tree == "-" else os.path.join(tree, "fakehost/modeltime")
cpu = wall = model = 0.0
for _ in range(runs):
    if mfile and os.path.exists(mfile):
        os.unlink(mfile)
    t0 = time.monotonic()
    # posix_spawn (vfork-like): the child is not a copy of this python
    # process, so nothing of the launcher is charged to it
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, null, 1),
                                        (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, ru = os.wait4(pid, 0)
    wall += time.monotonic() - t0
    if status != 0:
        sys.exit("bench/iommu.sh: %s failed (wait status %d)" % (" ".join(cmd[:2]), status))
    cpu += ru.ru_utime + ru.ru_stime
    if mfile and os.path.exists(mfile):
        for line in open(mfile):
            f = line.split()
            if len(f) == 4 and f[0] == "model_cpu_ns" and int(f[3]) == pid:
                model += int(f[1]) / 1e9
print("%.1f %.1f %.1f" % (cpu * 1000 / runs, wall * 1000 / runs, model * 1000 / runs))
'

if [ "${1:-}" = --inner-list ]; then
	# inside the private namespaces, /sys is the fake host's
	RUNS=$2
	read -r k_cpu k_wall _ < <(python3 -c "$CPU" "$RUNS" - "$BIN" list)
	read -r l_cpu l_wall _ < <(python3 -c "$CPU" "$RUNS" - lspci -k)
	dc_runs=$(( RUNS < 3 ? RUNS : 3 )) # driverctl takes seconds
	read -r d_cpu d_wall _ < <(python3 -c "$CPU" "$dc_runs" - driverctl list-devices)
	n=$("$BIN" list --json | grep -c '"device":')
	echo "list: $n devices"
	printf '  %-28s %9s %9s\n' tool "cpu ms" "wall ms"
	printf '  %-28s %9s %9s\n' "kvmprep-iommu list" "$k_cpu" "$k_wall"
	printf '  %-28s %9s %9s\n' "lspci -k" "$l_cpu" "$l_wall"
	printf '  %-28s %9s %9s\n' "driverctl list-devices" "$d_cpu" "$d_wall"
	awk -v k="$k_cpu" -v l="$l_cpu" -v d="$d_cpu" 'BEGIN {
		printf "  driverctl/kvmprep %.0fx, lspci/kvmprep %.1fx\n", d / k, l / k
		printf "  target: < 20 ms cpu: %s; >= 100x driverctl: %s\n",
			(k < 20 ? "met" : "NOT met"), (d / k >= 100 ? "met" : "NOT met") }'
	exit 0
fi

"$FAKEHOST" --build-only "$HOST" >/dev/null
TREE=$("$FAKEHOST" --print-tree "$HOST")

# 1. listing, read-only, on the pristine tree
KVMPREP_ROOT=$TREE unshare -m -n --propagation private \
	bash -c 'mount --bind "$1/sys" /sys && exec "$2" --inner-list "$3"' _ "$TREE" "$0" "$RUNS"

# 2. binding 256 devices in one call: whole groups of igb/i40e functions,
#    leaving out the group of the NIC the host uses
desc=$TOP/tests/hosts/$HOST.host
used=$(awk '$1 == "net" { print $2 }' "$desc")
devs=$(awk -v used="$used" '
	$1 == "pci" && ($3 == "8086:1521" || $3 == "8086:1572") {
		g = ""; n = ""
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^group=/) g = substr($i, 7)
			if ($i ~ /^net=/) n = substr($i, 5)
		}
		if (n == used) skip[g] = 1
		grp[NR] = g; bdf[NR] = $2
	}
	END { for (i in bdf) if (!(grp[i] in skip)) print grp[i], bdf[i] }' "$desc" |
	sort -n -k1,1 -k2,2 | awk '
	{ count[$1]++; line[NR] = $0 }
	END {
		# whole groups only, until 256 functions
		total = 0
		for (i = 1; i <= NR; i++) {
			split(line[i], f, " ")
			if (f[1] != last) {
				if (total + count[f[1]] > 256) break
				total += count[f[1]]; last = f[1]
			}
			print f[2]
		}
	}')
n=$(wc -w <<<"$devs")
state=$(mktemp -d /tmp/kp-bench-iommu.XXXXXX)
trap 'rm -rf "$state"' EXIT
sums="0 0 0 0 0"
for r in $(seq "$RUNS"); do
	rm -rf "$state"
	out=$("$FAKEHOST" "$HOST" --state "$state" -- bash -c '
		cpu=$1 bin=$2
		shift 2
		python3 -c "$cpu" 1 "$FAKEHOST_TREE" "$bin" bind -q --dry-run "$@"
		python3 -c "$cpu" 1 "$FAKEHOST_TREE" "$bin" bind -q "$@"
		c=0
		for d in "$@"; do
			t=$(readlink "/sys/bus/pci/devices/$d/driver")
			[ "${t##*/}" = vfio-pci ] && c=$((c + 1))
		done
		echo "bound $c"' _ "$CPU" "$BIN" $devs)
	bound=$(sed -n 's/^bound //p' <<<"$out")
	[ "$bound" = "$n" ] || { echo "bench/iommu.sh: bound $bound of $n" >&2; exit 1; }
	# dry: cpu model; bind: cpu wall model
	sums=$(awk -v s="$sums" 'NR == 1 { d = $1; dm = $3 } NR == 2 { c = $1; w = $2; m = $3 }
		END { split(s, a, " ")
		      print a[1] + d, a[2] + dm, a[3] + c, a[4] + w, a[5] + m }' <<<"$out")
done
awk -v n="$n" -v r="$RUNS" -v s="$sums" 'BEGIN {
	split(s, a, " ")
	dry = a[1] / r; drym = a[2] / r; cpu = a[3] / r; wall = a[4] / r; model = a[5] / r
	printf "bind: %d devices in one call (fake host: umockdev + kernel model)\n", n
	printf "  %-16s %9s %9s %9s %9s\n", "", "cpu ms", "model ms", "tool ms", "wall ms"
	printf "  %-16s %9.1f %9.1f %9.1f %9.1f\n", "bind", cpu, model, cpu - model, wall
	printf "  %-16s %9.1f %9.1f %9.1f %9s\n", "bind --dry-run", dry, drym, dry - drym, "-"
	printf "  (mean of %d; tool = cpu - model: the kernel model'"'"'s own work is not the tool'"'"'s)\n", r
	printf "  target: < 100 ms of tool time: %s\n", (cpu - model < 100 ? "met" : "NOT met")
}'
