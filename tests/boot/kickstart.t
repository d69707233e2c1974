# contrib/kickstart/kvmprep-passthrough.ks: its %post --nochroot commands,
# run as the installer runs them, with a fake host's tree (an installed
# system: tests/hosts/kickstart-target.host, with kvmprep installed by
# `make install`) as the target and another fake host as the installer.
# Afterwards the target has the IOMMU kernel arguments in its grub
# configuration (the command kvmprep-validate gave, update-grub run in
# the target), the vfio-pci binding by vendor:device, 8 VFs, the mdev
# definition, the bridge on the uplink (NetworkManager profiles) and the
# units enabled; the installer is unchanged.
HOST=boot-order
. ./common.sh
KS=$TOP/contrib/kickstart/kvmprep-passthrough.ks
command -v systemctl >/dev/null || { echo "systemctl missing (scripts/deps installs systemd)"; exit 77; }
fh -- true || fail "cannot set up the installer"
rm -rf "$TGT"
"$FAKEHOST" kickstart-target --state "$TGT" -- true || fail "cannot set up the target"
make -s -C "$TOP" install DESTDIR="$TGT" PREFIX=/usr BUILD="$BUILD" >/dev/null || fail "make install"
sum=$(live_sum)
# the installer's commands: the tools inside the fake installer; chroot
# (into a tree without binaries) records what would run in the target
W=$OUT/bin
mkdir -p "$W"
for t in "$BIN"/kvmprep-*; do
	printf '#!/bin/sh\nexec "%s" "%s" --state "%s" -- "%s" "$@"\n' "$FAKEHOST" "$HOST" "$ST" \
		"$t" >"$W/$(basename "$t")"
done
printf '#!/bin/sh\necho "chroot $*" >>"%s/chroot.log"\n' "$OUT" >"$W/chroot"
chmod 755 "$W"/*
# the %post body, as anaconda runs it (its interpreter, /bin/sh)
sed -n '/^%post --nochroot/,/^%end/p' "$KS" | sed '1d;$d' >"$OUT/post.sh"
[ -s "$OUT/post.sh" ] || fail "no %post --nochroot in $KS"
out=$(PATH=$W:$PATH KVMPREP_TARGET=$TGT sh -e "$OUT/post.sh" 2>&1); rc=$?
echo "$out" | sed "s|$TGT|TGT|g"
assert_eq "$rc" 0 "%post exit"

# 1. kernel arguments, by the target's boot loader
assert_grep '^GRUB_CMDLINE_LINUX="rd.lvm.lv=vg/root intel_iommu=on iommu=pt"$' "$TGT/etc/default/grub"
assert_eq "$(cat "$OUT/chroot.log")" "chroot $TGT update-grub
chroot $TGT update-grub" "update-grub in the target"
# 2. vfio-pci by vendor:device, the whole group
assert_eq "$(grep -v '^#' "$TGT/etc/kvmprep/vfio.conf")" "0000:01:00.0 10de:1eb8 vfio-pci subsys=10de:1eb8 host=nouveau
0000:01:00.1 10de:10f8 vfio-pci subsys=10de:10f8 host=snd_hda_intel" "vfio.conf"
assert_file "$TGT/etc/udev/rules.d/60-kvmprep-vfio.rules"
# 3. 8 VFs on vfio-pci
assert_grep '^pf 0000:02:00.0 8086:1572 8 vfio-pci$' "$TGT/etc/kvmprep/sriov.conf"
# 4. the mdev definition (mdevctl's format)
n=$(ls "$TGT/etc/mdevctl.d/0000:03:00.0" | wc -l)
assert_eq "$n" 1 "mdev definitions"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mdev_type"]=="nvidia-222" and d["start"]=="auto", d' \
	"$TGT/etc/mdevctl.d/0000:03:00.0/"* || fail "mdev definition"
# 5. the bridge on the uplink, in the target's NetworkManager
NM=$TGT/etc/NetworkManager/system-connections
assert_grep '^address1=192.0.2.10/24,192.0.2.1$' "$NM/kvmprep-br0.nmconnection"
assert_grep "^mac-address=$(cat "$ST/sys/class/net/eno1/address")$" "$NM/kvmprep-br0.nmconnection"
assert_grep '^master=br0$' "$NM/kvmprep-eno1.nmconnection"
# 6. the units enabled in the target
for u in kvmprep-vfio kvmprep-sriov kvmprep-net; do
	assert_link "$TGT/etc/systemd/system/sysinit.target.wants/$u.service" "$u.service"
done
assert_link "$TGT/etc/systemd/system/multi-user.target.wants/kvmprep-mdev.service" kvmprep-mdev.service
# the target judged from its files: the IOMMU ready at the first boot
python3 - "$TGT/root/kvmprep-validate-install.json" <<'PY' || fail "validate --root after %post"
import json, sys
d = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
for i in ("iommu.enabled", "iommu.passthrough", "iommu.vfio", "iommu.irq_remap"):
    assert d[i]["status"] == "PASS", (i, d[i])
assert d["iommu.groups"]["status"] == "SKIP" and "first boot" in d["iommu.groups"]["finding"], d["iommu.groups"]
print("validate --root:", ", ".join("%s %s" % (i, d[i]["status"]) for i in sorted(d)))
PY
# the installer: nothing changed
assert_live_unchanged "$sum"
