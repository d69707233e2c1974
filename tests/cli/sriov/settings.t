# VF netlink settings across a change that recreates the VFs, and the
# administrative MAC before vfio-pci, on the fake host's i40e PF, whose
# driver keeps each VF's MAC, VLAN/QoS/proto, rates, spoofchk, trust, link
# state and RSS query (tests/fakehost/vfnl.c; recreated VFs have the
# defaults, as pci_disable_sriov frees the driver's VF data):
#  - set 2 -> 4 fails at VF 2 (ENOSPC) after the count went through 0: the
#    two VFs come back on iavf with every setting they had;
#  - the same change SIGKILLed half-way (after the count, during the bind),
#    then `recover` (kvmprep-iommu's: any tool recovers): the same;
#  - set 2 --driver vfio-pci (the count holds): each VF's MAC, read from
#    its iavf interface before the unbind, becomes its administrative MAC
#    on the PF, then the VF goes to vfio-pci; the PF reports it after;
#  - that change rolled back (vfio-pci refuses VF 1): drivers and MACs back;
#  - set prints the MAC each VF keeps (the table's MAC column, "mac" in
#    JSON), on the move, on an unchanged rerun and in a dry run;
#  - created straight on vfio-pci (no host driver ever ran): a random
#    unicast, locally administered MAC each, administrative on the PF, the
#    one set's JSON names.
HOST=sriov-vf
. ./common.sh
PF=0000:02:00.0
cfg() { cat "$ST/fakehost/vfcfg/$PF/$1"; }
# the model's line: MAC ADMIN VLAN QOS PROTO MIN MAX SPOOFCHK TRUST STATE RSS
sriov set $PF 2 -q || fail "set 2"
sriov vf $PF 0 mac=52:54:00:00:00:a0 vlan=100 qos=3 proto=802.1ad rate=10-1000 spoofchk=off \
	trust=on state=disable query_rss=on -q || fail "vf 0"
sriov vf $PF 1 mac=52:54:00:00:00:a1 vlan=200 max=500 trust=on state=enable -q || fail "vf 1"
want0="52:54:00:00:00:a0 1 100 3 88a8 10 1000 0 1 2 1"
want1="52:54:00:00:00:a1 1 200 0 8100 0 500 1 1 1 0"
assert_eq "$(cfg 0)" "$want0" "VF 0 configured"
assert_eq "$(cfg 1)" "$want1" "VF 1 configured"
check_back() { # WHAT: both VFs on iavf with their settings, their interfaces with their MACs
	assert_eq "$(numvfs $PF)" 2 "$1: count"
	assert_eq "$(vf_drivers $PF | tr '\n' ';')" "0000:02:02.0 iavf;0000:02:02.1 iavf;" "$1: drivers"
	assert_eq "$(cfg 0)" "$want0" "$1: VF 0's settings"
	assert_eq "$(cfg 1)" "$want1" "$1: VF 1's settings"
	assert_eq "$(cat "$(devdir 0000:02:02.0)/net/enp2s0f0v0/address")" 52:54:00:00:00:a0 "$1: VF 0's MAC"
	assert_eq "$(cat "$(devdir 0000:02:02.1)/net/enp2s0f0v1/address")" 52:54:00:00:00:a1 "$1: VF 1's MAC"
	assert_nofile "$ST/run/kvmprep/journal"
}

# 1. the PF's driver fails at VF 2 of 4: rollback recreates 2, settings back
clear_log
out=$(fh --fault "vf-fail=$PF@2:ENOSPC" -- kvmprep-sriov set $PF 4 2>&1)
assert_eq "$?" 1 "set 4 with ENOSPC at VF 2: exit 1 ($out)"
echo "$out" | grep -q "cannot create 4 VFs" || fail "said: $out"
check_back "after the rollback"
# the settings were sent again, each one the recreation lost, through the PF
assert_eq "$(grep -c "^vf $PF [01] " "$ST/fakehost/log")" 12 "12 settings restored (7 of VF 0, 5 of VF 1: the others are the defaults)"
grep -q "^vf $PF 0 mac 52:54:00:00:00:a0" "$ST/fakehost/log" || fail "VF 0's MAC not restored"

# 2. killed after the count went through 0 and 4 (during the bind), then recover
clear_log
bg "$ST.out" fh --fault "/sys/bus/pci/devices/0000:02:02.0/driver_override=delay:20000" -- \
	kvmprep-sriov set $PF 4 --driver vfio-pci
wait_for "$ST/fakehost/log" "^fault .*driver_override delay"
kill -KILL "$(holder_pid "$ST")"
bg_wait >/dev/null
assert_eq "$(numvfs $PF)" 4 "killed with 4 VFs"
grep -q '"kind":"vf-settings"' "$ST/run/kvmprep/journal" || fail "no vf-settings step recorded"
out=$(fh -- kvmprep-iommu recover 2>&1) || fail "recover: $out"
echo "$out" | grep -q "rolled back an interrupted 'kvmprep-sriov set'" || fail "recover said: $out"
check_back "after recover"
rm -f "$ST.out"

