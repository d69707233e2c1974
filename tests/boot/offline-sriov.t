# golden
# kvmprep-sriov set/vf --persist --offline / --root DIR: sriov.conf only
# (the running host's or the target's), no VF made, no sriov_numvfs or
# autoprobe write, no netlink request; the VF of a vf setting need not
# exist now. The owner check (NetworkManager, networkd) reads the target's
# configuration, not the running host's.
HOST=sriov-persist
. ./common.sh
fh -- true || fail "cannot set up the host"
sum=$(live_sum)
rtool sriov set 02:00.0 8 --driver vfio-pci --persist --root "$TGT"
rtool sriov vf 02:00.0 3 mac=52:54:00:12:34:56 vlan=100 --persist --root "$TGT"
rtool sriov vf 02:00.0 3 mac=52:54:00:12:34:56 vlan=100 --persist --root "$TGT"
fh -- kvmprep-sriov set 02:00.0 8 --driver vfio-pci --persist --root "$TGT" --json | python3 -c \
	'import json,sys; d=json.load(sys.stdin); print("changed", d["changed"], d["pf"]["result"])'
grep -v '^#' "$TGT/etc/kvmprep/sriov.conf"
assert_live_unchanged "$sum"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs")" 0 "numvfs"
# enp3s0f0's VFs are NetworkManager's on the running host, not in the target
rtool sriov set 03:00.0 2 --persist --root "$TGT" -q
assert_grep '^pf 0000:03:00.0 8086:1572 2 -$' "$TGT/etc/kvmprep/sriov.conf"
# ... and refused when the target's NetworkManager owns them
mkdir -p "$TGT/etc/NetworkManager/system-connections"
cp "$ST/etc/NetworkManager/system-connections/uplink.nmconnection" "$TGT/etc/NetworkManager/system-connections/"
rtool sriov set 03:00.0 4 --persist --root "$TGT" -q
assert_grep '^pf 0000:03:00.0 8086:1572 2 -$' "$TGT/etc/kvmprep/sriov.conf"
assert_live_unchanged "$sum"
# --offline: the running host's sriov.conf, nothing made
rtool sriov set 02:00.0 4 --persist --offline -q
assert_grep '^pf 0000:02:00.0 8086:1572 4 -$' "$ST/etc/kvmprep/sriov.conf"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs")" 0 "numvfs after --offline"
[ -z "$(effects)" ] || fail "live changes: $(effects)"
assert_nofile "$ST/run/kvmprep/journal"
# usage
rtool sriov set 02:00.0 4 --offline
rtool sriov list --root "$TGT"
