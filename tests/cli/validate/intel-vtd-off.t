# VT-d on in firmware (DMAR present), not enabled in the kernel: the remedy
# is the kernel argument, not the BIOS.
# golden
HOST=validate-intel-vtd-off
. ./common.sh
# Without --for the question is "can it run KVM guests?": yes, so the IOMMU
# findings are warnings that name the jobs they block, and the exit is 0.
check_host 0
assert_status iommu.enabled WARN
grep -q 'needed for passthrough' "$ST.json" || fail "WARN does not name the job it blocks"
# For passthrough they are failures.
check_host 1 --for passthrough
assert_status iommu.firmware PASS
assert_status iommu.enabled FAIL
grep -q 'add intel_iommu=on to the kernel command line' "$ST.json" || fail "no intel_iommu=on remedy"
grep -q 'BIOS' <<<"$(grep -A1 '"iommu.enabled"' "$ST.json")" && fail "BIOS remedy for a kernel problem"
assert_status iommu.passthrough SKIP
assert_status kvm.probe PASS
check_host 0
assert_status network.bridge_nf WARN
