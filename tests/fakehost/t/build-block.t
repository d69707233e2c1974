# `block` lines: disks below PCI devices (NVMe, AHCI), partitions, dm and
# loop devices with holders/slaves, their sys/class/block, sys/block and
# sys/dev/block links, dev nodes umockdev reports as block devices, and the
# mount tables (proc/self/mountinfo with MAJ:MIN, proc/mounts, proc/swaps).
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
T=$("$FAKEHOST" --print-tree example) || fail "cannot build example"
nv=$(realpath "$T/sys/bus/pci/devices/0000:02:00.0")/nvme/nvme0/nvme0n1

# --- layout (example.host: nvme0n1 on 02:00.0, p1-p4, dm-0 on p4, loop0) ---
assert_eq "$(realpath "$T/sys/class/block/nvme0n1")" "$nv" "disk below its NVMe controller"
assert_eq "$(realpath "$T/sys/class/block/nvme0n1p2")" "$nv/nvme0n1p2" "partition in its disk"
assert_eq "$(realpath "$T/sys/block/nvme0n1")" "$nv" "sys/block has the disk"
assert_nofile "$T/sys/block/nvme0n1p2"
assert_eq "$(realpath "$T/sys/dev/block/259:2")" "$nv/nvme0n1p2" "sys/dev/block link"
assert_eq "$(realpath "$T/sys/class/block/dm-0")" "$T/sys/devices/virtual/block/dm-0" "dm-0 is virtual"
assert_eq "$(realpath "$T/sys/class/block/loop0")" "$T/sys/devices/virtual/block/loop0" "loop0 is virtual"
assert_eq "$(realpath "$nv/nvme0n1p4/holders/dm-0")" "$T/sys/devices/virtual/block/dm-0" "holder link"
assert_eq "$(realpath "$T/sys/block/dm-0/slaves/nvme0n1p4")" "$nv/nvme0n1p4" "slave link"
assert_eq "$(ls "$nv/nvme0n1p2/holders" | wc -l)" "0" "p2 held by nothing"
assert_eq "$(basename "$(readlink "$nv/subsystem")")" "block" "subsystem"
assert_eq "$(cat "$nv/nvme0n1p2/uevent")" "MAJOR=259
MINOR=2
DEVNAME=nvme0n1p2
DEVTYPE=partition
PARTN=2" "partition uevent"
assert_eq "$(cat "$nv/uevent")" "MAJOR=259
MINOR=0
DEVNAME=nvme0n1
DEVTYPE=disk" "disk uevent"
assert_eq "$(cat "$nv/dev") $(cat "$nv/size") $(cat "$nv/nvme0n1p2/partition") $(cat "$nv/nvme0n1p2/start") $(cat "$nv/nvme0n1p2/size")" \
	"259:0 2147483648 2 1050624 134217728" "dev, size (sectors), partition, start"
assert_eq "$(cat "$T/sys/block/dm-0/dm/name")" "vg-images" "dm name"
assert_eq "$(readlink "$T/dev/mapper/vg-images")" "../dm-0" "/dev/mapper link"

# --- nodes and tables, seen under run --------------------------------------
out=$("$FAKEHOST" example -- stat -L -c '%n %F %t:%T' /dev/nvme0n1 /dev/nvme0n1p2 /dev/dm-0 /dev/loop0 /dev/mapper/vg-images)
assert_eq "$out" "/dev/nvme0n1 block special file 103:0
/dev/nvme0n1p2 block special file 103:2
/dev/dm-0 block special file fe:0
/dev/loop0 block special file 7:0
/dev/mapper/vg-images block special file fe:0" "block nodes under umockdev"
# mountinfo: / first (replacing the default /dev/sda1), MAJ:MIN, \040
out=$(awk '$5 ~ /^\/(|boot\/efi|var\/lib\/libvirt\/images|srv\/vm\\040images)$/' "$T/proc/self/mountinfo")
assert_eq "$out" '21 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
28 21 259:1 / /boot/efi rw,relatime shared:8 - vfat /dev/nvme0n1p1 rw,fmask=0077
29 21 254:0 / /var/lib/libvirt/images rw,relatime shared:9 - xfs /dev/mapper/vg-images rw
30 21 7:0 / /srv/vm\040images ro,relatime shared:10 - iso9660 /dev/loop0 ro' "mountinfo"
# every proc/mounts line has its mountinfo line, with the same fields
assert_eq "$(awk '{ print $10, $5, $9 }' "$T/proc/self/mountinfo" | sort)" \
	"$(awk '{ print $1, $2, $3 }' "$T/proc/mounts" | sort)" "mountinfo = mounts"
