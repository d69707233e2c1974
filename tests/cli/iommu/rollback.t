# golden
# A bind that fails half-way leaves every device where it was: vfio-pci
# refuses the audio function (after the GPU was bound), then the audio
# driver's unbind is busy. Both times: exit 1, the device, action and the
# kernel's reason, and both functions back on their drivers, overrides clear.
. ./common.sh
fh --fault refuse-bind=0000:01:00.1:vfio-pci -- kvmprep-iommu bind 01:00.0 --group
echo "[exit $?]"
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_nofile "$ST/dev/vfio/12"
effects
fresh
fh --fault '/sys/bus/pci/drivers/snd_hda_intel/unbind=EBUSY' -- kvmprep-iommu bind --group 01:00.0 --json
echo "[exit $?]"
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
effects
fresh
# writing driver_override fails on the first device: nothing to undo
fh --fault '/sys/bus/pci/devices/0000:02:00.0/driver_override=EIO' -- kvmprep-iommu bind 02:00.0
echo "[exit $?]"
assert_dev 0000:02:00.0 e1000e '(null)'
# an unbind (restore) that fails half-way puts the first device back on vfio-pci
fresh
iommu bind --group 01:00.0 >/dev/null || fail "bind"
: >"$ST/fakehost/log"
fh --fault '/sys/bus/pci/drivers/vfio-pci/unbind@2=EBUSY' -- kvmprep-iommu restore 01:00.0 01:00.1
echo "[exit $?]"
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
effects
# /dev/vfio/N never appears (a udev rule that does not run, a kernel that
# does not make the group): bind waits --timeout, then puts every device of
# the call back
fresh
fh --fault no-vfio-node=12 -- kvmprep-iommu bind --group --timeout 200 01:00.0
echo "[exit $?]"
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_nofile "$ST/dev/vfio/12"
effects
