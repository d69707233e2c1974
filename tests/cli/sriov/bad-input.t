# golden
# Every bad input and every PF that cannot have VFs: one line naming the
# object, the documented exit code, and the host as it was.
. ./common.sh
sriov list >/dev/null || fail "list"
clear_log
for c in -1 1e3 0x10 "" +4 " 4" 65536 4x; do
	rsriov set 02:00.0 "$c"
done
rsriov set 02:00.0 9                     # above sriov_totalvfs (8)
rsriov set 01:00.0 64                    # the 82599 offers 63
rsriov set 00:19.0 2                     # a plain NIC
rsriov set eno1 2                        # the same by its interface
rsriov set 00:01.0 2                     # a root port
rsriov set 03:00.0 2                     # ConnectX-5, SR-IOV off in its firmware
rsriov set 04:00.0 2                     # a PF given to a guest (vfio-pci)
rsriov set 09:00.0 2                     # no such device
rsriov set nosuch0 2                     # no such interface
rsriov set zz:zz 2
rsriov set 02:00.0                       # COUNT missing
rsriov set 02:00.0 2 3
rsriov set 02:00.0 2 --driver 'vfio pci'
rsriov set 02:00.0 2 --driver vfio-pci --no-probe
rsriov set 02:00.0 2 --driver nosuchdrv
rsriov set 02:00.0 2 --timeout 0
rsriov set 02:00.0 2 --frob
rsriov list -v 03:00.0
rsriov list 02:00.0 03:00.0
rsriov set 02:00.0 2 --json -q
rsriov frob
assert_untouched
# a VF is not a PF
sriov set 02:00.0 2 >/dev/null || fail "set 2"
clear_log
rsriov set 02:02.1 1
rsriov list 02:02.1
assert_untouched
assert_eq "$(numvfs 0000:02:00.0)" 2 "count kept"
