# remove refuses a device whose vfio node a process holds open (naming it),
# --force removes it anyway with a warning; list shows the holder.
. ./common.sh
mdev create -p 01:00.0 -t nvidia-222 -u "$U1" >/dev/null || fail "create"
g=$(basename "$(readlink "$T4/$U1/iommu_group")")
# a guest holding /dev/vfio/N (the fake host's /proc is the tree's)
mkdir -p "$ST/proc/4242/fd"
ln -s "/dev/vfio/$g" "$ST/proc/4242/fd/27"
echo qemu-system-x86 >"$ST/proc/4242/comm"
mdev list | grep -Eq "^$U1 .* /dev/vfio/$g +qemu-system-x86 \(pid 4242\)" || fail "list: $(mdev list)"
out=$(mdev remove "$U1" 2>&1); rc=$?
assert_eq "$rc" 1 "remove while held"
assert_eq "$out" "kvmprep-mdev: $U1: cannot remove: its vfio device is open by qemu-system-x86 (pid 4242) (--force removes it anyway)" "message"
assert_file "$ST/sys/bus/mdev/devices/$U1"
out=$(mdev remove --force "$U1" 2>&1) || fail "remove --force: $out"
assert_eq "$out" "kvmprep-mdev: warning: $U1: removing it although qemu-system-x86 (pid 4242) holds its vfio device
removed $U1" "--force"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
