# NVIDIA's vendor-specific vGPU (vGPU 17+, Ada/Hopper): types lists each
# VF's creatable types, create sets nvidia/current_vgpu_type (and the
# other VFs of the GPU can then only take the same type), remove clears
# it, define keeps it in /etc/kvmprep/vgpu.conf and apply sets it at boot.
. ./common.sh
VF=$ST/sys/bus/pci/devices
mdev types 3d:00.4 | grep -Eq '^0000:3d:00.4 +1157 +NVIDIA L40S-8Q +vfio-pci +1 +nvidia-vf' ||
	fail "types: $(mdev types 3d:00.4)"
out=$(mdev create -p 3d:00.4 -t 1157) || fail "create: $out"
assert_eq "$out" "0000:3d:00.4 /sys/bus/pci/devices/0000:3d:00.4" "create"
assert_eq "$(cat "$VF/0000:3d:00.4/nvidia/current_vgpu_type")" 1157 "current_vgpu_type"
assert_eq "$(mdev create -p 3d:00.4 -t 1157)" "0000:3d:00.4 /sys/bus/pci/devices/0000:3d:00.4 unchanged" "rerun"
# the GPU's other VFs now offer only the same type
assert_eq "$(mdev types 3d:00.5 --json | python3 -c 'import json,sys; print([t["type"] for t in json.load(sys.stdin)["types"]])')" \
	"['1157']" "sibling creatable types"
expect_rc 1 mdev create -p 3d:00.5 -t 1155
expect_rc 1 mdev create -p 3d:00.4 -t 1155
mdev list | grep -Eq '^0000:3d:00.4 +0000:3d:00.4 +1157 +- +yes +no +31 +/dev/vfio/31' || fail "list: $(mdev list)"
# persistent
out=$(mdev define -p 3d:00.4 -t 1157) || fail "define: $out"
assert_eq "$(grep -v '^#' "$ST/etc/kvmprep/vgpu.conf")" "0000:3d:00.4 1157" "vgpu.conf"
assert_eq "$(mdev define -p 3d:00.4 -t 1157)" "0000:3d:00.4: unchanged" "define again"
mdev define -p 3d:00.5 -t 1157 >/dev/null || fail "define 3d:00.5"
mdev list --defined | grep -Eq '^0000:3d:00.5 +0000:3d:00.5 +1157 +auto +no +yes' || fail "list --defined: $(mdev list --defined)"
# remove, then apply (boot) sets both again
assert_eq "$(mdev remove 3d:00.4)" "removed 0000:3d:00.4" "remove"
assert_eq "$(cat "$VF/0000:3d:00.4/nvidia/current_vgpu_type")" 0 "cleared"
assert_eq "$(mdev remove 3d:00.4)" "0000:3d:00.4: not active, unchanged" "remove again"
mdev apply >/dev/null || fail "apply"
assert_eq "$(cat "$VF/0000:3d:00.4/nvidia/current_vgpu_type")" 1157 "apply 3d:00.4"
assert_eq "$(cat "$VF/0000:3d:00.5/nvidia/current_vgpu_type")" 1157 "apply 3d:00.5"
mdev undefine 3d:00.5 >/dev/null || fail "undefine"
assert_eq "$(grep -v '^#' "$ST/etc/kvmprep/vgpu.conf")" "0000:3d:00.4 1157" "undefine"
# a write the driver refuses leaves the VF as it was
mdev remove 3d:00.6 >/dev/null
fh --fault '/sys/bus/pci/devices/0000:3d:00.6/nvidia/current_vgpu_type=EIO' -- kvmprep-mdev create -p 3d:00.6 -t 1157 2>"$ST/err"
assert_eq "$?" 1 "refused write"
assert_eq "$(cat "$ST/err")" "kvmprep-mdev: 0000:3d:00.6: cannot set nvidia/current_vgpu_type to 1157: Input/output error" "refused write message"
assert_eq "$(cat "$VF/0000:3d:00.6/nvidia/current_vgpu_type")" 0 "unchanged after the refused write"
# a bad vgpu.conf: FILE:LINE, exit 2, nothing written
printf '0000:3d:00.4 1157\n0000:3d:00.5 L40S\n' >"$ST/etc/kvmprep/vgpu.conf"
out=$(mdev define -p 3d:00.6 -t 1157 2>&1); rc=$?
assert_eq "$rc" 2 "bad vgpu.conf"
assert_eq "$out" "kvmprep-mdev: /etc/kvmprep/vgpu.conf:2: invalid vGPU type id 'L40S'" "bad vgpu.conf message"
