# apply-persisted at boot waits for each PF's driver itself (bounded by
# --timeout, one deadline for the run): kvmprep-sriov.service no longer
# waits for systemd-udev-settle.service (deprecated; it waits for every
# device), while the PF's driver is a module udev loads during coldplug and
# sriov_numvfs can be written only through it. The PF unbound stands in for
# the driver not loaded yet.
HOST=sriov-persist
. ./common.sh
PF=0000:02:00.0
sriov set 02:00.0 2 --driver vfio-pci --persist -q || fail "set --persist"
sriov set 02:00.0 0 -q || fail "set 0"
drv=$(driver_of $PF)
[ "$drv" != none ] || fail "the PF has no driver to begin with"
fh -- sh -c "echo $PF >/sys/bus/pci/drivers/$drv/unbind" || fail "unbind"
assert_eq "$(driver_of $PF)" none "the PF unbound"

# 1. the driver never comes: the PF is named after --timeout, nothing made
t0=$(date +%s%N)
out=$(sriov apply-persisted --timeout 700 2>&1); rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq "$rc:$out" "3:kvmprep-sriov: $PF: has no driver: SR-IOV is configured through the PF's driver (bind it first)"
[ "$ms" -ge 700 ] || fail "gave up after $ms ms, before --timeout"
assert_eq "$(numvfs $PF)" 0 "VFs without the driver"

# 2. the driver binds while apply-persisted waits: the VFs are made on it
bg "$ST/out" fh -- kvmprep-sriov apply-persisted --timeout 20000
sleep 1
kill -0 "$BG" || fail "apply-persisted did not wait: $(cat "$ST/out")"
assert_eq "$(numvfs $PF)" 0 "VFs before the driver"
fh -- sh -c "echo $PF >/sys/bus/pci/drivers/$drv/bind" || fail "bind"
bg_wait >"$ST/rc"
assert_eq "$(cat "$ST/rc")" "[exit 0]" "apply-persisted: $(cat "$ST/out")"
grep -Eq "^$PF: $drv bound after [0-9]+ ms$" "$ST/out" || fail "output: $(cat "$ST/out")"
assert_eq "$(driver_of $PF) $(numvfs $PF)" "$drv 2" "after the bind"
assert_eq "$(vf_drivers $PF | cut -d' ' -f2 | sort -u)" vfio-pci "the VFs' driver"

# 3. a driver there already: no wait, nothing said about it
sriov set 02:00.0 0 -q || fail "set 0"
out=$(sriov apply-persisted 2>&1) || fail "apply: $out"
echo "$out" | grep -q "bound after" && fail "said a wait: $out"
assert_eq "$(numvfs $PF)" 2 "applied again"
true
