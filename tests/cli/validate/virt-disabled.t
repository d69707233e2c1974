# VT-x disabled in firmware: no vmx flag, no /dev/kvm, kvm_intel not
# loadable. The remedies name the BIOS setting and the module.
# golden
HOST=validate-virt-disabled
. ./common.sh
check_host 1
assert_status kvm.cpu_flags FAIL
assert_status kvm.probe FAIL
assert_status kvm.modules FAIL
assert_status kvm.dev_access FAIL
assert_status platform.qemu FAIL
grep -q 'Intel Virtualization Technology' "$ST.json" || fail "no BIOS setting named"
