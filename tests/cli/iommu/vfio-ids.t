# golden
# vfio-pci.ids= on the kernel command line (issue 9): vfio-pci claims the
# device from boot by a dynamic id, without driver_override. status sees
# the id (driver_override PASS, named), and only for the ids it lists.
HOST=iommu-early
. ./common.sh
fh -- true || fail "cannot set up the host"
sed -i 's/iommu=pt/iommu=pt vfio_pci.ids=10de:2204,10de:1aef:1043:87b3,8086:1533:8086:5001/' "$ST/proc/cmdline"
# the boot: vfio-pci claimed the GPU and its audio function (bound, then
# without the override, as vfio-pci.ids= leaves them)
iommu bind -q --group 01:00.0 || fail "bind"
for d in 0000:01:00.0 0000:01:00.1; do
	fh -- "$BUILD/helpers/fh-write" "/sys/bus/pci/devices/$d/driver_override" $'\n' >/dev/null
done
assert_dev 0000:01:00.0 vfio-pci '(null)'
riommu status 01:00.0 | grep -E 'driver|ready|exit'
riommu status 01:00.1 | grep -E 'driver_override'
# the I210 is not claimed (the subsystem ids differ): bound by hand, WARN
iommu bind -q 02:00.0 || fail "bind"
fh -- "$BUILD/helpers/fh-write" /sys/bus/pci/devices/0000:02:00.0/driver_override $'\n' >/dev/null
riommu status 02:00.0 | grep -E 'driver_override'
