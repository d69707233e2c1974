# golden
# VFs a guest or the host uses are not removed without --force: a VF on
# vfio-pci whose /dev/vfio/N a QEMU process holds (the host's /proc), a VF
# whose interface has an address. Nothing changes on a refusal.
. ./common.sh
sriov set 06:00.0 2 --driver vfio-pci >/dev/null || fail "set"
clear_log
rsriov set 06:00.0 0
rsriov set 06:00.0 4 --driver vfio-pci
assert_untouched
assert_eq "$(numvfs 0000:06:00.0)" 2 "count kept"
rsriov list -v 06:00.0
rsriov set 06:00.0 0 --force
assert_eq "$(numvfs 0000:06:00.0)" 0 "removed with --force"
# the host's address on a VF's interface
sriov set 01:00.0 2 >/dev/null || fail "set 82599"
clear_log
rsriov set 01:00.0 1
assert_untouched
rsriov set 01:00.0 0 --force -q
