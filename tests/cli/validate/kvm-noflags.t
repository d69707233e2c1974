# Paravirtual KVM (PVM) in a VM: no vmx flag, yet the probe runs guest
# code, so KVM is usable (never falsely red).
# golden
HOST=validate-kvm-noflags
. ./common.sh
check_host 0 --for kvm
assert_status kvm.cpu_flags PASS
assert_status kvm.probe PASS
assert_status kvm.modules PASS
grep -q 'no vmx flag, but KVM runs guest code' "$ST.json" || fail "finding does not explain"
