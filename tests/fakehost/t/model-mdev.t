# Kernel model: mdev create makes PARENT/UUID (mdev_type, remove, an IOMMU
# group and its /dev/vfio node, bus/mdev link) and takes an instance; a
# used UUID is EEXIST, a bad one EINVAL, none left EUSERS; remove gives the
# instance back.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
TY=/sys/bus/pci/devices/0000:01:00.0/mdev_supported_types/nvidia-222
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
U1=6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d
U2=0e7cbd5c-1e2f-4a3b-8c4d-5e6f7a8b9c0d

on true || fail "cannot build the host"
assert_eq "$(cat "$GPU/mdev_supported_types/nvidia-222/available_instances")" 2 "before"
assert_eq "$(on $W $TY/create $U1)" ok "create"
assert_link "$GPU/$U1/mdev_type" nvidia-222
assert_file "$GPU/$U1/remove"
assert_link "$T/sys/bus/mdev/devices/$U1" "$U1"
g=$(basename "$(readlink "$GPU/$U1/iommu_group")")
[ -n "$g" ] || fail "no iommu group"
assert_link "$T/sys/kernel/iommu_groups/$g/devices/$U1" "$U1"
assert_file "$T/dev/vfio/$g"
assert_eq "$(cat "$GPU/mdev_supported_types/nvidia-222/available_instances")" 1 "after one"
assert_eq "$(on $W $TY/create $U1)" "EEXIST (File exists)" "same UUID"
assert_eq "$(on $W $TY/create not-a-uuid-at-all-but-36-characters!)" "EINVAL (Invalid argument)" "bad UUID"
assert_eq "$(on $W $TY/create 1234)" "EINVAL (Invalid argument)" "short"
assert_eq "$(on $W $TY/create "$U2
")" ok "second, with a newline"
assert_eq "$(on $W $TY/create 11111111-2222-3333-4444-555555555555)" "EUSERS (Too many users)" "none left"
assert_eq "$(on $W /sys/bus/mdev/devices/$U1/remove 1)" ok "remove"
assert_nofile "$GPU/$U1"
assert_nofile "$T/sys/bus/mdev/devices/$U1"
assert_nofile "$T/dev/vfio/$g"
assert_eq "$(cat "$GPU/mdev_supported_types/nvidia-222/available_instances")" 1 "given back"
assert_eq "$(grep '^mdev' "$T/fakehost/log")" "mdev-create $U1 nvidia-222 0000:01:00.0
mdev-create $U2 nvidia-222 0000:01:00.0
mdev-remove $U1" "log"
