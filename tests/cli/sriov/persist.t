# golden
# --persist: /etc/kvmprep/sriov.conf written atomically, read back through
# the hardened reader (every field checked, hostile files refused with
# FILE:LINE and exit 2), apply-persisted makes it again; a PF whose VFs
# NetworkManager or systemd-networkd sets is not persisted a second time.
HOST=sriov-persist
. ./common.sh
CONF=$ST/etc/kvmprep/sriov.conf
rsriov set 02:00.0 3 --driver vfio-pci --persist -q
cat "$CONF"
clear_log
rsriov set 02:00.0 3 --driver vfio-pci --persist -q     # unchanged, file too
assert_untouched
rsriov set 02:00.0 2 --persist -q
grep '^pf' "$CONF"
# the boot: the VFs are gone, apply-persisted makes them again
sriov set 02:00.0 0 -q || fail "set 0"
rsriov apply-persisted -q
vf_drivers 0000:02:00.0
rsriov set 02:00.0 0 --persist -q
grep -c '^pf' "$CONF"
# the other owners: refused with --persist, warned without
rsriov set 03:00.0 2 --persist
rsriov set enp4s0f0 2 --persist
assert_eq "$(numvfs 0000:03:00.0) $(numvfs 0000:04:00.0)" "0 0" "nothing changed"
sriov set 03:00.0 1 >/dev/null; echo "[exit $?]"
rsriov set 03:00.0 0 -q
clear_log
# hostile or broken files: exit 2, FILE:LINE, nothing applied
bad() {
	printf '%b' "$1" >"$CONF"
	chmod "${2:-0644}" "$CONF"
	rsriov apply-persisted -q
}
bad 'pf 0000:02:00.0 8086:1572 2 -\npf 0000:02:00.0 8086:1572 3 -\n'
bad 'pf 02:00.0 8086:1572 2 -\n'
bad 'pf 0000:02:00.0 8086:1572 0x2 -\n'
bad 'pf 0000:02:00.0 8086:1572 2 vfio pci\n'
bad 'vf 0000:02:00.0 0 mac=01:00:5e:00:00:01\n'
bad 'vf 0000:02:00.0 0 vlan=5000\n'
bad 'vf 0000:02:00.0 x trust=on\n'
bad 'frob 0000:02:00.0\n'
bad 'pf 0000:02:00.0 8086:1572 2 -\n' 0666
bad 'pf 0000:02:00.0 8086:1572 2 -\0\n'
rm -f "$CONF"; ln -s /etc/passwd "$CONF"
rsriov apply-persisted -q
rm -f "$CONF"
assert_untouched
# a device that moved: skipped, named
printf 'pf 0000:02:00.0 10de:1eb8 2 -\n' >"$CONF"
rsriov apply-persisted -q
