# timeout 600
# kvmprep's boot units under a real systemd (PID 1: the host's systemd,
# Debian 12's 252; tests/README.md "A real systemd"). One boot, two phases.
#
# preboot (stage2, before systemd; a fresh install, as kickstart's %post
# sees it): kvmprep installed as a package installs it (`make install
# DESTDIR=` on the host, PREFIX=/usr/local, copied in; then the package's
# `systemctl preset` of the four boot steps); the NIC's and the PF's
# drivers loaded and the boot configuration written with --offline
# (nothing live changes): the e1000e on vfio-pci, plus a vfio.conf item
# whose slot holds another device (a card swapped since); 2 VFs of the
# NVMe PF on vfio-pci; mtty from modules-load.d and an mtty mdev defined
# --auto; a bridge and a tap on it in net.conf (the guest is made a host
# without a network manager); a guest, kvmprep-vm@lab, enabled by hand,
# holding the e1000e and the mdev (its QEMU paused: -S through a wrapper,
# so no nested guest code runs). Stand-ins, enabled: libvirtd.service and
# virtqemud.service (no ordering of their own: only kvmprep's Before=
# puts them after the steps, as libvirt's guests' autostart needs), and
# lab-net.service, Before=network.target as NetworkManager,
# systemd-networkd and ifupdown's networking.service are.
# Then the drivers are unloaded again: systemd starts on devices without
# drivers, as at power-on.
#
# booted (vmlab-case.service, after multi-user.target, the boot finished):
# each unit's Result and ActiveState, the order their ExecStart ran and
# ended in (systemd's monotonic timestamps), the reasons in the journal,
# the devices' final state (the e1000e never probed by e1000e), the guest's
# QEMU through QMP, the units' ordering properties as systemd loaded them,
# then the guest and the network stopped in one transaction (as at
# shutdown: the guest must be down before the network stop begins); that
# systemd-udev-settle.service never ran; the boot time (systemd-analyze
# time; not blame or critical-chain: under TCG they take minutes here).
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

U=6c1b2a6e-4c43-4a0e-9f5e-0b8a6f0d2c11
STEPS="kvmprep-vfio.service kvmprep-sriov.service kvmprep-mdev.service kvmprep-net.service"
LIBVIRT="libvirtd.service virtqemud.service"
UNITS="systemd-modules-load.service systemd-udev-trigger.service systemd-udev-settle.service
$STEPS kvmprep-vm@lab.service $LIBVIRT lab-net.service network-pre.target sysinit.target multi-user.target"

