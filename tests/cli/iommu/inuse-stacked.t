# golden
# What a real host stacks on its devices (iommu-truth.host, issue 9):
# btrfs root (mountinfo shows 0:NN, the device only as the source) and its
# second device, a ZFS vdev, an NVMe multipath disk (below neither PCI
# function), a management NIC whose address is on a VLAN, a bond port, a
# guest's macvtap, the boot GPU under efifb, a DRM node, a guest's
# /dev/vfio/N and a disk held open, an SR-IOV PF with VFs, the host and ISA
# bridges. Each is refused with its reason and nothing changes; the free
# NVMe and NIC bind.
#
# This kernel may lack the vlan and bonding link types: the fake host then
# makes a macvlan and a bridge, stacked the same way (IFLA_LINK, IFLA_MASTER);
# the output names the kind the kernel reports, normalised here.
HOST=iommu-truth
. ./common.sh
kinds() { sed -E 's/\(macvlan on eno1\)/(vlan on eno1)/; s/port of bridge bond0/port of bond bond0/'; }
truth_pristine() {
	local d
	for d in 02:00.0 03:00.0 04:00.0 05:00.0 06:00.0 07:00.0 0e:00.0; do
		assert_dev "0000:$d" nvme '(null)'
	done
	assert_dev 0000:08:00.0 igb '(null)'
	assert_dev 0000:09:00.0 e1000e '(null)'
	assert_dev 0000:0a:00.0 e1000e '(null)'
	assert_dev 0000:0b:00.0 e1000e '(null)'
	assert_dev 0000:01:00.0 none '(null)'
	assert_dev 0000:0c:00.0 amdgpu '(null)'
	assert_dev 0000:0d:00.0 vfio-pci '(null)'
	assert_dev 0000:00:00.0 none '(null)'
	assert_dev 0000:00:1f.0 none '(null)'
	[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
}
iommu list --json | grep -E '"(device|in_use_by)"' | paste - - | tr -s ' \t' ' ' | kinds
# the disks
riommu bind 02:00.0
riommu bind 03:00.0
riommu bind 04:00.0
riommu bind 05:00.0
riommu bind 06:00.0
# the links
riommu bind eno1 2>&1 | kinds
riommu bind enp9s0 2>&1 | kinds
riommu bind enp10s0
# the displays and open handles (--force does not take these: the kernel
# would wait for the holder, with our lock held)
riommu bind 01:00.0
riommu bind 0c:00.0 --force
riommu bind 0e:00.0
riommu unbind 0d:00.0
# the platform
riommu bind 00:00.0
riommu bind 00:1f.0
iommu status 00:00.0 | grep -E 'device_class|driver '
truth_pristine
# an SR-IOV PF with VFs: unbinding its driver removes them
fh -- "$BUILD/helpers/fh-write" /sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs 2
: >"$ST/fakehost/log"
riommu bind 0f:00.0
iommu status 0f:00.0 | grep host_use
truth_pristine
# what is free binds
riommu bind 07:00.0 0b:00.0
assert_dev 0000:07:00.0 vfio-pci vfio-pci
assert_dev 0000:0b:00.0 vfio-pci vfio-pci
effects
