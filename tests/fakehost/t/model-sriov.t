# Kernel model: sriov_numvfs creates the VFs (BDF from offset and stride,
# physfn/virtfnN, an IOMMU group each, probed by the VF driver when it is
# loaded and autoprobe is on, with a netdev) and 0 removes them. The
# kernel's errors: ERANGE above totalvfs, EBUSY to change a non-zero count,
# ENOENT without a PF driver, EINVAL for a non-number.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
N=/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs
PF=$T/sys/devices/pci0000:00/0000:00:1d.0/0000:03:00.0
up=$T/sys/devices/pci0000:00/0000:00:1d.0

on true || fail "cannot build the host"
assert_eq "$(on $W $N 9)" "ERANGE (Numerical result out of range)" "above totalvfs"
assert_eq "$(on $W $N two)" "EINVAL (Invalid argument)" "not a number"
assert_eq "$(on $W /sys/bus/pci/devices/0000:04:00.0/sriov_numvfs 2)" "ENOENT (No such file or directory)" "PF without a driver"
assert_eq "$(on $W $N 0)" ok "0 when 0"
assert_eq "$(on $W $N 2)" ok "2 VFs"
assert_eq "$(cat "$PF/sriov_numvfs")" 2 "numvfs"
# routing id 0x300 + 16 + i
for i in 0 1; do
	vf=0000:03:02.$i
	assert_file "$up/$vf/config"
	assert_link "$up/$vf/physfn" 0000:03:00.0
	assert_link "$PF/virtfn$i" "$vf"
	assert_link "$T/sys/bus/pci/devices/$vf" "$vf"
	assert_eq "$(cat "$up/$vf/device")" 0x154c "VF device id"
	assert_eq "$(cat "$up/$vf/driver_override")" "(null)" "VF override"
	assert_link "$up/$vf/iommu_group" $((17 + i))
	assert_link "$T/sys/kernel/iommu_groups/$((17 + i))/devices/$vf" "$vf"
	# iavf is not loaded: the VFs stay without a driver
	assert_nolink "$up/$vf/driver"
done
assert_eq "$(on lspci -s 03:02.1 -n | cut -d' ' -f3)" "8086:154c" "lspci sees the VF"
assert_eq "$(on $W $N 2)" ok "same count again"
assert_eq "$(on $W $N 4)" "EBUSY (Device or resource busy)" "change while enabled"
assert_eq "$(on $W $N 0)" ok "0"
assert_nofile "$up/0000:03:02.0"
assert_nofile "$PF/virtfn0"
assert_nofile "$T/sys/bus/pci/devices/0000:03:02.1"
assert_nofile "$T/sys/kernel/iommu_groups/18"

# with the VF driver loaded, autoprobe binds them and they get netdevs
on "$BUILD/helpers/kp-modtool" load iavf >/dev/null || fail "load iavf"
assert_eq "$(on $W $N 2)" ok "2 VFs with iavf"
assert_link "$up/0000:03:02.0/driver" iavf
assert_link "$T/sys/class/net/enp3s0f0v1" enp3s0f0v1
assert_file "$up/0000:03:02.1/net/enp3s0f0v1/address"
on $W $N 0 >/dev/null
assert_nofile "$T/sys/class/net/enp3s0f0v1"
# autoprobe off: the VFs come without a driver
on $W /sys/bus/pci/devices/0000:03:00.0/sriov_drivers_autoprobe 0 >/dev/null
assert_eq "$(cat "$PF/sriov_drivers_autoprobe")" 0 "autoprobe stored"
on $W $N 1 >/dev/null
assert_nolink "$up/0000:03:02.0/driver"
# and even an explicit bind is refused without an override (pci_device_can_probe)
assert_eq "$(on $W /sys/bus/pci/drivers/iavf/bind 0000:03:02.0)" "ENODEV (No such device)" "bind with autoprobe off"
# unbinding the PF driver disables SR-IOV
on $W /sys/bus/pci/drivers/i40e/unbind 0000:03:00.0 >/dev/null
assert_nofile "$up/0000:03:02.0"
assert_eq "$(cat "$PF/sriov_numvfs")" 0 "numvfs after PF unbind"
assert_eq "$(grep '^numvfs' "$T/fakehost/log")" "numvfs 0000:03:00.0 2
numvfs 0000:03:00.0 0
numvfs 0000:03:00.0 2
numvfs 0000:03:00.0 0
numvfs 0000:03:00.0 1
numvfs 0000:03:00.0 0" "log"
