# timeout 900
# kvmprep-sriov on the lab's emulated NVMe PF (real SR-IOV, real VFs, real
# IOMMU groups and /dev/vfio/N): list, set 0->4->2->0 with the VFs on
# vfio-pci, reruns unchanged, a removal refused while a paused QEMU holds a
# VF, rollbacks after real failures the case provokes (a bound the kernel
# cannot meet; a SIGKILL half-way, then recover). One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

if vmlab_guest; then
	PF=$LAB_NVME_PF
	st() { vmlab_state >"$VMLAB_OUT/$1"; }
	st s0
	save list kvmprep-sriov list
	save list-v kvmprep-sriov list -v "$PF"
	save set4 kvmprep-sriov set "$PF" 4 --driver vfio-pci
	st s1
	stat -c '%n %F' /dev/vfio/* >"$VMLAB_OUT/s1-vfio" 2>&1
	save list-v4 kvmprep-sriov list -v "$PF"
	save list-v4.json kvmprep-sriov list -v --json "$PF"
	save set4-again kvmprep-sriov set "$PF" 4 --driver vfio-pci
	st s2
	save set2 kvmprep-sriov set "$PF" 2 --driver vfio-pci
	st s3
	save set2-again.json kvmprep-sriov set "$PF" 2 --driver vfio-pci --json
	# a paused QEMU holds VF 0: removing the VFs is refused, nothing changes
	VF0=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn0")")
	echo "$VF0" >"$VMLAB_OUT/vf0"
	vmlab_hold_qemu held -device vfio-pci,host="$VF0"
	echo $? >"$VMLAB_OUT/held.rc"
	save set0-held timeout -k 5 60 kvmprep-sriov set "$PF" 0
	st s4
	vmlab_stop_qemu
	sleep 1
	# a real failure: a bound the kernel cannot meet (1 ms for four VFs
	# under TCG); the PF must get back its two VFs on vfio-pci
	save set4-timeout kvmprep-sriov set "$PF" 4 --driver vfio-pci --timeout 1
	st s5
	sleep 3
	st s5b
	ls /run/kvmprep >"$VMLAB_OUT/s5-run" 2>&1
	save recover5 kvmprep-sriov recover
	st s5c
	save set0-dry kvmprep-sriov set "$PF" 0 --dry-run
	st s6
	save set0 kvmprep-sriov set "$PF" 0
	st s7
	save set0-again kvmprep-sriov set "$PF" 0
	# the PF's own driver for the VFs (nvme cannot initialise them)
	save set2-default kvmprep-sriov set "$PF" 2
	# nvme gives the VFs up from its reset work: wait for it (bounded)
	for i in $(seq 300); do
		[ -e "/sys/bus/pci/devices/$PF/virtfn0/driver" ] ||
			[ -e "/sys/bus/pci/devices/$PF/virtfn1/driver" ] || break
		sleep 0.1
	done
	echo "$i" >"$VMLAB_OUT/s8-waited"
	st s8
	save set3-noprobe kvmprep-sriov set "$PF" 3 --no-probe
	st s9
	cat "/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe" >"$VMLAB_OUT/s9-autoprobe"
	save set0b kvmprep-sriov set "$PF" 0
	st s10
	# bad input on the real kernel
	save set-toomany kvmprep-sriov set "$PF" 9
	save set-notsriov kvmprep-sriov set "$LAB_NVME2" 1
	st s11
	# SIGKILL half-way (once its journal exists: it has begun changing the
	# host and not finished), then recover
	kvmprep-sriov set "$PF" 4 --driver vfio-pci >"$VMLAB_OUT/killed" 2>&1 &
	kp=$!
	while [ ! -e /run/kvmprep/journal ] && kill -0 $kp 2>/dev/null; do :; done
	kill -KILL $kp
	wait $kp 2>/dev/null
	st k1
	ls /run/kvmprep >"$VMLAB_OUT/k1-run" 2>&1
	save k-recover kvmprep-sriov recover
	st k2
	save k-recover-again kvmprep-sriov recover
	dmesg >"$VMLAB_OUT/dmesg"
	exit 0
fi

vmlab_boot --timeout 800 "$0" || fail "the guest's part failed"
for f in list set4 set4-again set2 set0-held set4-timeout recover5 set0 set2-default set3-noprobe set-toomany set-notsriov k-recover; do
	echo "== $f (exit $(rc_of $f))"
	cat "$(res $f)" "$(res $f.err)"
done
PF=$LAB_NVME_PF
VFS4=0000:02:00.1,0000:02:00.2,0000:02:00.3,0000:02:00.4
ok_rc() { [ "$(rc_of "$1")" = "$2" ] || fail "$1: exit $(rc_of "$1"), wanted $2: $(cat "$(res "$1").err")"; }
# every VF of PF in STATE on DRIVER (override OVR), in a group of its own
# with /dev/vfio/N when on vfio-pci; what OUT printed agrees with the kernel
vfs_on() {
	local st=$1 drv=$2 ovr=$3 out=${4:-} v g
	for v in $(st_vfs "$PF" "$st" | tr , ' '); do
		[ "$(st_drv "$v" "$st")" = "$drv" ] || fail "$v: driver $(st_drv "$v" "$st"), wanted $drv"
		[ "$(st_ovr "$v" "$st")" = "$ovr" ] || fail "$v: override $(st_ovr "$v" "$st"), wanted $ovr"
		g=$(st_grp "$v" "$st")
		st_has "group $g $v" "$st" || fail "$v: group $g is not its own: $(grep "^group $g " "$(res "$st")")"
		if [ "$drv" = vfio-pci ]; then
			st_has "vfio $g" "$st" || fail "$v: no /dev/vfio/$g"
		fi
		if [ -n "$out" ]; then
			local want="$v  $( [ "$drv" = none ] && echo - || echo "$drv")"
			grep -q "^ *[0-9]  $v  " "$(res "$out")" || fail "$out does not list $v"
			grep "^ *[0-9]  $v  " "$(res "$out")" | grep -q " $g  " || fail "$out: $v not in group $g"
			[ "$drv" != vfio-pci ] || grep "^ *[0-9]  $v  " "$(res "$out")" | grep -q "/dev/vfio/$g$" ||
				fail "$out: $v without /dev/vfio/$g"
			grep "^ *[0-9]  $v  " "$(res "$out")" | grep -q "$want" || fail "$out: $v not on '$want'"
		fi
	done
}
novfs() {
	[ "$(st_numvfs "$PF" "$1")" = 0 ] || fail "$1: numvfs $(st_numvfs "$PF" "$1")"
	! grep -q '^pci 0000:02:00\.[1-7] ' "$(res "$1")" || fail "$1: VFs left: $(grep '^pci 0000:02:00\.[1-7] ' "$(res "$1")")"
	[ "$(grep -c '^vfio [0-9]' "$(res "$1")")" = 0 ] || fail "$1: /dev/vfio nodes left: $(grep '^vfio [0-9]' "$(res "$1")")"
}

check "list: the NVMe PF, nvme, 4 VFs possible, none made" eval '
	ok_rc list 0
	grep -Eq "^$PF +1b36:0010 +- +nvme +- +4 +0 +yes +no" "$(res list)" || fail "$(cat "$(res list)")"'
check "before: no VFs on the real PF" novfs s0
check "set 4 --driver vfio-pci: exit 0, 4 real VFs, each on vfio-pci in its own group with /dev/vfio/N, as printed" eval '
	ok_rc set4 0
	grep -Eq "^$PF +4 +0 +vfio-pci +set$" "$(res set4)" || fail "summary: $(head -2 "$(res set4)")"
	[ "$(st_vfs $PF s1)" = $VFS4 ] || fail "VFs: $(st_vfs $PF s1)"
	vfs_on s1 vfio-pci vfio-pci set4
	grep -q "^/dev/vfio/[0-9]* character special file" "$(res s1-vfio)" || fail "$(cat "$(res s1-vfio)")"'
check "set 4: only the PF's VFs changed" eval '
	diff <(grep -v "0000:02:00\.[1-7]" "$(res s0)" | grep -v "^group [0-9]* $" | grep -v "^sriov " | grep -v "^vfio") \
	     <(grep -v "0000:02:00\.[1-7]" "$(res s1)" | grep -v "^sriov " | grep -v "^vfio")'
check "list -v: each VF with the kernel's driver and group" eval '
	ok_rc list-v4 0
	for v in $(st_vfs $PF s1 | tr , " "); do
		grep -Eq "^$PF +[0-3] +$v +vfio-pci .* $(st_grp $v s1) +no$" "$(res list-v4)" || fail "$v: $(grep $v "$(res list-v4)")"
	done
	jq_py "$(res list-v4.json)" "d[\"schema\"]" | grep -qx 1 || fail "list -v --json"'
check "set 4 again: exit 0, unchanged, nothing changed" eval '
	ok_rc set4-again 0
	grep -Eq "^$PF +4 +4 +vfio-pci +unchanged$" "$(res set4-again)" || fail "$(head -2 "$(res set4-again)")"
	diff "$(res s1)" "$(res s2)"'
check "set 2 (through 0): exit 0, VFs 0 and 1 on vfio-pci, the others and their /dev/vfio gone" eval '
	ok_rc set2 0
	[ "$(st_vfs $PF s3)" = 0000:02:00.1,0000:02:00.2 ] || fail "VFs: $(st_vfs $PF s3)"
	vfs_on s3 vfio-pci vfio-pci set2
	[ "$(grep -c "^vfio [0-9]" "$(res s3)")" = 2 ] || fail "vfio nodes: $(grep "^vfio" "$(res s3)")"'
check "set 2 again --json: changed false" eval '
	ok_rc set2-again.json 0
	[ "$(jq_py "$(res set2-again.json)" "d[\"changed\"]")" = False ] || fail "$(cat "$(res set2-again.json)")"'
check "a paused QEMU held VF 0 ($(cat "$(res vf0)")): set 0 refused (exit 1) naming it, nothing changed" eval '
	[ "$(cat "$(res held.rc)")" = 0 ] || fail "QEMU did not take the VF: $(cat "$(res held.qemu.log)")"
	ok_rc set0-held 1
	grep -q "in use: /dev/vfio/$(st_grp $(cat "$(res vf0)") s3) is held open by qemu-system-x86 (pid [0-9]*)" "$(res set0-held.err)" ||
		fail "$(cat "$(res set0-held.err)")"
	diff "$(res s3)" "$(res s4)"'
check "a bound the kernel cannot meet (--timeout 1): exit 1 naming it, the journal kept for recovery" eval '
	ok_rc set4-timeout 1
	grep -q "did not answer within 1 ms" "$(res set4-timeout.err)" || fail "$(cat "$(res set4-timeout.err)")"
	grep -qx journal "$(res s5-run)" || fail "no journal: $(cat "$(res s5-run)")"'
check "recover after it: exit 0, says so, the PF has its 2 VFs on vfio-pci again, exactly as before" eval '
	ok_rc recover5 0
	grep -q "rolled back an interrupted .kvmprep-sriov set." "$(res recover5.err)" || fail "$(cat "$(res recover5.err)")"
	diff "$(res s3)" "$(res s5c)"'
check "set 0 --dry-run: would set, nothing changed" eval '
	ok_rc set0-dry 0
	grep -Eq "^$PF +0 +2 +- +would set$" "$(res set0-dry)" || fail "$(cat "$(res set0-dry)")"
	diff "$(res s5c)" "$(res s6)"'
check "set 0: exit 0, no VF, no VF group, no /dev/vfio node left; again: unchanged" eval '
	ok_rc set0 0
	novfs s7
	diff <(grep -v "^group" "$(res s0)") <(grep -v "^group" "$(res s7)")
	ok_rc set0-again 0
	grep -Eq "^$PF +0 +0 +- +unchanged$" "$(res set0-again)" || fail "$(cat "$(res set0-again)")"'
# the VFs' own driver (nvme) binds, and gives up later, asynchronously: its
# reset work finds the VF not ready ("Device not ready; aborting
# initialisation", "Removing after probe failure status: -19"). set prints
# the probe's immediate result.
check "set 2 without --driver: exit 0, nvme probed each VF (printed), and later released them (the kernel's async failure)" eval '
	ok_rc set2-default 0
	for v in 0000:02:00.1 0000:02:00.2; do
		grep -Eq "^ *[01]  $v  (nvme|-) " "$(res set2-default)" || fail "$(grep $v "$(res set2-default)")"
	done
	vfs_on s8 none "(null)"'
check "set 3 --no-probe: driverless VFs, autoprobe back on afterwards" eval '
	ok_rc set3-noprobe 0
	[ "$(st_numvfs $PF s9)" = 3 ] || fail "numvfs $(st_numvfs $PF s9)"
	vfs_on s9 none "(null)" set3-noprobe
	[ "$(cat "$(res s9-autoprobe)")" = 1 ] || fail "sriov_drivers_autoprobe $(cat "$(res s9-autoprobe)")"'
check "set 0 from 3: exit 0, no VFs" eval 'ok_rc set0b 0; novfs s10'
check "more VFs than sriov_totalvfs: exit 3, one line, nothing changed" eval '
	ok_rc set-toomany 3
	grep -q "at most 4 (sriov_totalvfs)" "$(res set-toomany.err)" || fail "$(cat "$(res set-toomany.err)")"
	[ "$(wc -l <"$(res set-toomany.err)")" = 1 ] || fail "more than one line"
	ok_rc set-notsriov 3
	grep -q "not SR-IOV capable" "$(res set-notsriov.err)" || fail "$(cat "$(res set-notsriov.err)")"
	diff "$(res s10)" "$(res s11)"'
check "SIGKILL half-way through set 4, then recover: exit 0, back to no VFs; recover again: nothing to do" eval '
	grep -qx journal "$(res k1-run)" || fail "the kill came after the run ended: $(cat "$(res k1-run)")"
	ok_rc k-recover 0
	grep -q "rolled back an interrupted .kvmprep-sriov set." "$(res k-recover.err)" || fail "$(cat "$(res k-recover)" "$(res k-recover.err)")"
	novfs k2
	diff <(grep -v "^group" "$(res s10)") <(grep -v "^group" "$(res k2)")
	ok_rc k-recover-again 0'
checks_done
