# Boot: apply starts every --auto definition (mdevctl's and kvmprep's) and
# vgpu.conf entry, waits a bounded time for parents that are not there
# (late SR-IOV VFs) and fails naming them, leaves --manual ones alone;
# start-parent (the udev rule's command) starts one parent's; reruns are
# unchanged. The shipped udev rule and unit call exactly these commands.
. ./common.sh
V4=33333333-4444-4555-8666-777777777777
mdev define -p 00:02.0 -t i915-GVTg_V5_4 -u "$U1" --auto >/dev/null || fail "define auto"
mdev define -p 00:02.0 -t i915-GVTg_V5_8 -u "$U2" >/dev/null || fail "define manual"
mdev define -p 0000:99:00.4 -t nvidia-471 -u "$V4" --auto >/dev/null || fail "define on an absent parent"
mdev define -p matrix -t vfio_ap-passthrough -u "$U3" --auto -a assign_adapter=3 >/dev/null || fail "define matrix"
mdev define -p 3d:00.6 -t 1161 >/dev/null || fail "define vgpu"
t0=$(date +%s%N)
out=$(mdev apply --timeout 300 2>&1); rc=$?
t1=$(date +%s%N)
assert_eq "$rc" 1 "apply with a parent that never came"
echo "$out" | grep -q "^kvmprep-mdev: $V4: cannot start on 0000:99:00.4: the parent did not appear$" || fail "apply: $out"
[ $(( (t1 - t0) / 1000000 )) -lt 5000 ] || fail "apply did not keep to its bound"
assert_file "$ST/sys/bus/mdev/devices/$U1"
assert_nofile "$ST/sys/bus/mdev/devices/$U2"
assert_eq "$(cat "$AP/$U3/assign_adapter")" 3 "matrix started with its attribute"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:3d:00.6/nvidia/current_vgpu_type")" 1161 "vgpu set"
# start-parent: the parent's auto ones; again: unchanged, exit 0
mdev remove "$U1" >/dev/null
out=$(mdev start-parent 0000:00:02.0) || fail "start-parent: $out"
assert_eq "$out" "$U1 /sys/bus/mdev/devices/$U1" "start-parent"
assert_eq "$(mdev start-parent 00:02.0)" "$U1 /sys/bus/mdev/devices/$U1 unchanged" "start-parent again"
assert_nofile "$ST/sys/bus/mdev/devices/$U2"
assert_eq "$(mdev start-parent 0000:41:00.4)" "" "a parent without definitions"
# the shipped rule and unit
R=$TOP/contrib/udev/61-kvmprep-mdev.rules
grep -q 'ENV{MDEV_STATE}=="registered", TEST=="/etc/mdevctl.d/$kernel", RUN+="@BINDIR@/kvmprep-mdev -q start-parent $kernel"' "$R" || fail "udev rule"
grep -q '^ExecStart=@BINDIR@/kvmprep-mdev apply --timeout 60000 --wait 20$' "$TOP/contrib/systemd/kvmprep-mdev.service" || fail "unit"
