# golden
# --dry-run on every change: says what would happen, writes nothing, and
# does not need root.
. ./common.sh
nobody_setup
riommu bind --dry-run --group 01:00.0
riommu bind --dry-run --id 8086:10d3 --json
lab_pristine
iommu bind 02:00.0 >/dev/null || fail "bind"
: >"$ST/fakehost/log"
riommu unbind --dry-run 02:00.0
riommu bind --dry-run 02:00.0
assert_dev 0000:02:00.0 vfio-pci vfio-pci
[ -z "$(effects)" ] || fail "dry run changed: $(effects)"
fh -- "$NOBODY" kvmprep-iommu unbind -n 02:00.0
echo "[exit $?]"
