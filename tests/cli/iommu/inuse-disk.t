# golden
# Disks the host uses (iommu-disk.host, `block` lines): the NVMe holding /
# (also /boot/efi and the swap) and the one under an LVM volume are in use
# in `list` (their root ports too: the disks are below them); bind refuses
# each with one line naming the partitions and mount points, and changes
# nothing; the free NVMe binds; --force takes the root disk.
HOST=iommu-disk
. ./common.sh
# disk_pristine: every NVMe on nvme, nothing done to the host
disk_pristine() {
	assert_dev 0000:02:00.0 nvme '(null)'
	assert_dev 0000:03:00.0 nvme '(null)'
	[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
}
riommu list
riommu list --class storage --json | grep -E '"(device|in_use|in_use_by)"'
riommu bind 02:00.0
riommu bind 03:00.0 --dry-run
disk_pristine
riommu bind 04:00.0
assert_dev 0000:04:00.0 vfio-pci vfio-pci
riommu bind 02:00.0 --force
assert_dev 0000:02:00.0 vfio-pci vfio-pci
assert_dev 0000:03:00.0 nvme '(null)'
assert_link "$ST/sys/bus/pci/drivers/vfio-pci/0000:02:00.0" 0000:02:00.0
assert_nolink "$ST/sys/bus/pci/drivers/nvme/0000:02:00.0"
assert_link "$ST/sys/bus/pci/drivers/nvme/0000:03:00.0" 0000:03:00.0
assert_file "$ST/dev/vfio/13"
effects