if vmlab_guest && [ "${VMLAB_PHASE:-}" = preboot ]; then
	st() { vmlab_state >"$VMLAB_OUT/$1"; }
	up() { cut -d' ' -f1 /proc/uptime >"$VMLAB_OUT/up-$1"; }
	mods() { cut -d' ' -f1 /proc/modules | LC_ALL=C sort; }
	up preboot
	st p0
	mods >"$VMLAB_OUT/p0-modules"
	# installed as a package installs it: the files (make install into a
	# staging DESTDIR on the host, copied in with --preroot), then the
	# preset applied by its install script
	save preset systemctl preset $STEPS
	find /etc/systemd/system -mindepth 1 \( -type l -printf '%P -> %l\n' \) -o -printf '%P\n' |
		LC_ALL=C sort >"$VMLAB_OUT/enabled"
	# the installer's view: the NIC's and the PF's drivers loaded (the host
	# driver is recorded)
	modprobe -a e1000e nvme
	up loaded
	st p1
	mods >"$VMLAB_OUT/p1-modules"
	# a host without a network manager: links go to /etc/kvmprep/net.conf
	rm -f /etc/network/interfaces
	save off-iommu kvmprep-iommu bind --persist --offline "$LAB_E1000E"
	cp /etc/kvmprep/vfio.conf "$VMLAB_OUT/vfio.conf.good"
	sed -n "s|^$LAB_E1000E 8086:10d3 \([^ ]*\).*|$LAB_E1000E2 10de:1eb8 \1|p" "$VMLAB_OUT/vfio.conf.good" \
		>>/etc/kvmprep/vfio.conf
	save off-sriov kvmprep-sriov set "$LAB_NVME_PF" 2 --driver vfio-pci --persist --offline
	echo mtty >/etc/modules-load.d/kvmprep-lab.conf
	save off-mdev kvmprep-mdev define --offline -p mtty -t mtty-2 --uuid $U --auto
	save off-br kvmprep-bridge bridge add br0 --persist --offline
	save off-tap kvmprep-bridge tap add kptap0 --bridge br0 --persist --offline
	mkdir -p /etc/kvmprep/vms /usr/local/libexec/vmlab
	printf '#!/bin/sh\nexec qemu-system-x86_64 "$@" -S\n' >/usr/local/libexec/vmlab/qemu-paused
	chmod 0755 /usr/local/libexec/vmlab/qemu-paused
	cat >/etc/kvmprep/vms/lab.conf <<-EOF
	# holds what the boot made; QEMU paused (-S): no guest code runs
	qemu = /usr/local/libexec/vmlab/qemu-paused
	kernel = $VMLAB_LAB/vmlinuz
	memory = 128
	accel = tcg
	vfio = $LAB_E1000E
	mdev = $U
	shutdown-timeout = 2
	EOF
	chmod 0644 /etc/kvmprep/vms/lab.conf
	save enable-vm systemctl enable kvmprep-vm@lab.service
	# stand-ins: libvirt's daemons (no ordering of their own), the network
	# manager (Before=network.target, as the real ones)
	for d in $LIBVIRT; do
		printf '%s\n' "[Unit]" "Description=lab stand-in for $d" "[Service]" "Type=oneshot" \
			"RemainAfterExit=yes" "ExecStart=/bin/true" "[Install]" "WantedBy=multi-user.target" \
			>"/etc/systemd/system/$d"
	done
	printf '%s\n' "[Unit]" "Description=lab stand-in for the network manager" "Before=network.target" \
		"Wants=network.target" "[Service]" "Type=oneshot" "RemainAfterExit=yes" "ExecStart=/bin/true" \
		"ExecStop=/bin/true" "[Install]" "WantedBy=multi-user.target" >/etc/systemd/system/lab-net.service
	save enable-stand-ins systemctl enable $LIBVIRT lab-net.service
	(cd /etc && find kvmprep modprobe.d modules-load.d mdevctl.d udev/rules.d -type f 2>/dev/null |
		LC_ALL=C sort | while read -r f; do echo "== /etc/$f"; cat "$f"; echo; done) >"$VMLAB_OUT/config"
	st p2
	up configured
	# power-on again: the drivers loaded above are unloaded
	modprobe -r -a e1000e nvme >"$VMLAB_OUT/unload" 2>&1
	st p3
	mods >"$VMLAB_OUT/p3-modules"
	up preboot-end
	exit 0
fi

if vmlab_guest; then
	# booted: vmlab-case.service, once multi-user.target is reached
	st() { vmlab_state >"$VMLAB_OUT/$1"; }
	save running systemctl is-system-running --wait
	save qmp vmlab_qmp /run/kvmprep/vm/lab.qmp query-pci query-status
	st b1
	save show systemctl show --no-pager -p Id,LoadState,UnitFileState,ActiveState,SubState,Result,ExecMainStatus,ExecMainStartTimestampMonotonic,ExecMainExitTimestampMonotonic,ActiveEnterTimestampMonotonic $UNITS
	save mdev-list kvmprep-mdev list --json
	save props systemctl show --no-pager -p Id,After,Before $STEPS kvmprep-vm@lab.service
	# as at shutdown: one transaction stops the guest and the network
	save vm-stop systemctl stop kvmprep-vm@lab.service network-online.target network.target lab-net.service
	save vm-after systemctl show --no-pager -p ActiveState,Result,ExecMainStatus kvmprep-vm@lab.service
	save stop-show systemctl show --no-pager -p Id,ActiveExitTimestampMonotonic,InactiveEnterTimestampMonotonic kvmprep-vm@lab.service lab-net.service
	st b2
	save br-list kvmprep-bridge list --json
	save time systemd-analyze time
	save failed systemctl list-units --failed --plain --no-legend --no-pager
	save journal journalctl -b -o short-monotonic --no-pager
	for u in $STEPS kvmprep-vm@lab.service; do
		save "j-$u" journalctl -b -o cat --no-pager -u "$u"
	done
	dmesg >"$VMLAB_OUT/dmesg"
	exit 0
