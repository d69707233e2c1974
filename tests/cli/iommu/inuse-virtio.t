# golden
# A virtio NIC carries the host's address (iommu-virtio.host): its interface
# sits below virtioN/ (…/0000:00:02.0/virtio0/net/eth0), not directly below
# the PCI function. list marks it in use, bind refuses it with the address
# and the default route and changes nothing; --dry-run on the idle one
# would bind it.
HOST=iommu-virtio
. ./common.sh
fh -- true || fail "cannot set up $HOST"
assert_link "$ST/sys/class/net/eth0/device" virtio0
riommu list
riommu list --class net --json | grep -E '"(device|in_use|in_use_by)"'
riommu bind 00:02.0
riommu bind eth0
assert_dev 0000:00:02.0 virtio-pci '(null)'
[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
riommu bind eth1 --dry-run
assert_dev 0000:00:03.0 virtio-pci '(null)'
