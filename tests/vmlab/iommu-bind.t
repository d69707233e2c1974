# timeout 1300
# kvmprep-iommu bind / bind --group / status / unbind on the lab guest's real
# devices with real /dev/vfio/N; an unbind while a paused QEMU holds the
# device is refused or bounded, never hung; a --persist binding met by the
# next boot's own module loading (udev loads e1000e after kvmprep's rule and
# apply-persisted ran as kvmprep-vfio.service would). Two boots.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

if vmlab_guest && [ "${1:-}" = boot2 ]; then
	# --- second boot: kvmprep's files were on the host before it booted ----
	vmlab_state >"$VMLAB_OUT/boot2-udev"
	save boot2-apply kvmprep-iommu apply-persisted
	vmlab_state >"$VMLAB_OUT/boot2-apply"
	# the host driver loaded again later: the device stays with vfio-pci
	modprobe -r e1000e 2>/dev/null; modprobe e1000e
	vmlab_state >"$VMLAB_OUT/boot2-reload"
	exit 0
fi
if vmlab_guest; then
	# --- first boot ---------------------------------------------------------
	vmlab_state >"$VMLAB_OUT/s0"
	save bind kvmprep-iommu bind "$LAB_E1000E"
	vmlab_state >"$VMLAB_OUT/s1"
	stat -c '%F %t' /dev/vfio/* >"$VMLAB_OUT/s1-vfio-stat" 2>&1
	save status kvmprep-iommu status "$LAB_E1000E"
	save status-group kvmprep-iommu status "$LAB_E1000"
	save bind-nogroup kvmprep-iommu bind "$LAB_E1000"
	vmlab_state >"$VMLAB_OUT/s2"
	save bind-group kvmprep-iommu bind --group "$LAB_E1000"
	vmlab_state >"$VMLAB_OUT/s3"
	save status-group2 kvmprep-iommu status "$LAB_E1000"
	# a paused QEMU holds the e1000e
	g=$(basename "$(readlink /sys/bus/pci/devices/$LAB_E1000E/iommu_group)")
	qemu-system-x86_64 -S -M q35 -accel tcg -m 64 -nodefaults -display none -nic none \
		-device vfio-pci,host="$LAB_E1000E" -qmp unix:/tmp/qmp.sock,server=on,wait=off \
		>"$VMLAB_OUT/qemu.log" 2>&1 &
	qpid=$!
	for _ in $(seq 600); do
		ls -l /proc/$qpid/fd 2>/dev/null | grep -q "/dev/vfio/$g" && break
		kill -0 $qpid 2>/dev/null || break
		sleep 0.2
	done
	ls -l /proc/$qpid/fd 2>/dev/null | grep -c "/dev/vfio/$g" >"$VMLAB_OUT/qemu-holds"
	t0=$(date +%s)
	save unbind-held timeout -k 5 60 kvmprep-iommu unbind "$LAB_E1000E"
	echo $(($(date +%s) - t0)) >"$VMLAB_OUT/unbind-held.secs"
	vmlab_state >"$VMLAB_OUT/s4"
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	sleep 1
	vmlab_state >"$VMLAB_OUT/s4b"
	save unbind kvmprep-iommu unbind "$LAB_E1000E"
	vmlab_state >"$VMLAB_OUT/s5"
	save unbind-group kvmprep-iommu unbind "$LAB_E1000" "$LAB_RTL8139"
	vmlab_state >"$VMLAB_OUT/s6"
	# the host's use of a disk on the real kernel: swap, a mounted ext4 and
	# an open handle on the second NVMe's namespace (native multipath: the
	# disk lives under /sys/devices/virtual/nvme-subsystem, only the hidden
	# path device is below the PCI function)
	nb=$(cd /sys/block && ls -d nvme*n* 2>/dev/null | grep -v c | head -1)
	echo "$nb" >"$VMLAB_OUT/u-disk"
	readlink -f "/sys/block/$nb" >"$VMLAB_OUT/u-disk-path"
	ls "/sys/bus/pci/devices/$LAB_NVME2/nvme/"*/ >"$VMLAB_OUT/u-ctrl-ls" 2>&1
	mkswap "/dev/$nb" >/dev/null 2>&1 && swapon "/dev/$nb"
	cat /proc/swaps >"$VMLAB_OUT/u-swaps"
	save u-swap kvmprep-iommu bind --group "$LAB_NVME2"
	save u-swap-status kvmprep-iommu status "$LAB_NVME2"
	vmlab_state >"$VMLAB_OUT/u1"
	swapoff "/dev/$nb"
	modprobe ext4
	mkdir -p /vmlab/mnt
	mkfs.ext4 -q -F "/dev/$nb" >/dev/null 2>&1 && mount "/dev/$nb" /vmlab/mnt
	grep ' /vmlab/mnt ' /proc/self/mountinfo >"$VMLAB_OUT/u-mountinfo"
	save u-mount kvmprep-iommu bind --group "$LAB_NVME2"
	save u-mount-list.json kvmprep-iommu list --json
	vmlab_state >"$VMLAB_OUT/u2"
	umount /vmlab/mnt
	sleep 300 3<"/dev/$nb" &
	hp=$!
	echo $hp >"$VMLAB_OUT/u-holder"
	save u-open kvmprep-iommu bind --group "$LAB_NVME2"
	vmlab_state >"$VMLAB_OUT/u3"
	kill $hp
	wait $hp 2>/dev/null
	save u-free kvmprep-iommu bind --group "$LAB_NVME2"
	vmlab_state >"$VMLAB_OUT/u4"
	save u-free-unbind kvmprep-iommu unbind "$LAB_NVME2"
	vmlab_state >"$VMLAB_OUT/u5"
	# the virtio-9p device of the results share, mounted on /vmlab/out (dry
	# run only). The one carrying / was mounted in the initramfs, outside
	# the root switch_root leaves; only the module tree's bind of it
	# (/usr/lib/modules) still names its tag in the mount table.
	save u-9p kvmprep-iommu bind --dry-run "$LAB_9P_OUT"
	save u-9p-status kvmprep-iommu status "$LAB_9P_OUT"
	# --persist: the files kvmprep leaves for the next boot
	save persist kvmprep-iommu bind --persist "$LAB_E1000E2"
	vmlab_state >"$VMLAB_OUT/s7"
	mkdir -p "$VMLAB_OUT/persisted/etc/kvmprep" "$VMLAB_OUT/persisted/etc/udev/rules.d"
	cp /etc/kvmprep/vfio.conf "$VMLAB_OUT/persisted/etc/kvmprep/" 2>/dev/null
	cp /etc/udev/rules.d/60-kvmprep-vfio.rules "$VMLAB_OUT/persisted/etc/udev/rules.d/" 2>/dev/null
	exit 0
