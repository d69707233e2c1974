# timeout 700
# bind --persist's /etc/modprobe.d/kvmprep-vfio.conf on the real kernel and
# kmod (issue 9, "drivers that come first"): with kvmprep's softdep and
# options in place and nothing else (no driver_override, no udev rule, no
# kvmprep-vfio.service: the moment a host driver module loads in the
# initramfs or from udev's coldplug), loading the host driver by the
# device's modalias, as udev does, loads vfio-pci first, which claims the
# persisted devices by id: they end on vfio-pci, e1000e loaded beside them
# with nothing to take. The same reload without kvmprep's file gives them
# to e1000e (so the file is what decides). One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

mp=/etc/modprobe.d/kvmprep-vfio.conf
# the state a fresh boot starts from: neither device bound, no override,
# neither module loaded (in the order a boot has none of them)
unload_all() {
	local d
	for d in "$LAB_E1000E" "$LAB_E1000E2"; do
		[ -e "/sys/bus/pci/devices/$d/driver" ] &&
			echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
		echo >"/sys/bus/pci/devices/$d/driver_override"
	done
	modprobe -r vfio_pci e1000e
	for m in vfio_pci e1000e; do
		[ ! -d "/sys/module/$m" ] || echo "module $m still loaded" >&2
	done
}

if vmlab_guest; then
	vmlab_state >"$VMLAB_OUT/s0"
	save persist kvmprep-iommu bind --persist "$LAB_E1000E" "$LAB_E1000E2"
	cp "$mp" "$VMLAB_OUT/modprobe.conf" 2>/dev/null
	vmlab_state >"$VMLAB_OUT/s1"
	# boot-time module loading, kvmprep's file in place
	save unload1 unload_all
	vmlab_state >"$VMLAB_OUT/s2"
	save coldplug1 vmlab_coldplug
	vmlab_state >"$VMLAB_OUT/s3"
	ls /sys/module >"$VMLAB_OUT/s3-modules"
	# kmod's own reading of the configuration (vfio-pci's ids parameter
	# has no sysfs file: module_param_string(ids, …, 0))
	modprobe -c >"$VMLAB_OUT/s3-modprobe-c" 2>&1
	# the same without it
	mv "$mp" "$mp.off"
	save unload2 unload_all
	save coldplug2 vmlab_coldplug
	vmlab_state >"$VMLAB_OUT/s4"
	exit 0
fi

vmlab_boot --timeout 500 "$0" || fail "the lab guest's part failed"
check "coldplug gave both e1000e NICs to e1000e at first" eval '
	[ "$(st_drv $LAB_E1000E s0)" = e1000e ] && [ "$(st_drv $LAB_E1000E2 s0)" = e1000e ] ||
		fail "$(grep -E "^pci ($LAB_E1000E|$LAB_E1000E2) " $(res s0))"'
check "bind --persist: exit 0, both on vfio-pci" eval '
	[ "$(rc_of persist)" = 0 ] || fail "exit $(rc_of persist): $(cat $(res persist.err))"
	[ "$(st_drv $LAB_E1000E s1)" = vfio-pci ] && [ "$(st_drv $LAB_E1000E2 s1)" = vfio-pci ] ||
		fail "$(grep -E "^pci ($LAB_E1000E|$LAB_E1000E2) " $(res s1))"'
check "modprobe.d: softdep e1000e pre: vfio-pci and options vfio-pci ids=8086:10d3" eval '
	grep -qx "softdep e1000e pre: vfio-pci" $(res modprobe.conf) || fail "$(cat $(res modprobe.conf))"
	grep -qx "options vfio-pci ids=8086:10d3" $(res modprobe.conf) || fail "$(cat $(res modprobe.conf))"'
check "the fresh-boot state: both unbound, no override, vfio_pci and e1000e unloaded" eval '
	[ "$(rc_of unload1)" = 0 ] && [ ! -s $(res unload1.err) ] || fail "$(cat $(res unload1.err))"
	for d in $LAB_E1000E $LAB_E1000E2; do
		[ "$(st_drv $d s2)" = none ] || fail "$d: $(_st_pci $d s2)"
		case "$(st_ovr $d s2)" in -|"(null)") ;; *) fail "$d: $(_st_pci $d s2)" ;; esac
	done'
check "e1000e loaded by modalias with kvmprep's file: both devices end on vfio-pci" eval '
	[ "$(st_drv $LAB_E1000E s3)" = vfio-pci ] && [ "$(st_drv $LAB_E1000E2 s3)" = vfio-pci ] ||
		fail "$(grep -E "^pci ($LAB_E1000E|$LAB_E1000E2) " $(res s3))"'
check "e1000e was loaded all the same (it lost the race, not the load)" \
	grep -qx e1000e "$(res s3-modules)"
check "kmod reads kvmprep's softdep and options" eval '
	grep -qx "softdep e1000e pre: vfio-pci" $(res s3-modprobe-c) || fail "no softdep in modprobe -c"
	grep -qx "options vfio_pci ids=8086:10d3" $(res s3-modprobe-c) || fail "no options in modprobe -c"'
check "without kvmprep's file the same load gives them to e1000e" eval '
	[ "$(st_drv $LAB_E1000E s4)" = e1000e ] && [ "$(st_drv $LAB_E1000E2 s4)" = e1000e ] ||
		fail "$(grep -E "^pci ($LAB_E1000E|$LAB_E1000E2) " $(res s4))"'
checks_done
