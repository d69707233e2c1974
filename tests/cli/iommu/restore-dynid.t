# golden
# restore verifies where the device ends: a dynamic id on vfio-pci (new_id,
# as a script or another tool leaves it) would hand the device straight
# back to vfio-pci on the reprobe; the id is removed (remove_id) and the
# device probed again, and "restored" is said only when it is on its own
# driver (iommu-virtio.host: the virtio RNG 0000:00:05.0).
HOST=iommu-virtio
. ./common.sh
riommu bind 00:05.0
fh -- "$BUILD/helpers/fh-write" /sys/bus/pci/drivers/vfio-pci/new_id "1af4 1044"
: >"$ST/fakehost/log"
riommu restore 00:05.0
assert_dev 0000:00:05.0 virtio-pci '(null)'
grep -E '^(override|unbind|bind|new_id|remove_id)' "$ST/fakehost/log"
