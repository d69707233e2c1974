# The builder rejects a wrong description with FILE:LINE and exit 2.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
BUILDER=$TOP/tests/fakehost/build
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# check LINE-TO-APPEND LINENO MESSAGE-PART: a valid two-line head, then the line
check() {
	printf 'name "bad"\nkernel release=6.1.0-x\n%s\n' "$1" >"$W/bad.host"
	out=$("$BUILDER" "$W/bad.host" "$W/tree" 2>&1)
	rc=$?
	[ $rc -eq 2 ] || fail "exit $rc, wanted 2 for: $1 ($out)"
	case "$out" in
	*"$W/bad.host:$2: "*"$3"*) ;;
	*) fail "for '$1': got '$out', wanted '$W/bad.host:$2: …$3…'" ;;
	esac
	[ ! -e "$W/tree" ] || fail "a tree was left behind for: $1"
	echo "ok: $1 -> ${out#*bad.host:}"
}

check 'frobnicate x=1' 3 "unknown keyword 'frobnicate'"
check $'name "caf\xe9"' 3 "not UTF-8 (byte 0xe9)"
check $'# \xff comment' 3 "not UTF-8 (byte 0xff)"
check 'pci 0000:00:01.0 8086:1234 colour=red' 3 "unknown key 'colour'"
check 'memory total=12Q' 3 "bad size '12Q'"
check 'pci 0000:00:1z.0 8086:1234' 3 "bad PCI address"
check 'pci 0000:00:01.0 8086:12345' 3 "bad id"
check 'pci 0000:01:00.0 8086:1234 parent=0000:00:1c.0' 3 "parent 0000:00:1c.0 is not described"
# reset=bus as the kernel lists it (pci_parent_bus_reset, probed before
# the device joins its bus): never on a root bus, never for a function that
# a function scanned before it shares the bus with (the first may have it)
check 'pci 0000:00:19.0 8086:15b7 class=020000 reset=flr,bus' 3 "reset=bus: it is on a root bus"
check $'pci 0000:00:01.0 8086:1901 class=060400\npci 0000:01:00.0 10de:1eb8 class=030000 parent=0000:00:01.0 reset=flr,bus\npci 0000:01:00.1 10de:10f8 class=040300 parent=0000:00:01.0 reset=bus' 5 "reset=bus: 0000:01:00.0, scanned before it, is on its bus"
check 'cpu count=4 8' 3 "unexpected argument '8'"
check 'module kvm state=sleepy' 3 "state=sleepy"
check 'name "unterminated' 3 "No closing quotation"
check 'kvm state=maybe' 3 "works|noflags|broken|sigbus|hang|absent"
check 'pci 0000:00:01.0 8086:1234 flr=perhaps' 3 "bad boolean"
check 'pci 0000:00:01.0 8086:1234 vf=154c' 3 "need sriov"
check 'dev /tmp/x' 3 "not under /dev"
check 'file relative/path content=x' 3 "must be an absolute path"
check 'net eth0 addr=10.0.0.1' 3 "bad address"
check 'hugepages size=2M total=4 free=8' 3 "free=8 is more than total=4"
check 'block nvme0n1 pci=0000:09:00.0' 3 "block nvme0n1: pci 0000:09:00.0 is not described"
check 'block sda1 parent=sda' 3 "block sda1: parent sda is not a block line"
check 'block dm-0 holders=dm-9' 3 "block dm-0: holder dm-9 is not a block line"
check 'block sda pci=0000:00:17.0 parent=x' 3 "pci= and parent= exclude each other"
check 'block loop0 maj=7' 3 "maj= and min= go together"
check 'block loop0 mount=srv' 3 "'srv' must be an absolute path"
check 'block loop0 path=x/block' 3 "path= needs pci="
check 'block loop0 colour=red' 3 "block: unknown key 'colour'"
check 'block a/b' 3 "block: bad name 'a/b'"
check 'block loop0 swap=maybe' 3 "bad boolean"
check 'block dm-0 source=/dev/mapper/a/b' 3 "a bad /dev/mapper name"

# errors found after parsing still name the line that is wrong
printf '%s\n' 'name x' 'module vfio_pci state=available drivers=vfio-pci' \
	'pci 0000:00:01.0 8086:1234 driver=vfio-pci' >"$W/late.host"
