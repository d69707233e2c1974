# golden
# list shows a PF with VFs enabled as in use (issue 9): unbinding its
# driver would disable SR-IOV and every VF would go (iommu-truth.host).
HOST=iommu-truth
. ./common.sh
iommu list --json | grep -E '"(device|in_use|in_use_by)"' | paste - - - | tr -s ' \t' ' ' | grep 0f:00.0
fh -- "$BUILD/helpers/fh-write" /sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs 2 >/dev/null || fail "numvfs"
iommu list --json | grep -E '"(device|in_use|in_use_by)"' | paste - - - | tr -s ' \t' ' ' | grep 0f:00.0
iommu list | grep -E '^DEVICE|0f:00.0'
