# golden
# An 82599-like two-port card: 63 VFs per port, both ports at once, every
# VF at its own address (offset/stride) in its own IOMMU group, and 63 VFs
# straight to vfio-pci in one call with a /dev/vfio/N each.
. ./common.sh
sriov set 01:00.0 63 --timeout 20000 >/dev/null || fail "set 63"
sriov set enp1s0f1 63 --driver vfio-pci --timeout 20000 >/dev/null || fail "set 63 vfio"
assert_eq "$(numvfs 0000:01:00.0) $(numvfs 0000:01:00.1)" "63 63" "counts"
vf_drivers 0000:01:00.0 | sort -k2 | uniq -c -f1 | sed 's/^ *//;s/ 0000:[^ ]*//'
vf_drivers 0000:01:00.1 | sort -k2 | uniq -c -f1 | sed 's/^ *//;s/ 0000:[^ ]*//'
vf_drivers 0000:01:00.0 | sed -n '1p;$p'
vf_drivers 0000:01:00.1 | sed -n '1p;$p'
assert_eq "$( (vf_drivers 0000:01:00.0; vf_drivers 0000:01:00.1) | cut -d' ' -f1 | sort -u | wc -l)" 126 "distinct addresses"
# and 14: the PF 0000:04:00.0 on vfio-pci
assert_eq "$(ls "$ST/dev/vfio" | grep -c '^[0-9]')" 64 "vfio nodes"
sriov list
sriov list -v --json enp1s0f1 | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["pfs"][0]; print(p["num_vfs"], len(p["vfs"]), p["vfs"][62]["address"], p["vfs"][62]["driver"], p["vfs"][62]["group"], p["vfs"][62]["in_use"])'
sriov set 01:00.0 0 --force -q && sriov set 01:00.1 0 >/dev/null || fail "back to 0"
assert_eq "$(ls "$ST/dev/vfio" | grep '^[0-9]')" 14 "vfio nodes gone"