fi

# kvmprep as a package would install it: its files (preset, units, rules,
# binaries under /usr/local)
W=$(mktemp -d "${TMPDIR:-/tmp}/kp-boot-units.XXXXXX")
trap 'rm -rf "$W"' EXIT
PRE=$W/root
mkdir -m 0755 "$PRE"
[ -n "${VMLAB_RESULTS:-}" ] || { VMLAB_RESULTS=$W/results && mkdir "$VMLAB_RESULTS"; }
make -s -C "$TOP" install DESTDIR="$PRE" PREFIX=/usr/local BUILD="$BUILD" >/dev/null || fail "make install"
[ ! -e "$PRE/etc" ] || fail "make install DESTDIR= enabled units: $(find "$PRE/etc")"
vmlab_boot --systemd --preroot "$PRE" --timeout 500 "$0" || fail "the guest's part failed"
ok_rc() { [ "$(rc_of "$1")" = "$2" ] || fail "$1: exit $(rc_of "$1"), wanted $2: $(cat "$(res "$1")" "$(res "$1").err")"; }
# prop UNIT KEY: a property from `systemctl show` (blocks of KEY=VALUE)
prop() {
	awk -v u="$1" -v k="$2" 'BEGIN { RS = ""; FS = "\n" }
		{ id = ""; v = ""
		  for (i = 1; i <= NF; i++) { if ($i == "Id=" u) id = u; if (index($i, k "=") == 1) v = substr($i, length(k) + 2) }
		  if (id != "") { print v; exit } }' "$(res show)"
}
# the start, end of a unit: its ExecStart's (services), its activation (targets), in µs
t_start() { case $1 in *.target) prop "$1" ActiveEnterTimestampMonotonic ;; *) prop "$1" ExecMainStartTimestampMonotonic ;; esac; }
t_end() { case $1 in *.target) prop "$1" ActiveEnterTimestampMonotonic ;; *) prop "$1" ExecMainExitTimestampMonotonic ;; esac; }
# before A B: A ended before B began (both happened)
before() {
	local a b
	a=$(t_end "$1") b=$(t_start "$2")
	[ -n "$a" ] && [ "$a" -gt 0 ] || fail "$1 did not run (end $a)"
	[ -n "$b" ] && [ "$b" -gt 0 ] || fail "$2 did not run (start $b)"
	[ "$a" -le "$b" ] || fail "$1 ended at $a µs, after $2 began at $b µs"
	echo "$1 ended $(((b - a) / 1000)) ms before $2 began"
}
for f in preset enabled off-iommu off-sriov off-mdev off-br off-tap enable-vm enable-stand-ins unload running vm-stop stop-show time failed; do
	echo "== $f (exit $(rc_of $f 2>/dev/null))"
	cat "$(res $f)" "$(res $f.err)" 2>/dev/null
done
for u in $STEPS kvmprep-vm@lab.service; do
	echo "== journal of $u"
	cat "$(res "j-$u")"
done

