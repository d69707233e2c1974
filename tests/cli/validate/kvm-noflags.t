# Paravirtual KVM (PVM) in a VM: no vmx flag, yet the probe runs guest
# code, so KVM itself is usable (never falsely red) -- but only PVM guest
# kernels boot under it (never falsely green): kvm.guests is a WARN by
# default, a FAIL under --for kvm, a PASS with --pvm-guests.
# golden
HOST=validate-kvm-noflags
. ./common.sh
check_host 0
assert_status kvm.cpu_flags PASS
assert_status kvm.probe PASS
assert_status kvm.modules PASS
assert_status kvm.guests WARN
grep -q 'no vmx flag, but paravirtual KVM (kvm_pvm) runs guest code' "$ST.json" || fail "finding does not explain"
grep -q 'only PVM-enabled guest kernels run under KVM' "$ST.json" || fail "kvm.guests does not say PVM"

check_host 1 --for kvm
assert_status kvm.guests FAIL
assert_status kvm.probe PASS

check_host 0 --for kvm --pvm-guests
assert_status kvm.guests PASS
