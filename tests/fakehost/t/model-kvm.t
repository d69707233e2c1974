# Kernel model: /dev/kvm answers the KVM ioctls and runs the probe's guest
# (one OUT of 0x42 to port 0xF1, then HLT); an unknown instruction is an
# internal error; "broken" fails KVM_CREATE_VM with EIO; "absent" has no
# /dev/kvm at all, even though this machine has one; "noflags" runs the
# guest like "works" while the CPU flags show neither vmx nor svm.
. "$TOP/tests/lib.sh"
K=$BUILD/helpers/fh-kvm

out=$("$FAKEHOST" model-basic -- "$K") || fail "works: $out"
assert_eq "$out" "api 12
cap user_memory 1
exit io out port=0xf1 size=1 count=1 data=0x42
exit hlt rip=0x1007 al=0x42" "works"
out=$("$FAKEHOST" model-basic -- "$K" B007E6800401E681F4) || fail "second program: $out"
assert_eq "$out" "api 12
cap user_memory 1
exit io out port=0x80 size=1 count=1 data=0x07
exit io out port=0x81 size=1 count=1 data=0x08
exit hlt rip=0x1009 al=0x08" "two outs"
out=$("$FAKEHOST" model-basic -- "$K" B0010F0B) && fail "ud2 ran"
assert_eq "$(tail -1 <<<"$out")" "exit internal_error suberror=1" "unknown instruction"
out=$("$FAKEHOST" model-kvm-broken -- "$K") && fail "broken KVM ran"
assert_eq "$(tail -1 <<<"$out")" "create_vm: EIO" "broken"
out=$("$FAKEHOST" model-kvm-absent -- "$K") && fail "absent KVM opened"
assert_eq "$out" "open: ENOENT" "absent"
out=$("$FAKEHOST" model-kvm-noflags -- "$K") || fail "noflags: $out"
assert_eq "$out" "api 12
cap user_memory 1
exit io out port=0xf1 size=1 count=1 data=0x42
exit hlt rip=0x1007 al=0x42" "noflags runs the guest"
grep -q 'vmx' "$TOP/tests/hosts/model-kvm-noflags.host" || fail "the noflags host should list vmx"
out=$("$FAKEHOST" model-kvm-noflags -- sh -c 'grep -c "^flags" /proc/cpuinfo; grep -cwE "vmx|svm" /proc/cpuinfo; grep -cw ept /proc/cpuinfo')
assert_eq "$out" "4
0
4" "noflags: /proc/cpuinfo has flags, ept, no vmx/svm"
out=$("$FAKEHOST" model-basic -- sh -c 'grep -cw vmx /proc/cpuinfo')
assert_eq "$out" "4" "works: /proc/cpuinfo keeps vmx"
