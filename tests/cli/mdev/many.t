# Several devices in one call, all or none: --count N or --uuid given
# several times make one journal; when one cannot be made the ones made
# before are removed again; remove takes several UUIDs.
. ./common.sh
out=$(mdev create -p 01:00.0 -t nvidia-222 -u "$U1" -u "$U2" -u "$U3") || fail "create 3: $out"
assert_eq "$out" "$U1 /sys/bus/mdev/devices/$U1
$U2 /sys/bus/mdev/devices/$U2
$U3 /sys/bus/mdev/devices/$U3" "create 3"
assert_eq "$(avail "$T4" nvidia-222)" 1 "three taken"
assert_eq "$(mdev remove "$U1" "$U2" "$U3" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["changed"], [x["uuid"] for x in d["devices"]])')" \
	"True ['$U1', '$U2', '$U3']" "remove 3 --json"
assert_eq "$(avail "$T4" nvidia-222)" 4 "given back"
# the third has no instance left: the two before are removed again
out=$(mdev create -p 00:02.0 -t i915-GVTg_V5_4 --count 3 2>&1); rc=$?
assert_eq "$rc" 1 "count 3 of 2"
echo "$out" | grep -q "cannot create i915-GVTg_V5_4: no instance left" || fail "message: $out"
echo "$out" | grep -q "rolled back: the 2 devices this call created were removed again" || fail "message: $out"
assert_eq "$(ls "$ST/sys/bus/mdev/devices")" "" "nothing left"
assert_eq "$(avail "$GVT" i915-GVTg_V5_4)" 2 "instances back"
assert_nofile "$ST/run/kvmprep/journal"
# the kernel refuses the second write: the first is removed, no journal left
fh --fault '/sys/bus/pci/devices/0000:01:00.0/mdev_supported_types/nvidia-222/create@2=EEXIST' -- \
	kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u "$U1" -u "$U2" >/dev/null 2>&1
assert_eq "$?" 1 "refused second"
assert_eq "$(ls "$ST/sys/bus/mdev/devices")" "" "first removed again"
assert_nofile "$ST/run/kvmprep/journal"
# an attribute that fails on the second device takes both back
fh --fault "/sys/devices/vfio_ap/matrix/$U2/assign_adapter=EINVAL" -- \
	kvmprep-mdev create -p matrix -t vfio_ap-passthrough -u "$U1" -u "$U2" -a assign_adapter=1 >/dev/null 2>"$ST/err"
assert_eq "$?" 1 "attribute on the second"
assert_eq "$(ls "$ST/sys/bus/mdev/devices")" "" "both removed"
grep -q "cannot write attribute assign_adapter=1: Invalid argument (the call is rolled back)" "$ST/err" || fail "$(cat "$ST/err")"
# JSON: one document
mdev create -p 01:00.0 -t nvidia-222 --count 2 --json >"$ST/j" || fail "count 2 --json"
python3 - "$ST/j" <<'PY' || fail "json: $(cat "$ST/j")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "create" and d["changed"] is True and len(d["devices"]) == 2, d
assert all(x["vfio_node"].startswith("/dev/vfio/") for x in d["devices"]), d
PY
