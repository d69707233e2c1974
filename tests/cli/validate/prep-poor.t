# A host prepared badly: each host preparation check says what is wrong and
# the exact remedy. FAILs that only optional jobs need are WARNs by default
# (hugepages, secure guests) and FAILs under --for.
# golden
HOST=validate-prep-poor
. ./common.sh
check_host 1 --vcpus 64
assert_status resources.isolation FAIL
grep -q 'isolates every CPU of NUMA node 0' "$ST.json" || fail "isolation does not name the node"
assert_status resources.vcpus FAIL
assert_status platform.mac_virt FAIL
grep -q 'setsebool -P virt_use_nfs 1' "$ST.json" || fail "no SELinux boolean remedy"
assert_status platform.libvirt WARN
assert_status platform.libvirt_net WARN
assert_status platform.tuned WARN
assert_status memory.ksm_tuning WARN
assert_status memory.hugepage_boot WARN
assert_status secure.secureboot WARN
assert_status secure.vtpm WARN
check_host 1 --for hugepages
assert_status memory.hugepage_boot FAIL
# only some guests need Secure Boot and a vTPM: a WARN even under --for secure
check_host 0 --for secure
assert_status secure.vtpm WARN
assert_status secure.secureboot WARN
# a malformed --vcpus is a usage error, nothing checked
expect_rc 2 validate --vcpus 0x10
expect_rc 2 validate --vcpus 0
