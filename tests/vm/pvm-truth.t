# kvm.guests tells the truth on THIS machine: whether an ordinary guest (a
# Debian cloud kernel) boots under QEMU with KVM, judged by an independent
# attempt. The kernel is booted with -accel kvm for a bounded time and its
# first console line ("Linux version") looked for; a TCG boot of the same
# kernel proves the kernel and QEMU work. On a paravirtual KVM (PVM, this
# machine) the stock kernel stalls under KVM, and validate must not say
# PASS; where it boots, validate must not warn.
# The kernel comes from the launcher cases' cache (tests/vm/launch/guest.sh).
. "$TOP/tests/vm/launch/guest.sh"
[ -c /dev/kvm ] || skip "no /dev/kvm on this machine"
QEMU=$(command -v qemu-system-x86_64) || skip "no qemu-system-x86_64"
[ "$(uname -m)" = x86_64 ] || skip "not x86_64"
lg_kernel
img=$KERNEL
W=$SCRATCH

boot() { # ACCEL SECONDS: 0 when the kernel printed its banner in time
	timeout "$2" "$QEMU" -M q35 -accel "$1" -m 256 -smp 1 -nographic -no-reboot -nic none \
		-nodefaults -serial stdio -kernel "$img" \
		-append "console=ttyS0 earlyprintk=ttyS0 panic=-1" >"$W/$1.log" 2>&1 </dev/null
	grep -aq 'Linux version' "$W/$1.log"
}
boot tcg 60 || { sed 's/^/    /' "$W/tcg.log" | tail -5; fail "the kernel does not even boot under TCG"; }
if boot kvm 10; then boots=1; else boots=0; fi
echo "stock kernel under KVM: $([ $boots = 1 ] && echo boots || echo stalls)"

unset KVMPREP_ROOT UMOCKDEV_DIR
status() { # ARGS…: the status of kvm.guests
	kvmprep-validate --json "$@" | python3 -c \
		'import json,sys; print([c["status"] for c in json.load(sys.stdin)["checks"] if c["id"]=="kvm.guests"][0])'
}
def=$(status) || fail "no kvm.guests in the JSON"
forkvm=$(status --for kvm)
echo "kvm.guests: $def, with --for kvm: $forkvm"
if [ $boots = 1 ]; then
	assert_eq "$def" PASS "kvm.guests where a stock kernel boots under KVM"
	assert_eq "$forkvm" PASS "kvm.guests --for kvm where a stock kernel boots under KVM"
else
	assert_eq "$def" WARN "kvm.guests where a stock kernel stalls under KVM"
	assert_eq "$forkvm" FAIL "kvm.guests --for kvm where a stock kernel stalls under KVM"
	kvmprep-validate --for kvm >/dev/null && fail "validate --for kvm exits 0 where ordinary guests cannot boot"
	# the remedy it names works: the same kernel boots under TCG (above)
	kvmprep-validate --for kvm | grep -q 'kvm.guests .*paravirtual KVM (kvm_pvm' ||
		fail "kvm.guests does not name paravirtual KVM"
fi
exit 0
