# lib/inuse.c on a fake host: NICs with addresses or routes, mounted, swap
# and held block devices (NVMe, AHCI), the boot display; and the devices
# that are free. Read-only: the host must be unchanged afterwards.
. "$TOP/tests/lib.sh"

ST=$(mktemp -d /tmp/kp-inuse.XXXXXX)
trap 'rm -rf "$ST"' EXIT
T=$ST/host
"$FAKEHOST" lib-inuse --state "$T" -- true || fail "cannot build the fake host"

# the block devices, mounts and swap come from the description's `block`
# lines; check the builder laid out what the answers below rest on
dev() { realpath "$T/sys/bus/pci/devices/$1"; }
assert_eq "$(realpath "$T/sys/class/block/nvme0n1p3")" "$(dev 0000:02:00.0)/nvme/nvme0/nvme0n1/nvme0n1p3" "nvme0n1p3 below 02:00.0"
assert_eq "$(realpath "$T/sys/class/block/sda2")" "$(dev 0000:00:17.0)/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2" "sda2 below 00:17.0"
assert_eq "$(realpath "$T/sys/class/block/nvme0n1p3/holders/dm-0")" "$T/sys/devices/virtual/block/dm-0" "dm-0 holds nvme0n1p3"
assert_eq "$(cat "$T/sys/class/block/dm-0/dev")" "254:0" "dm-0's number"
assert_grep '^[0-9]* [0-9]* 254:0 / /var/lib/my\\040data ' "$T/proc/self/mountinfo"
assert_grep '^/dev/sda2 .*partition' "$T/proc/swaps"

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
# /proc/self/mounts, or by the device number of the source's node (dm-0
# is mounted as /dev/mapper/vg-data, a link to dm-0). The
# mount table of such a host is written here (nvme2n1 mounted, /boot/efi not)
rm "$T/proc/self/mountinfo"
cat >"$T/proc/self/mounts" <<'MO'
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
/dev/mapper/vg-data /var/lib/my\040data xfs rw 0 0
/dev/nvme2n1 /srv/with\040space ext4 rw 0 0
MO
out=$("$FAKEHOST" lib-inuse --state "$T" -- "$BUILD/helpers/kp-inuse" 0000:02:00.0 0000:04:00.0)
assert_eq "$?" 0 "kp-inuse exit (mounts)"
assert_eq "$out" "0000:02:00.0: in use (block ): nvme0n1p2 is mounted on /, nvme0n1p3 holds dm-0, mounted on /var/lib/my data
0000:04:00.0: in use (block ): nvme2n1 is mounted on /srv/with space" "usage from mounts"
echo ok
