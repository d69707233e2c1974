# golden
# A PF with VFs (iommu-truth.host, 0000:0f:00.0 on i40e): bind refuses it
# (the VFs would disappear, with the one a guest holds on vfio-pci); with
# --force and a bind that fails, the rollback brings the PF back on i40e
# and the VFs back: their count, and each VF on the driver (and override)
# it had.
HOST=iommu-truth
. ./common.sh
W=$BUILD/helpers/fh-write
numvfs() { cat "$(devdir 0000:0f:00.0)/sriov_numvfs"; }
fh -- "$W" /sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs 2
riommu bind 0f:02.1
: >"$ST/fakehost/log"
riommu bind 0f:00.0
assert_eq "$(numvfs)" 2 "VFs after the refusal"
fh --fault refuse-bind=0000:0f:00.0:vfio-pci -- kvmprep-iommu bind 0f:00.0 --force
echo "[exit $?]"
assert_dev 0000:0f:00.0 i40e '(null)'
assert_eq "$(numvfs)" 2 "VFs after the rollback"
assert_dev 0000:0f:02.0 iavf '(null)'
assert_dev 0000:0f:02.1 vfio-pci vfio-pci
grep -E '^(numvfs|bind|unbind|override)' "$ST/fakehost/log"
