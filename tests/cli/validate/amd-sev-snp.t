# AMD EPYC with SEV, SEV-ES and SEV-SNP enabled; TDX and s390 PV do not
# apply (SKIP, never FAIL).
# golden
HOST=validate-amd-sev-snp
. ./common.sh
check_host 0 --for secure
assert_status secure.sev PASS
assert_status secure.sev_es PASS
assert_status secure.sev_snp PASS
assert_status secure.tdx SKIP
assert_status secure.s390_pv SKIP
# SNP needs DMA translation: on this CPU iommu=pt is never the advice
check_host 0 --for passthrough
assert_status iommu.passthrough PASS
grep -q 'required for SEV-SNP' "$ST.json" || fail "iommu.passthrough suggests passthrough on an SNP host"
grep -q 'add iommu=pt' "$ST.json" && fail "iommu=pt suggested on an SNP host"
exit 0
