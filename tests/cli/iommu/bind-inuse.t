# golden
# The host's own NIC (address, default route) and the boot display are
# refused, with the reason, and nothing changes; --force takes them with a
# warning (here with --dry-run, then for real on the NIC).
. ./common.sh
riommu bind eno1
riommu bind 00:02.0
lab_pristine
riommu bind eno1 --force --dry-run
lab_pristine
riommu bind 00:19.0 --force
assert_dev 0000:00:19.0 vfio-pci vfio-pci
