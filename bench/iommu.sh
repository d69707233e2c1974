#!/bin/bash
# bench/iommu.sh [RUNS]: kvmprep-iommu on the 1024-device fake host.
#
#  1. listing: kvmprep-iommu list against `driverctl list-devices` and
#     `lspci -k`, all three on the same sysfs tree in one run. The fake
#     host's sys/ is bind-mounted on /sys in a private mount and network
#     namespace (no preload at all: each tool pays only its own syscalls,
#     as on a real host; nothing outside the namespace is touched).
#  2. binding: 256 devices (whole groups of igb and i40e functions) in one
#     kvmprep-iommu call, inside the fake host (umockdev + the kernel model,
#     whose work on every write is charged to the tool's process), then the
#     same call with --dry-run (scan and checks only) to show what binding
#     itself costs.
#
# CPU is user+sys of the tool's process (bash `time`), mean over RUNS.
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

# mean CPU ms of RUNS runs of a command: "CPU_MS WALL_MS"
measure() {
	local runs=$1 t
	shift
	t=$( { TIMEFORMAT='%3R %3U %3S'; time (for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done); } 2>&1 )
	awk -v n="$runs" '{ printf "%.1f %.1f\n", ($2 + $3) * 1000 / n, $1 * 1000 / n }' <<<"$t"
}

if [ "${1:-}" = --inner-list ]; then
	# inside the private namespaces, /sys is the fake host's
	RUNS=$2
	read -r k_cpu k_wall < <(measure "$RUNS" "$BIN" list)
	read -r l_cpu l_wall < <(measure "$RUNS" lspci -k)
	dc_runs=$(( RUNS < 3 ? RUNS : 3 )) # driverctl takes seconds
	read -r d_cpu d_wall < <(measure "$dc_runs" driverctl list-devices)
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
cpu_total=0 wall_total=0 dry_total=0
for r in $(seq "$RUNS"); do
	rm -rf "$state"
	out=$("$FAKEHOST" "$HOST" --state "$state" -- bash -c '
		TIMEFORMAT="%3R %3U %3S"
		{ time "$0" bind -q --dry-run "$@" ; } 2>&1
		{ time "$0" bind -q "$@" ; } 2>&1
		c=0
		for d in "$@"; do
			t=$(readlink "/sys/bus/pci/devices/$d/driver")
			[ "${t##*/}" = vfio-pci ] && c=$((c + 1))
		done
		echo "bound $c"' "$BIN" $devs)
	dry=$(sed -n 1p <<<"$out" | awk '{ print ($2 + $3) * 1000 }')
	read -r wall cpu < <(sed -n 2p <<<"$out" | awk '{ print $1 * 1000, ($2 + $3) * 1000 }')
	bound=$(sed -n 's/^bound //p' <<<"$out")
	[ "$bound" -eq "$n" ] || { echo "bench/iommu.sh: bound $bound of $n" >&2; exit 1; }
	cpu_total=$(awk -v a="$cpu_total" -v b="$cpu" 'BEGIN { print a + b }')
	wall_total=$(awk -v a="$wall_total" -v b="$wall" 'BEGIN { print a + b }')
	dry_total=$(awk -v a="$dry_total" -v b="$dry" 'BEGIN { print a + b }')
done
awk -v n="$n" -v r="$RUNS" -v c="$cpu_total" -v w="$wall_total" -v d="$dry_total" 'BEGIN {
	printf "bind: %d devices in one call (fake host: umockdev + kernel model)\n", n
	printf "  bind          cpu %.1f ms, wall %.1f ms (mean of %d)\n", c / r, w / r, r
	printf "  bind --dry-run cpu %.1f ms (scan of every device and the checks)\n", d / r
	printf "  target: < 100 ms of tool time: %s\n", (c / r < 100 ? "met" : "NOT met (see bench/README.md)")
}'
