# Kernel model: driver_override stores its value ("\n" clears it to (null));
# drivers_probe binds an unbound device to the override only, else to the
# first driver that matches, and succeeds without binding when none does.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" -- "$@"; }
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
D=/sys/bus/pci/devices/0000:01:00.0

on true || fail "cannot build the host"
assert_eq "$(cat "$GPU/driver_override")" "(null)" "initial"
assert_eq "$(on $W $D/driver_override vfio-pci)" ok "set"
assert_eq "$(on cat $D/driver_override)" "vfio-pci" "read back"
# a shell redirection (O_TRUNC, newline) goes the same way
on sh -c "echo e1000e > $D/driver_override" || fail "echo into driver_override"
assert_eq "$(cat "$GPU/driver_override")" "e1000e" "set by echo"
on $W /sys/bus/pci/drivers/nouveau/unbind 0000:01:00.0 >/dev/null
# the override wins over nouveau's id table: e1000e takes the GPU
assert_eq "$(on $W /sys/bus/pci/drivers_probe 0000:01:00.0)" ok "drivers_probe"
assert_link "$GPU/driver" e1000e
on $W /sys/bus/pci/drivers/e1000e/unbind 0000:01:00.0 >/dev/null
# an override naming a driver that is not loaded: success, nothing bound
on $W $D/driver_override vfio-pci >/dev/null
assert_eq "$(on $W /sys/bus/pci/drivers_probe 0000:01:00.0)" ok "drivers_probe, driver absent"
assert_nolink "$GPU/driver"
# and nouveau cannot take it by bind while the override names another
assert_eq "$(on $W /sys/bus/pci/drivers/nouveau/bind 0000:01:00.0)" "ENODEV (No such device)" "bind against the override"
assert_eq "$(on $W $D/driver_override "
")" ok "clear"
assert_eq "$(cat "$GPU/driver_override")" "(null)" "cleared"
assert_eq "$(on $W /sys/bus/pci/drivers_probe 0000:01:00.0)" ok "drivers_probe, no override"
assert_link "$GPU/driver" nouveau
assert_eq "$(on $W /sys/bus/pci/drivers_probe 0000:0b:00.0)" "ENODEV (No such device)" "drivers_probe of no device"
assert_eq "$(cat "$T/fakehost/log")" "override 0000:01:00.0 vfio-pci
override 0000:01:00.0 e1000e
unbind 0000:01:00.0 nouveau
bind 0000:01:00.0 e1000e
unbind 0000:01:00.0 e1000e
override 0000:01:00.0 vfio-pci
override 0000:01:00.0 (null)
bind 0000:01:00.0 nouveau" "log"
