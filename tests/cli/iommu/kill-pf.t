# SIGKILL while a PF with VFs leaves its driver (bind --force of
# iommu-truth's 0000:0f:00.0, its unbind slowed): the journal holds the VFs'
# drivers and their count, recorded in one append before the PF's first
# write (lib/bind.c save_pf, kp_journal_add_batch), then the PF's own step;
# `recover` brings the PF back on i40e, the count back, each VF on the
# driver and override it had.
HOST=iommu-truth
. ./common.sh
OUT=$ST.out
trap 'rm -rf "$ST" "$OUT"' EXIT
W=$BUILD/helpers/fh-write
J=$ST/run/kvmprep/journal
numvfs() { cat "$(devdir 0000:0f:00.0)/sriov_numvfs"; }
fh -- "$W" /sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs 2
iommu bind -q 0f:02.1 || fail "bind the second VF"
: >"$ST/fakehost/log"
bg "$OUT" fh --fault '/sys/bus/pci/drivers/i40e/unbind=delay:3000' -- kvmprep-iommu bind 0f:00.0 --force
wait_for "$ST/fakehost/log" '^fault .*delay'
pid=$(holder_pid "$ST")
[ -n "$pid" ] || fail "no lock holder: $(cat "$OUT")"
kill -KILL "$pid"
wait "$BG" 2>/dev/null
assert_file "$J"
# header, the two VFs and the count (one append), the PF: numbered 1..4
steps=$(sed -n '2,$p' "$J" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if "kind" in d:
        print(d["step"], d["kind"], d.get("bdf", d.get("path", "")), d.get("driver", d.get("value", "")))')
assert_eq "$steps" "1 pci-driver 0000:0f:02.0 iavf
2 pci-driver 0000:0f:02.1 vfio-pci
3 sysfs-attr /sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs 2
4 pci-driver 0000:0f:00.0 i40e" "the journal's steps"
out=$(iommu recover 2>&1) || fail "recover: $out"
echo "$out" | grep -q "rolled back an interrupted 'kvmprep-iommu bind' (pid [0-9]*, 4 steps" || fail "recover said: $out"
assert_nofile "$J"
assert_dev 0000:0f:00.0 i40e '(null)'
assert_eq "$(numvfs)" 2 "VFs after the recovery"
assert_dev 0000:0f:02.0 iavf '(null)'
assert_dev 0000:0f:02.1 vfio-pci vfio-pci
