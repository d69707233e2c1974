# KVM_RUN never returns (a wedged hypervisor below a nested or paravirtual
# KVM): kvmprep-validate gives the probe 10 s, kills it, reports KVM
# broken, exits 1, and leaves no probe process behind (a boot unit or a
# fleet run must not hang on it).
# timeout 120
HOST=validate-kvm-hang
. ./common.sh
t0=$(date +%s)
out=$(validate --for kvm 2>&1); rc=$?
t1=$(date +%s)
assert_eq "$rc" 1 "exit"
echo "$out" | grep -q '^  FAIL  kvm.probe            KVM is broken: the probe'"'"'s guest code did not come back from KVM_RUN within 10 s$' ||
	fail "kvm.probe: $out"
echo "$out" | grep -q '^        hint: check the kernel log (dmesg) for kvm errors and memory failures$' || fail "hint: $out"
[ $((t1 - t0)) -ge 9 ] && [ $((t1 - t0)) -le 30 ] || fail "took $((t1 - t0)) s, not the 10 s bound"
# the killed probe is gone (SIGKILL ends a task in KVM_RUN): no process
# of this fake host's tree is left
sleep 1
left=$(pgrep -f "kvmprep-validate --for kvm" | while read -r p; do
	grep -qas "FAKEHOST_TREE=$ST" "/proc/$p/environ" && echo "$p"; done)
assert_eq "$left" "" "probe processes left"
exit 0
