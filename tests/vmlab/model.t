# timeout 900
# The fake host's model checked against the kernel (issue 8, item 4):
# tests/fakehost/capture describes the lab guest; the same kvmprep commands
# run on the lab guest (the real kernel) and, on the host, on the fake host
# built from that capture; their exit codes, what they print and the device
# state each leaves (vmlab_state: driver links, driver_override, groups, VFs,
# /dev/vfio nodes) must be the same, apart from what the model does not
# claim to model (listed in tests/README.md, "The model against the lab";
# normalised by `norm` below). One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

# the sequence, run by R NAME CMD… (guest: on the kernel; host: on the fake
# host) and S NAME (the device state after the step)
sequence() {
	R groups kvmprep-iommu groups
	R why kvmprep-iommu groups --why
	R list kvmprep-iommu list
	R status-e1000e kvmprep-iommu status "$LAB_E1000E"
	R status-e1000 kvmprep-iommu status "$LAB_E1000"
	S s0
	R bind kvmprep-iommu bind "$LAB_E1000E"
	S s1
	R bind-again kvmprep-iommu bind "$LAB_E1000E"
	R bind-nogroup kvmprep-iommu bind "$LAB_E1000"
	R bind-group kvmprep-iommu bind --group "$LAB_E1000"
	S s2
	R bind-nvme2-group kvmprep-iommu bind --group "$LAB_NVME2"
	S s3
	R groups2 kvmprep-iommu groups
	R unbind kvmprep-iommu unbind "$LAB_E1000E"
	R unbind-group kvmprep-iommu unbind "$LAB_E1000" "$LAB_RTL8139" "$LAB_NVME2"
	S s4
	R sriov-list kvmprep-sriov list
	R sriov-set2 kvmprep-sriov set "$LAB_NVME_PF" 2 --driver vfio-pci
	S s5
	R sriov-list-v kvmprep-sriov list -v "$LAB_NVME_PF"
	R sriov-set3 kvmprep-sriov set "$LAB_NVME_PF" 3
	S s6
	R sriov-set0 kvmprep-sriov set "$LAB_NVME_PF" 0
	S s7
	R validate kvmprep-validate --for passthrough
}

if vmlab_guest; then
	python3 "$TOP/tests/fakehost/capture" >"$VMLAB_OUT/lab.host" 2>"$VMLAB_OUT/capture.err"
	echo $? >"$VMLAB_OUT/capture.rc"
	mkdir -p "$VMLAB_OUT/lab"
	R() { local n=$1; shift; "$@" >"$VMLAB_OUT/lab/$n" 2>&1; echo $? >"$VMLAB_OUT/lab/$n.rc"; }
	S() { vmlab_state >"$VMLAB_OUT/lab/$1"; }
	sequence
	exit 0
fi

vmlab_boot --timeout 800 "$0" || fail "the guest's part failed"
L=$VMLAB_RESULTS/lab
[ "$(rc_of capture)" = 0 ] || fail "capture failed: $(cat "$(res capture.err)")"
F=$VMLAB_RESULTS/fake
mkdir -p "$F"
ST=$VMLAB_RESULTS/state
R() { local n=$1; shift; "$TOP/tests/fakehost/run" "$(res lab.host)" --state "$ST" -- "$@" >"$F/$n" 2>&1; echo $? >"$F/$n.rc"; }
S() { vmlab_state "$ST" >"$F/$1"; }
sequence
# what the model does not claim to model (tests/README.md, "The model
# against the lab", lists each and why)
norm() {
	case ${1##*/} in
	validate)
		# QEMU's binary is no part of a fake tree: platform.qemu, its
		# hint and the counts that include it
		awk '/platform\.qemu/ { skip = 1; next }
		     skip && /^        hint:/ { next }
		     { skip = 0 }
		     /^[0-9]+ pass, / { next }
		     { print }' "$1" ;;
	list)
		# the lab's own virtio-9p shares (00:02.0, 00:03.0) are in use in
		# the guest; the model has no 9p (cli/iommu/inuse-9p tests the rule)
		grep -v -E "^$LAB_9P_ROOT |^$LAB_9P_OUT " "$1" ;;
	s[0-9]*)
		# nvme binds the NVMe's VFs and drops them when its asynchronous
		# reset work finds them not ready; the model's drivers bind for good
		sed -E 's/^(pci 0000:02:00\.[1-7] driver=)(nvme|none) /\1nvme-or-none /' "$1" ;;
	*) cat "$1" ;;
	esac
}
for f in "$L"/*; do
	n=${f##*/}
	check "$n: the fake host answers as the kernel" \
		diff -u --label "lab/$n" --label "fake/$n" <(norm "$f") <(norm "$F/$n")
done
checks_done
