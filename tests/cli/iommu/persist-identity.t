# golden
# apply-persisted at boot (iommu-early.host, issue 9): bind --persist
# records what tells the card from another of its model (subsystem ids,
# the PCIe Device Serial Number) and apply-persisted binds a device only
# when it is still that card, with bind's checks (no --force at boot): the
# root disk, the uplink, a group left half on host drivers and a missing
# device are each skipped with a line naming why, the others bound, exit 1.
HOST=iommu-early
. ./common.sh
conf=etc/kvmprep/vfio.conf
# reboot FILE: a freshly booted host whose vfio.conf is FILE
reboot() {
	cp "$1" "$ST.conf"
	fresh
	fh -- true || fail "cannot set up the host"
	mkdir -p "$ST/etc/kvmprep"
	mv "$ST.conf" "$ST/$conf"
}
riommu bind --persist 02:00.0 -q
cat "$ST/$conf"
grep -c 'ATTR{subsystem_vendor}=="0x8086", ATTR{subsystem_device}=="0x0001"' \
	"$ST/etc/udev/rules.d/60-kvmprep-vfio.rules"
cp "$ST/$conf" "$ST.good"
# the same card after a reboot: bound
reboot "$ST.good"
riommu apply-persisted
assert_dev 0000:02:00.0 vfio-pci vfio-pci
# another card of the same model (another serial) in the slot: not bound
sed 's/dsn=00-1b-21-ff-ff-a1-b2-c3/dsn=00-1b-21-ff-ff-99-99-99/' "$ST.good" >"$ST.other"
reboot "$ST.other"
riommu apply-persisted
assert_dev 0000:02:00.0 igb '(null)'
# ... which the boot rule, matching ids only, had already given to
# vfio-pci: it goes back to its own driver
iommu bind -q 02:00.0
riommu apply-persisted
assert_dev 0000:02:00.0 igb '(null)'
# the subsystem ids differ: not bound
sed 's/subsys=8086:0001/subsys=8086:5001/' "$ST.good" >"$ST.other"
reboot "$ST.other"
riommu apply-persisted
assert_dev 0000:02:00.0 igb '(null)'
# an entry without the optional fields (an older vfio.conf) is still bound
printf '0000:02:00.0 8086:1533 vfio-pci\n' >"$ST.other"
reboot "$ST.other"
riommu apply-persisted -q
assert_dev 0000:02:00.0 vfio-pci vfio-pci
# bind's checks, each entry on its own: the root disk, the uplink, the
# GPU without its audio function (the group would not be viable), a slot
# that is empty now; the free NVMe is still bound
cat >"$ST.other" <<'CONF'
0000:05:00.0 144d:a808 vfio-pci subsys=144d:a801 host=nvme
0000:03:00.0 8086:1533 vfio-pci subsys=8086:0001 dsn=00-1b-21-ff-ff-d4-e5-f6 host=igb
0000:01:00.0 10de:2204 vfio-pci subsys=1043:87b3 host=nouveau
0000:09:00.0 8086:1533 vfio-pci
0000:04:00.0 144d:a808 vfio-pci subsys=144d:a801 host=nvme
CONF
reboot "$ST.other"
riommu apply-persisted
assert_dev 0000:04:00.0 vfio-pci vfio-pci
assert_dev 0000:05:00.0 nvme '(null)'
assert_dev 0000:03:00.0 igb '(null)'
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
# a bind that fails half-way (the kernel refuses the NVMe's unbind) is
# rolled back alone: the NIC persisted beside it is still bound
printf '%s\n' '0000:04:00.0 144d:a808 vfio-pci' '0000:02:00.0 8086:1533 vfio-pci' >"$ST.two"
reboot "$ST.two"
fh --fault '/sys/bus/pci/drivers/nvme/unbind=EBUSY' -- kvmprep-iommu apply-persisted; echo "[exit $?]"
assert_dev 0000:04:00.0 nvme '(null)'
assert_dev 0000:02:00.0 vfio-pci vfio-pci
assert_nofile "$ST/run/kvmprep/journal"
rm -f "$ST.two"
# a dry run says the same and changes nothing
reboot "$ST.other"
riommu apply-persisted --dry-run
[ -z "$(effects)" ] || fail "dry run changed: $(effects)"
# malformed optional fields are refused with their line
printf '0000:02:00.0 8086:1533 vfio-pci dsn=00-1B\n' >"$ST/$conf"
riommu apply-persisted
printf '0000:02:00.0 8086:1533 vfio-pci subsys=1:2 host=igb\n' >"$ST/$conf"
riommu apply-persisted
printf '0000:02:00.0 8086:1533 vfio-pci colour=red\n' >"$ST/$conf"
riommu apply-persisted
rm -f "$ST.good" "$ST.other"
