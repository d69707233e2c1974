# golden
# Which host modules claim a persisted device at boot (iommu-hostmods.host,
# issue 9): the device's modalias through libkmod (modules.alias,
# modules.builtin.alias), whether the module is loaded or not and whatever
# its driver is called: xhci_hcd's module is xhci_pci, not loaded; nvme is
# not loaded; ahci is built in (no module option reaches it: the kernel
# argument is named). A failed write of one of the boot files names that
# file.
HOST=iommu-hostmods
. ./common.sh
mp=etc/modprobe.d/kvmprep-vfio.conf
# the three sit on vfio-pci already, with no host driver recorded
riommu bind --persist 01:00.0 02:00.0 03:00.0
cat "$ST/$mp"
grep -v "^#" "$ST/etc/kvmprep/vfio.conf" | grep -c "host=" || true
# the I210 is taken from igb (loaded): its module too
riommu bind --persist 04:00.0 | grep "^\[exit"
grep softdep "$ST/$mp"
# the modprobe.d file cannot be written (a full disk): the message names
# it, and nothing is left changed
fresh
"$FAKEHOST" "$HOST" --state "$ST" --fault '/etc/modprobe.d/*=ENOSPC' -- kvmprep-iommu bind --persist 04:00.0
echo "[exit $?]"
assert_dev 0000:04:00.0 igb '(null)'
assert_nofile "$ST/etc/kvmprep/vfio.conf"
assert_nofile "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
assert_nofile "$ST/$mp"
