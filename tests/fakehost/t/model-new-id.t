# Kernel model: new_id adds a dynamic id and probes the unbound devices it
# matches; an id the driver already matches is EEXIST; remove_id takes it
# away (ENODEV when it is not there); fewer than two fields is EINVAL.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
V=/sys/bus/pci/drivers/vfio-pci

on "$BUILD/helpers/kp-modtool" load vfio_pci >/dev/null || fail "load vfio_pci"
on $W /sys/bus/pci/drivers/nouveau/unbind 0000:01:00.0 >/dev/null
assert_eq "$(on $W $V/new_id "10de 1eb8")" ok "new_id"
assert_link "$GPU/driver" vfio-pci
assert_file "$T/dev/vfio/12"
assert_eq "$(on $W $V/new_id "10de 1eb8")" "EEXIST (File exists)" "new_id again"
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/new_id "10de 1eb8")" "EEXIST (File exists)" "an id of the static table"
assert_eq "$(on $W $V/new_id "10de")" "EINVAL (Invalid argument)" "one field"
assert_eq "$(on $W $V/remove_id "10de 1eb8")" ok "remove_id"
assert_eq "$(on $W $V/remove_id "10de 1eb8")" "ENODEV (No such device)" "remove_id again"
# the binding stays (remove_id does not unbind), a new device would not match
assert_link "$GPU/driver" vfio-pci
assert_grep '^new_id vfio-pci 10de 1eb8$' "$T/fakehost/log"
assert_grep '^remove_id vfio-pci 10de 1eb8$' "$T/fakehost/log"
