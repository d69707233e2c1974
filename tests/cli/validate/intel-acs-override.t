# pcie_acs_override= (the out-of-tree ACS override patch): the groups look
# isolated but are not DMA isolation, so iommu.isolation is a WARN naming it.
# golden
HOST=validate-intel-acs-override
. ./common.sh
check_host 0 --for passthrough
assert_status iommu.isolation WARN
grep -q 'pcie_acs_override=downstream,multifunction is on the kernel command line' "$ST.json" ||
	fail "isolation does not name the override"
check_host 1 --for passthrough --strict
