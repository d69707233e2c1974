# capture's block lines and netdir: this machine's block devices and PCI
# interfaces look the same (lsblk, findmnt, the sysfs links) under its
# captured host; fake hosts captured through --sysroot give their block lines
# back; unused loop/zram devices are left out; a USB NIC keeps its netdir.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
CAPTURE=$TOP/tests/fakehost/capture
W=$(mktemp -d)
TREES=()
trap 'rm -rf "$W" "${TREES[@]}"' EXIT
BDF_RE='[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]'

# block lines as "NAME key=value…" with sorted keys and the default size
# filled in, without the keys a description may leave to the builder's
# kernel defaults (maj, min, path: checked through lsblk and the links)
norm() {
	python3 -c '
import shlex, sys
for line in open(sys.argv[1]):
    t = shlex.split(line, comments=True)
    if t[:1] == ["block"]:
        k = [x for x in t[2:] if x.split("=")[0] not in ("maj", "min", "path")]
        if not any(x.startswith("size=") for x in k):
            k.append("size=" + ("512G" if any(x.startswith("pci=") for x in k) else "16G"))
        print(t[1], *sorted(k))
' "$1" | sort
}
names() { awk '$1 == "block" { print $2 }' "$1" | sort; }
# lsblk/findmnt/links of a host; $1: "" (this machine) or a .host
look() {
	local pre=()
	[ -n "$1" ] && pre=("$FAKEHOST" "$1" --)
	"${pre[@]}" sh -c 'lsblk -rno NAME,MAJ:MIN,SIZE,MOUNTPOINT | sort
		findmnt -rno SOURCE,TARGET,FSTYPE,OPTIONS | grep "^/dev/" | sort
		cd /sys/class/block && for b in *; do echo "$b -> $(readlink "$b")"; done
		cd /sys/class/net && for n in *; do echo "$n -> $(readlink "$n")"; done' 2>&1
}

# --- this machine ------------------------------------------------------------
"$CAPTURE" >"$W/here.host" || fail "capture failed"
"$TOP/tests/fakehost/build" --check "$W/here.host" || fail "captured description does not check"
TREES+=("$("$FAKEHOST" --print-tree "$W/here.host")")
names "$W/here.host" >"$W/names"
# expected, from the machine now: lsblk rows of the captured devices
lsblk -rno NAME,MAJ:MIN,MOUNTPOINT | sort >"$W/real-all"
awk 'NR == FNR { n[$1] = 1; next } $1 in n' "$W/names" "$W/real-all" >"$W/real"
"$FAKEHOST" "$W/here.host" -- lsblk -rno NAME,MAJ:MIN,MOUNTPOINT 2>&1 | sort >"$W/fake" ||
	fail "lsblk under the captured host"
diff -u "$W/real" "$W/fake" || fail "lsblk differs between this machine and its capture"
# what was left out is an unused loop/ram/zram device
awk 'NR == FNR { n[$1] = 1; next } !($1 in n)' "$W/names" "$W/real-all" | while read -r n mm mp; do
	case $n in loop*|ram*|zram*) ;; *) fail "block device $n not captured" ;; esac
	[ -z "$mp" ] || fail "$n is mounted on $mp, not captured"
	! grep -q "^/dev/$n " /proc/swaps || fail "$n is swap, not captured"
done || exit 1
# the sysfs links: every captured block device, every interface below a PCI
# function (not a VF: VFs are left out)
for b in $(cat "$W/names"); do
	echo "$b -> $(readlink "/sys/class/block/$b")"
done >"$W/real-links"
for n in /sys/class/net/*; do
	t=$(readlink "$n")
	bdf=$(grep -oE "$BDF_RE" <<<"$t" | tail -n1)
	[ -n "$bdf" ] && [ ! -e "/sys/bus/pci/devices/$bdf/physfn" ] || continue
	grep -q "^pci $bdf .*net=" "$W/here.host" || fail "${n##*/}: $bdf has no net= in the capture"
	echo "${n##*/} -> $t"
done >"$W/real-net" || exit 1
cat "$W/real-net" >>"$W/real-links"
"$FAKEHOST" "$W/here.host" -- sh -c 'cd /sys/class/block && for b in *; do echo "$b -> $(readlink "$b")"; done
	cd /sys/class/net && for n in *; do echo "$n -> $(readlink "$n")"; done' >"$W/fake-links" 2>&1 ||
	fail "readlink under the captured host"
