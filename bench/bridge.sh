#!/bin/bash
# The connectivity gap of moving a host's uplink into a bridge: a peer
# namespace pings the host's address every 10 ms (from an address beyond the
# gateway, so each reply takes the host's default route) while the move runs, once
# with `kvmprep-bridge bridge add br0 --uplink v0 --no-confirm` and once the
# way users script it with ip(8). Everything happens in two network
# namespaces this script makes and deletes (veth v0 <-> v0p).
#
#   bench/bridge.sh [SECONDS]     (as root, after make; default 3 s of pings)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BR=${BUILD:-$TOP/build}/bin/kvmprep-bridge
DUR=${1:-3}
[ "$(id -u)" -eq 0 ] || { echo "bench/bridge.sh: run as root" >&2; exit 1; }
[ -x "$BR" ] || { echo "bench/bridge.sh: build first (make)" >&2; exit 1; }
command -v ping >/dev/null || { echo "bench/bridge.sh: needs ping (iputils-ping)" >&2; exit 1; }
ID=kpbench$$
H=$ID-h P=$ID-p
ROOT=$(mktemp -d)
export KVMPREP_ROOT=$ROOT
cleanup() { ip netns del "$H" 2>/dev/null; ip netns del "$P" 2>/dev/null; rm -rf "$ROOT"; }
trap cleanup EXIT

scene() {
	ip netns del "$H" 2>/dev/null; ip netns del "$P" 2>/dev/null
	ip netns add "$H" && ip netns add "$P" || exit 1
	ip -n "$H" link set lo up; ip -n "$P" link set lo up
	ip -n "$H" link add v0 type veth peer name v0p netns "$P"
	ip -n "$P" link set v0p up
	ip -n "$P" addr add 192.0.2.1/24 dev v0p
	# the pings come from beyond the gateway: the host's replies need its
	# default route, as an SSH session from afar does
	ip -n "$P" addr add 198.51.100.1/24 dev v0p
	ip -n "$H" link set v0 up
	ip -n "$H" addr add 192.0.2.10/24 dev v0
	ip -n "$H" route add default via 192.0.2.1 dev v0
	sleep 0.5
}

# gap CMD…: ping every 10 ms from the peer for DUR s, run CMD in the host
# namespace after 1 s; print "sent received lost longest-gap-ms"
gap() {
	local log=$ROOT/ping.log
	ip netns exec "$P" ping -n -i 0.01 -w "$DUR" -W 1 -I 198.51.100.1 192.0.2.10 >"$log" 2>&1 &
	local pid=$!
	sleep 1
	ip netns exec "$H" "$@" >/dev/null 2>"$ROOT/err" || { cat "$ROOT/err" >&2; }
	wait "$pid"
	python3 - "$log" <<'PY'
import re, sys
seqs = sorted({int(m.group(1)) for m in re.finditer(r"icmp_seq=(\d+) ttl", open(sys.argv[1]).read())})
sent = re.search(r"(\d+) packets transmitted", open(sys.argv[1]).read())
sent = int(sent.group(1)) if sent else 0
gap = 0
for a, b in zip(seqs, seqs[1:]):
    gap = max(gap, b - a - 1)
print(sent, len(seqs), sent - len(seqs), gap * 10)
PY
}

scripted() {
	# the way users script it (the issue's list), with forward delay 0
	ip link add br0 type bridge forward_delay 0 &&
	ip link set br0 up &&
	ip link set v0 master br0 &&
	ip addr flush dev v0 &&
	ip addr add 192.0.2.10/24 dev br0 &&
	ip route add default via 192.0.2.1 dev br0
}
export -f scripted

scene
read -r ks kr kl kg < <(gap "$BR" -q bridge add br0 --uplink v0 --no-confirm)
ip -n "$H" -br addr show br0 | grep -q 192.0.2.10 || echo "kvmprep-bridge: the move did not happen" >&2
scene
read -r ss sr sl sg < <(gap bash -c scripted)
printf '%-34s %6s %6s %6s %12s\n' "" sent replies lost "longest gap"
printf '%-34s %6s %6s %6s %9s ms\n' "kvmprep-bridge --uplink" "$ks" "$kr" "$kl" "$kg"
printf '%-34s %6s %6s %6s %9s ms\n' "ip link/addr/route (scripted)" "$ss" "$sr" "$sl" "$sg"
if [ "$kl" -eq 0 ]; then echo "target (no lost reply): met"; else echo "target (no lost reply): NOT met"; fi
