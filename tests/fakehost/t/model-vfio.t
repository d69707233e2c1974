# Kernel model: loading vfio_pci (libkmod, finit_module) registers vfio-pci;
# binding the first device of an IOMMU group makes /dev/vfio/N and its
# sysfs class device, unbinding the last one removes them. vfio-pci refuses
# bridges and devices without an IOMMU group (EINVAL).
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0

on true || fail "cannot build the host"
assert_nofile "$T/sys/bus/pci/drivers/vfio-pci"
# an override set before the driver exists is honoured when it registers
on $W /sys/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1 >/dev/null
on $W /sys/bus/pci/devices/0000:01:00.1/driver_override vfio-pci >/dev/null
assert_eq "$(on "$BUILD/helpers/kp-modtool" load vfio-pci)" "vfio-pci: ok" "load"
assert_eq "$(cat "$T/sys/module/vfio_pci/initstate")" live "initstate"
assert_link "$T/sys/bus/pci/drivers/vfio-pci/module" vfio_pci
assert_file "$T/sys/bus/pci/drivers/vfio-pci/new_id"
assert_link "$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.1/driver" vfio-pci
assert_file "$T/dev/vfio/12"
assert_eq "$(readlink "$T/dev/.node/vfio_12")" "243:12" "node numbers"
assert_eq "$(cat "$T/sys/devices/virtual/vfio/12/dev")" "243:12" "class device"
assert_link "$T/sys/class/vfio/12" 12
# the preload shows it as a character device
assert_eq "$(on stat -c %F /dev/vfio/12)" "character special file" "stat"

# the second device of the group: the node stays one
on $W /sys/bus/pci/drivers/nouveau/unbind 0000:01:00.0 >/dev/null
on $W /sys/bus/pci/devices/0000:01:00.0/driver_override vfio-pci >/dev/null
assert_eq "$(on $W /sys/bus/pci/drivers/vfio-pci/bind 0000:01:00.0)" ok "bind"
assert_eq "$(head -1 "$GPU/uevent")" "DRIVER=vfio-pci" "uevent"
assert_eq "$(on $W /sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.1)" ok "unbind one"
assert_file "$T/dev/vfio/12"
assert_eq "$(on $W /sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.0)" ok "unbind the last"
assert_nofile "$T/dev/vfio/12"
assert_nofile "$T/dev/.node/vfio_12"
assert_nofile "$T/sys/class/vfio/12"
assert_nofile "$T/sys/devices/virtual/vfio/12"
assert_eq "$(on ls /dev/vfio/12 2>&1)" "ls: cannot access '/dev/vfio/12': No such file or directory" "gone for the tools"

# a bridge, and a device without an IOMMU group
on $W /sys/bus/pci/devices/0000:00:1c.0/driver_override vfio-pci >/dev/null
on $W /sys/bus/pci/drivers/pcieport/unbind 0000:00:1c.0 >/dev/null
assert_eq "$(on $W /sys/bus/pci/drivers/vfio-pci/bind 0000:00:1c.0)" "EINVAL (Invalid argument)" "bridge"
on $W /sys/bus/pci/devices/0000:00:1f.0/driver_override vfio-pci >/dev/null
on $W /sys/bus/pci/drivers/e1000e/unbind 0000:00:1f.0 >/dev/null
assert_eq "$(on $W /sys/bus/pci/drivers/vfio-pci/bind 0000:00:1f.0)" "EINVAL (Invalid argument)" "no IOMMU group"
assert_nolink "$T/sys/devices/pci0000:00/0000:00:1f.0/driver"

grep -E '^(module-load|driver-add|bind|unbind|vfio-)' "$T/fakehost/log" >"$ST/log"
assert_eq "$(cat "$ST/log")" "unbind 0000:01:00.1 snd_hda_intel
module-load vfio_pci_core
module-load vfio_pci
driver-add vfio-pci
bind 0000:01:00.1 vfio-pci
vfio-add 12
unbind 0000:01:00.0 nouveau
bind 0000:01:00.0 vfio-pci
unbind 0000:01:00.1 vfio-pci
unbind 0000:01:00.0 vfio-pci
vfio-remove 12
unbind 0000:00:1c.0 pcieport
unbind 0000:00:1f.0 e1000e" "log"