c_enabled() {
	local u want
	ok_rc preset 0
	want="multi-user.target.wants
multi-user.target.wants/kvmprep-mdev.service -> /usr/local/lib/systemd/system/kvmprep-mdev.service
sysinit.target.wants
sysinit.target.wants/kvmprep-net.service -> /usr/local/lib/systemd/system/kvmprep-net.service
sysinit.target.wants/kvmprep-sriov.service -> /usr/local/lib/systemd/system/kvmprep-sriov.service
sysinit.target.wants/kvmprep-vfio.service -> /usr/local/lib/systemd/system/kvmprep-vfio.service
vmlab-case.service
vmlab.target"
	[ "$(cat "$(res enabled)")" = "$want" ] || fail "enabled: $(cat "$(res enabled)")"
	ok_rc enable-vm 0
	for u in $STEPS kvmprep-vm@lab.service; do
		[ "$(prop $u LoadState) $(prop $u UnitFileState)" = "loaded enabled" ] ||
			fail "$u: $(prop $u LoadState) $(prop $u UnitFileState)"
	done
}
c_offline() {
	local f
	for f in off-iommu off-sriov off-mdev off-br off-tap; do ok_rc $f 0; done
	diff "$(res p1)" "$(res p2)" || fail "the devices changed"
	grep -q "^pci $LAB_E1000E driver=e1000e " "$(res p1)" || fail "e1000e did not have the NIC before"
	grep -q "^pci $LAB_NVME_PF driver=nvme " "$(res p1)" || fail "nvme did not have the PF before"
	grep -qx "pf $LAB_NVME_PF 1b36:0010 2 vfio-pci" "$(res config)" || fail "sriov.conf: $(cat "$(res config)")"
	grep -q "^$LAB_E1000E 8086:10d3 vfio-pci .*host=e1000e" "$(res config)" || fail "vfio.conf: $(cat "$(res config)")"
}
c_poweron() {
	[ ! -s "$(res unload)" ] || fail "modprobe -r: $(cat "$(res unload)")"
	diff "$(res p0)" "$(res p3)" || fail "the devices are not as at power-on"
	grep -qx e1000e "$(res p1-modules)" && grep -qx nvme "$(res p1-modules)" || fail "not loaded"
	! grep -Ex 'e1000e|nvme|nvme_core' "$(res p3-modules)" || fail "left loaded"
}
c_finished() {
	# degraded: a unit failed (kvmprep-vfio, for its bad item); the
	# distribution's own units are the host's business, only printed
	[ "$(cat "$(res running)")" = degraded ] || fail "is-system-running: $(cat "$(res running)")"
	[ "$(cut -d' ' -f1 "$(res failed)" | grep '^kvmprep-')" = kvmprep-vfio.service ] ||
		fail "failed: $(cat "$(res failed)")"
}
c_results() {
	local u got= want
	for u in $STEPS kvmprep-vm@lab.service; do
		got="$got$u $(prop $u ActiveState) $(prop $u SubState) $(prop $u Result) $(prop $u ExecMainStatus)
"
	done
	want="kvmprep-vfio.service failed failed exit-code 1
kvmprep-sriov.service active exited success 0
kvmprep-mdev.service active exited success 0
kvmprep-net.service active exited success 0
kvmprep-vm@lab.service active running success 0
"
	[ "$got" = "$want" ] || fail "got:
$got"
}
c_reason() {
	local j
	j=$(res j-kvmprep-vfio.service)
	grep -qx "kvmprep-iommu: $LAB_E1000E2: is now 8086:10d3, persisted for 10de:1eb8: not bound" "$j" ||
		fail "no reason in the journal: $(cat "$j")"
	grep -q "^$LAB_E1000E .* vfio-pci .*/dev/vfio/[0-9]* *\(bound\|unchanged\)$" "$j" ||
		fail "the good item: $(cat "$j")"
	grep -q "kvmprep-vfio.service: Failed with result 'exit-code'" "$j" ||
		fail "systemd did not log the failure: $(grep -a 'kvmprep-vfio' "$(res journal)")"
}
c_order() {
	local u
	before systemd-modules-load.service kvmprep-vfio.service
	before systemd-udev-trigger.service kvmprep-vfio.service
	before kvmprep-vfio.service kvmprep-sriov.service
	before kvmprep-sriov.service kvmprep-mdev.service
	before kvmprep-sriov.service kvmprep-net.service
	before kvmprep-vfio.service network-pre.target
	before kvmprep-sriov.service network-pre.target
	before kvmprep-net.service network-pre.target
	before kvmprep-vfio.service sysinit.target
	before sysinit.target kvmprep-mdev.service
	before network-pre.target kvmprep-vm@lab.service
	for u in $STEPS; do
		before $u kvmprep-vm@lab.service
		for d in $LIBVIRT; do before $u $d; done
	done
}
c_props() {
	local u p
	# prop2 UNIT KEY: from the props dump
	p=$(res props)
	for u in $STEPS; do
		awk -v u="$u" 'BEGIN { RS = ""; FS = "\n" } index($0, "Id=" u "\n") { print }' "$p" |
			grep '^Before=' | tr ' =' '\n\n' | grep -qx libvirtd.service || fail "$u: not Before=libvirtd: $(cat "$p")"
		awk -v u="$u" 'BEGIN { RS = ""; FS = "\n" } index($0, "Id=" u "\n") { print }' "$p" |
			grep '^Before=' | tr ' =' '\n\n' | grep -qx virtqemud.service || fail "$u: not Before=virtqemud: $(cat "$p")"
	done
	for t in network.target remote-fs.target network-online.target kvmprep-net.service; do
		awk 'BEGIN { RS = ""; FS = "\n" } index($0, "Id=kvmprep-vm@lab.service\n") { print }' "$p" |
			grep '^After=' | tr ' =' '\n\n' | grep -qx "$t" || fail "the guest is not After=$t: $(cat "$p")"
	done
}
c_shutdown() {
	local a b
	ok_rc vm-stop 0
	a=$(awk 'BEGIN { RS = ""; FS = "\n" } /Id=kvmprep-vm@lab.service/ { for (i = 1; i <= NF; i++) if ($i ~ /^InactiveEnterTimestampMonotonic=/) { sub(/.*=/, "", $i); print $i } }' "$(res stop-show)")
	b=$(awk 'BEGIN { RS = ""; FS = "\n" } /Id=lab-net.service/ { for (i = 1; i <= NF; i++) if ($i ~ /^ActiveExitTimestampMonotonic=/) { sub(/.*=/, "", $i); print $i } }' "$(res stop-show)")
	[ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] || fail "stop timestamps: $(cat "$(res stop-show)")"
	[ "$a" -le "$b" ] || fail "the network's stop began at $b µs, before the guest was down at $a µs"
	echo "the guest was down $(((b - a) / 1000)) ms before the network's stop began"
}
c_nosettle() {
	[ "$(prop systemd-udev-settle.service ActiveState) $(prop systemd-udev-settle.service ExecMainStartTimestampMonotonic)" = "inactive 0" ] ||
		fail "systemd-udev-settle.service ran: $(prop systemd-udev-settle.service ActiveState)"
	! grep -q "systemd-udev-settle.service is deprecated" "$(res journal)" || fail "systemd warned about udev-settle"
	ok_rc enable-stand-ins 0
}
c_devices() {
	local vf
	[ "$(st_drv $LAB_E1000E b1) $(st_ovr $LAB_E1000E b1)" = "vfio-pci vfio-pci" ] ||
		fail "the NIC: $(st_drv $LAB_E1000E b1)"
	[ "$(st_drv $LAB_E1000E2 b1) $(st_ovr $LAB_E1000E2 b1)" = "e1000e (null)" ] ||
		fail "the other NIC: $(st_drv $LAB_E1000E2 b1) $(st_ovr $LAB_E1000E2 b1)"
	[ "$(st_numvfs $LAB_NVME_PF b1)" = 2 ] || fail "numvfs $(st_numvfs $LAB_NVME_PF b1)"
	for vf in $(st_vfs $LAB_NVME_PF b1 | tr , ' '); do
		[ "$(st_drv $vf b1)" = vfio-pci ] || fail "$vf on $(st_drv $vf b1)"
		st_has "vfio $(st_grp $vf b1)" b1 || fail "$vf: no /dev/vfio/$(st_grp $vf b1)"
	done
	st_has "mdev $U type=mtty-2 parent=mtty" b1 || fail "no mdev: $(grep ^mdev "$(res b1)")"
	[ "$(jq_py "$(res br-list)" 'sorted("%s %s %s %s" % (l["name"], l["type"], l["bridge"], l["state"]) for l in d["links"])')" = \
		"['br0 bridge None up', 'kptap0 tap br0 up']" ] || fail "links: $(cat "$(res br-list)")"
}
c_noprobe() {
	# kernel lines after systemd started ($(res systemd-exec): uptime)
	awk -v t0="$(cat "$(res systemd-exec)")" -v d="e1000e $LAB_E1000E" '
		{ t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) }
		t + 0 > t0 + 0 && index($0, d) { print }' "$(res dmesg)" >"$VMLAB_RESULTS/e1000e-late"
	[ ! -s "$VMLAB_RESULTS/e1000e-late" ] || fail "e1000e probed it: $(cat "$VMLAB_RESULTS/e1000e-late")"
	grep -q "e1000e $LAB_E1000E2" "$(res dmesg)" || fail "e1000e did not probe the other NIC"
}
c_guest() {
	ok_rc qmp 0
	python3 - "$(res qmp)" <<'PY' || fail "query-pci: $(cut -c1-300 "$(res qmp)")"
import json, sys
devs = [x for b in json.loads(open(sys.argv[1]).readline()) for x in b["devices"]]
ids = sorted((x["qdev_id"], x["id"]["vendor"], x["id"]["device"]) for x in devs if x.get("qdev_id"))
# the e1000e (8086:10d3) and the mtty mdev (a serial port, 4348:3253)
sys.exit(0 if ids == [("hostdev0", 0x8086, 0x10d3), ("mdev0", 0x4348, 0x3253)] else "devices: %r" % ids)
PY
	[ "$(sed -n 2p "$(res qmp)")" != "" ] || fail "no query-status"
	jq_py "$(res mdev-list)" "[x['held_by'] or '' for x in d['devices'] if x['uuid'] == '$U'][0]" | grep -q '^qemu' ||
		fail "the mdev is not held: $(cat "$(res mdev-list)")"
	ok_rc vm-stop 0
	[ "$(LC_ALL=C sort "$(res vm-after)" | tr '\n' ' ')" = "ActiveState=inactive ExecMainStatus=0 Result=success " ] ||
		fail "after stop: $(cat "$(res vm-after)")"
	st_has "pci $LAB_E1000E driver=vfio-pci override=vfio-pci group=$(st_grp $LAB_E1000E b1)" b2 ||
		fail "the NIC after the guest: $(grep "$LAB_E1000E" "$(res b2)")"
}
check "installed as a package (make install DESTDIR=, systemctl preset): the four boot steps enabled, nothing else; the guest by hand" c_enabled
check "the configuration written with --offline: nothing changed live (drivers, VFs, mdevs)" c_offline
check "power-on again: the drivers unloaded, every device as before they were loaded" c_poweron
check "the boot finished: degraded, kvmprep-vfio.service the only kvmprep unit failed" c_finished
check "each step's result: vfio failed (exit 1, its bad item), sriov, mdev, net done, the guest running" c_results
check "the failing item logged with its reason, the rest of its step applied" c_reason
check "the order the steps ran in: modules, coldplug, vfio (before sysinit), sriov (waiting for its PF's driver itself), then mdev and net, network-pre, libvirt's daemons after every step, the guest last" c_order
check "the ordering properties systemd loaded: every step Before= libvirtd and virtqemud; the guest After= network.target, remote-fs.target" c_props
check "no systemd-udev-settle.service: it never ran, systemd did not warn about it" c_nosettle
check "the devices after the boot: e1000e on vfio-pci (the swapped slot left alone), 2 VFs on vfio-pci with /dev/vfio/N, the mdev, br0 with kptap0" c_devices
check "e1000e never probed the vfio device during the boot (the udev rule, the softdep)" c_noprobe
check "the guest, started last, holds them: QEMU (paused) realized the e1000e and the mdev; stopped cleanly" c_guest
check "as at shutdown (one stop transaction): the guest down before the network's stop began" c_shutdown
t_sd=$(cat "$(res systemd-exec)")
echo "boot: QEMU start to PID 1 (kernel, initramfs, 9p) + the preboot phase: ${t_sd} s" \
	"(preboot from $(cat "$(res up-preboot)") s to $(cat "$(res up-preboot-end)") s);" \
	"systemd: $(head -1 "$(res time)"); whole run $(cat "$(res wall)") s"
echo "preboot: drivers loaded at $(cat "$(res up-loaded)") s, configured at $(cat "$(res up-configured)") s"
for u in $UNITS; do
	case $u in *.target) continue ;; esac
	a=$(prop $u ExecMainStartTimestampMonotonic) b=$(prop $u ExecMainExitTimestampMonotonic)
	[ "${b:-0}" -gt 0 ] && echo "$u: ExecStart ran $(((b - a) / 1000)) ms"
done
checks_done
