# Kernel model: a libudev monitor (tests/helpers/fh-udevwait) receives the
# uevents of what the model does: unbind/bind with the driver, the vfio
# group node appearing and going, VFs added and removed.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write U=$BUILD/helpers/fh-udevwait
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
G=/devices/pci0000:00/0000:00:1c.0/0000:01:00.1

on "$BUILD/helpers/kp-modtool" load vfio_pci >/dev/null || fail "load vfio_pci"
on $W /sys/bus/pci/devices/0000:01:00.1/driver_override vfio-pci >/dev/null
out=$(on $U -- $W /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1)
assert_eq "$out" "ok
unbind pci $G" "unbind"
out=$(on $U -- $W /sys/bus/pci/drivers/vfio-pci/bind 0000:01:00.1)
assert_eq "$out" "ok
add vfio /devices/virtual/vfio/12 DEVNAME=/dev/vfio/12
bind pci $G DRIVER=vfio-pci" "bind to vfio-pci"
out=$(on $U -s vfio -- $W /sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.1)
assert_eq "$out" "ok
remove vfio /devices/virtual/vfio/12 DEVNAME=/dev/vfio/12" "the subsystem filter, node gone"
out=$(on $U -s pci -- sh -c "$W /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs 2 && $W /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs 0")
assert_eq "$out" "ok
ok
add pci /devices/pci0000:00/0000:00:1d.0/0000:03:02.0
add pci /devices/pci0000:00/0000:00:1d.0/0000:03:02.1
remove pci /devices/pci0000:00/0000:00:1d.0/0000:03:02.1
remove pci /devices/pci0000:00/0000:00:1d.0/0000:03:02.0" "VFs"
