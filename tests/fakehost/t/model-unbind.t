# Kernel model: drivers/D/unbind removes the driver links and says so in the
# device's uevent; the wrong driver or an unbound device is ENODEV.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0

on true || fail "cannot build the host"
assert_link "$GPU/driver" nouveau
assert_eq "$(on $W /sys/bus/pci/drivers/e1000e/unbind 0000:01:00.0)" "ENODEV (No such device)" "unbind from a driver it is not bound to"
assert_link "$GPU/driver" nouveau
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/unbind 0000:01:00.0)" ok "unbind"
assert_nolink "$GPU/driver"
assert_nolink "$T/sys/bus/pci/drivers/nouveau/0000:01:00.0"
grep -q '^DRIVER=' "$GPU/uevent" && fail "uevent still names a driver"
assert_grep '^PCI_SLOT_NAME=0000:01:00.0$' "$GPU/uevent"
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/unbind 0000:01:00.0)" "ENODEV (No such device)" "second unbind"
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/unbind 0000:09:00.0)" "ENODEV (No such device)" "unbind of no device"
# through the device's own driver link, with a trailing newline
assert_eq "$(on $W /sys/bus/pci/devices/0000:00:19.0/driver/unbind "0000:00:19.0
")" ok "unbind through BDF/driver/unbind"
assert_nolink "$T/sys/devices/pci0000:00/0000:00:19.0/driver"
assert_eq "$(cat "$T/fakehost/log")" "unbind 0000:01:00.0 nouveau
unbind 0000:00:19.0 e1000e" "log"
# the driver's netdev went with it
assert_nofile "$T/sys/class/net/eno1"
assert_nofile "$T/sys/devices/pci0000:00/0000:00:19.0/net"
