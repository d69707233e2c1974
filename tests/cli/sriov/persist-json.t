# set --persist says in its document whether sriov.conf changed
# ("persist_changed", counted in "changed" as kvmprep-iommu's bind does), so
# that a script or Ansible sees a count that already holds but was not yet
# persisted as a change, and a rerun as none; a dry run says the same and
# writes nothing. Without --persist the key is absent.
. ./common.sh
J() { sriov "$@" --json | jq -c '[.changed, .persist_changed, .pf.changed]'; }
CONF=$ST/etc/kvmprep/sriov.conf
sriov set 02:00.0 2 -q || fail "set 2"
assert_eq "$(J set 02:00.0 2)" '[false,null,false]' "no --persist: no key"
assert_eq "$(J set 02:00.0 2 --persist --dry-run)" '[true,true,false]' "dry run of a new persist"
assert_nofile "$CONF"
assert_eq "$(J set 02:00.0 2 --persist)" '[true,true,false]' "a new persist"
assert_grep '^pf 0000:02:00.0 8086:1572 2 -$' "$CONF"
assert_eq "$(J set 02:00.0 2 --persist)" '[false,false,false]' "rerun"
assert_eq "$(J set 02:00.0 2 --persist --dry-run)" '[false,false,false]' "rerun, dry run"
# another driver for the same count: both the VFs and the file change
assert_eq "$(J set 02:00.0 2 --persist --driver vfio-pci --dry-run)" '[true,true,true]' "driver, dry run"
assert_grep '^pf 0000:02:00.0 8086:1572 2 -$' "$CONF"
assert_eq "$(J set 02:00.0 3 --persist)" '[true,true,true]' "a new count"
assert_grep '^pf 0000:02:00.0 8086:1572 3 -$' "$CONF"
assert_eq "$(J set 02:00.0 0 --persist)" '[true,true,true]' "count 0 forgets it"
! grep -q '^pf 0000:02:00.0' "$CONF" || fail "0000:02:00.0 still persisted"
echo "persist json ok"
