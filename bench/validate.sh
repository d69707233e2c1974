#!/bin/bash
# kvmprep-validate against virt-host-validate qemu (libvirt-clients) on this
# host, in one run: wall time and peak RSS of each, median of N runs, and
# the ratios. A measurement, not a test. Targets: at most a fifth of the wall
# time, at most 4 MiB peak RSS.
#
#   bench/validate.sh [RUNS]      (default 21; run as root after make)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-21}
KP=$TOP/build/bin/kvmprep-validate
VHV=$(command -v virt-host-validate) || { echo "virt-host-validate not found (libvirt-clients)" >&2; exit 1; }
[ -x "$KP" ] || { echo "build first: make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (package time)" >&2; exit 1; }
export LC_ALL=C NO_COLOR=1

# one run: "WALL_SECONDS MAXRSS_KIB" (/usr/bin/time's %e has 10 ms
# resolution: the wall time is taken with date around it instead)
measure() {
	/usr/bin/time -o "$TMP/time.out" -f '%e %M' "$@" >/dev/null 2>&1
	tail -1 "$TMP/time.out"
}
ns_now() { date +%s%N; }

one_run() { # NAME CMD… -> appends to NAME.wall (ns) and NAME.rss (KiB)
	local name=$1 t0 t1 m
	shift
	t0=$(ns_now)
	m=$(measure "$@")
	t1=$(ns_now)
	echo $((t1 - t0)) >>"$TMP/$name.wall"
	echo "${m##* }" >>"$TMP/$name.rss"
}
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# warm the page cache for both, then interleave the measured runs: each
# round runs both sides and the base back to back, so a change in the
# machine's load moves all three alike. The wall time of /usr/bin/time
# itself, measured on /bin/true, is taken off both.
"$KP" >/dev/null 2>&1; "$VHV" qemu >/dev/null 2>&1
for name in kp vhv base; do : >"$TMP/$name.wall"; : >"$TMP/$name.rss"; done
for ((i = 0; i < RUNS; i++)); do
	one_run kp "$KP"
	one_run vhv "$VHV" qemu
	one_run base /bin/true
done

base=$(median "$TMP/base.wall")
kp_wall=$(median "$TMP/kp.wall")
vhv_wall=$(median "$TMP/vhv.wall")
kp_rss=$(median "$TMP/kp.rss")
vhv_rss=$(median "$TMP/vhv.rss")

awk -v b="$base" -v kw="$kp_wall" -v vw="$vhv_wall" -v kr="$kp_rss" -v vr="$vhv_rss" \
	-v runs="$RUNS" -v nchecks="$("$KP" --list | tail -n +2 | wc -l)" 'BEGIN {
	kw -= b; vw -= b; if (kw < 1) kw = 1; if (vw < 1) vw = 1
	printf "kvmprep-validate vs virt-host-validate qemu, median of %d runs (%d checks vs its own)\n", runs, nchecks
	printf "%-28s %12s %14s\n", "", "wall (ms)", "peak RSS (KiB)"
	printf "%-28s %12.2f %14d\n", "kvmprep-validate", kw / 1e6, kr
	printf "%-28s %12.2f %14d\n", "virt-host-validate qemu", vw / 1e6, vr
	printf "ratio (kvmprep / virt-host-validate): wall %.2f, RSS %.2f\n", kw / vw, kr / vr
	printf "targets: wall ratio <= 0.20: %s; RSS <= 4096 KiB: %s\n",
		(kw / vw <= 0.2) ? "met" : "NOT met", (kr <= 4096) ? "met" : "NOT met"
	printf "(kvmprep-validate runs no program: the QEMU version is read from the binary; its KVM probe is a forked child whose VM teardown nobody waits for)\n"
}'
