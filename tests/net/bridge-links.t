# kvmprep-bridge bridge/port/tap/macvtap/list/del on the real kernel, in
# namespaces this case makes: each command's exit code and output, the
# links afterwards, and reruns that say unchanged.
. ./common.sh
macvtap_lock
nic v0
nic v1

out=$(br bridge add br0) || fail "bridge add: $out"
assert_eq "$out" "br0: created"
assert_eq "$(ljq br0 '.linkinfo.info_kind')" bridge "br0 kind"
assert_eq "$(ljq br0 '.linkinfo.info_data.stp_state')" 0 "stp off by default"
assert_eq "$(ljq br0 '.linkinfo.info_data.forward_delay')" 0 "forward delay 0 by default"
assert_eq "$(ljq br0 '.flags | index("UP") != null')" true "br0 up"
assert_eq "$(br bridge add br0)" "br0: unchanged" "rerun"
j=$(br --json bridge add br0) || fail "json rerun"
assert_eq "$(echo "$j" | jq -c '[.schema, .changed, .steps]')" '[1,false,[]]' "json rerun"
# a change that is asked for is made, and only that
j=$(br --json bridge add br0 --forward-delay 3 --mtu 1400) || fail "bridge change"
assert_eq "$(echo "$j" | jq -r '.steps | join(";")')" "set bridge br0 mtu 1400 forward_delay 300"
assert_eq "$(ljq br0 '.linkinfo.info_data.forward_delay')" 300 "forward delay"
assert_eq "$(ljq br0 '.mtu')" 1400 "mtu"
assert_eq "$(br bridge add br0 --forward-delay 3)" "br0: unchanged"
# this kernel may lack VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): the
# kernel's answer, and nothing changed
if ! br -q bridge add br0 --vlan-filtering on 2>"$ROOT/err"; then
	assert_eq "$(cat "$ROOT/err")" "kvmprep-bridge: br0: cannot change bridge: Operation not supported"
	assert_eq "$(ljq br0 '.linkinfo.info_data.vlan_filtering')" 0
fi

# ports
assert_eq "$(br bridge port add br0 v0)" "v0: added to br0"
assert_eq "$(master_of v0)" br0
assert_eq "$(br bridge port add br0 v0)" "v0: unchanged"
assert_eq "$(br bridge port del br0 v0)" "v0: removed from br0"
assert_eq "$(master_of v0)" -
assert_eq "$(br bridge port del br0 v0)" "v0: unchanged"
br -q bridge port add br0 v0 || fail "port add -q"

# tap: persistent, fe: MAC, the bridge's MTU, owner, flags
out=$(br tap add tap0 --bridge br0 --owner 0 --group 0 --vnet-hdr --multi-queue) || fail "tap add: $out"
assert_eq "$out" "tap0: created"
assert_eq "$(ljq tap0 '.linkinfo.info_data | [.type, .persist, .vnet_hdr, .multi_queue, .user, .group] | join(",")')" \
	"tap,true,true,true,root,root" "tap flags"
assert_eq "$(ljq tap0 '.address[0:3]')" "fe:" "tap MAC"
assert_eq "$(ljq tap0 '.mtu')" 1400 "tap MTU from the bridge"
assert_eq "$(master_of tap0)" br0
assert_eq "$(br tap add tap0 --bridge br0 --owner 0 --group 0 --vnet-hdr --multi-queue)" "tap0: unchanged"
expect_rc 1 br tap add tap0 2>/dev/null # other flags than the existing tap's
out=$(br tap add tap1) || fail "tap1"
assert_eq "$(ljq tap1 '.linkinfo.info_data.persist')" true

# macvtap on v1 (not a port)
out=$(br macvtap add mv0 --link v1 --mode vepa --mac 52:54:00:12:34:56) || fail "macvtap: $out"
idx=$(ljq mv0 '.ifindex')
assert_eq "$(echo "$out" | head -2)" "device: /dev/tap$idx
mac: 52:54:00:12:34:56 (give the guest's NIC this MAC)"
echo "$out" | grep -q hairpin || fail "no hairpin note"
assert_eq "$(ljq mv0 '.linkinfo.info_data.mode')" vepa
[ -c "/dev/tap$idx" ] || fail "/dev/tap$idx is not a character device"
assert_eq "$(br macvtap add mv0 --link v1 --mode vepa --mac 52:54:00:12:34:56 | tail -1)" "mv0: unchanged"
j=$(br --json macvtap add mv0 --link v1 --mode vepa) || fail "macvtap json"
assert_eq "$(echo "$j" | jq -c '[.changed, .device, .mode, .link]')" "[false,\"/dev/tap$idx\",\"vepa\",\"v1\"]"

# list
l=$(br list) || fail "list"
echo "$l" | grep -q '^br0 .*bridge .*up .*stp off, forward-delay 3s' || fail "list br0: $l"
echo "$l" | grep -q '^v0 .*veth .*br0' || fail "list v0: $l"
echo "$l" | grep -q '^tap0 .*tap .*br0 .*owner 0, group 0, multi-queue, vnet-hdr' || fail "list tap0: $l"
echo "$l" | grep -q "^mv0 .*macvtap .*v1 .*vepa .*52:54:00:12:34:56 .*/dev/tap$idx" || fail "list mv0: $l"
echo "$l" | grep -q '^tap1 ' || fail "list tap1: $l"
assert_eq "$(br --json list | jq -r '[.links[].name] | join(" ")')" "br0 v0 tap0 mv0 tap1"

# dry runs change nothing and print each netlink change
before=$(links)
out=$(br --dry-run bridge add br9 --stp on --forward-delay 4) || fail "dry-run"
assert_eq "$out" "would: create bridge br9 stp_state 1 forward_delay 400
would: set br9 up
br9: would be created"
out=$(br -n del tap0) || fail "dry-run del"
assert_eq "$out" "would: delete link tap0
tap0: would be deleted"
assert_eq "$(links)" "$before" "dry runs changed links"

# del: each kind, then unchanged
assert_eq "$(br del mv0)" "mv0: deleted"
[ -e "/dev/tap$idx" ] && fail "/dev/tap$idx left behind"
assert_eq "$(br del tap0)" "tap0: deleted"
assert_eq "$(br del tap1)" "tap1: deleted"
assert_eq "$(br del tap1)" "tap1: unchanged"
expect_rc 1 br del v1 2>/dev/null
assert_eq "$(br bridge del br0)" "br0: deleted"
assert_eq "$(br bridge del br0)" "br0: unchanged"
exists v0 || fail "a port went with its bridge"
assert_eq "$(master_of v0)" -
assert_eq "$(links)" "lo v0 v1"
