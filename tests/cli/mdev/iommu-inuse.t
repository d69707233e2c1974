# A parent with mdevs, and a VF with an NVIDIA vGPU set, are a guest's
# devices: kvmprep-iommu refuses to take them for vfio-pci (unbinding the
# parent's driver removes its mdevs, and the vGPU with the VF's driver),
# says why in bind and list, and takes them once they are given back.
# The refusal says whose use it is: guests' (or devices made for them),
# not the host's, in bind's message, its JSON error, status and --force.
. ./common.sh
SYS=$ST/sys/bus/pci/devices
iommu() { fh -- kvmprep-iommu "$@"; }
drv() { basename "$(readlink "$SYS/$1/driver")"; }
mdev create -p 01:00.0 -t nvidia-222 -u "$U1" >/dev/null || fail "create mdev"
mdev create -p 3d:00.4 -t 1157 >/dev/null || fail "create vGPU"
out=$(iommu bind 01:00.0 2>&1); rc=$?
assert_eq "$rc" 1 "bind a parent with an mdev: exit"
assert_eq "$out" "kvmprep-iommu: 0000:01:00.0: in use for guests: mdev $U1 is created on it (use --force to take it anyway)" "bind a parent with an mdev: message"
j=$(iommu bind --json 01:00.0 2>/dev/null); rc=$?
assert_eq "$rc" 1 "bind --json a parent with an mdev: exit"
assert_eq "$(echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["schema"], d["error"])')" \
	"1 0000:01:00.0: in use for guests: mdev $U1 is created on it (use --force to take it anyway)" "bind --json: error"
st=$(iommu status 01:00.0 2>/dev/null | grep '^host_use')
assert_eq "$(echo $st)" "host_use FAIL in use for guests: mdev $U1 is created on it" "status: host_use"
assert_eq "$(drv 0000:01:00.0)" nvidia "parent keeps its driver"
assert_file "$ST/sys/bus/mdev/devices/$U1"
mdev create -p 01:00.0 -t nvidia-222 -u "$U2" >/dev/null || fail "create a second mdev"
out=$(iommu bind 01:00.0 2>&1)
echo "$out" | grep -q ": 2 mdevs are created on it (" || fail "two mdevs: $out"
out=$(iommu bind 3d:00.4 2>&1); rc=$?
assert_eq "$rc" 1 "bind a VF with a vGPU: exit"
assert_eq "$out" "kvmprep-iommu: 0000:3d:00.4: in use for guests: vGPU type 1157 is set on it (use --force to take it anyway)" "bind a VF with a vGPU: message"
assert_eq "$(drv 0000:3d:00.4)" nvidia "VF keeps its driver"
assert_eq "$(cat "$SYS/0000:3d:00.4/nvidia/current_vgpu_type")" 1157 "vGPU kept"
list=$(iommu list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin)["devices"]:
    if d["device"] in ("0000:01:00.0", "0000:3d:00.4", "0000:3d:00.5"):
        print(d["device"], d["in_use"], d["in_use_by"] or "")')
assert_eq "$list" "0000:01:00.0 True 2 mdevs are created on it ($U2, …)
0000:3d:00.4 True vGPU type 1157 is set on it
0000:3d:00.5 False " "list"
# --force: taken, and the warning says whose use was taken
out=$(iommu bind --force --dry-run 3d:00.4 2>&1 >/dev/null); rc=$?
assert_eq "$rc" 0 "bind --force --dry-run a VF with a vGPU: exit"
assert_eq "$out" "kvmprep-iommu: warning: 0000:3d:00.4: in use for guests (vGPU type 1157 is set on it), taken anyway (--force)" "--force warning"
assert_eq "$(drv 0000:3d:00.4)" nvidia "dry run: VF keeps its driver"
# given back: taken
mdev remove "$U1" >/dev/null && mdev remove "$U2" >/dev/null && mdev remove 3d:00.4 >/dev/null || fail "remove"
iommu bind 01:00.0 >/dev/null || fail "bind the freed parent"
assert_eq "$(drv 0000:01:00.0)" vfio-pci "freed parent on vfio-pci"
exit 0
