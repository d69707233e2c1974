# Kernel model: drivers/D/bind binds a matching unbound device; a device
# the driver does not match, or none, is ENODEV; a bound one EBUSY.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
NIC=$T/sys/devices/pci0000:00/0000:00:19.0

on true || fail "cannot build the host"
assert_eq "$(on $W /sys/bus/pci/drivers/e1000e/bind 0000:00:19.0)" "EBUSY (Device or resource busy)" "bind of a bound device"
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/bind 0000:00:19.0)" "ENODEV (No such device)" "bind of a device the driver does not match"
on $W /sys/bus/pci/drivers/e1000e/unbind 0000:00:19.0 >/dev/null
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/bind 0000:00:19.0)" "ENODEV (No such device)" "no match, unbound"
assert_eq "$(on $W /sys/bus/pci/drivers/e1000e/bind 0000:0a:00.0)" "ENODEV (No such device)" "no such device"
assert_nolink "$NIC/driver"
assert_eq "$(on $W /sys/bus/pci/drivers/e1000e/bind 0000:00:19.0)" ok "bind"
assert_link "$NIC/driver" e1000e
assert_link "$T/sys/bus/pci/drivers/e1000e/0000:00:19.0" 0000:00:19.0
assert_eq "$(head -1 "$NIC/uevent")" "DRIVER=e1000e" "uevent"
# its netdev is back, under the same name
assert_file "$NIC/net/eno1/address"
assert_link "$T/sys/class/net/eno1" eno1
assert_eq "$(cat "$T/fakehost/log")" "unbind 0000:00:19.0 e1000e
bind 0000:00:19.0 e1000e" "log"
