# golden
# The lock is taken before the scan the safety checks read. A restore of
# the GPU, slowed by a delay fault in vfio-pci's unbind, holds the lock
# while a bind of the audio function of the same group starts: the bind
# waits for the lock, then scans, sees the GPU back on nouveau and refuses,
# because the group would be split, exactly as when the two commands run
# one after the other.
. ./common.sh
OUT=$ST.out
trap 'rm -rf "$ST" "$OUT"' EXIT
# the GPU on vfio-pci, its audio function without a driver (viable)
iommu bind --force 01:00.0 >/dev/null 2>&1 || fail "bind --force"
fh -- "$BUILD/helpers/fh-write" /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1 >/dev/null || fail "unbind the audio function"
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 none '(null)'
: >"$ST/fakehost/log"
bg "$OUT" fh --fault '/sys/bus/pci/drivers/vfio-pci/unbind=delay:1500' -- kvmprep-iommu restore 01:00.0
wait_for "$ST/fakehost/log" '^fault .*delay'
riommu bind 01:00.1
bg_wait
cat "$OUT"
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 none '(null)'
assert_nofile "$ST/run/kvmprep/journal"
effects
# a bind whose --wait is shorter than the other run's change: exit 1,
# naming the holder (whose pid the kvmprep holder wrote into the lock)
fresh
bg "$OUT" fh --fault '/sys/bus/pci/drivers/e1000e/unbind=delay:1500' -- kvmprep-iommu bind 02:00.0
wait_for "$ST/fakehost/log" '^fault .*delay'
holder=$(holder_pid "$ST")
fh -- kvmprep-iommu bind --group 01:00.0 --wait 0.3 >"$ST.second" 2>&1
echo "[exit $?]"
sed "s/pid $holder /pid HOLDER /" "$ST.second"
rm -f "$ST.second"
bg_wait
cat "$OUT"
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_dev 0000:02:00.0 vfio-pci vfio-pci