fi

vmlab_boot --timeout 700 "$0" || fail "the guest's first part failed"
B1=$(mktemp -d)
trap 'rm -rf "$B1" "${VMLAB_RESULTS:-}"' EXIT
cp -a "${VMLAB_RESULTS:?}/." "$B1/"
for f in bind status status-group bind-nogroup bind-group status-group2 unbind-held unbind unbind-group u-swap u-mount u-open u-free u-9p u-9p-status persist; do
	echo "== $f (exit $(cat "$B1/$f.rc"))"
	cat "$B1/$f" "$B1/$f.err"
done
# line KIND BDF STATEFILE: the vmlab_state line of a device
line() { grep "^$1 $2 " "$B1/$3"; }
drv() { line pci "$1" "$2" | sed 's/.* driver=\([^ ]*\) .*/\1/'; }
ovr() { line pci "$1" "$2" | sed 's/.* override=\([^ ]*\) .*/\1/'; }
grp() { line pci "$1" "$2" | sed 's/.* group=\([^ ]*\)$/\1/'; }
G1=$(grp "$LAB_E1000E" s0)
GB=$(grp "$LAB_E1000" s0)

check "bind: exit 0, e1000e -> vfio-pci, driver_override vfio-pci" eval '
	[ "$(cat $B1/bind.rc)" = 0 ] || fail "exit $(cat $B1/bind.rc)"
	[ "$(drv $LAB_E1000E s0)" = e1000e ] || fail "before: $(drv $LAB_E1000E s0)"
	[ "$(drv $LAB_E1000E s1)" = vfio-pci ] || fail "after: $(drv $LAB_E1000E s1)"
	[ "$(ovr $LAB_E1000E s1)" = vfio-pci ] || fail "override: $(ovr $LAB_E1000E s1)"'
check "bind: a real /dev/vfio/N for the group (a char device)" eval '
	grep -qx "vfio $G1" $B1/s1 || fail "no /dev/vfio/$G1"
	grep -q "^character special file" $B1/s1-vfio-stat || fail "$(cat $B1/s1-vfio-stat)"'
check "bind: only the e1000e changed" eval '
	diff <(grep -v " $LAB_E1000E " $B1/s0 | grep -v ^vfio) <(grep -v " $LAB_E1000E " $B1/s1 | grep -v ^vfio)'
check "status: the bound e1000e is ready (exit 0)" eval '[ "$(cat $B1/status.rc)" = 0 ] || fail "exit $(cat $B1/status.rc)"'
check "status: the e1000 of the bridge group is not ready (exit 1), remedy bind --group" eval '
	[ "$(cat $B1/status-group.rc)" = 1 ] || fail "exit $(cat $B1/status-group.rc)"
	grep -q -- "--group" $B1/status-group || fail "no bind --group remedy"'
