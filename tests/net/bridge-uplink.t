# bridge add br0 --uplink v0 --no-confirm: afterwards the bridge has
# exactly what the NIC had (addresses with flags, lifetimes and labels,
# routes in every table, MAC, MTU), the NIC only its link-local address,
# STP off and forward delay 0, IPv6 autoconfiguration off on the port, and
# the host answers all along. Rerun: unchanged. del br0: refused, then
# --force gives the NIC back what it had.
. ./uplink-common.sh
scene
BEFORE=$(state v0)
WANT=$(state v0 --no-ll --no-link)
mac=$(ljq v0 .address)
reach "before"
out=$(br bridge add br0 --uplink v0 --no-confirm) || fail "move: $out"
assert_eq "$out" "br0: created with uplink v0"
got=$(state br0 --no-ll --no-link)
[ "$got" = "$WANT" ] || { diff -u <(echo "$WANT") <(echo "$got") >&2; fail "br0 is not what v0 was"; }
assert_eq "$(state v0 --no-ll --no-link)" "" "v0 keeps only its link-local address"
assert_eq "$(ljq br0 .address)" "$mac" "the bridge has the NIC's MAC"
assert_eq "$(ljq br0 .mtu)" 1500
assert_eq "$(ljq br0 '.linkinfo.info_data | [.stp_state, .forward_delay] | join(",")')" "0,0"
assert_eq "$(master_of v0)" br0
assert_eq "$(in_ns cat /proc/sys/net/ipv6/conf/v0/accept_ra /proc/sys/net/ipv6/conf/v0/autoconf | tr '\n' ,)" "0,0,"
reach "after the move"
assert_eq "$(br bridge add br0 --uplink v0 --no-confirm)" "br0: unchanged" "rerun"
# the bridge carries the host: refused without --force; no port del of it either
expect_rc 1 br del br0 2>/dev/null
expect_rc 1 br bridge port del br0 v0 2>/dev/null
assert_eq "$(master_of v0)" br0
out=$(br del br0 --force) || fail "del --force: $out"
assert_eq "$out" "br0: deleted (v0 has its addresses and routes back)"
assert_restored "after del --force"
reach "after del --force"
# a dry run prints the whole order and changes nothing
out=$(br -n bridge add br0 --uplink v0) || fail "dry-run"
echo "$out" | head -2 | tr "\n" ";" | grep -q "^would: create bridge br0 address $mac stp_state 0 forward_delay 0;would: set br0 mtu 1500;$" || fail "dry-run: $out"
echo "$out" | grep -q "^would: set v0 master br0$" || fail "dry-run: $out"
assert_restored "after the dry run"
