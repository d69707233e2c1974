# create/list/remove on every kind of parent: the device, its group and
# /dev/vfio node, attributes in order, the instance count, idempotent
# reruns (unchanged), a generated UUID, dry runs that change nothing.
. ./common.sh
out=$(mdev create -p 01:00.0 -t nvidia-222 -u "$U1") || fail "create: $out"
assert_eq "$out" "$U1 /sys/bus/mdev/devices/$U1" "create prints the UUID and the sysfs path"
assert_link "$ST/sys/bus/mdev/devices/$U1" "$U1"
assert_link "$T4/$U1/mdev_type" nvidia-222
assert_link "$T4/mdev_supported_types/nvidia-222/devices/$U1" "$U1"
g=$(basename "$(readlink "$T4/$U1/iommu_group")")
assert_file "$ST/dev/vfio/$g"
assert_eq "$(avail "$T4" nvidia-222)" 3 "one instance taken"
# rerun: same parent and type is unchanged; a UUID given in upper case is the same
out=$(mdev create -p 0000:01:00.0 -t nvidia-222 -u "$(echo "$U1" | tr a-f A-F)") || fail "rerun"
assert_eq "$out" "$U1 /sys/bus/mdev/devices/$U1 unchanged" "rerun"
assert_eq "$(avail "$T4" nvidia-222)" 3 "rerun took nothing"
# the same UUID on another type or parent is refused
expect_rc 1 mdev create -p 01:00.0 -t nvidia-223 -u "$U1"
expect_rc 1 mdev create -p 00:02.0 -t i915-GVTg_V5_4 -u "$U1"
# a generated UUID
out=$(mdev create -p 00:02.0 -t i915-GVTg_V5_4) || fail "create without --uuid"
gen=${out%% *}
kvmprep_uuid='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
echo "$gen" | grep -Eq "$kvmprep_uuid" || fail "generated UUID '$gen' is not a v4 UUID"
assert_link "$GVT/$gen/mdev_type" i915-GVTg_V5_4
# vfio-ap: attributes written in the given order
out=$(mdev create -p matrix -t vfio_ap-passthrough -u "$U3" -a assign_adapter=5 \
	-a assign_domain=0xab -a assign_control_domain=0xab) || fail "vfio-ap: $out"
assert_eq "$(cat "$AP/$U3/assign_adapter")" 5 "assign_adapter"
assert_eq "$(cat "$AP/$U3/assign_domain")" 0xab "assign_domain"
# JSON
mdev create -p 01:00.0 -t nvidia-223 -u "$U2" --json >"$ST/c.json" || fail "json create"
python3 - "$ST/c.json" "$U2" <<'PY' || fail "create --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1 and d["command"] == "create" and d["changed"] is True, d
dev = d["device"]
assert dev["uuid"] == sys.argv[2] and dev["parent"] == "0000:01:00.0" and dev["type"] == "nvidia-223", dev
assert dev["sysfs"] == "/sys/bus/mdev/devices/" + sys.argv[2] and dev["vfio_node"] == "/dev/vfio/%d" % dev["iommu_group"], dev
PY
# list: every active device with its group and node
out=$(mdev list --parent 01:00.0) || fail "list"
echo "$out" | grep -q "^$U1  0000:01:00.0  nvidia-222 .* /dev/vfio/$g " || fail "list: $out"
[ "$(echo "$out" | wc -l)" = 3 ] || fail "list --parent: $out"
# dry runs change nothing
out=$(mdev create -p 00:02.0 -t i915-GVTg_V5_8 -u 22222222-3333-4444-8555-666666666666 --dry-run)
assert_eq "$out" "would create 22222222-3333-4444-8555-666666666666 /sys/bus/mdev/devices/22222222-3333-4444-8555-666666666666 (i915-GVTg_V5_8 on 0000:00:02.0)" "dry run"
assert_nofile "$ST/sys/bus/mdev/devices/22222222-3333-4444-8555-666666666666"
assert_eq "$(mdev remove "$U1" --dry-run)" "would remove $U1" "remove --dry-run"
assert_file "$ST/sys/bus/mdev/devices/$U1"
# remove, and again: unchanged
assert_eq "$(mdev remove "$U1")" "removed $U1" "remove"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
assert_nofile "$ST/dev/vfio/$g"
assert_eq "$(avail "$T4" nvidia-222)" 4 "instance given back"
assert_eq "$(mdev remove "$U1")" "$U1: not active, unchanged" "remove again"
assert_eq "$(mdev stop "$U2")" "removed $U2" "stop"
assert_eq "$(mdev remove "$U3" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["changed"], d["uuid"])')" "True $U3" "remove --json"
