# timeout 900
# kvmprep-mdev on the kernel's real sample parents (mtty, mdpy, mbochs):
# types, create, list, remove, the real errnos when instances run out, a
# remove refused while a process holds the group open; definitions shared
# with Debian's mdevctl in the same guest. Then kvmprep-launch with a real
# vfio-pci device and a real mtty mdev: a nested QEMU (TCG) whose QMP
# query-pci shows both realized, started without CAP_IPC_LOCK under an 8 MiB
# RLIMIT_MEMLOCK that the launcher raises; the same QEMU started by hand
# under that limit fails (vfio_dma_map -12). One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

U1=11111111-2222-4333-8444-000000000001
U2=11111111-2222-4333-8444-000000000002
U3=11111111-2222-4333-8444-000000000003
U4=11111111-2222-4333-8444-000000000004
U5=11111111-2222-4333-8444-000000000005
U6=11111111-2222-4333-8444-000000000006
U7=11111111-2222-4333-8444-000000000007
UR=11111111-2222-4333-8444-0000000000ff
if vmlab_guest; then
	st() { vmlab_state >"$VMLAB_OUT/$1"; }
	avail() { cat "/sys/class/mdev_bus/$1/mdev_supported_types/$2/available_instances"; }
	modprobe mtty && modprobe mdpy && modprobe mbochs
	echo $? >"$VMLAB_OUT/modprobe.rc"
	st m0
	for p in /sys/class/mdev_bus/*; do
		for t in "$p"/mdev_supported_types/*; do
			echo "${p##*/} ${t##*/} $(cat "$t/name" 2>/dev/null | tr ' ' _) $(cat "$t/device_api") $(cat "$t/available_instances")"
		done
	done >"$VMLAB_OUT/m0-types"
	save types kvmprep-mdev types
	save types.json kvmprep-mdev types --json
	save types-mtty kvmprep-mdev types mtty
	save create1 kvmprep-mdev create -p mtty -t mtty-2 -u $U1
	st m1
	save create1-again kvmprep-mdev create -p mtty -t mtty-2 -u $U1
	save create1-othertype kvmprep-mdev create -p mtty -t mtty-1 -u $U1
	save list kvmprep-mdev list
	save list.json kvmprep-mdev list --json
	echo "$(avail mtty mtty-1) $(avail mtty mtty-2)" >"$VMLAB_OUT/m1-avail"
	# mtty until none is left: what kvmprep says, then the kernel's own errno
	n=0
	while [ $n -lt 40 ]; do
		kvmprep-mdev create -p mtty -t mtty-2 -q >>"$VMLAB_OUT/fill-mtty" 2>&1 || break
		n=$((n + 1))
	done
	echo $n >"$VMLAB_OUT/fill-mtty.n"
	echo "$(avail mtty mtty-1) $(avail mtty mtty-2)" >"$VMLAB_OUT/fill-mtty.avail"
	save full-mtty kvmprep-mdev create -p mtty -t mtty-2 -u $UR
	(echo $UR >/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2/create) 2>"$VMLAB_OUT/raw-mtty"
	echo $? >>"$VMLAB_OUT/raw-mtty"
	st m2
	# mdpy and mbochs: the same
	for pt in mdpy:mdpy-vga mbochs:mbochs-large; do
		p=${pt%%:*} t=${pt#*:}
		n=0
		while [ $n -lt 40 ]; do
			kvmprep-mdev create -p $p -t $t -q >>"$VMLAB_OUT/fill-$p" 2>&1 || break
			n=$((n + 1))
		done
		echo "$n $(avail $p $t)" >"$VMLAB_OUT/fill-$p.n"
		save full-$p kvmprep-mdev create -p $p -t $t -u $UR
		(echo $UR >/sys/class/mdev_bus/$p/mdev_supported_types/$t/create) 2>"$VMLAB_OUT/raw-$p"
		echo $? >>"$VMLAB_OUT/raw-$p"
	done
	st m3
	# every device but U1 away again
	for d in /sys/bus/mdev/devices/*; do
		[ "${d##*/}" = $U1 ] || kvmprep-mdev remove -q "${d##*/}" >>"$VMLAB_OUT/cleanup" 2>&1
	done
	st m4
	# a process holds U1's group open: remove is refused, nothing changes
	g=$(basename "$(readlink /sys/bus/mdev/devices/$U1/iommu_group)")
	echo "$g" >"$VMLAB_OUT/u1-group"
	sleep 300 3<>"/dev/vfio/$g" &
	hp=$!
	echo $hp >"$VMLAB_OUT/holder.pid"
	sleep 0.5
	save remove-held kvmprep-mdev remove $U1
	save list-held kvmprep-mdev list
	st m5
	kill $hp; wait $hp 2>/dev/null
	save remove1 kvmprep-mdev remove $U1
	save remove1-again kvmprep-mdev remove $U1
	st m6
	# definitions, both ways, with mdevctl
	save k-define kvmprep-mdev define -p mtty -t mtty-1 -u $U2 --auto
	save k-define2 kvmprep-mdev define -p mtty -t mtty-2 -u $U4 --manual
	save m-list-d mdevctl list -d
	save m-start mdevctl start -u $U2
	save k-list-after-mstart kvmprep-mdev list
	save m-define mdevctl define -u $U3 -p mtty -t mtty-2 --auto
	save k-list-d kvmprep-mdev list --defined
	save k-start kvmprep-mdev start $U3
	save m-list mdevctl list
	st m7
	mkdir -p "$VMLAB_OUT/defs"
	cp /etc/mdevctl.d/mtty/* "$VMLAB_OUT/defs/" 2>>"$VMLAB_OUT/defs.err"
	# mdevctl's own canonical file for the same definition as kvmprep's $U2
	save m-define-same mdevctl define -u $U5 -p mtty -t mtty-1 --auto
	cp /etc/mdevctl.d/mtty/$U5 "$VMLAB_OUT/defs/mdevctl-$U5" 2>>"$VMLAB_OUT/defs.err"
	save k-stop kvmprep-mdev stop $U2
	save m-stop mdevctl stop -u $U3
	save k-undefine kvmprep-mdev undefine $U3
	save m-undefine mdevctl undefine -u $U2
	save k-list-d2 kvmprep-mdev list --defined
	st m8

	# --- kvmprep-launch: a vfio-pci device and an mtty mdev --------------
	save l-bind kvmprep-iommu bind "$LAB_E1000E"
	save l-create kvmprep-mdev create -p mtty -t mtty-2 -u $U7
	st l0
	L=(kvmprep-launch --name labguest --kernel "$VMLAB_LAB/vmlinuz" -m 128 --accel tcg
		--console none --vfio "$LAB_E1000E" --mdev $U7 --shutdown-timeout 2
		--state-dir /tmp/labguest)
	save l-dry "${L[@]}" --qmp /tmp/l.qmp --dry-run
	save l-dry.json "${L[@]}" --qmp /tmp/l.qmp --dry-run --json
	# no CAP_IPC_LOCK, RLIMIT_MEMLOCK 8 MiB: the launcher must raise it
	NOLOCK=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock --)
	( ulimit -l 8192; exec "${NOLOCK[@]}" "${L[@]}" --qmp /tmp/l.qmp ) \
		>"$VMLAB_OUT/l-run" 2>"$VMLAB_OUT/l-run.err" </dev/null &
	lp=$!
	vmlab_qmp /tmp/l.qmp query-pci query-status >"$VMLAB_OUT/l-qmp" 2>"$VMLAB_OUT/l-qmp.err"
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$lp" ] || [ "${p#/proc/}" = "$lp" ] || continue
		echo "== ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" | cut -c1-60)"
		grep 'locked memory' "$p/limits"
		grep '^CapEff' "$p/status"
	done >"$VMLAB_OUT/l-procs" 2>&1
	st l1
	vmlab_qmp /tmp/l.qmp quit >/dev/null 2>&1
	wait $lp
	echo $? >"$VMLAB_OUT/l-run.rc"
	st l2
	# the same devices in a QEMU started by hand under the same limit
	( ulimit -l 8192; exec "${NOLOCK[@]}" timeout -k 5 120 qemu-system-x86_64 -S -M q35 -accel tcg \
		-m 128 -nodefaults -display none -nic none -device vfio-pci,host="$LAB_E1000E" \
		-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$U7 -qmp unix:/tmp/h.qmp,server=on,wait=off ) \
		>"$VMLAB_OUT/h-run" 2>&1 </dev/null &
	hp=$!
	vmlab_qmp /tmp/h.qmp quit >"$VMLAB_OUT/h-qmp" 2>&1
	wait $hp
	echo $? >"$VMLAB_OUT/h-run.rc"
	dmesg >"$VMLAB_OUT/dmesg"
	exit 0
fi

vmlab_boot --timeout 800 "$0" || fail "the guest's part failed"
for f in types create1 create1-again create1-othertype list full-mtty full-mdpy full-mbochs remove-held list-held remove1 k-define m-list-d k-list-d k-start m-list l-bind l-create l-dry; do
	echo "== $f (exit $(rc_of $f))"
	cat "$(res $f)" "$(res $f.err)"
done
ok_rc() { [ "$(rc_of "$1")" = "$2" ] || fail "$1: exit $(rc_of "$1"), wanted $2: $(cat "$(res "$1").err")"; }

check "the three sample parents loaded, and types lists each of the kernel's types with its instances" eval '
	[ "$(cat "$(res modprobe.rc)")" = 0 ] || fail "modprobe mtty mdpy mbochs failed"
	[ "$(wc -l <"$(res m0-types)")" = 8 ] || fail "$(cat "$(res m0-types)")"
	ok_rc types 0
	while read -r p t name api n; do
		grep -Eq "^$p +$t +.* +$api +$n +mdev " "$(res types)" || fail "types: no \"$p $t $api $n\""
	done <"$(res m0-types)"
	[ "$(grep -c "^mtty " "$(res types-mtty)")" = 2 ] || fail "types mtty: $(cat "$(res types-mtty)")"
	jq_py "$(res types.json)" "d[\"schema\"]" | grep -qx 1 || fail "types --json"'
check "create: exit 0, prints UUID and sysfs path; the kernel has the device, its type, its own group and /dev/vfio/N" eval '
	ok_rc create1 0
	[ "$(cat "$(res create1)")" = "$U1 /sys/bus/mdev/devices/$U1" ] || fail "$(cat "$(res create1)")"
	st_has "mdev $U1 type=mtty-2 parent=mtty" m1 || fail "$(grep ^mdev "$(res m1)")"
	g=$(grep " $U1$" "$(res m1)" | sed -n "s/^group \([0-9]*\) $U1$/\1/p")
	[ -n "$g" ] || fail "no group of its own for $U1"
	st_has "vfio $g" m1 || fail "no /dev/vfio/$g"
	[ "$(cat "$(res m1-avail)")" = "22 11" ] || fail "available after one mtty-2: $(cat "$(res m1-avail)") (24 ports: 22 single, 11 dual left)"'
check "create again: unchanged; the same UUID on another type: refused (exit 1)" eval '
	ok_rc create1-again 0
	grep -q " unchanged$" "$(res create1-again)" || fail "$(cat "$(res create1-again)")"
	ok_rc create1-othertype 1
	grep -q "in use by a mtty-2 device on mtty" "$(res create1-othertype.err)" || fail "$(cat "$(res create1-othertype.err)")"'
check "list: the device with its group and node, as the kernel has them" eval '
	ok_rc list 0
	g=$(sed -n "s/^group \([0-9]*\) $U1$/\1/p" "$(res m1)")
	grep -Eq "^$U1 +mtty +mtty-2 +- +yes +no +$g +/dev/vfio/$g +- " "$(res list)" || fail "$(cat "$(res list)")"'
check "mtty until none is left: 11 more dual ports, then refused (exit 1) naming no instance left; the kernel itself says ENOSPC" eval '
	[ "$(cat "$(res fill-mtty.n)")" = 11 ] || fail "created $(cat "$(res fill-mtty.n)")"
	[ "$(cat "$(res fill-mtty.avail)")" = "0 0" ] || fail "available: $(cat "$(res fill-mtty.avail)")"
	ok_rc full-mtty 1
	grep -q "cannot create mtty-2: no instance left" "$(res full-mtty.err)" || fail "$(cat "$(res full-mtty.err)")"
	grep -q "No space left on device" "$(res raw-mtty)" || fail "the raw write: $(cat "$(res raw-mtty)")"
	[ "$(grep -c "^mdev " "$(res m2)")" = 12 ] || fail "$(grep -c "^mdev " "$(res m2)") mdevs"'
check "mdpy: 4 devices, then refused; the mdev core itself says EUSERS" eval '
	[ "$(cat "$(res fill-mdpy.n)")" = "4 0" ] || fail "$(cat "$(res fill-mdpy.n)")"
	ok_rc full-mdpy 1
	grep -q "no instance left" "$(res full-mdpy.err)" || fail "$(cat "$(res full-mdpy.err)")"
	grep -q "Too many users" "$(res raw-mdpy)" || fail "the raw write: $(cat "$(res raw-mdpy)")"'
check "mbochs-large until none is left, then refused; the kernel says why" eval '
	n=$(cut -d" " -f1 "$(res fill-mbochs.n)")
	[ "$n" -ge 1 ] || fail "created $n"
	[ "$(cut -d" " -f2 "$(res fill-mbochs.n)")" = 0 ] || fail "$(cat "$(res fill-mbochs.n)")"
	ok_rc full-mbochs 1
	grep -q "no instance left" "$(res full-mbochs.err)" || fail "$(cat "$(res full-mbochs.err)")"
	grep -Eq "No space left on device|Too many users" "$(res raw-mbochs)" || fail "the raw write: $(cat "$(res raw-mbochs)")"'
check "remove while a process holds the group open: refused (exit 1) naming it; list shows the holder; nothing changed" eval '
	ok_rc remove-held 1
	grep -q "open by sleep (pid $(cat "$(res holder.pid)"))" "$(res remove-held.err)" || fail "$(cat "$(res remove-held.err)")"
	grep -q "sleep (pid $(cat "$(res holder.pid)"))" "$(res list-held)" || fail "$(cat "$(res list-held)")"
	diff "$(res m4)" "$(res m5)"'
check "remove once released: exit 0, the device, its group and node gone; again: unchanged" eval '
	ok_rc remove1 0
	[ "$(cat "$(res remove1)")" = "removed $U1" ] || fail "$(cat "$(res remove1)")"
	! grep -q "$U1" "$(res m6)" || fail "$(grep "$U1" "$(res m6)")"
	! grep -qx "vfio $(cat "$(res u1-group)")" "$(res m6)" || fail "/dev/vfio/$(cat "$(res u1-group)") left"
	ok_rc remove1-again 0
	grep -q "not active, unchanged" "$(res remove1-again)" || fail "$(cat "$(res remove1-again)")"'
check "kvmprep defines, mdevctl lists them (list -d) and starts one; kvmprep sees it active" eval '
	ok_rc k-define 0; ok_rc k-define2 0; ok_rc m-list-d 0; ok_rc m-start 0
	grep -qx "$U2 mtty mtty-1 auto" "$(res m-list-d)" || fail "$(cat "$(res m-list-d)")"
	grep -qx "$U4 mtty mtty-2 manual" "$(res m-list-d)" || fail "$(cat "$(res m-list-d)")"
	grep -Eq "^$U2 +mtty +mtty-1 +auto +yes +yes " "$(res k-list-after-mstart)" || fail "$(cat "$(res k-list-after-mstart)")"'
check "mdevctl defines, kvmprep lists (list --defined) and starts it; mdevctl sees it active" eval '
	ok_rc m-define 0; ok_rc k-list-d 0; ok_rc k-start 0; ok_rc m-list 0
	grep -Eq "^$U3 +mtty +mtty-2 +auto +no +yes " "$(res k-list-d)" || fail "$(cat "$(res k-list-d)")"
	grep -q "^$U3 /sys/bus/mdev/devices/$U3$" "$(res k-start)" || fail "$(cat "$(res k-start)")"
	grep -qx "$U3 mtty mtty-2 auto (defined)" "$(res m-list)" || fail "$(cat "$(res m-list)")"
	st_has "mdev $U3 type=mtty-2 parent=mtty" m7 || fail "not in the kernel"'
check "kvmprep's definition file is byte-identical to mdevctl's for the same definition" \
	cmp "$(res defs/$U2)" "$(res defs/mdevctl-$U5)"
check "each stops and undefines what the other made" eval '
	for f in k-stop m-stop k-undefine m-undefine k-list-d2; do ok_rc $f 0; done
	! grep -q "^mdev " "$(res m8)" || fail "active left: $(grep ^mdev "$(res m8)")"
	grep -q "^$U4 " "$(res k-list-d2)" && grep -q "^$U5 " "$(res k-list-d2)" || fail "$(cat "$(res k-list-d2)")"
	! grep -Eq "^($U2|$U3) " "$(res k-list-d2)" || fail "undefined ones listed: $(cat "$(res k-list-d2)")"'
check "launch --dry-run: a vfio-pci device and the mdev on the command line, memlock to be raised from 8 MiB" eval '
	ok_rc l-bind 0; ok_rc l-create 0; ok_rc l-dry 0
	grep -q -- "-device vfio-pci,host=$LAB_E1000E,id=hostdev0" "$(res l-dry)" || fail "no host device"
	grep -q -- "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$U7,id=mdev0" "$(res l-dry)" || fail "no mdev"
	grep -q "memlock: would raise RLIMIT_MEMLOCK to 1.1 GiB (guest memory + 1 GiB; now 8 MiB)" "$(res l-dry)" || fail "$(head -3 "$(res l-dry)")"
	jq_py "$(res l-dry.json)" "d[\"schema\"]" | grep -qx 1 || fail "--dry-run --json"'
check "launch: QEMU runs without CAP_IPC_LOCK, the launcher raised its RLIMIT_MEMLOCK to guest memory + 1 GiB" eval '
	q=$(grep -A2 "^== [0-9]* /usr/bin/qemu-system-x86_64 -name labguest" "$(res l-procs)")
	[ -n "$q" ] || fail "no QEMU under the launcher: $(cat "$(res l-procs)")"
	echo "$q" | grep -q "Max locked memory *1207959552 *1207959552" || fail "$q"
	eff=$(echo "$q" | sed -n "s/^CapEff:\s*//p")
	[ $(( 0x$eff >> 14 & 1 )) = 0 ] || fail "QEMU had CAP_IPC_LOCK ($eff)"'
check "launch: QMP query-pci shows the e1000e and the mdev realized; QEMU was running; exit 0 after quit" eval '
	python3 - "$(res l-qmp)" <<"PY" || fail "$(cat "$(res l-qmp)" "$(res l-qmp.err)" | cut -c1-300)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
pci, status = json.loads(lines[0]), json.loads(lines[1])
devs = {d.get("qdev_id"): d for b in pci for d in b["devices"]}
assert devs["hostdev0"]["id"]["vendor"] == 0x8086 and devs["hostdev0"]["id"]["device"] == 0x10d3, devs.get("hostdev0")
assert "mdev0" in devs, sorted(devs)
assert status["status"] == "running", status
PY
	[ "$(cat "$(res l-run.rc)")" = 0 ] || fail "launcher exit $(cat "$(res l-run.rc)"): $(cat "$(res l-run.err)")"'
check "the same devices in a QEMU started by hand under the same 8 MiB limit fail: vfio_dma_map -12" eval '
	[ "$(cat "$(res h-run.rc)")" = 1 ] || fail "exit $(cat "$(res h-run.rc)"): $(cat "$(res h-run)")"
	grep -q "vfio_dma_map(.*) = -12 (Cannot allocate memory)" "$(res h-run)" || fail "$(cat "$(res h-run)")"'
checks_done
