# NVIDIA's vendor-specific vGPU on real VFs: the VFs of an SR-IOV PF get
# nvidia/ when SR-IOV is enabled (kvmprep-sriov set, as sriov-manage -e
# does), kvmprep-mdev sets a type on each, the GPU's capacity runs out,
# and kvmprep-sriov refuses to remove VFs that carry a vGPU (removing a
# VF destroys its vGPU) unless --force.
. ./common.sh
SYS=$ST/sys/bus/pci/devices
sriov() { fh -- kvmprep-sriov "$@"; }
cur() { cat "$SYS/$1/nvidia/current_vgpu_type"; }
out=$(sriov set 3e:00.0 3) || fail "sriov set 3: $out"
for vf in 0000:3e:00.4 0000:3e:00.5 0000:3e:00.6; do
	assert_eq "$(readlink "$SYS/$vf/physfn")" "../0000:3e:00.0" "$vf is a VF"
	assert_eq "$(cur "$vf")" 0 "$vf: no vGPU yet"
done
assert_eq "$(mdev types 3e:00.5 | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "1155 1157 1161 " "a VF's types"
assert_eq "$(mdev create -p 3e:00.4 -t 1157)" "0000:3e:00.4 /sys/bus/pci/devices/0000:3e:00.4" "create on VF 0"
assert_eq "$(mdev create -p 3e:00.5 -t 1157)" "0000:3e:00.5 /sys/bus/pci/devices/0000:3e:00.5" "create on VF 1"
# two 8Q are all this GPU takes: the third VF offers nothing
assert_eq "$(mdev types 3e:00.6)" "0000:3e:00.6: no type creatable now" "capacity used"
expect_rc 1 mdev create -p 3e:00.6 -t 1157
# the VFs carry vGPUs: their removal is refused, nothing changes
out=$(sriov set 3e:00.0 0 2>&1); rc=$?
assert_eq "$rc" 1 "set 0 with vGPUs: exit"
assert_eq "$out" "kvmprep-sriov: 0000:3e:00.4: cannot remove VF 0 of 0000:3e:00.0: in use: vGPU type 1157 is set on it (use --force to remove it anyway)" "set 0 with vGPUs: message"
assert_eq "$(cat "$SYS/0000:3e:00.0/sriov_numvfs")" 3 "VFs kept"
assert_eq "$(cur 0000:3e:00.4) $(cur 0000:3e:00.5)" "1157 1157" "vGPUs kept"
sriov list -v 3e:00.0 | grep -q 'vGPU type 1157 is set on it' || fail "list -v does not say why: $(sriov list -v 3e:00.0)"
# given back, the VFs go
assert_eq "$(mdev remove 3e:00.4)" "removed 0000:3e:00.4" "remove VF 0's vGPU"
out=$(sriov set 3e:00.0 0 2>&1); rc=$?
assert_eq "$rc" 1 "set 0 with one vGPU left"
echo "$out" | grep -q "^kvmprep-sriov: 0000:3e:00.5: cannot remove VF 1 of 0000:3e:00.0: in use: vGPU type 1157" || fail "VF 1: $out"
# --force: removed with a warning per VF, and the vGPUs with them
out=$(sriov set 3e:00.0 0 --force 2>&1) || fail "set 0 --force: $out"
echo "$out" | grep -q "^kvmprep-sriov: warning: 0000:3e:00.5: VF 1 is in use (vGPU type 1157 is set on it), removed anyway (--force)" ||
	fail "--force warning: $out"
assert_eq "$(cat "$SYS/0000:3e:00.0/sriov_numvfs")" 0 "VFs removed"
assert_nofile "$SYS/0000:3e:00.5"
assert_nofile "$ST/fakehost/vgpu/0000:3e:00.5"
# enabled again: fresh VFs, every type creatable again
sriov set 3e:00.0 2 >/dev/null || fail "set 2"
assert_eq "$(cur 0000:3e:00.5)" 0 "fresh VF"
assert_eq "$(mdev types 3e:00.5 | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "1155 1157 1161 " "fresh VF's types"
# kvmprep-capture of this host: the PF's line carries what its VFs offer
# now (a fully used GPU's VFs offer nothing: then there is no line)
"$TOP/tests/fakehost/capture" --sysroot "$ST" -o "$ST/cap.host" || fail "capture"
assert_eq "$(grep '^vgpu 0000:3e:00.0 ' "$ST/cap.host")" 'vgpu 0000:3e:00.0 types="1155:NVIDIA L40S-4Q,1157:NVIDIA L40S-8Q,1161:NVIDIA L40S-48Q"' "captured PF"
grep -q '^vgpu 0000:3e:00.[4-7]' "$ST/cap.host" && fail "a VF's vgpu line captured"
"$TOP/tests/fakehost/build" --check "$ST/cap.host" || fail "the capture does not check"
# boot: a vGPU defined on a VF that SR-IOV creates late; apply waits for it
# (bounded) and sets the type once the VF is there
mdev define -p 3e:00.5 -t 1157 >/dev/null || fail "define on a VF"
sriov set 3e:00.0 0 >/dev/null || fail "set 0 before boot"
fh -- kvmprep-mdev apply --timeout 20000 >"$ST/apply.out" 2>&1 &
bg=$!
sleep 0.5
assert_nofile "$SYS/0000:3e:00.5"
out=$(sriov set 3e:00.0 2 2>&1) || fail "the late VFs: $out"
wait $bg; rc=$?
assert_eq "$rc" 0 "apply after the VFs came: $(cat "$ST/apply.out")"
assert_eq "$(cur 0000:3e:00.5)" 1157 "the late VF's vGPU set by apply"
assert_eq "$(cur 0000:3e:00.4)" 0 "the other VF untouched"
exit 0
