# nvidia/creatable_vgpu_types as NVIDIA documents it (NVIDIA's
# kubevirt-gpu-device-plugin README, vGPU 17+ on Ada/Hopper; the header
# as in NVIDIA's vgpu-device-manager): "ID : NAME" lines, a header to
# skip, only the header once the GPU's capacity is used; and a file that
# cannot be read is an error, never an empty list.
. ./common.sh
F=$ST/sys/bus/pci/devices/0000:3d:00.6/nvidia/creatable_vgpu_types
mdev types 3d:00.6 >/dev/null || fail "first run"
# NVIDIA's example, without a header, with the spacing and line ends varied
printf '1428 : NVIDIA H200X-141C  \r\n1414:NVIDIA H200X-1-18C\n\n' >"$F"
out=$(mdev types 3d:00.6 --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["types"]:
    print("%s|%s|%s|%s" % (t["type"], t["name"], t["available_instances"], t["kind"]))')
assert_eq "$out" "1428|NVIDIA H200X-141C|1|nvidia-vf
1414|NVIDIA H200X-1-18C|1|nvidia-vf" "documented layout"
# the header, and lines that are not "ID : NAME", are not types
printf 'ID    : vGPU Name\n1155  : NVIDIA L40S-4Q\nL40S-6Q : 1156\n1156\n0 : none\n' >"$F"
assert_eq "$(mdev types 3d:00.6 | awk 'NR > 1 { print $2 }')" "1155" "header and junk skipped"
# a fully used GPU: only the header
printf 'ID    : vGPU Name\n' >"$F"
out=$(mdev types 3d:00.6); rc=$?
assert_eq "$rc" 0 "used up: exit"
assert_eq "$out" "0000:3d:00.6: no type creatable now" "used up: text"
assert_eq "$(mdev types 3d:00.6 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["types"])')" "[]" "used up: json"
out=$(mdev create -p 3d:00.6 -t 1157 2>&1); rc=$?
assert_eq "$rc" 1 "create on a used-up GPU"
assert_eq "$out" "kvmprep-mdev: 0000:3d:00.6: cannot make it vGPU type 1157: not creatable on this VF now (creatable: none)" "create message"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:3d:00.6/nvidia/current_vgpu_type")" 0 "nothing set"
# unreadable: an error naming the VF, exit 3, the other parents still listed
rm "$F" && mkdir "$F"
out=$(mdev types 2>"$ST/err"); rc=$?
assert_eq "$rc" 3 "unreadable: exit"
assert_eq "$(cat "$ST/err")" "kvmprep-mdev: 0000:3d:00.6: cannot read nvidia/creatable_vgpu_types: Is a directory" "unreadable: message"
echo "$out" | grep -q '^0000:3d:00.4 ' || fail "the other VFs are still listed: $out"
echo "$out" | grep -q '^0000:3d:00.6 ' && fail "0000:3d:00.6 listed although unreadable: $out"
exit 0
