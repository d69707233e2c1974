# Sourced by the kvmprep-bridge cases. Every link a case makes is inside
# network namespaces it creates (unique names) and deletes on exit; the tool
# runs only inside them. /run/kvmprep and /etc go to a private root
# (KVMPREP_ROOT), so no case sees another's journal or the machine's files.
. "$TOP/tests/lib.sh"
ID=kpbr$$-$RANDOM
NS=$ID-h    # the "host"
PEER=$ID-p  # the other end of its uplink
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/kp-bridge.XXXXXX")
export KVMPREP_ROOT=$ROOT
cleanup() {
	# a rollback process a case armed lives in $NS: end it by its pid
	for j in "$ROOT"/run/kvmprep/bridge-uplink/*.json; do
		[ -e "$j" ] || continue
		p=$(jq -r '.rollback_pid // 0' "$j" 2>/dev/null)
		[ "${p:-0}" -gt 0 ] && kill "$p" 2>/dev/null
	done
	# macvtaps first, synchronously: /dev/tapN is the machine's devtmpfs,
	# and a namespace goes away in the background
	for m in $(ip -n "$NS" -j -d link show type macvtap 2>/dev/null | jq -r '.[].ifname' 2>/dev/null); do
		ip -n "$NS" link del "$m"
	done
	ip netns del "$NS" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	rm -rf "$ROOT"
}
trap cleanup EXIT
ip netns add "$NS" || fail "cannot create a network namespace"
ip netns add "$PEER" || fail "cannot create a network namespace"
in_ns() { ip netns exec "$NS" "$@"; }
# A macvtap's /dev/tapIFINDEX is in the machine's one devtmpfs while
# ifindexes are per namespace: two cases running at once (two checkouts'
# make check) would make the same /dev/tapN. Cases that make macvtaps hold
# this lock (shared on purpose) for their whole run.
macvtap_lock() {
	exec 8>"${TMPDIR:-/tmp}/kvmprep-tests-macvtap.lock"
	flock 8
}
in_peer() { ip netns exec "$PEER" "$@"; }
in_ns ip link set lo up
in_peer ip link set lo up
BR=${BR_BIN:-$BIN/kvmprep-bridge}
br() { in_ns "$BR" "$@"; }
# rbr ARGS: run, print output and "[exit N]" (golden cases)
rbr() { br "$@" 2>&1; echo "[exit $?]"; }
# a veth pair standing in for a NIC: NAME here, NAMEp in the peer namespace
nic() {
	in_ns ip link add "$1" type veth peer name "$1p" netns "$PEER" || fail "cannot make $1"
	in_peer ip link set "$1p" up
	in_ns ip link set "$1" up
}
# link attribute as ip -j -d shows it: ljq LINK JQ-EXPR
ljq() { in_ns ip -j -d link show dev "$1" | jq -r ".[0] | $2"; }
master_of() { ljq "$1" '.master // "-"'; }
exists() { in_ns ip link show dev "$1" >/dev/null 2>&1; }
links() { in_ns ip -j link show | jq -r '[.[].ifname] | sort | join(" ")'; }
