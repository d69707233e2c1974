# A virtio-fs function whose tag a virtiofs mount names carries that file
# system (iommu-virtiofs.host, the 6.9+ layout: /sys/fs/virtiofs/INDEX/tag
# and device): bind refuses it and changes nothing, status says why, the
# share mounted nowhere is free. On a kernel without /sys/fs/virtiofs no
# file says which device has which tag: while a virtiofs is mounted every
# virtio-fs device is in use (never falsely free).
HOST=iommu-virtiofs
. ./common.sh
fh -- true || fail "cannot set up $HOST"
out=$(iommu bind 00:04.0 2>&1); rc=$?
assert_eq "$rc" 1 "bind the mounted share: exit"
assert_eq "$out" "kvmprep-iommu: 0000:00:04.0: in use by the host: virtio-fs share hostfs is mounted on /srv/fs (use --force to take it anyway)" "bind the mounted share: message"
assert_dev 0000:00:04.0 virtio-pci '(null)'
[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
iommu status 00:04.0 | grep -q 'virtio-fs share hostfs is mounted on /srv/fs' || fail "status: $(iommu status 00:04.0)"
out=$(iommu list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin)["devices"]:
    if d["device"] in ("0000:00:04.0", "0000:00:05.0"):
        print(d["device"], d["in_use"])')
assert_eq "$out" "0000:00:04.0 True
0000:00:05.0 False" "list"
iommu bind 00:05.0 --dry-run >/dev/null || fail "the unmounted share is free"
# before 6.9: no /sys/fs/virtiofs
rm -rf "$ST/sys/fs/virtiofs"
out=$(iommu bind 00:05.0 2>&1); rc=$?
assert_eq "$rc" 1 "old kernel: exit"
assert_eq "$out" "kvmprep-iommu: 0000:00:05.0: in use by the host: virtio-fs device while virtiofs hostfs is mounted on /srv/fs (this kernel does not say which device has which tag) (use --force to take it anyway)" "old kernel: message"
assert_dev 0000:00:05.0 virtio-pci '(null)'
[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
exit 0
