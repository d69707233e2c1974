# AMD EPYC that offers SEV-SNP, booted with iommu=pt: the AMD IOMMU driver
# disables SNP in passthrough mode (drivers/iommu/amd/init.c,
# iommu_snp_enable), so kvm_amd says sev_snp=N. validate names that cause
# (not "enable it in kvm_amd"), and never suggests iommu=pt on this CPU.
# golden
HOST=validate-amd-snp-pt
. ./common.sh
check_host 1 --for secure
assert_status secure.sev PASS
assert_status secure.sev_snp FAIL
grep -q 'SEV-SNP, but it cannot work: the IOMMU is in passthrough mode (iommu=pt)' "$ST.json" ||
	fail "sev_snp does not name iommu=pt"
grep -q 'remove iommu=pt' "$ST.json" || fail "no remedy"
check_host 0 --for passthrough
assert_status iommu.passthrough WARN
grep -q 'disables SEV-SNP' "$ST.json" || fail "iommu.passthrough does not say what pt costs"
# without --for, a secure-only failure is a WARN naming the job
check_host 0
assert_status secure.sev_snp WARN
