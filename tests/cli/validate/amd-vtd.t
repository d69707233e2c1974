# An AMD CPU with a VT-d (a VM on QEMU's intel-iommu): the IOMMU checks
# follow the ACPI table the kernel uses (DMAR), not the CPU vendor; then
# without intel_iommu=on the remedy names it, not AMD-Vi.
HOST=validate-amd-vtd
. ./common.sh
check_host 0 --for passthrough >/dev/null
assert_status iommu.firmware PASS
grep -q 'ACPI DMAR table present (Intel VT-d)' "$ST.json" || fail "DMAR not found on an AMD CPU"
assert_status iommu.enabled PASS
assert_status iommu.irq_remap PASS
# the same VM without intel_iommu=on: no unit registered, no groups
"$FAKEHOST" validate-amd-vtd-off -- kvmprep-validate --json --for passthrough >"$ST.json"
assert_status iommu.firmware PASS
assert_status iommu.enabled FAIL
grep -q 'lacks intel_iommu=on (VT-d is on in firmware)' "$ST.json" || fail "remedy is not intel_iommu=on"
! grep -q 'no AMD IOMMU' "$ST.json" || fail "AMD-Vi blamed on a VT-d"
