# golden
# A virtio-9p function whose tag a 9p mount names carries that file system
# (iommu-9p.host): list and status say so, bind refuses it and changes
# nothing; the share mounted nowhere is free. The mount table has no
# optional fields: the fstype and the source directly follow "-" (the lab
# guest showed that this was misparsed: every mount lost its source).
HOST=iommu-9p
. ./common.sh
fh -- true || fail "cannot set up $HOST"
riommu list
riommu status 00:04.0 | grep -E '^(host_use|\[exit)'
riommu bind 00:04.0
assert_dev 0000:00:04.0 virtio-pci '(null)'
[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
riommu bind 00:05.0 --dry-run
