# kvmprep-iommu bind --persist --offline / --root DIR: only the boot-time
# configuration is written (vfio.conf and the udev rule, in the running
# host's /etc or in the target's), nothing is bound, no module is loaded;
# the running host's /sys, /etc, /run stay as they were. Under --root no
# modprobe.d install command of the target runs, and a target symlink
# that points out of DIR is refused.
. ./common.sh
fh -- true || fail "cannot set up the host"
# a target with an install command that would leave a trace if run
mkdir -p "$TGT/etc/modprobe.d"
echo "install vfio-pci /bin/touch $OUT/ran-install" >"$TGT/etc/modprobe.d/trap.conf"
echo "install vfio_pci /bin/touch $OUT/ran-install" >>"$TGT/etc/modprobe.d/trap.conf"
sum=$(live_sum)

# --root: the target gets the files; the running host nothing
out=$(fh -- kvmprep-iommu bind --persist --group --root "$TGT" 01:00.0 2>&1); rc=$?
echo "$out"
assert_eq "$rc" 0 "bind --root exit"
assert_live_unchanged "$sum"
assert_nofile "$OUT/ran-install"
assert_eq "$(cat "$TGT/etc/kvmprep/vfio.conf" | grep -v '^#')" \
"0000:01:00.0 10de:1eb8 vfio-pci subsys=10de:12a2 host=nouveau
0000:01:00.1 10de:10f8 vfio-pci subsys=10de:10f8 host=snd_hda_intel" "target vfio.conf"
assert_grep 'KERNEL=="0000:01:00.0", ATTR{vendor}=="0x10de", ATTR{device}=="0x1eb8", ATTR{subsystem_vendor}=="0x10de", ATTR{subsystem_device}=="0x12a2", ATTR{driver_override}="vfio-pci"' \
	"$TGT/etc/udev/rules.d/60-kvmprep-vfio.rules"
echo "$out" | grep -q 'persisted' || fail "no 'persisted' result: $out"
echo "$out" | grep -q 'kvmprep-vfio.service is not enabled' || fail "no unit warning"
assert_eq "$(stat -c %a "$TGT/etc/kvmprep/vfio.conf")" 644 "vfio.conf mode"
# rerun: unchanged, JSON says so
j=$(fh -- kvmprep-iommu bind --persist --group --root "$TGT" --json 01:00.0 2>/dev/null)
assert_eq "$(echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["changed"], [x["result"] for x in d["devices"]])')" \
	"False ['unchanged', 'unchanged']" "rerun under --root"
# by vendor:device (kickstart's binding), added to what is there
fh -- kvmprep-iommu bind --persist --root "$TGT" --id 8086:1533 -q || fail "bind --id --root"
assert_grep '^0000:03:00.0 8086:1533 vfio-pci subsys=' "$TGT/etc/kvmprep/vfio.conf"
assert_live_unchanged "$sum"
# unpersist in the target
fh -- kvmprep-iommu unpersist --root "$TGT" -q 03:00.0 || fail "unpersist --root"
grep -q 03:00.0 "$TGT/etc/kvmprep/vfio.conf" && fail "unpersist --root left the entry"
assert_live_unchanged "$sum"

# --offline: the running host's /etc gets the files, nothing is bound
fh -- kvmprep-iommu bind --persist --offline 02:00.0 || fail "bind --offline"
assert_grep '^0000:02:00.0 8086:10d3 vfio-pci subsys=' "$ST/etc/kvmprep/vfio.conf"
assert_file "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
[ -z "$(effects)" ] || fail "--offline changed the host live: $(effects)"
assert_eq "$(basename "$(readlink "$ST/sys/bus/pci/devices/0000:02:00.0/driver")")" e1000e "02:00.0 driver"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:02:00.0/driver_override")" "(null)" "02:00.0 override"
[ -e "$ST/sys/module/vfio_pci/initstate" ] && fail "--offline loaded vfio_pci"
[ -e "$ST/run/kvmprep/journal" ] && fail "a journal was left"

# usage: --offline/--root need --persist, go only where --persist does,
# DIR must be a directory other than /
for args in "bind --offline 02:00.0" "bind --root $TGT 02:00.0" "unbind --offline 02:00.0" \
	    "bind --persist --root $TGT/nonexistent 02:00.0" "bind --persist --root / 02:00.0" \
	    "bind --persist --root $TGT/etc/kvmprep/vfio.conf 02:00.0"; do
	fh -- kvmprep-iommu $args 2>"$OUT/err"; rc=$?
	assert_eq "$rc" 2 "exit of: $args"
	[ "$(wc -l <"$OUT/err")" -eq 1 ] || fail "not one line for '$args': $(cat "$OUT/err")"
	sed "s|$TGT|TGT|g" "$OUT/err"
done

# a target whose rules.d is an absolute symlink out of DIR: refused, nothing
# written there, vfio.conf rolled back in the target
rm -rf "$TGT/etc/kvmprep" "$TGT/etc/udev"
mkdir -p "$TGT/etc/udev" "$OUT/escape"
ln -s "$OUT/escape" "$TGT/etc/udev/rules.d"
fh -- kvmprep-iommu bind --persist --root "$TGT" 02:00.0 2>"$OUT/err"; rc=$?
sed "s|$TGT|TGT|g" "$OUT/err"
assert_eq "$rc" 1 "escape exit"
assert_eq "$(ls -A "$OUT/escape")" "" "written outside the target"
assert_nofile "$TGT/etc/kvmprep/vfio.conf"
assert_nofile "$ST/run/kvmprep/journal"
assert_nofile "$TGT/etc/udev/rules.d/60-kvmprep-vfio.rules"
echo ok
