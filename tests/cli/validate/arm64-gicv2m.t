# arm64 with a GICv2m MSI frame: an SMMU is there, but MSIs are not
# isolated (no ITS), so vfio refuses devices: never "isolated".
# golden
HOST=validate-arm64-gicv2m
. ./common.sh
check_host 1 --for passthrough
assert_status iommu.enabled PASS
assert_status iommu.irq_remap FAIL
grep -q 'GICv2m frame, which does not isolate them' "$ST.json" || fail "irq_remap does not name GICv2m"
grep -q 'allow_unsafe_interrupts=1' "$ST.json" || fail "no fallback named"
