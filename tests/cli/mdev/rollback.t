# golden
# A create that fails half-way leaves nothing behind: an attribute write
# that fails (the device is removed again), the parent disappearing right
# after the create (its driver went away), the kernel refusing with EUSERS
# or ENOSPC although available_instances said one was left, and a
# /dev/vfio node that never comes.
. ./common.sh
fh --fault "/sys/devices/vfio_ap/matrix/*/assign_domain=EINVAL" -- kvmprep-mdev create -p matrix -t vfio_ap-passthrough -u $U3 -a assign_adapter=5 -a assign_domain=0xff
echo "[exit $?]"
assert_nofile "$ST/sys/bus/mdev/devices/$U3"
assert_nofile "$AP/$U3"
effects
fresh
rmdev create -p matrix -t vfio_ap-passthrough -u $U3 -a assign_adapter=5 -a no_such_attr=1
assert_nofile "$ST/sys/bus/mdev/devices/$U3"
fresh
fh --fault mdev-unregister=0000:01:00.0 -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u $U1
echo "[exit $?]"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
assert_nofile "$T4/mdev_supported_types"
assert_nofile "$ST/sys/class/mdev_bus/0000:01:00.0"
effects
fresh
fh --fault "/sys/bus/pci/devices/0000:01:00.0/mdev_supported_types/nvidia-222/create=EUSERS" -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u $U1
echo "[exit $?]"
fh --fault "/sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create=ENOSPC" -- kvmprep-mdev create -p 00:02.0 -t i915-GVTg_V5_4 -u $U1
echo "[exit $?]"
fh --fault "/sys/bus/pci/devices/0000:01:00.0/mdev_supported_types/nvidia-222/create=EEXIST" -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u $U1
echo "[exit $?]"
fh --fault no-vfio-node=34 -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u $U1 --timeout 200
echo "[exit $?]"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
effects
