# golden
# The other commands that change the host keep the same promise: restore
# stopped by SIGTERM puts the group back on vfio-pci; apply-persisted
# killed at boot (SIGKILL) is rolled back by `recover`, vfio.conf intact.
. ./common.sh
OUT=$ST.out
trap 'rm -rf "$ST" "$OUT"' EXIT
iommu bind --group 01:00.0 >/dev/null || fail "bind"
: >"$ST/fakehost/log"
bg "$OUT" fh --fault '/sys/bus/pci/drivers/vfio-pci/unbind@2=delay:1500' -- kvmprep-iommu restore 01:00.0 01:00.1
wait_for "$ST/fakehost/log" '^fault .*delay'
kill -TERM "$(holder_pid "$ST")"
bg_wait
cat "$OUT"
effects
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
assert_file "$ST/dev/vfio/12"
assert_nofile "$ST/run/kvmprep/journal"
# persisted, restored by hand, applied again at boot and killed there
fresh
iommu bind --group --persist 01:00.0 >/dev/null 2>&1 || fail "bind --persist"
iommu restore 01:00.0 01:00.1 >/dev/null 2>&1 || fail "restore"
conf=$(cat "$ST/etc/kvmprep/vfio.conf")
: >"$ST/fakehost/log"
bg "$OUT" fh --fault '/sys/bus/pci/drivers/snd_hda_intel/unbind=delay:3000' -- kvmprep-iommu apply-persisted
wait_for "$ST/fakehost/log" '^fault .*delay'
kill -KILL "$(holder_pid "$ST")"
wait "$BG" 2>/dev/null
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_file "$ST/run/kvmprep/journal"
riommu recover 2>&1 | sed 's/pid [0-9]*/pid N/'
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_nofile "$ST/dev/vfio/12"
assert_nofile "$ST/run/kvmprep/journal"
assert_eq "$(cat "$ST/etc/kvmprep/vfio.conf")" "$conf" "vfio.conf"
# and the next boot's apply-persisted binds them
riommu apply-persisted -q
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
