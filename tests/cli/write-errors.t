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
