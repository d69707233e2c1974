# golden
# A failed write or close of stdout is an error (issue 7, item 6): exit 1
# and one line on stderr, whatever the command, text or JSON; the change a
# command made stays made (bind below), only its report is lost, and the
# exit status says so.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-wfull.XXXXXX")
rmdir "$ST"
trap 'rm -rf "$ST"' EXIT
full() { # HOST CMD…: run with stdout on /dev/full
	"$FAKEHOST" "$1" --state "$ST" -- sh -c 'exec "$@" >/dev/full' sh "${@:2}"
	echo "[exit $?]"
}
full iommu-lab kvmprep-iommu list
full iommu-lab kvmprep-iommu list --json
full iommu-lab kvmprep-iommu groups --why
full iommu-lab kvmprep-iommu --help
full iommu-lab kvmprep-iommu --version --json
full iommu-lab kvmprep-iommu bind 02:00.0
assert_eq "$(basename "$(readlink "$ST/sys/bus/pci/devices/0000:02:00.0/driver")")" vfio-pci "bind"
full iommu-lab kvmprep-iommu unbind 02:00.0 --json
# a usage error keeps its own status (2); stdout is not written then
full iommu-lab kvmprep-iommu bind --frob
rm -rf "$ST"
full validate-intel-ready kvmprep-validate
full validate-intel-ready kvmprep-validate --json
full validate-intel-ready kvmprep-validate --list
full validate-intel-ready kvmprep-validate --explain kvm.probe
# an unwritable stdout that is not full: a closed descriptor
"$FAKEHOST" validate-intel-ready --state "$ST" -- sh -c 'exec kvmprep-validate --list >&-'
echo "[exit $?]"
# every other tool the same way (issue 7 gap 2): a listing, its JSON,
# --help and --json --version, and a change whose report is lost
rm -rf "$ST"
full sriov-lab kvmprep-sriov list
full sriov-lab kvmprep-sriov list -v --json
full sriov-lab kvmprep-sriov --help
full sriov-lab kvmprep-sriov --json --version
full sriov-lab kvmprep-sriov set 01:00.0 2 --driver vfio-pci
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")" 2 "sriov set"
rm -rf "$ST"
full mdev-lab kvmprep-mdev types
full mdev-lab kvmprep-mdev list --json
full mdev-lab kvmprep-mdev --help
full mdev-lab kvmprep-mdev --version --json
rm -rf "$ST"
full iommu-lab kvmprep-bridge list
full iommu-lab kvmprep-bridge list --json
full iommu-lab kvmprep-bridge --help
full iommu-lab kvmprep-bridge bridge add kpwfbr0 --dry-run --json
rm -rf "$ST"
full launch-lab kvmprep-launch --help
full launch-lab kvmprep-launch --json --version
full launch-lab kvmprep-launch --dry-run --kernel /dev/null --json
