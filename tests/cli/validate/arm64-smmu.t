# arm64 with an SMMUv3 (ACPI IORT): no CPU flag to look for, /dev/kvm and
# the probe decide; passthrough mode is iommu.passthrough=1 there.
# golden
HOST=validate-arm64-smmu
. ./common.sh
check_host 0
assert_status kvm.cpu_flags PASS
assert_status iommu.firmware PASS
assert_status iommu.passthrough WARN
grep -q 'iommu.passthrough=1' "$ST.json" || fail "no arm64 passthrough remedy"
grep -q 'iommu=pt' "$ST.json" && fail "x86 remedy on arm64"
assert_status iommu.irq_remap PASS
grep -q "GIC ITS, which isolates them" "$ST.json" || fail "irq_remap does not name the ITS"
assert_status resources.tsc SKIP
assert_status platform.qemu PASS
