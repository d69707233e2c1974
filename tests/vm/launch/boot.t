# A real kernel (Debian's linux-image-cloud-amd64) and a busybox initramfs
# boot to init under kvmprep-launch on this machine (TCG here: its KVM is
# paravirtual) and print a marker on the serial console; SIGTERM powers
# the guest down through QMP (system_powerdown, the guest's init acts on
# the ACPI power button); a guest that ignores the button is quit after
# the bounded wait; microvm boots and shuts down the same way; QEMU's own
# error and exit code come through when it dies at start.
. ./guest.sh
lg_kernel
lg_initramfs "$SCRATCH/initrd.gz"
CMD=(kvmprep-launch --kernel "$KERNEL" --initrd "$SCRATCH/initrd.gz" -m 256M)

echo "== q35: boot to init, SIGTERM -> system_powerdown -> SHUTDOWN"
"${CMD[@]}" --name boot --append "console=ttyS0 quiet no_timer_check" </dev/null >"$SCRATCH/con" 2>"$SCRATCH/err" &
L=$!; LG_PIDS+=("$L")
lg_wait "$SCRATCH/con" KVMPREP-INIT-OK 90
lg_wait "$SCRATCH/con" KVMPREP-WATCHING 30
Q=$(lg_qemu_pid "$L")
[ -n "$Q" ] || fail "no QEMU below the launcher"
# the fds QEMU got: 3 is the QMP socket pair; nothing else of the launcher's
[[ $(readlink "/proc/$Q/fd/3") == socket:* ]] || fail "fd 3 of QEMU is $(readlink "/proc/$Q/fd/3")"
grep -q 'boot,debug-threads=on' "/proc/$Q/cmdline" || fail "no -name …,debug-threads=on"
kill -TERM "$L"
lg_wait_exit "$L" 60
assert_eq "$RC" 0 "launcher exit after a clean powerdown"
assert_grep KVMPREP-POWER-BUTTON "$SCRATCH/con"
assert_grep "asking the guest to power down" "$SCRATCH/err"
assert_grep "accel tcg\|accel kvm" "$SCRATCH/err"
kill -0 "$Q" 2>/dev/null && fail "QEMU $Q still runs"
echo "q35 ok: $(grep -c . "$SCRATCH/con") console lines"

echo "== a guest that ignores the button: bounded wait, then quit"
"${CMD[@]}" --name deaf --shutdown-timeout 2 --append "console=ttyS0 quiet no_timer_check kp.nobutton=1" \
	</dev/null >"$SCRATCH/con2" 2>"$SCRATCH/err2" &
L=$!; LG_PIDS+=("$L")
lg_wait "$SCRATCH/con2" KVMPREP-NO-BUTTON 90
t0=$(date +%s)
kill -TERM "$L"
lg_wait_exit "$L" 30
t1=$(date +%s)
assert_eq "$RC" 0 "launcher exit after quit"
assert_grep "did not power down within 2 s: quitting QEMU" "$SCRATCH/err2"
[ $((t1 - t0)) -ge 2 ] || fail "quit before the 2 s wait was over"
grep -q KVMPREP-POWER-BUTTON "$SCRATCH/con2" && fail "the guest saw the button it should ignore"
echo "bounded wait ok"

echo "== microvm: direct kernel boot, no PCI"
"${CMD[@]}" --name micro --machine microvm --append "console=ttyS0 quiet no_timer_check tsc_early_khz=2000000" \
	</dev/null >"$SCRATCH/con3" 2>"$SCRATCH/err3" &
L=$!; LG_PIDS+=("$L")
lg_wait "$SCRATCH/con3" KVMPREP-INIT-OK 90
lg_wait "$SCRATCH/con3" KVMPREP-WATCHING 30
kill -TERM "$L"
lg_wait_exit "$L" 60
assert_eq "$RC" 0 "microvm launcher exit"
assert_grep KVMPREP-POWER-BUTTON "$SCRATCH/con3"
echo "microvm ok"

echo "== QEMU dies at start: its error, its exit code"
"${CMD[@]}" --machine nosuchmachine --append console=ttyS0 </dev/null >"$SCRATCH/out4" 2>"$SCRATCH/err4"
rc=$?
assert_eq "$rc" 1 "exit code of a QEMU that refused the machine"
assert_grep "qemu-system-x86_64: unsupported machine type" "$SCRATCH/err4"
assert_grep "exited with status 1 before the guest started" "$SCRATCH/err4"
echo ok
