# AMD-Vi on (no kernel argument needed on AMD), DMA translation for host
# devices (WARN: iommu=pt), a group spanning two slots (WARN), no SEV.
# golden
HOST=validate-amd-iommu
. ./common.sh
check_host 0
assert_status kvm.cpu_flags PASS
assert_status iommu.enabled PASS
assert_status iommu.passthrough WARN
assert_status iommu.irq_remap PASS
assert_status iommu.isolation WARN
assert_status secure.sev SKIP
assert_status secure.tdx SKIP
# --strict: the warnings fail
validate --strict -q >/dev/null; rc=$?
assert_eq "$rc" 1 "--strict exit"
assert_status memory.thp PASS
grep -q "transparent hugepages off (never); hugepages are reserved" "$ST.json" || fail "THP never with a reserved pool warned"