check "bind without --group in a shared group: refused (exit 1), nothing changed" eval '
	[ "$(cat $B1/bind-nogroup.rc)" = 1 ] || fail "exit $(cat $B1/bind-nogroup.rc)"
	diff $B1/s1 $B1/s2'
check "bind --group: e1000 and rtl8139 on vfio-pci, the bridge unchanged, /dev/vfio/$GB" eval '
	[ "$(cat $B1/bind-group.rc)" = 0 ] || fail "exit $(cat $B1/bind-group.rc)"
	[ "$(drv $LAB_E1000 s3)" = vfio-pci ] || fail "e1000: $(drv $LAB_E1000 s3)"
	[ "$(drv $LAB_RTL8139 s3)" = vfio-pci ] || fail "rtl8139: $(drv $LAB_RTL8139 s3)"
	[ "$(line pci $LAB_PCIBRIDGE s3)" = "$(line pci $LAB_PCIBRIDGE s2)" ] || fail "the bridge changed"
	grep -qx "vfio $GB" $B1/s3 || fail "no /dev/vfio/$GB"'
check "status after bind --group: ready (exit 0)" eval '[ "$(cat $B1/status-group2.rc)" = 0 ] || fail "exit $(cat $B1/status-group2.rc)"'
check "a paused QEMU in the guest really held /dev/vfio/$G1" eval '
	[ "$(cat $B1/qemu-holds)" -ge 1 ] || { cat $B1/qemu.log; fail "QEMU did not open the group"; }'
