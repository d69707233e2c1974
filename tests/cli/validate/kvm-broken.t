# vmx present, KVM_CREATE_VM fails: reported broken (never falsely green).
# golden
HOST=validate-kvm-broken
. ./common.sh
check_host 1 --for kvm
assert_status kvm.cpu_flags FAIL
assert_status kvm.probe FAIL
grep -q 'KVM_CREATE_VM' "$ST.json" || fail "the failing call is not named"