out=$("$BUILDER" "$W/late.host" "$W/tree" 2>&1)
assert_eq "$?" 2 "driver of an unloaded module"
case "$out" in *"late.host:3: pci 0000:00:01.0: driver vfio-pci is not loaded"*) ;;
*) fail "got '$out'" ;; esac
printf '%s\n' 'pci 0000:00:01.0 8086:1234' '# comment' '' 'pci 0000:00:01.0 8086:1234' >"$W/dup.host"
out=$("$BUILDER" "$W/dup.host" "$W/tree" 2>&1)
assert_eq "$?" 2 "duplicate device"
case "$out" in *"dup.host:4: pci 0000:00:01.0 given twice (first at line 1)"*) ;;
*) fail "got '$out'" ;; esac
printf '%s\n' 'pci 0000:00:01.0 8086:1234' 'pci 0000:01:00.0 8086:1234 parent=0000:00:01.0' >"$W/nb.host"
out=$("$BUILDER" "$W/nb.host" "$W/tree" 2>&1)
assert_eq "$?" 2 "parent not a bridge"
case "$out" in *"nb.host:2: "*"not a PCI bridge"*) ;; *) fail "got '$out'" ;; esac

# block lines that contradict each other: the later line is named
blk() {
	printf '%s\n' 'pci 0000:00:17.0 8086:a352 class=010601' "$@" >"$W/blk.host"
	"$BUILDER" --check "$W/blk.host" 2>&1
}
out=$(blk 'block sda pci=0000:00:17.0 maj=8 min=0' 'block sdb pci=0000:00:17.0 maj=8 min=0')
case "$out" in *"blk.host:3: block sdb: 8:0 is also sda"*) ;; *) fail "same number: '$out'" ;; esac
out=$(blk 'block sda pci=0000:00:17.0' 'block root parent=sda')
case "$out" in *"blk.host:3: block root: no partition number"*) ;; *) fail "partition number: '$out'" ;; esac
out=$(blk 'block sda pci=0000:00:17.0' 'block sda1 parent=sda' 'block sda1p1 parent=sda1')
case "$out" in *"blk.host:4: block sda1p1: parent sda1 is a partition itself"*) ;; *) fail "nested: '$out'" ;; esac
out=$(blk 'block sda pci=0000:00:17.0 mount=/srv' 'block loop0 mount=/srv/')
case "$out" in *"blk.host:3: block loop0: /srv is also sda's mount point"*) ;; *) fail "mount point: '$out'" ;; esac
out=$(blk 'block sda pci=0000:00:17.0' 'dev /dev/sda block=yes')
case "$out" in *"blk.host:3: dev /dev/sda: also a block line (line 2)"*) ;; *) fail "dev line: '$out'" ;; esac
out=$(blk 'block sda pci=0000:00:17.0 holders=sda')
case "$out" in *"blk.host:2: block sda: holds itself"*) ;; *) fail "holds itself: '$out'" ;; esac

# run passes the builder's verdict on: exit 2, message on stderr
out=$("$FAKEHOST" "$W/bad.host" -- true 2>&1)
assert_eq "$?" 2 "run with a bad description"
case "$out" in *"bad.host:3: "*) ;; *) fail "run: got '$out'" ;; esac
# and a good minimal description builds
printf 'pci 0000:00:01.0 8086:1234\n' >"$W/good.host"
"$BUILDER" "$W/good.host" "$W/tree" || fail "minimal host does not build"
assert_file "$W/tree/sys/bus/pci/devices/0000:00:01.0/config"
"$BUILDER" --check "$TOP/tests/hosts/example.host" || fail "example.host does not check"
# a name is free text: "=" in it is no key
printf '%s\n' 'name "ratio=1:2, vfio-pci.ids=8086:10d3"' 'pci 0000:00:01.0 8086:1234' >"$W/eq.host"
rm -rf "$W/tree"
"$BUILDER" "$W/eq.host" "$W/tree" || fail "a name with '=' is rejected"
assert_eq "$(cat "$W/tree/fakehost/name")" "ratio=1:2, vfio-pci.ids=8086:10d3" "name with '='"
printf '%s\n' 'name one two' >"$W/two.host"
out=$("$BUILDER" --check "$W/two.host" 2>&1)
assert_eq "$?" 2 "an unquoted name of two words"
case "$out" in *"two.host:1: name: wants 1 argument, got 2"*) ;; *) fail "got '$out'" ;; esac
echo "all errors caught"