check "unbind while QEMU holds the device: refused (exit 1) or bounded, never hung" eval '
	rc=$(cat $B1/unbind-held.rc)
	[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "kvmprep-iommu unbind hung for $(cat $B1/unbind-held.secs) s while a guest held the device (killed by the case timeout)"
	[ "$rc" = 1 ] || fail "exit $rc, wanted 1 (refused)"
	[ "$(drv $LAB_E1000E s4)" = vfio-pci ] || fail "after a refused unbind the device is on $(drv $LAB_E1000E s4)"'
check "unbind: exit 0, back on e1000e, driver_override cleared, /dev/vfio/$G1 gone" eval '
	[ "$(cat $B1/unbind.rc)" = 0 ] || fail "exit $(cat $B1/unbind.rc)"
	[ "$(drv $LAB_E1000E s5)" = e1000e ] || fail "driver: $(drv $LAB_E1000E s5)"
	[ "$(ovr $LAB_E1000E s5)" = "(null)" ] || fail "override: $(ovr $LAB_E1000E s5)"
	! grep -qx "vfio $G1" $B1/s5 || fail "/dev/vfio/$G1 still there"'
check "unbind of the group: e1000 and 8139cp back" eval '
	[ "$(cat $B1/unbind-group.rc)" = 0 ] || fail "exit $(cat $B1/unbind-group.rc)"
	[ "$(drv $LAB_E1000 s6)" = e1000 ] || fail "e1000: $(drv $LAB_E1000 s6)"
	[ "$(drv $LAB_RTL8139 s6)" = 8139cp ] || fail "rtl8139: $(drv $LAB_RTL8139 s6)"'
check "bind --persist: exit 0 (or 0 with a warning), vfio.conf and the udev rule written" eval '
	[ "$(cat $B1/persist.rc)" = 0 ] || fail "exit $(cat $B1/persist.rc)"
	[ -s $B1/persisted/etc/kvmprep/vfio.conf ] || fail "no vfio.conf"
	[ -s $B1/persisted/etc/udev/rules.d/60-kvmprep-vfio.rules ] || fail "no udev rule"'

# the host's use of a disk, on the real kernel's NVMe native multipath
NB=$(cat "$B1/u-disk")
check "the second NVMe's disk $NB is the kernel's multipath head (under nvme-subsystem)" eval '
	[ -n "$NB" ] || fail "no NVMe namespace in the guest"
	grep -q "/devices/virtual/nvme-subsystem/" "$B1/u-disk-path" || fail "$(cat "$B1/u-disk-path")"
	grep -q "^/dev/$NB " "$B1/u-swaps" || fail "swapon failed: $(cat "$B1/u-swaps")"'
check "bind --group of the NVMe while its disk is swap: refused (exit 1) naming it, nothing changed" eval '
	[ "$(cat $B1/u-swap.rc)" = 1 ] || fail "exit $(cat $B1/u-swap.rc): $(cat $B1/u-swap.err)"
	grep -q "in use by the host: $NB is used as swap" $B1/u-swap.err || fail "$(cat $B1/u-swap.err)"
	[ "$(cat $B1/u-swap-status.rc)" = 1 ] || fail "status exit $(cat $B1/u-swap-status.rc)"
	diff <(grep -v ^vfio $B1/s6) <(grep -v ^vfio $B1/u1)'
check "bind --group while an ext4 on it is mounted: refused (exit 1) naming the mount; list says so" eval '
	grep -q " /vmlab/mnt " $B1/u-mountinfo || fail "the mount failed"
	[ "$(cat $B1/u-mount.rc)" = 1 ] || fail "exit $(cat $B1/u-mount.rc): $(cat $B1/u-mount.err)"
	grep -q "in use by the host: $NB is mounted on /vmlab/mnt" $B1/u-mount.err || fail "$(cat $B1/u-mount.err)"
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); x=[v for v in d[\"devices\"] if v[\"device\"]==sys.argv[2]][0]; assert \"mounted on /vmlab/mnt\" in (x.get(\"in_use_by\") or \"\"), x" \
		$B1/u-mount-list.json $LAB_NVME2 || fail "list --json"
	diff <(grep -v ^vfio $B1/s6) <(grep -v ^vfio $B1/u2)'
check "bind --group while a process holds the disk open: refused (exit 1) naming the process" eval '
	[ "$(cat $B1/u-open.rc)" = 1 ] || fail "exit $(cat $B1/u-open.rc): $(cat $B1/u-open.err)"
	grep -q "sleep (pid $(cat $B1/u-holder))" $B1/u-open.err || fail "$(cat $B1/u-open.err)"
	diff <(grep -v ^vfio $B1/s6) <(grep -v ^vfio $B1/u3)'
check "bind --group once free: exit 0, the NVMe on vfio-pci, its downstream port stays on pcieport; unbind: back on nvme" eval '
	[ "$(cat $B1/u-free.rc)" = 0 ] || fail "exit $(cat $B1/u-free.rc): $(cat $B1/u-free.err)"
	[ "$(drv $LAB_NVME2 u4)" = vfio-pci ] || fail "$(drv $LAB_NVME2 u4)"
	[ "$(drv $LAB_DOWN2 u4)" = pcieport ] || fail "the port: $(drv $LAB_DOWN2 u4)"
	[ "$(cat $B1/u-free-unbind.rc)" = 0 ] || fail "unbind exit $(cat $B1/u-free-unbind.rc)"
	[ "$(drv $LAB_NVME2 u5)" = nvme ] || fail "after unbind: $(drv $LAB_NVME2 u5)"'
check "the virtio-9p device of a mounted share is in use: bind --dry-run refused naming the mount, status says so" eval '
	[ "$(cat $B1/u-9p.rc)" = 1 ] || fail "bind --dry-run exit $(cat $B1/u-9p.rc): $(cat $B1/u-9p $B1/u-9p.err)"
	grep -q "in use by the host: virtio-9p share vmlabout is mounted on /vmlab/out" $B1/u-9p.err || fail "$(cat $B1/u-9p.err)"
	[ "$(cat $B1/u-9p-status.rc)" = 1 ] || fail "status exit $(cat $B1/u-9p-status.rc)"
	grep -q "^host_use *FAIL .*virtio-9p share vmlabout" $B1/u-9p-status || fail "$(cat $B1/u-9p-status)"'

# the next boot: kvmprep's files in /etc before it boots; udev loads drivers
vmlab_boot --timeout 500 --no-coldplug --udev --preroot "$B1/persisted" "$0" boot2 ||
	fail "the guest's second part failed"
B2=$VMLAB_RESULTS
cat "$B2/boot2-apply" "$B2/boot2-apply.err"
line2() { grep "^pci $1 " "$B2/$2"; }
check "next boot, after udev: e1000e is loaded, the persisted device is not on it" eval '
	grep -q "^pci $LAB_E1000E driver=e1000e" $B2/boot2-udev || fail "udev did not load e1000e: $(line2 $LAB_E1000E boot2-udev)"
	! grep -q "^pci $LAB_E1000E2 driver=e1000e" $B2/boot2-udev || fail "e1000e took the persisted device: $(line2 $LAB_E1000E2 boot2-udev)"'
check "next boot, after apply-persisted: the device ends on vfio-pci" eval '
	[ "$(cat $B2/boot2-apply.rc)" = 0 ] || fail "apply-persisted exit $(cat $B2/boot2-apply.rc)"
	grep -q "^pci $LAB_E1000E2 driver=vfio-pci override=vfio-pci" $B2/boot2-apply || fail "$(line2 $LAB_E1000E2 boot2-apply)"'
check "next boot: reloading e1000e later leaves it on vfio-pci" eval '
	grep -q "^pci $LAB_E1000E2 driver=vfio-pci" $B2/boot2-reload || fail "$(line2 $LAB_E1000E2 boot2-reload)"
	grep -q "^pci $LAB_E1000E driver=e1000e" $B2/boot2-reload || fail "the other e1000e: $(line2 $LAB_E1000E boot2-reload)"'
checks_done