# 3. the count holds, --driver vfio-pci: each MAC first made administrative
# fresh VFs on iavf: each has the MAC iavf picked, none administrative
sriov set $PF 0 -q && sriov set $PF 2 -q || fail "set 0, 2"
mac0=$(cat "$(devdir 0000:02:02.0)/net/enp2s0f0v0/address")
mac1=$(cat "$(devdir 0000:02:02.1)/net/enp2s0f0v1/address")
assert_eq "$mac1" 02:00:00:02:02:01 "VF 1 on iavf's own MAC"
assert_eq "$(cfg 1 | cut -d' ' -f1,2)" "$mac1 0" "the PF reports VF 1's own MAC, not administrative"
before0=$(cfg 0)
# vfio-pci refuses VF 1: VF 0 back on iavf, both PF records as they were
clear_log
out=$(fh --fault "refuse-bind=0000:02:02.1:vfio-pci" -- kvmprep-sriov set $PF 2 --driver vfio-pci 2>&1)
assert_eq "$?" 1 "refused bind: exit 1 ($out)"
assert_eq "$(vf_drivers $PF | tr '\n' ';')" "0000:02:02.0 iavf;0000:02:02.1 iavf;" "drivers back"
assert_eq "$(cfg 0 | cut -d' ' -f1)" "$mac0" "VF 0's MAC back"
assert_eq "$(cfg 1 | cut -d' ' -f1)" "$mac1" "VF 1's MAC back"
assert_eq "$(cfg 0 | cut -d' ' -f3-)" "$(echo "$before0" | cut -d' ' -f3-)" "VF 0's other settings"
assert_nofile "$ST/run/kvmprep/journal"
clear_log
out=$(sriov set $PF 2 --driver vfio-pci) || fail "set 2 --driver vfio-pci: $out"
assert_eq "$(vf_drivers $PF | tr '\n' ';')" "0000:02:02.0 vfio-pci;0000:02:02.1 vfio-pci;" "on vfio-pci"
# set says the MAC each VF keeps, in its VF table's MAC column
rows=$(echo "$out" | awk '$1 ~ /^[01]$/ { print $1, $2, $3, $4 }' | tr '\n' ';')
assert_eq "$rows" "0 0000:02:02.0 vfio-pci $mac0;1 0000:02:02.1 vfio-pci $mac1;" "set's MACs ($out)"
echo "$out" | grep -q '^VF  ADDRESS  *DRIVER  *MAC  *GROUP  *VFIO$' || fail "no MAC column: $out"
# the order: VF 1's MAC on the PF, then its override and its move
log=$(grep -E "^(vf $PF 1 mac|override 0000:02:02.1|unbind 0000:02:02.1|bind 0000:02:02.1)" \
	"$ST/fakehost/log" | tr '\n' ';')
assert_eq "$log" "vf $PF 1 mac $mac1;override 0000:02:02.1 vfio-pci;unbind 0000:02:02.1 iavf;bind 0000:02:02.1 vfio-pci;" "MAC before the move"
assert_eq "$(cfg 1 | cut -d' ' -f1,2)" "$mac1 1" "VF 1's MAC administrative on the PF"
assert_eq "$(cfg 0 | cut -d' ' -f1,2)" "$mac0 1" "VF 0's administrative too"
sriov list -v $PF --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
vfs = {v["index"]: v for p in d["pfs"] for v in p.get("vfs", [])}
assert vfs[1]["mac"] == sys.argv[1], vfs[1]
assert vfs[1]["driver"] == "vfio-pci", vfs[1]
' "$mac1" || fail "list -v does not show VF 1's MAC"
clear_log
out=$(sriov set $PF 2 --driver vfio-pci --json) || fail "rerun: $out"
assert_untouched
# unchanged: the MACs they keep, read back from the PF
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] is False, d
assert [v["mac"] for v in d["vfs"]] == sys.argv[1:], d["vfs"]
' "$mac0" "$mac1" || fail "rerun's JSON MACs: $out"
# a dry run says the MACs a move would keep (none random here)
sriov set $PF 0 -q && sriov set $PF 2 -q || fail "set 0, 2 again"
clear_log
out=$(sriov set $PF 2 --driver vfio-pci --dry-run --json) || fail "dry run: $out"
assert_untouched
m0=$(cat "$(devdir 0000:02:02.0)/net/enp2s0f0v0/address")
m1=$(cat "$(devdir 0000:02:02.1)/net/enp2s0f0v1/address")
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [v["mac"] for v in d["vfs"]] == sys.argv[1:], d["vfs"]
' "$m0" "$m1" || fail "dry run's MACs: $out"
clear_log

# 4. created on vfio-pci: no host driver ran, each VF gets a random MAC
sriov set $PF 0 -q || fail "set 0"
out=$(sriov set $PF 3 --driver vfio-pci --json) || fail "set 3 --driver vfio-pci: $out"
macs=""
for i in 0 1 2; do
	l=$(cfg $i)
	m=${l%% *}
	# set's JSON names the MAC the PF now holds for the VF
	assert_eq "$(echo "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["vfs"][int(sys.argv[1])]["mac"])' $i)" \
		"$m" "VF $i: set's JSON MAC"
	assert_eq "$(echo "$l" | cut -d' ' -f2)" 1 "VF $i: administrative"
	[ "$m" != 00:00:00:00:00:00 ] || fail "VF $i: no MAC"
	b=$((16#${m%%:*}))
	assert_eq "$((b & 3))" 2 "VF $i: $m unicast and locally administered"
	macs="$macs $m"
done
assert_eq "$(echo $macs | tr ' ' '\n' | sort -u | wc -l)" 3 "three different MACs ($macs)"
assert_eq "$(vf_drivers $PF | cut -d' ' -f2 | sort -u)" vfio-pci "all on vfio-pci"
grep -q "^bind 0000:02:02.[012] iavf" "$ST/fakehost/log" && fail "a host driver touched a VF"
true
