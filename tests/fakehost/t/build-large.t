# large-1024.host: generated deterministically, >= 1024 PCI functions that
# libpci enumerates under run, many IOMMU groups, cheap runs.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$TOP/tests/fakehost/gen-large" "$W/large.host" || fail "gen-large failed"
diff -q "$W/large.host" "$TOP/tests/hosts/large-1024.host" >/dev/null ||
	fail "tests/hosts/large-1024.host is stale: rerun tests/fakehost/gen-large tests/hosts/large-1024.host"
want=$(grep -c '^pci ' "$TOP/tests/hosts/large-1024.host")
[ "$want" -ge 1024 ] || fail "only $want pci lines"
"$FAKEHOST" --build-only large-1024 || fail "build"
got=$("$FAKEHOST" large-1024 -- lspci -n 2>/dev/null | wc -l)
assert_eq "$got" "$want" "functions lspci sees"
T=$("$FAKEHOST" --print-tree large-1024)
groups=$(ls "$T/sys/kernel/iommu_groups" | wc -l)
[ "$groups" -ge 500 ] || fail "only $groups IOMMU groups"
assert_eq "$(ls "$T/sys/class/net" | wc -l)" "$(grep -o ' net=[^ ]*' "$TOP/tests/hosts/large-1024.host" | wc -l)" "netdevs"
[ "$(ls "$T/fakehost/pf" | wc -l)" -ge 100 ] || fail "too few SR-IOV PFs"
# a GPU and its audio function share a group, bound to vfio-pci, /dev/vfio/N exists
g=$(basename "$(readlink "$T/sys/bus/pci/drivers/vfio-pci/$(ls "$T/sys/bus/pci/drivers/vfio-pci" | grep -m1 '^0000')/iommu_group")")
[ -e "$T/dev/vfio/$g" ] || fail "no /dev/vfio/$g"
assert_eq "$(ls "$T/sys/kernel/iommu_groups/$g/devices" | wc -l)" 2 "GPU group size"
# a run of the large host works (what it costs is bench/'s business, not a
# timed test's)
"$FAKEHOST" large-1024 -- true || fail "run"
echo "large-1024: $got functions, $groups groups"
