# golden
# kvmprep-validate prints the exact command that adds (or removes) a kernel
# argument for the boot loader it finds in the host's files: grubby,
# update-grub (/etc/default/grub), grub2-mkconfig, kernel-install with
# /etc/kernel/cmdline, BLS entries alone, zipl; the JSON's "command" holds
# it alone. With --root DIR the files are the target's and its tools run
# under chroot DIR; each command, run (chroot recorded, not done), gives
# the target the argument, and validate --root then passes.
HOST=validate-intel-vtd-off
. ./common.sh
W=$OUT/bin
mkdir -p "$W"
printf '#!/bin/sh\necho "chroot $*" >>"%s/chroot.log"\n' "$OUT" >"$W/chroot"
chmod 755 "$W/chroot"
cmd_of() { # ARGS: the iommu.enabled command of validate ARGS
	fh -- kvmprep-validate --for passthrough --json "$@" 2>/dev/null | python3 -c '
import json, sys
c = {c["id"]: c for c in json.load(sys.stdin)["checks"]}["iommu.enabled"]
print(c["status"], c.get("command", "-"))'
}
status_of() { fh -- kvmprep-validate --for passthrough --json "$@" 2>/dev/null | python3 -c '
import json, sys
print(" ".join("%s=%s" % (c["id"], c["status"]) for c in json.load(sys.stdin)["checks"] if c["id"].startswith("iommu.")))'; }
fh -- true || fail "cannot set up the host"

echo "--- the running host: no boot loader known: the generic text"
fh -- kvmprep-validate --for passthrough 2>/dev/null | grep -A1 'iommu.enabled'
echo "--- the running host: update-grub"
mkdir -p "$ST/etc/default" "$ST/usr/sbin"
printf 'GRUB_CMDLINE_LINUX="quiet"\n' >"$ST/etc/default/grub"
touch "$ST/usr/sbin/update-grub"
fh -- kvmprep-validate --for passthrough 2>/dev/null | grep -A1 'iommu.enabled'
cmd_of

t() { # NAME: set up the target for NAME, print its command, run it, judge again
	rm -rf "$TGT"/* "$OUT/chroot.log"
	mkdir -p "$TGT/lib/modules/6.1.0-18-amd64"
	echo "kernel/drivers/vfio/pci/vfio-pci.ko:" >"$TGT/lib/modules/6.1.0-18-amd64/modules.dep"
	"$@"
	c=$(cmd_of --root "$TGT")
	echo "$c" | sed "s|$TGT|TGT|g"
	(cd "$OUT" && PATH=$W:$PATH sh -ec "${c#FAIL }") || fail "the command failed: $c"
	sed "s|$TGT|TGT|g" "$OUT/chroot.log" 2>/dev/null
	status_of --root "$TGT"
}
echo "--- grubby (BLS entries)"
grubby() {
	mkdir -p "$TGT/usr/sbin" "$TGT/boot/loader/entries"
	touch "$TGT/usr/sbin/grubby"
	printf 'title Fedora\nlinux /vmlinuz-6.1\noptions root=/dev/sda1 ro\n' >"$TGT/boot/loader/entries/abc-6.1.0.conf"
}
t grubby
# the recorded grubby did not change the entry: write what grubby would
sed -i 's/^options .*/& intel_iommu=on/' "$TGT/boot/loader/entries/abc-6.1.0.conf"
status_of --root "$TGT"
echo "--- update-grub"
ug() {
	mkdir -p "$TGT/etc/default" "$TGT/usr/sbin"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="root=/dev/sda1"\n' >"$TGT/etc/default/grub"
	touch "$TGT/usr/sbin/update-grub"
}
t ug
grep CMDLINE "$TGT/etc/default/grub"
echo "--- grub2-mkconfig"
mk() {
	mkdir -p "$TGT/etc/default" "$TGT/usr/sbin"
	printf 'GRUB_CMDLINE_LINUX="rhgb quiet"\n' >"$TGT/etc/default/grub"
	touch "$TGT/usr/sbin/grub2-mkconfig"
}
t mk
echo "--- kernel-install (/etc/kernel/cmdline)"
ki() {
	mkdir -p "$TGT/etc/kernel" "$TGT/boot/loader/entries"
	echo "root=/dev/sda1 rw" >"$TGT/etc/kernel/cmdline"
}
t ki
cat "$TGT/etc/kernel/cmdline"
echo "--- BLS entries alone"
bls() {
	mkdir -p "$TGT/boot/loader/entries"
	printf 'title Linux\noptions root=/dev/sda1 rw\n' >"$TGT/boot/loader/entries/a.conf"
}
t bls
grep options "$TGT/boot/loader/entries/a.conf"
echo "--- zipl"
zipl() {
	mkdir -p "$TGT/etc"
	printf '[defaultboot]\ndefault=linux\n[linux]\n    target=/boot\n    parameters="root=/dev/dasda1"\n' >"$TGT/etc/zipl.conf"
}
t zipl
grep parameters "$TGT/etc/zipl.conf"
echo "--- removal: iommu=off in the target's arguments"
rm -rf "$TGT"/*
mkdir -p "$TGT/etc/default" "$TGT/usr/sbin"
printf 'GRUB_CMDLINE_LINUX="iommu=off intel_iommu=on"\n' >"$TGT/etc/default/grub"
touch "$TGT/usr/sbin/update-grub"
c=$(cmd_of --root "$TGT"); echo "$c" | sed "s|$TGT|TGT|g"
(cd "$OUT" && PATH=$W:$PATH sh -ec "${c#FAIL }") || fail "removal failed"
grep CMDLINE "$TGT/etc/default/grub"
status_of --root "$TGT"
echo "--- no boot loader in the target"
rm -rf "$TGT"/*
fh -- kvmprep-validate --for passthrough --root "$TGT" 2>/dev/null | grep -A1 'iommu.enabled' | sed "s|$TGT|TGT|g"
echo "--- hugepages for --memory, then sysctl.d only, then on the command line"
mkdir -p "$TGT/etc/default" "$TGT/usr/sbin" "$TGT/etc/sysctl.d"
printf 'GRUB_CMDLINE_LINUX="quiet"\n' >"$TGT/etc/default/grub"
touch "$TGT/usr/sbin/update-grub"
hp() { fh -- kvmprep-validate --for hugepages --root "$TGT" "$@" 2>/dev/null | grep -A1 'memory.hugepage_boot' | sed "s|$TGT|TGT|g"; }
hp --memory 8G
echo "vm.nr_hugepages = 512" >"$TGT/etc/sysctl.d/80-hp.conf"
hp
printf 'GRUB_CMDLINE_LINUX="quiet hugepages=4096"\n' >"$TGT/etc/default/grub"
hp
