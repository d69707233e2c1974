# A virtio NIC's interface lives below virtioN/ (the builder's netdir): when
# virtio-pci lets the device go, virtioN and its interface go with it; when
# it takes the device back, they come back.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-netdir.XXXXXX")
rmdir "$ST"
trap 'rm -rf "$ST"' EXIT
fh() { "$FAKEHOST" iommu-virtio --state "$ST" -- "$@"; }
D=$ST/sys/devices/pci0000:00/0000:00:03.0
fh true || fail "cannot build iommu-virtio"
assert_link "$ST/sys/class/net/eth1" eth1
# ../../devices/pci0000:00/0000:00:03.0/virtioN/net/eth1
sub=$(readlink "$ST/sys/class/net/eth1" | sed -n 's|.*/0000:00:03\.0/\(virtio[0-9]*\)/net/eth1$|\1|p')
[ -n "$sub" ] || fail "eth1 is not below a virtioN of 0000:00:03.0"
assert_file "$D/$sub/net/eth1/address"
fh "$BUILD/helpers/fh-write" /sys/bus/pci/devices/0000:00:03.0/driver/unbind 0000:00:03.0
assert_nolink "$ST/sys/class/net/eth1"
assert_nofile "$D/$sub"
assert_nolink "$D/driver"
fh "$BUILD/helpers/fh-write" /sys/bus/pci/drivers/virtio-pci/bind 0000:00:03.0
assert_link "$D/driver" virtio-pci
assert_link "$ST/sys/class/net/eth1" eth1
assert_file "$D/$sub/net/eth1/address"
fh sh -c 'cat /sys/class/net/eth1/address' >/dev/null || fail "eth1 unreadable after rebind"
echo "netdir: $sub"
