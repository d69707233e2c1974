# lib/inuse.c on a fake host: NICs with addresses or routes, mounted, swap
# and held block devices (NVMe, AHCI), the boot display; and the devices
# that are free. Read-only: the host must be unchanged afterwards.
. "$TOP/tests/lib.sh"

ST=$(mktemp -d /tmp/kp-inuse.XXXXXX)
trap 'rm -rf "$ST"' EXIT
T=$ST/host
"$FAKEHOST" lib-inuse --state "$T" -- true || fail "cannot build the fake host"

# --- block devices, by hand until the builder has `block` lines ----------
# blk PARENT-DIR NAME MAJ:MIN: a block device directory and its class link
blk() {
	mkdir -p "$1/$2/holders"
	echo "$3" >"$1/$2/dev"
	printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\n' "${3%:*}" "${3#*:}" "$2" >"$1/$2/uevent"
	ln -s "$(realpath --relative-to="$T/sys/class/block" "$1/$2")" "$T/sys/class/block/$2"
}
# hold LOWER UPPER: UPPER (a dm device) sits on LOWER
hold() {
	local lower upper
	lower=$(realpath "$T/sys/class/block/$1") upper=$(realpath "$T/sys/class/block/$2")
	ln -s "$(realpath --relative-to="$lower/holders" "$upper")" "$lower/holders/$2"
	mkdir -p "$upper/slaves"
	ln -s "$(realpath --relative-to="$upper/slaves" "$lower")" "$upper/slaves/$1"
}
dev() { realpath "$T/sys/bus/pci/devices/$1"; }

mkdir -p "$T/sys/class/block" "$T/sys/devices/virtual/block"
n0=$(dev 0000:02:00.0)/nvme/nvme0
blk "$n0" nvme0n1 259:0
blk "$n0/nvme0n1" nvme0n1p1 259:1
blk "$n0/nvme0n1" nvme0n1p2 259:2
blk "$n0/nvme0n1" nvme0n1p3 259:3
n1=$(dev 0000:03:00.0)/nvme/nvme1
blk "$n1" nvme1n1 259:4
blk "$n1/nvme1n1" nvme1n1p1 259:5
n2=$(dev 0000:04:00.0)/nvme/nvme2
blk "$n2" nvme2n1 259:6
sd=$(dev 0000:00:17.0)/ata1/host0/target0:0:0/0:0:0:0/block
blk "$sd" sda 8:0
blk "$sd/sda" sda1 8:1
blk "$sd/sda" sda2 8:2
blk "$T/sys/devices/virtual/block" dm-0 254:0
blk "$T/sys/devices/virtual/block" dm-1 254:1
hold nvme0n1p3 dm-0
hold nvme1n1p1 dm-1
# a loop device mounted somewhere: below no PCI device
blk "$T/sys/devices/virtual/block" loop0 7:0

cat >"$T/proc/self/mountinfo" <<'MI'
22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
23 22 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw
24 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw
30 22 254:0 / /var/lib/my\040data rw,relatime shared:9 - xfs /dev/mapper/vg-data rw
31 22 7:0 / /snap/core rw,relatime shared:10 - squashfs /dev/loop0 ro
MI
cat >"$T/proc/swaps" <<'SW'
Filename				Type		Size		Used		Priority
/dev/sda2                               partition	8388604		0		-2
SW
: >"$T/fakehost/log"
before=$(cd "$T" && find sys proc etc -printf '%p %l\n' 2>/dev/null | sort | md5sum)

out=$("$FAKEHOST" lib-inuse --state "$T" -- "$BUILD/helpers/kp-inuse" \
	0000:00:02.0 0000:00:17.0 0000:00:19.0 0000:00:1f.6 0000:00:1f.7 0000:00:1f.5 \
	0000:01:00.0 0000:02:00.0 0000:03:00.0 0000:04:00.0 0000:05:00.0 0000:06:00.0)
rc=$?
echo "$out"
assert_eq "$rc" 0 "kp-inuse exit"
assert_eq "$out" "0000:00:02.0: in use (display ): boot display (driven by i915)
0000:00:17.0: in use (block ): sda2 is used as swap
0000:00:19.0: in use (net ): eno1 has 192.0.2.10/24 and 1 more address, eno1 carries the default route
0000:00:1f.6: in use (net ): eno2 carries 1 route
0000:00:1f.7: not in use
0000:00:1f.5: in use (net ): eno4 has 2001:db8:4::4/64
0000:01:00.0: not in use
0000:02:00.0: in use (block ): nvme0n1p1 is mounted on /boot/efi, nvme0n1p2 is mounted on /, nvme0n1p3 holds dm-0, mounted on /var/lib/my data
0000:03:00.0: in use (block ): nvme1n1p1 is held by dm-1
0000:04:00.0: not in use
0000:05:00.0: not in use
0000:06:00.0: not in use" "usage"

# no such device, and a malformed address
out=$("$FAKEHOST" lib-inuse --state "$T" -- "$BUILD/helpers/kp-inuse" 0000:09:00.0 ../x)
assert_eq "$?" 1 "kp-inuse exit on errors"
assert_eq "$out" "0000:09:00.0: error: No such device
../x: error: Invalid argument" "errors"

# asking changed nothing
after=$(cd "$T" && find sys proc etc -printf '%p %l\n' 2>/dev/null | sort | md5sum)
assert_eq "$after" "$before" "the tree changed"
assert_eq "$(cat "$T/fakehost/log")" "" "kernel effects"

# without mountinfo (a captured host): mounts by device name from
# /proc/self/mounts; dm-0 is mounted as /dev/mapper/…, so only held
rm "$T/proc/self/mountinfo"
cat >"$T/proc/self/mounts" <<'MO'
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
/dev/mapper/vg-data /var/lib/my\040data xfs rw 0 0
/dev/nvme2n1 /srv/with\040space ext4 rw 0 0
MO
out=$("$FAKEHOST" lib-inuse --state "$T" -- "$BUILD/helpers/kp-inuse" 0000:02:00.0 0000:04:00.0)
assert_eq "$?" 0 "kp-inuse exit (mounts)"
assert_eq "$out" "0000:02:00.0: in use (block ): nvme0n1p2 is mounted on /, nvme0n1p3 is held by dm-0
0000:04:00.0: in use (block ): nvme2n1 is mounted on /srv/with space" "usage from mounts"
echo ok
