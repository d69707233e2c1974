# A kernel that uses only iommufd has no vfio_iommu_type1: iommu.vfio must
# not be red there (QEMU uses -object iommufd, or iommufd's compat
# container serves /dev/vfio/vfio).
# golden
HOST=validate-intel-iommufd
. ./common.sh
check_host 0 --for passthrough
assert_status iommu.vfio PASS
grep -q 'no vfio_iommu_type1, but iommufd is loaded' "$ST.json" || fail "iommu.vfio does not explain iommufd"
