# The scene of the uplink cases: the host's NIC v0 (a veth pair whose
# other end, v0p, is the LAN and the gateway in the peer namespace) with
# IPv4 and IPv6 addresses (a secondary with a label, an IPv6 address with
# lifetimes, one that went through DAD), a default route for each family
# and a route in another table.
. ./common.sh
NETSTATE=$TOP/tests/net/netstate.py
scene() {
	nic v0
	in_peer ip addr add 192.0.2.1/24 dev v0p
	in_peer ip addr add 2001:db8::1/64 dev v0p nodad
	in_ns ip addr add 192.0.2.10/24 dev v0
	in_ns ip addr add 192.0.2.11/24 dev v0 label v0:1
	in_ns ip addr add 2001:db8::10/64 dev v0 nodad valid_lft 3000 preferred_lft 2000
	in_ns ip addr add 2001:db8:1::10/64 dev v0
	in_ns ip route add default via 192.0.2.1 dev v0
	in_ns ip route add 10.9.0.0/16 via 192.0.2.1 dev v0 table 100 metric 7 proto static
	in_ns ip -6 route add default via 2001:db8::1 dev v0 metric 50
	# DAD done, link-local and 2001:db8:1::10 no longer tentative
	for _ in $(seq 50); do
		in_ns ip addr show dev v0 | grep -q tentative || break
		sleep 0.1
	done
	in_ns ip addr show dev v0 | grep -q tentative && fail "DAD did not finish"
	true
}
state() { in_ns python3 "$NETSTATE" "$@"; }
# the NIC has exactly what it had: compare attribute by attribute
assert_restored() {
	local now
	now=$(state v0)
	[ "$now" = "$BEFORE" ] || { diff -u <(echo "$BEFORE") <(echo "$now") >&2; fail "v0 differs ${1:-}"; }
	exists br0 && fail "br0 left behind ${1:-}"
	true
}
# the peer reaches the host's addresses
reach() {
	in_peer ping -c1 -W1 -q 192.0.2.10 >/dev/null || fail "192.0.2.10 unreachable ${1:-}"
	in_peer ping -c1 -W1 -q 2001:db8::10 >/dev/null || fail "2001:db8::10 unreachable ${1:-}"
}
