# Kernel model: --fault ATTR[@N]=ERRNO fails the Nth write (counted across
# the processes of one run), @* every write, globs and paths through
# symlinks match; refuse-bind=BDF[:D] makes probes fail. A failed write has
# no effect, and the log says which fault fired.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" model-basic --state "$T" "$@"; }
GPU=$T/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
UB=/sys/bus/pci/drivers/nouveau/unbind

on -- true || fail "cannot build the host"
# the 1st write fails, the 2nd (another process) goes through
out=$(on --fault "$UB=EBUSY" -- sh -c "$W $UB 0000:01:00.0; $W $UB 0000:01:00.0")
assert_eq "$out" "EBUSY (Device or resource busy)
ok" "first write"
assert_nolink "$GPU/driver"
assert_eq "$(cat "$T/fakehost/log")" "fault /sys/bus/pci/drivers/nouveau/unbind EBUSY
unbind 0000:01:00.0 nouveau" "log"
: >"$T/fakehost/log"

# @2, through the device's symlinked path, with a glob
F='/sys/bus/pci/devices/*/driver_override@2=EIO'
out=$(on --fault "$F" -- sh -c "$W /sys/bus/pci/devices/0000:01:00.0/driver_override a; $W /sys/bus/pci/devices/0000:01:00.0/driver_override b; $W /sys/bus/pci/devices/0000:01:00.0/driver_override c")
assert_eq "$out" "ok
EIO (Input/output error)
ok" "@2"
assert_eq "$(cat "$GPU/driver_override")" c "value after"
# @* every one; a new run starts the counts again
out=$(on --fault '/sys/bus/pci/drivers_probe@*=ENOMEM' -- sh -c "$W /sys/bus/pci/drivers_probe 0000:01:00.0; $W /sys/bus/pci/drivers_probe 0000:01:00.0")
assert_eq "$out" "ENOMEM (Cannot allocate memory)
ENOMEM (Cannot allocate memory)" "@*"
on -- $W /sys/bus/pci/devices/0000:01:00.0/driver_override "
" >/dev/null

# refuse-bind: every driver, or only the one named
out=$(on --fault refuse-bind=0000:01:00.0 -- sh -c "$W /sys/bus/pci/drivers_probe 0000:01:00.0; $W /sys/bus/pci/drivers/nouveau/bind 0000:01:00.0")
assert_eq "$out" "ok
ENODEV (No such device)" "refuse-bind"
assert_nolink "$GPU/driver"
assert_grep '^fault refuse-bind 0000:01:00.0 nouveau$' "$T/fakehost/log"
assert_eq "$(on --fault refuse-bind=0000:01:00.0:vfio-pci -- $W /sys/bus/pci/drivers/nouveau/bind 0000:01:00.0)" ok "refuse-bind of another driver"
assert_link "$GPU/driver" nouveau
