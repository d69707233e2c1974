# golden
# Failures half-way are rolled back to the count, drivers and autoprobe
# the PF had: the PF's driver failing at VF 5 (ENOMEM in
# pci_iov_add_virtfn; ENOSPC when MSI-X vectors run out), vfio-pci
# refusing one VF, the removal of the old VFs refused, a sriov_numvfs
# write that does not return (bounded; the late VFs are taken back).
. ./common.sh
fh --fault 'vf-fail=0000:01:00.0@5:ENOMEM' -- kvmprep-sriov set 01:00.0 8 --timeout 5000; echo "[exit $?]"
echo "numvfs $(numvfs 0000:01:00.0), VFs: $(vf_drivers 0000:01:00.0 | wc -l)"
effects
# the PF had 2 VFs on vfio-pci: it gets them back, on vfio-pci
sriov set 01:00.0 2 --driver vfio-pci >/dev/null || fail "set 2"
clear_log
fh --fault 'vf-fail=0000:01:00.0@0:ENOSPC' -- kvmprep-sriov set 01:00.0 4 --driver vfio-pci; echo "[exit $?]"
echo "numvfs $(numvfs 0000:01:00.0) autoprobe $(autoprobe 0000:01:00.0)"
vf_drivers 0000:01:00.0
effects
# vfio-pci refuses VF 2: every VF goes, the two old ones come back
clear_log
fh --fault 'refuse-bind=0000:01:02.2:vfio-pci' -- kvmprep-sriov set 01:00.0 3 --driver vfio-pci; echo "[exit $?]"
echo "numvfs $(numvfs 0000:01:00.0) autoprobe $(autoprobe 0000:01:00.0)"
vf_drivers 0000:01:00.0
# removing the old VFs fails: nothing else is tried
clear_log
fh --fault '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/sriov_numvfs=EIO' -- kvmprep-sriov set 01:00.0 1; echo "[exit $?]"
echo "numvfs $(numvfs 0000:01:00.0)"
effects
# a write that hangs: bounded by --timeout, and when it completes late
# the VFs it made are removed again
sriov set 01:00.0 0 >/dev/null
clear_log
fh --fault '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/sriov_numvfs=delay:1500' -- kvmprep-sriov set 01:00.0 2 --timeout 300; echo "[exit $?]"
echo "autoprobe $(autoprobe 0000:01:00.0)"
for i in $(seq 50); do grep -q '^numvfs 0000:01:00.0 0' "$ST/fakehost/log" && break; sleep 0.1; done
effects
echo "numvfs $(numvfs 0000:01:00.0)"
# the call that timed out left its journal: the next command of any tool
# (here recover) finds it, rolls back what is left and says so
ls "$ST/run/kvmprep/journal" >/dev/null || fail "no journal left by the timed-out call"
rsriov recover 2>&1 | sed -E 's/pid [0-9]+/pid N/'
assert_nofile "$ST/run/kvmprep/journal"
rsriov recover
echo "numvfs $(numvfs 0000:01:00.0) autoprobe $(autoprobe 0000:01:00.0)"
