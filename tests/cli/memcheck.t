# The tools under valgrind's memcheck on fake hosts: no invalid read or
# write, no use of uninitialised memory, no leak (the unit tests run under
# ASan+UBSan; this covers the tools' own code paths end to end, through the
# preloads of the fake host).
. "$TOP/tests/lib.sh"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-memcheck.XXXXXX")
rmdir "$ST"
trap 'rm -rf "$ST"' EXIT
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps)"
vg() { # HOST WANTED_EXIT CMD…
	local host=$1 want=$2 rc
	shift 2
	"$FAKEHOST" "$host" --state "$ST.$host" -- valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$@" >/dev/null 2>"$ST.err"
	rc=$?
	[ "$rc" -eq "$want" ] || { cat "$ST.err" >&2; fail "exit $rc (wanted $want): $host: $*"; }
}
vg validate-intel-ready 0 kvmprep-validate
vg validate-amd-sev-snp 0 kvmprep-validate --json
vg validate-intel-vtd-off 1 kvmprep-validate --for passthrough -q
vg iommu-lab 0 kvmprep-iommu groups --why
vg iommu-lab 0 kvmprep-iommu list --json
vg iommu-lab 0 kvmprep-iommu bind --group --persist 01:00.0
vg iommu-lab 0 kvmprep-iommu status 01:00.0
vg iommu-lab 0 kvmprep-iommu unbind 01:00.0 01:00.1
vg iommu-lab 1 kvmprep-iommu bind 00:19.0
vg iommu-disk 0 kvmprep-iommu list
vg iommu-noiommu 3 kvmprep-iommu bind 02:00.0
vg sriov-lab 0 kvmprep-sriov set 02:00.0 3 --driver vfio-pci
vg sriov-lab 0 kvmprep-sriov list -v --json
vg sriov-lab 0 kvmprep-sriov set 02:00.0 1
vg sriov-lab 3 kvmprep-sriov set 03:00.0 1
vg sriov-vf 0 kvmprep-sriov set 02:00.0 2
vg sriov-vf 0 kvmprep-sriov vf enp2s0f0 1 vlan=10 qos=2 trust=on
# the VFs' settings snapshot, then the MACs kept before vfio-pci
vg sriov-vf 0 kvmprep-sriov set 02:00.0 2 --driver vfio-pci
# recreating them fails half-way: count, drivers and settings restored
"$FAKEHOST" sriov-vf --state "$ST.sriov-vf" --fault 'vf-fail=0000:02:00.0@1:ENOSPC' -- \
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	kvmprep-sriov set 02:00.0 3 >/dev/null 2>"$ST.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$ST.err" >&2; fail "sriov settings rollback under valgrind: exit $rc"; }
# SR-IOV enable failing at VF 5: rolled back to the VFs it had
"$FAKEHOST" sriov-lab --state "$ST.sriov-lab" --fault 'vf-fail=0000:02:00.0@5:ENOMEM' -- \
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	kvmprep-sriov set 02:00.0 8 >/dev/null 2>"$ST.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$ST.err" >&2; fail "sriov rollback under valgrind: exit $rc"; }
# a bind that fails half-way and is rolled back
"$FAKEHOST" iommu-lab --state "$ST.rb" --fault refuse-bind=0000:01:00.1 -- valgrind -q \
	--leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	kvmprep-iommu bind --group 01:00.0 >/dev/null 2>"$ST.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$ST.err" >&2; fail "rollback under valgrind: exit $rc"; }
grep -q "cannot" "$ST.err" || fail "no error line from the failed bind"
rm -rf "$ST".*
echo "memcheck: clean"
