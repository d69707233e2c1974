# capture round trips: this machine (read-only) and a fake host tree, built
# back into fake hosts, look the same to the real pciutils.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
CAPTURE=$TOP/tests/fakehost/capture
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# --- this machine ----------------------------------------------------------
"$CAPTURE" >"$W/here.host" || fail "capture failed"
grep -q '^kernel release=' "$W/here.host" || fail "no kernel line"
"$TOP/tests/fakehost/build" --check "$W/here.host" || fail "captured description does not check"
lspci -n 2>/dev/null >"$W/real"
"$FAKEHOST" "$W/here.host" -- lspci -n 2>/dev/null >"$W/fake" || fail "lspci under the captured host"
# VFs are left out of a capture (the model creates them): drop them from the real list
for vf in $(ls -d /sys/bus/pci/devices/*/physfn 2>/dev/null | xargs -r -n1 dirname | xargs -r -n1 basename); do
	sed -i "/^${vf#0000:} /d" "$W/real"
done
diff -u "$W/real" "$W/fake" || fail "lspci -n differs between this machine and its capture"
[ -s "$W/fake" ] || fail "no PCI devices seen"
assert_eq "$(grep -c '^pci ' "$W/here.host")" "$(ls /sys/bus/pci/devices | wc -l)" "pci lines"
# the same drivers in use
lspci -D -k 2>/dev/null | awk '/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { b = $1 } /Kernel driver in use/ { print b, $NF }' >"$W/real-k"
"$FAKEHOST" "$W/here.host" -- lspci -D -k 2>/dev/null | awk '/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { b = $1 } /Kernel driver in use/ { print b, $NF }' >"$W/fake-k"
diff -u "$W/real-k" "$W/fake-k" || fail "drivers differ"
assert_eq "$(grep -c '^processor' "$("$FAKEHOST" --print-tree "$W/here.host")/proc/cpuinfo")" "$(grep -c '^processor' /proc/cpuinfo)" "cpu count"

# --- a fake host, captured through --sysroot ---------------------------------
T=$("$FAKEHOST" --print-tree example)
"$CAPTURE" --sysroot "$T" >"$W/again.host" || fail "capture --sysroot failed"
"$FAKEHOST" example -- lspci -vvv >"$W/a" 2>/dev/null
"$FAKEHOST" "$W/again.host" -- lspci -vvv >"$W/b" 2>/dev/null
diff -u "$W/a" "$W/b" || fail "lspci -vvv differs after a capture round trip"
grep -q '^pci 0000:03:00.0 8086:1572 .*sriov=64 vf=154c' "$W/again.host" || fail "SR-IOV not captured"
grep -Eq '^module vfio_pci state=available depends=(vfio,vfio_pci_core|vfio_pci_core,vfio) drivers=vfio-pci$' "$W/again.host" || fail "vfio_pci not captured"
grep -q '^net eno1' "$W/again.host" && fail "net lines come from ip, not from a sysroot"
rm -rf "$("$FAKEHOST" --print-tree "$W/here.host")" "$("$FAKEHOST" --print-tree "$W/again.host")"
echo "capture ok"