diff -u "$W/real-links" "$W/fake-links" || fail "sysfs links differ between this machine and its capture"
# a mounted device's file system type and options, as findmnt shows them
findmnt -rno SOURCE,TARGET,FSTYPE,OPTIONS | grep "^/dev/" | sort >"$W/real-mnt"
"$FAKEHOST" "$W/here.host" -- findmnt -rno SOURCE,TARGET,FSTYPE,OPTIONS 2>&1 | grep "^/dev/" | sort >"$W/fake-mnt"
while read -r src tgt fs opts; do
	case $src in *\[*) continue ;; esac   # a bind mount: dev[/dir]
	b=$(basename "$(realpath "$src")")
	grep -qx "$b" "$W/names" || continue
	grep -q "^block $b .*mount=" "$W/here.host" || continue
	m=$(awk -v b="$b" '$1 == "block" && $2 == b { for (i = 3; i <= NF; i++) if ($i ~ /^mount=/) print substr($i, 7) }' "$W/here.host")
	[ "$m" = "$tgt" ] || continue   # another mount of the same device (bind, …)
	grep -qxF "$src $tgt $fs $opts" "$W/fake-mnt" || fail "mount $src $tgt $fs $opts not under the capture"
done <"$W/real-mnt"

# --- fake hosts, captured through --sysroot ------------------------------------
for h in iommu-disk example iommu-virtio; do
	T=$("$FAKEHOST" --print-tree "$h") || fail "$h does not build"
	"$CAPTURE" --sysroot "$T" >"$W/$h.host" || fail "capture --sysroot of $h"
	TREES+=("$("$FAKEHOST" --print-tree "$W/$h.host")")
	norm "$TOP/tests/hosts/$h.host" >"$W/want"
	norm "$W/$h.host" >"$W/got"
	diff -u "$W/want" "$W/got" || fail "$h: block lines differ after a capture round trip"
	look "$h" >"$W/a"
	look "$W/$h.host" >"$W/b"
	diff -u "$W/a" "$W/b" || fail "$h: lsblk, findmnt or links differ after a capture round trip"
done
grep -q '^pci 0000:00:02.0 .*net=eth0 netdir=virtio0 ' "$W/iommu-virtio.host" || fail "virtio netdir not captured"
grep -q '^block nvme0n1 pci=0000:02:00.0 path=nvme/nvme0 maj=259 min=0 size=1T$' "$W/iommu-disk.host" ||
	fail "NVMe disk line"
grep -q '^block dm-0 .*source=/dev/mapper/vg-images' "$W/iommu-disk.host" || fail "dm source"

# --- unused loop/zram devices, a swap zram, a USB NIC --------------------------
cat >"$W/usb.host" <<'EOF'
name "capture: a USB NIC and unused block devices"
driver xhci_hcd class=0c0330
driver ahci class=0106
pci 0000:00:14.0 8086:a36d class=0c0330 driver=xhci_hcd net=enx001122334455 netdir=usb2/2-1/2-1:1.0
pci 0000:00:17.0 8086:a352 class=010601 driver=ahci
block sdb pci=0000:00:17.0 size=100G
block sdb1 parent=sdb size=1G holders=md0
block sdb2 parent=sdb size=2G
block md0 size=1G mount=/srv fstype=xfs
block loop3
block zram0
block zram1 size=4G swap=yes
EOF
"$FAKEHOST" --build-only "$W/usb.host" || fail "usb host does not build"
T=$("$FAKEHOST" --print-tree "$W/usb.host")
TREES+=("$T")
"$CAPTURE" --sysroot "$T" >"$W/usb-again.host" || fail "capture --sysroot of the usb host"
TREES+=("$("$FAKEHOST" --print-tree "$W/usb-again.host")")
grep -q '^pci 0000:00:14.0 .*net=enx001122334455 netdir=usb2/2-1/2-1:1.0 ' "$W/usb-again.host" ||
	fail "USB NIC's netdir not captured"
assert_eq "$(names "$W/usb-again.host" | tr '\n' ' ')" "md0 sdb sdb1 sdb2 zram1 " "captured block devices"
grep -q '^block sdb pci=0000:00:17.0 path=ata1/host0/target0:0:0/0:0:0:0/block maj=8 min=16 size=100G$' \
	"$W/usb-again.host" || fail "SATA disk line"
grep -q '^block zram1 maj=259 min=[0-9]* size=4G swap=yes$' "$W/usb-again.host" || fail "swap zram line"
grep -v -e '^block loop3' -e '^block zram0' "$W/usb.host" >"$W/usb-used.host"
norm "$W/usb-used.host" >"$W/want"
norm "$W/usb-again.host" >"$W/got"
diff -u "$W/want" "$W/got" || fail "usb host: block lines differ after a capture round trip"
look "$W/usb.host" | grep -v -e loop3 -e 'zram0 ' >"$W/a"
look "$W/usb-again.host" >"$W/b"
diff -u "$W/a" "$W/b" || fail "usb host: lsblk, findmnt or links differ after a capture round trip"
echo "capture block ok"
