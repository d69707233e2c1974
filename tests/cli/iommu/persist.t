# golden
# bind --persist writes /etc/kvmprep/vfio.conf and the udev rule (atomic,
# under the host's root); a rerun changes nothing; apply-persisted binds
# them on a freshly booted host; a device that changed identity is not
# bound; unpersist removes the entries, then the files.
. ./common.sh
riommu bind --persist --group 01:00.0 --json
cat "$ST/etc/kvmprep/vfio.conf"
cat "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
(cd "$ST/etc" && ls -A kvmprep udev/rules.d)
sum=$(cat "$ST/etc/kvmprep/vfio.conf" "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules" | md5sum)
# with kvmprep-vfio.service enabled, no warning about it
mkdir -p "$ST/etc/systemd/system/sysinit.target.wants"
ln -s /usr/local/lib/systemd/system/kvmprep-vfio.service \
	"$ST/etc/systemd/system/sysinit.target.wants/kvmprep-vfio.service"
riommu bind --persist --group 01:00.0
assert_eq "$(cat "$ST/etc/kvmprep/vfio.conf" "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules" | md5sum)" "$sum" "rerun rewrote the files"
riommu bind --persist 02:00.0 --dry-run
assert_eq "$(cat "$ST/etc/kvmprep/vfio.conf" "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules" | md5sum)" "$sum" "dry run wrote"
assert_dev 0000:02:00.0 e1000e '(null)'
# unbind warns that the binding is still persisted
riommu unbind 01:00.0 01:00.1
# "reboot": a pristine host with the persisted files
cp -a "$ST/etc/kvmprep/vfio.conf" "${ST}.conf"
fresh
iommu list --class display >/dev/null
mkdir -p "$ST/etc/kvmprep"
mv "${ST}.conf" "$ST/etc/kvmprep/vfio.conf"
riommu apply-persisted
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
riommu apply-persisted --json
# a persisted slot that now holds another device is refused, the rest bound
echo "0000:02:00.0 10de:1eb8 vfio-pci" >>"$ST/etc/kvmprep/vfio.conf"
riommu apply-persisted
assert_dev 0000:02:00.0 e1000e '(null)'
riommu unpersist 0000:02:00.0
riommu unpersist 01:00.0 --dry-run
riommu unpersist --id 10de:1eb8 01:00.1
assert_nofile "$ST/etc/kvmprep/vfio.conf"
assert_nofile "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
riommu unpersist 01:00.0
# a malformed file is reported with its line
printf '0000:01:00.0 10de:1eb8 vfio-pci\nnonsense\n' >"$ST/etc/kvmprep/vfio.conf"
riommu apply-persisted
# vfio.conf cannot be read (/etc/kvmprep is not a directory): refused
# before anything moves
fresh
fh -- true || fail "cannot set up the host"
echo x >"$ST/etc/kvmprep"
riommu bind --persist 02:00.0
assert_dev 0000:02:00.0 e1000e '(null)'
[ -z "$(effects)" ] || fail "changed: $(effects)"
assert_eq "$(cat "$ST/etc/kvmprep")" x "/etc/kvmprep was touched"
assert_nofile "$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
# the binding cannot be recorded (the udev rule cannot be written: rules.d
# is not a directory): the bind is rolled back, the device is back on its
# driver, and vfio.conf is back to what it was (absent)
fresh
fh -- true || fail "cannot set up the host"
mkdir -p "$ST/etc/udev"
rm -rf "$ST/etc/udev/rules.d"
echo x >"$ST/etc/udev/rules.d"
riommu bind --persist 02:00.0
assert_dev 0000:02:00.0 e1000e '(null)'
assert_eq "$(cat "$ST/etc/udev/rules.d")" x "rules.d was touched"
assert_nofile "$ST/etc/kvmprep/vfio.conf"
# the same with entries already there: they stay, byte for byte
mkdir -p "$ST/etc/kvmprep"
printf '# mine\n0000:01:00.0 10de:1eb8 vfio-pci\n' >"$ST/etc/kvmprep/vfio.conf"
sum=$(md5sum <"$ST/etc/kvmprep/vfio.conf")
riommu bind --persist 02:00.0
assert_dev 0000:02:00.0 e1000e '(null)'
assert_eq "$(md5sum <"$ST/etc/kvmprep/vfio.conf")" "$sum" "vfio.conf changed"
