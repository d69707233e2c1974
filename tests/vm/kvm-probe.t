# The functional KVM probe of kvmprep-validate agrees with an independent
# KVM_CREATE_VM / KVM_RUN (tests/helpers/kvmrun.c) on THIS machine, whatever
# its CPU flags say. This machine has a paravirtual KVM (PVM) without the
# vmx flag: if KVM_RUN really works here, the probe must say usable.
. "$TOP/tests/lib.sh"

KVMRUN=$BUILD/helpers/kvmrun
[ -x "$KVMRUN" ] || fail "missing $KVMRUN (make tests-build)"

indep=$("$KVMRUN"); irc=$?
echo "kvmrun: $indep (exit $irc)"

# validate reads the real host here: no KVMPREP_ROOT, no umockdev
unset KVMPREP_ROOT UMOCKDEV_DIR
json=$(kvmprep-validate --json --for kvm); vrc=$?
status() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print([c for c in d["checks"] if c["id"]==sys.argv[1]][0]["status"])' "$1" <<<"$json"
}
probe=$(status kvm.probe) || fail "no kvm.probe in the JSON"
flags=$(status kvm.cpu_flags) || fail "no kvm.cpu_flags in the JSON"
echo "kvm.probe: $probe, kvm.cpu_flags: $flags (validate exit $vrc)"

case $irc in
0)	assert_eq "$probe" PASS "kvm.probe on a machine where KVM_RUN works"
	# a working KVM is usable whatever the flags say
	assert_eq "$flags" PASS "kvm.cpu_flags on a machine where KVM_RUN works" ;;
1)	assert_eq "$probe" FAIL "kvm.probe on a machine where KVM_RUN is broken"
	[ "$vrc" -eq 1 ] || fail "validate exit $vrc with a broken KVM, wanted 1" ;;
2)	case $probe in
	FAIL|WARN) ;;
	*) fail "kvm.probe is $probe without a usable /dev/kvm" ;;
	esac ;;
*)	fail "kvmrun exit $irc" ;;
esac

# the probe line says why, in the machine's own terms
if [ $irc -eq 0 ] && ! grep -q vmx /proc/cpuinfo && ! grep -q svm /proc/cpuinfo; then
	kvmprep-validate --for kvm | grep -q 'kvm.cpu_flags .*no .* flag, but .*KVM.* runs guest code' ||
		fail "cpu_flags does not explain the flagless working KVM"
fi
echo ok