assert_eq "$(grep -c ' / ' "$T/proc/mounts")" "1" "one root"
assert_grep '^/dev/nvme0n1p2 / ext4 rw,relatime,errors=remount-ro 0 0$' "$T/proc/self/mounts"
assert_grep '^/dev/loop0 /srv/vm\\040images iso9660 ro,relatime 0 0$' "$T/proc/mounts"
assert_eq "$(cat "$T/proc/swaps")" "Filename				Type		Size		Used		Priority
/dev/nvme0n1p3                          partition	8388604		0		-2" "swaps"
assert_grep '^SwapTotal:       8388604 kB$' "$T/proc/meminfo"
# the real util-linux sees the same tree
out=$("$FAKEHOST" example -- lsblk -l -n -o NAME,MAJ:MIN,TYPE,PKNAME,MOUNTPOINTS | sed 's/ *$//')
assert_eq "$out" "loop0       7:0   loop           /srv/vm images
vg-images 254:0   dm   nvme0n1p4 /var/lib/libvirt/images
nvme0n1   259:0   disk
nvme0n1p1 259:1   part nvme0n1   /boot/efi
nvme0n1p2 259:2   part nvme0n1   /
nvme0n1p3 259:3   part nvme0n1   [SWAP]
nvme0n1p4 259:4   part nvme0n1" "lsblk"
out=$("$FAKEHOST" example -- findmnt -n -o SOURCE,MAJ:MIN /var/lib/libvirt/images | sed "s/ *$//")
assert_eq "$out" "/dev/mapper/vg-images 254:0" "findmnt"

# --- defaults: numbers by the kernel's names, SCSI paths, no block lines ---
cat >"$W/d.host" <<'H'
driver ahci class=010601
driver nvme class=010802
pci 0000:00:17.0 8086:a352 class=010601 driver=ahci
pci 0000:00:18.0 8086:a352 class=010601 driver=ahci
pci 0000:05:00.0 144d:a808 class=010802 driver=nvme
block sda pci=0000:00:17.0
block sdb pci=0000:00:18.0
block sdb17 parent=sdb
block sdb1 parent=sdb swap=yes size=1G
block nvme3n1 pci=0000:05:00.0
block nvme3n1p1 parent=nvme3n1
block vda pci=0000:05:00.0 path=virtio7/block
block dm-3 source=/dev/dm-3
block md0 holders=dm-3
H
"$TOP/tests/fakehost/build" "$W/d.host" "$W/d" || fail "defaults host does not build"
for n in sda sdb sdb1 sdb17 nvme3n1 nvme3n1p1 vda dm-3 md0; do
	printf '%s %s %s\n' "$n" "$(cat "$W/d/sys/class/block/$n/dev")" \
		"$(realpath --relative-to="$W/d/sys/devices" "$W/d/sys/class/block/$n")"
done >"$W/got"
assert_eq "$(cat "$W/got")" "sda 8:0 pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda
sdb 8:16 pci0000:00/0000:00:18.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb
sdb1 8:17 pci0000:00/0000:00:18.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb/sdb1
sdb17 259:0 pci0000:00/0000:00:18.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb/sdb17
nvme3n1 259:1 pci0000:05/0000:05:00.0/nvme/nvme3/nvme3n1
nvme3n1p1 259:2 pci0000:05/0000:05:00.0/nvme/nvme3/nvme3n1/nvme3n1p1
vda 259:3 pci0000:05/0000:05:00.0/virtio7/block/vda
dm-3 254:3 virtual/block/dm-3
md0 9:0 virtual/block/md0" "default numbers and paths"
assert_eq "$(readlink "$W/d/sys/block/dm-3/slaves/md0")" "../../md0" "md0 under dm-3"
assert_eq "$(tail -1 "$W/d/proc/swaps")" "/dev/sdb1                               partition	1048572		0		-2" "swap on sdb1"
assert_nofile "$W/d/dev/mapper"
# a host without block lines: the default root, empty swaps, no class/block
T=$("$FAKEHOST" --print-tree model-basic) || fail "cannot build model-basic"
assert_eq "$(awk '$5 == "/"' "$T/proc/self/mountinfo")" "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro" "default root"
assert_eq "$(cat "$T/proc/swaps")" "Filename				Type		Size		Used		Priority" "no swap"
assert_grep '^SwapTotal:             0 kB$' "$T/proc/meminfo"
assert_nofile "$T/sys/class/block"
echo "block ok"
