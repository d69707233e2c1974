# Kernel model: delete_module (rmmod, libkmod) unbinds the devices of the
# module's drivers, removes the drivers and sys/module/M and drops the hold
# on the modules it used; a module in use stays.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
command -v rmmod >/dev/null || PATH=$PATH:/usr/sbin:/sbin

on "$BUILD/helpers/kp-modtool" load vfio_pci >/dev/null || fail "load vfio_pci"
assert_link "$T/sys/module/vfio_pci_core/holders/vfio_pci" vfio_pci
assert_eq "$(cat "$T/sys/module/vfio_pci_core/refcnt")" 1 "refcnt of the dependency"
on $W /sys/bus/pci/devices/0000:01:00.1/driver_override vfio-pci >/dev/null
on $W /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1 >/dev/null
on $W /sys/bus/pci/drivers_probe 0000:01:00.1 >/dev/null
assert_file "$T/dev/vfio/12"
on rmmod vfio_pci_core 2>/dev/null && fail "removed a module in use"
assert_file "$T/sys/module/vfio_pci_core/initstate"
: >"$T/fakehost/log"
on rmmod vfio_pci || fail "rmmod vfio_pci"
assert_nofile "$T/sys/module/vfio_pci"
assert_nofile "$T/sys/bus/pci/drivers/vfio-pci"
assert_nolink "$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.1/driver"
assert_nofile "$T/dev/vfio/12"
assert_nofile "$T/sys/module/vfio_pci_core/holders/vfio_pci"
assert_eq "$(cat "$T/sys/module/vfio_pci_core/refcnt")" 0 "refcnt after"
assert_eq "$(cat "$T/fakehost/log")" "unbind 0000:01:00.1 vfio-pci
vfio-remove 12
driver-remove vfio-pci
module-unload vfio_pci" "log"
on rmmod vfio_pci_core || fail "rmmod vfio_pci_core once free"
assert_nofile "$T/sys/module/vfio_pci_core"
