#!/bin/bash
# bench/vmlab.sh [CASE…]: what the VM lab costs. Runs each lab case
# (default: every tests/vmlab/*.t) once through tests/run and prints its wall
# time, the CPU time it used (user+sys of every process it started: QEMU's
# vCPU threads are most of it) and the load average before it, then the
# totals. A measurement, not a test: the wall time depends on the load, the
# CPU time much less. Run as root after `make tests-build`.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for f in tests/vmlab/*.t; do cases+=("vmlab/$(basename "$f" .t)"); done
fi
printf '%-24s %8s %8s %6s  %s\n' CASE WALL_S CPU_S LOAD RESULT
tw=0 tc=0
for c in "${cases[@]}"; do
	load=$(cut -d' ' -f1 /proc/loadavg)
	out=$(mktemp)
	/usr/bin/time -f 'TIME %e %U %S' -o "$out.time" tests/run "$c" >"$out" 2>&1
	read -r _ wall u s < <(grep '^TIME ' "$out.time")
	cpu=$(echo "$u $s" | awk '{ printf "%.1f", $1 + $2 }')
	res=$(grep -E '^(PASS|FAIL|SKIP) ' "$out" | head -1 | cut -d' ' -f1)
	printf '%-24s %8.1f %8s %6s  %s\n' "$c" "$wall" "$cpu" "$load" "${res:-?}"
	tw=$(echo "$tw $wall" | awk '{ print $1 + $2 }')
	tc=$(echo "$tc $cpu" | awk '{ print $1 + $2 }')
	[ "$res" = PASS ] || sed "s/^/    /" "$out"
	rm -f "$out" "$out.time"
done
printf '%-24s %8.1f %8.1f\n' total "$tw" "$tc"
