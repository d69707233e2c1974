# kvmprep-iommu bind --persist --root DIR / --offline: the host modules
# that take the devices at boot come from the kernels installed in the
# system written (DIR/lib/modules/RELEASE: modules.alias and
# modules.builtin.alias through libkmod), every one of them, not from the
# running kernel (an installer's, whose release the target may not even
# have) nor from what is loaded (offline, nothing of the target is).
# iommu-hostmods.host is the installer; the target has two kernels
# (iommu-target-k1.host: ahci built in; iommu-target-k2.host: nvme built
# in). Each module gets its softdep; a driver built into one kernel is
# named with that kernel.
HOST=iommu-hostmods
. ./common.sh
mp=etc/modprobe.d/kvmprep-vfio.conf
fh -- true || fail "cannot set up the host"
for k in iommu-target-k1 iommu-target-k2; do
	"$FAKEHOST" --build-only "$k" >/dev/null || fail "build $k"
	mkdir -p "$TGT/lib/modules"
	cp -a "$("$FAKEHOST" --print-tree "$k")"/lib/modules/* "$TGT/lib/modules/"
done
sum=$(live_sum)

# --root: the target's two kernels, none of them running
out=$(rtool iommu bind --persist --root "$TGT" 01:00.0 02:00.0 03:00.0 04:00.0)
echo "$out"
echo "$out" | grep -q '^\[exit 0\]$' || fail "bind --root: not exit 0"
assert_eq "$(grep -v '^#' "$TGT/$mp")" "softdep xhci_pci pre: vfio-pci
softdep nvme pre: vfio-pci
softdep ahci pre: vfio-pci
softdep igb pre: vfio-pci
options vfio-pci ids=1912:0014,144d:a808,1b21:0612,8086:1533" "target modprobe.d"
assert_grep "^kvmprep-iommu: warning: 0000:02:00.0: nvme is built into kernel 6.12.9-amd64 (a module in the other kernels, which the softdep holds): no module option keeps it off when it boots; the kernel argument vfio-pci.ids=144d:a808 would" <(echo "$out")
assert_grep "^kvmprep-iommu: warning: 0000:03:00.0: ahci is built into kernel 6.1.0-27-amd64 (a module in the other kernels, which the softdep holds): no module option keeps it off when it boots; the kernel argument vfio-pci.ids=1b21:0612 would" <(echo "$out")
echo "$out" | grep -q "loads vfio-pci before xhci_pci, nvme, ahci, igb" || fail "no note of the softdeps"
assert_live_unchanged "$sum"
[ -e "$ST/$mp" ] && fail "the installer got a modprobe.d file"

# --offline on a system with a second kernel installed (the next boot may
# be that one): the running kernel has ahci built in, 6.12.9 a module
fresh
fh -- true || fail "cannot set up the host"
cp -a "$TGT/lib/modules/6.12.9-amd64" "$ST/lib/modules/"
out=$(rtool iommu bind --persist --offline 03:00.0)
echo "$out"
echo "$out" | grep -q '^\[exit 0\]$' || fail "bind --offline: not exit 0"
assert_eq "$(grep -v '^#' "$ST/$mp")" "softdep ahci pre: vfio-pci
options vfio-pci ids=1b21:0612" "--offline modprobe.d"
assert_grep "^kvmprep-iommu: warning: 0000:03:00.0: ahci is built into kernel 6.1.0-18-amd64 (a module in the other kernels, which the softdep holds)" <(echo "$out")
# only /etc was written: nothing moved, nothing loaded
[ -z "$(effects)" ] || fail "--offline changed the host live: $(effects)"
[ -e "$ST/sys/module/ahci/initstate" ] && fail "--offline loaded ahci"
assert_eq "$(basename "$(readlink "$ST/sys/bus/pci/devices/0000:04:00.0/driver")")" igb "04:00.0 driver"

# a target without any kernel: said, no softdep guessed, the rest written
TGT2=$OUT/empty-target
mkdir -p "$TGT2"
out=$(fh -- kvmprep-iommu bind --persist --root "$TGT2" 01:00.0 2>&1); rc=$?
assert_eq "$rc" 0 "bind --root, no kernel: exit"
assert_grep "^kvmprep-iommu: warning: $TGT2/lib/modules: no kernel installed (no RELEASE/modules.dep): the host drivers that take the devices at boot are not known, no softdep is written" <(echo "$out")
assert_nofile "$TGT2/$mp"
assert_grep '^0000:01:00.0 1912:0014 vfio-pci' "$TGT2/etc/kvmprep/vfio.conf"
echo ok
