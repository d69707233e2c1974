# timeout 600
# kvmprep-bridge's VLAN filtering on a kernel that has it (this build
# machine's kernel has no CONFIG_BRIDGE_VLAN_FILTERING; Debian's, in the
# lab, does: bridge.ko with stp and llc is in tests/vmlab/modules). In a
# network namespace of the guest (veth pairs, never the lab's NICs):
# bridge add --vlan-filtering on/off at creation and on an existing bridge
# (which found that a change of an existing, up bridge failed with EBUSY
# on 6.1: the request carried the name, a rename to the kernel),
# reruns unchanged, --dry-run, list, and the uplink move into a filtering
# bridge; each checked against the kernel read back over netlink:
# IFLA_BR_VLAN_FILTERING (ip -d -j link) and the ports' VLANs
# (bridge -j vlan: the default PVID 1 untagged that a filtering bridge gives
# every port), and traffic through the filtering bridge. One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

if vmlab_guest; then
	N=kpvlan
	P=kpvlanp
	ip netns add $N && ip netns add $P || exit 1
	hn() { ip netns exec $N "$@"; }
	pn() { ip netns exec $P "$@"; }
	ks() { # KEY: IFLA_BR_VLAN_FILTERING of br0/br1/br2 and the VLANs, as the kernel says
		hn ip -d -j link show type bridge >"$VMLAB_OUT/$1.links" 2>&1
		hn bridge -j vlan show >"$VMLAB_OUT/$1.vlans" 2>&1
		hn ip -j link show >"$VMLAB_OUT/$1.all" 2>&1
	}
	hn ip link set lo up
	for l in v0 v1 v2; do
		hn ip link add $l type veth peer name ${l}p netns $P
		hn ip link set $l up
		pn ip link set ${l}p up
	done
	B=kvmprep-bridge
	save add.json hn $B --json bridge add br0 --vlan-filtering on
	save add-again.json hn $B --json bridge add br0 --vlan-filtering on
	save port0 hn $B bridge port add br0 v0
	save port1 hn $B bridge port add br0 v1
	save plain hn $B bridge add br1
	ks on
	save list hn $B list
	save off-dry hn $B --dry-run bridge add br0 --vlan-filtering off
	ks off-dry
	save off.json hn $B --json bridge add br0 --vlan-filtering off
	ks off
	save off-again hn $B bridge add br0 --vlan-filtering off
	save on-again hn $B bridge add br0 --vlan-filtering on
	save br1-on hn $B bridge add br1 --vlan-filtering on --stp on
	ks on2
	# the host's uplink into a filtering bridge: untagged frames take
	# the PVID in and leave untagged, so the peer still reaches it
	hn ip addr add 192.0.2.10/24 dev v2
	pn ip addr add 192.0.2.1/24 dev v2p
	save ping-before pn ping -c1 -W2 192.0.2.10
	save uplink.json hn $B --json bridge add br2 --uplink v2 --vlan-filtering on --no-confirm
	ks uplink
	hn ip -j addr show dev br2 >"$VMLAB_OUT/br2.addr" 2>&1
	save ping-after pn ping -c3 -i0.2 -W2 192.0.2.10
	save del2 hn $B del br2 --force
	hn ip -j addr show dev v2 >"$VMLAB_OUT/v2.addr" 2>&1
	ip netns del $N
	ip netns del $P
	exit 0
fi
vmlab_boot "$0" || fail "the guest's part failed"
R=$VMLAB_RESULTS
# vf KEY BRIDGE: IFLA_BR_VLAN_FILTERING as the kernel reported it
vf() { jq -r --arg b "$2" '.[] | select(.ifname == $b) | .linkinfo.info_data.vlan_filtering' "$R/$1.links"; }
master() { jq -r --arg l "$2" '.[] | select(.ifname == $l) | .master // "-"' "$R/$1.all"; }
# vlans KEY: "PORT:VID:flags" for every port the kernel lists
vlans() { jq -r '[.[] | .ifname as $i | .vlans[] | "\($i):\(.vlan):\((.flags // []) | join(","))"] | sort | join(" ")' "$R/$1.vlans"; }
check "add --vlan-filtering on: exit 0, changed" \
	eval '[ "$(rc_of add.json)" = 0 ] && [ "$(jq -r .changed "$R/add.json")" = true ]'
check "the kernel: br0 filtering, br1 not" eval '[ "$(vf on br0) $(vf on br1)" = "1 0" ]'
check "rerun unchanged" eval '[ "$(rc_of add-again.json)" = 0 ] && [ "$(jq -r .changed "$R/add-again.json")" = false ]'
# (every bridge device has its default PVID entry, filtering or not)
check "ports: the default PVID 1 untagged on each, and on the bridges themselves" \
	eval '[ "$(vlans on)" = "br0:1:PVID,Egress Untagged br1:1:PVID,Egress Untagged v0:1:PVID,Egress Untagged v1:1:PVID,Egress Untagged" ]'
check "list says vlan-filtering for br0 only" \
	eval 'grep -q "vlan-filtering" "$R/list" && [ "$(grep -c vlan-filtering "$R/list")" = 1 ] && grep "vlan-filtering" "$R/list" | grep -q br0'
check "--dry-run off: says it, the kernel unchanged" \
	eval '[ "$(rc_of off-dry)" = 0 ] && grep -q "^would: " "$R/off-dry" && [ "$(vf off-dry br0)" = 1 ]'
check "off on an existing bridge: changed, the kernel off, ports kept" \
	eval '[ "$(rc_of off.json)" = 0 ] && [ "$(jq -r .changed "$R/off.json")" = true ] && [ "$(vf off br0)" = 0 ] &&
		[ "$(master off v0) $(master off v1)" = "br0 br0" ]'
check "off rerun unchanged" eval 'grep -q unchanged "$R/off-again" && [ "$(rc_of off-again)" = 0 ]'
check "on again, br1 on with STP" \
	eval '[ "$(rc_of on-again) $(rc_of br1-on)" = "0 0" ] && [ "$(vf on2 br0) $(vf on2 br1)" = "1 1" ] &&
		[ "$(jq -r ".[] | select(.ifname == \"br1\") | .linkinfo.info_data.stp_state" "$R/on2.links")" = 1 ]'
check "the peer reached v2 before the move" eval '[ "$(rc_of ping-before)" = 0 ]'
check "uplink move into a filtering bridge: exit 0" eval '[ "$(rc_of uplink.json)" = 0 ]'
check "br2 filtering, v2 its port with PVID 1 untagged" \
	eval '[ "$(vf uplink br2)" = 1 ] && vlans uplink | grep -qF "v2:1:PVID,Egress Untagged"'
check "br2 has the address" eval 'jq -e ".[0].addr_info[] | select(.local == \"192.0.2.10\")" "$R/br2.addr" >/dev/null'
check "the peer reaches the host through the filtering bridge" eval '[ "$(rc_of ping-after)" = 0 ]'
check "del --force gives v2 its address back" \
	eval '[ "$(rc_of del2)" = 0 ] && jq -e ".[0].addr_info[] | select(.local == \"192.0.2.10\")" "$R/v2.addr" >/dev/null'
checks_done
