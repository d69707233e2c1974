# golden
# A journal corrupted on disk (truncated, garbage, a kind this version does
# not know, a step without its keys) is never acted on blindly: the next
# change and `recover` say so in one line and exit 1, nothing on the host
# moves, the record stays for a human to look at.
. ./common.sh
iommu restore 00:14.0 >/dev/null || fail "restore"
: >"$ST/fakehost/log"
J=$ST/run/kvmprep/journal
corrupt() {
	printf '%s' "$1" >"$J"
	riommu bind 02:00.0
	riommu recover --json
	assert_eq "$(cat "$J")" "$1" "the journal was changed"
	lab_pristine
}
corrupt '{"schema": 1, "tool": "kvmprep-iommu", "command": "bind", "pid": 1, "boot_id": "", "started": 0, "steps": [{"kind": "pci-driv'
corrupt 'garbage'
corrupt '{"schema": 1, "tool": "kvmprep-sriov", "command": "create", "pid": 1, "boot_id": "", "started": 0, "steps": [{"kind": "pci-driver", "done": true, "bdf": "0000:01:00.0", "driver": "e1000e", "driver_override": ""}, {"kind": "warp-drive", "done": false}]}'
corrupt '{"schema": 1, "tool": "kvmprep-iommu", "command": "bind", "pid": 1, "boot_id": "", "started": 0, "steps": [{"kind": "pci-driver", "done": false, "bdf": "0000:01:00.0"}]}'
# a dry run says that a record waits
riommu bind 02:00.0 --dry-run
# once a human removed it, the tools work again
rm "$J"
riommu bind 02:00.0 -q
assert_dev 0000:02:00.0 vfio-pci vfio-pci
