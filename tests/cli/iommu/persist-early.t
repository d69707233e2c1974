# golden
# Drivers that come first (iommu-early.host, issue 9): a host driver in the
# initramfs or loaded before udev binds a persisted device before the udev
# rule can set driver_override. bind --persist writes
# /etc/modprobe.d/kvmprep-vfio.conf (softdep HOST pre: vfio-pci for module
# host drivers; options vfio-pci ids= for the ids every device of which is
# persisted), the host's initramfs tool's configuration that puts vfio-pci
# in the initramfs, and prints the command that regenerates it (never run).
# An id shared with a device the host keeps is not given to vfio-pci; a
# built-in host driver gets the vfio-pci.ids= kernel argument named. A
# write that fails rolls the whole bind back; unpersist removes the files.
HOST=iommu-early
. ./common.sh
mp=etc/modprobe.d/kvmprep-vfio.conf
# no initramfs tool on the host: the files, and what to do by hand
riommu bind --persist --group 01:00.0 | grep "^\[exit"
cat "$ST/$mp"
# initramfs-tools (Debian): the hook, and the command
fresh
fh -- true || fail "cannot set up the host"
mkdir -p "$ST/usr/sbin" && printf '#!/bin/sh\n' >"$ST/usr/sbin/update-initramfs"
riommu bind --persist --group 01:00.0 | grep "^\[exit"
assert_eq "$(stat -c %a "$ST/etc/initramfs-tools/hooks/kvmprep-vfio")" 755 "hook mode"
cat "$ST/etc/initramfs-tools/hooks/kvmprep-vfio"
# the second I210 stays the host's uplink: its id is not vfio-pci's
riommu bind --persist 02:00.0 | grep "^\[exit"
cat "$ST/$mp"
# a rerun changes nothing and says nothing of the initramfs
sum=$(md5sum <"$ST/$mp")
riommu bind --persist 02:00.0 | grep "^\[exit"
assert_eq "$(md5sum <"$ST/$mp")" "$sum" "rerun rewrote"
# r8169 is built in: no module option reaches it; the kernel argument named
riommu bind --persist 06:00.0 | grep "^\[exit"
grep -c r8169 "$ST/$mp"
# dracut's configuration cannot be written: the bind, vfio.conf, the udev
# rule and the modprobe.d file roll back
fresh
fh -- true || fail "cannot set up the host"
mkdir -p "$ST/usr/bin" && printf '#!/bin/sh\n' >"$ST/usr/bin/dracut"
rm -rf "$ST/etc/dracut.conf.d"; echo x >"$ST/etc/dracut.conf.d"
riommu bind --persist 04:00.0 | grep "^\[exit"
assert_dev 0000:04:00.0 nvme '(null)'
assert_nofile "$ST/etc/kvmprep/vfio.conf"
assert_nofile "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
assert_nofile "$ST/$mp"
assert_eq "$(cat "$ST/etc/dracut.conf.d")" x "dracut.conf.d was touched"
# dracut (Fedora): dracut.conf.d, and its command
rm "$ST/etc/dracut.conf.d"
riommu bind --persist 04:00.0 | grep "^\[exit"
cat "$ST/etc/dracut.conf.d/kvmprep-vfio.conf"
cat "$ST/$mp"
# unpersist: the files go with the last entry
riommu unpersist -q 04:00.0
assert_nofile "$ST/$mp"
assert_nofile "$ST/etc/dracut.conf.d/kvmprep-vfio.conf"
