# A kill between the two files of `bind --persist` (vfio.conf written, the
# udev rule's write under way: a delay fault on /etc/udev/rules.d) leaves
# the journal with both files' previous state: `recover` puts back each
# file as it was (here: absent) and the device on its own driver. The same
# after an edit of vfio.conf by an earlier --persist: its content comes
# back byte for byte. And a full disk on the rule (ENOSPC) rolls the call
# back by itself.
. ./common.sh
OUT=$ST.out
trap 'rm -rf "$ST" "$OUT"' EXIT
CONF=$ST/etc/kvmprep/vfio.conf
RULES=$ST/etc/udev/rules.d/60-kvmprep-vfio.rules
# killed_persist ARGS: bind --persist ARGS, SIGKILLed while the rule is written
killed_persist() {
	[ -e "$ST/fakehost/log" ] && : >"$ST/fakehost/log"
	bg "$OUT" fh --fault '/etc/udev/rules.d/*=delay:3000' -- kvmprep-iommu bind --persist "$@"
	wait_for "$ST/fakehost/log" '^fault /etc/udev/rules.d/.* delay'
	pid=$(holder_pid "$ST")
	[ -n "$pid" ] || fail "no lock holder: $(cat "$OUT"; cat "$ST/fakehost/log")"
	kill -KILL "$pid"
	wait "$BG" 2>/dev/null
	assert_file "$ST/run/kvmprep/journal"
}

# 1. from nothing: both files new
killed_persist 02:00.0
assert_file "$CONF"
grep -q '^0000:02:00.0 ' "$CONF" || fail "vfio.conf was not written before the kill: $(cat "$CONF")"
grep -c '"kind":"file"' "$ST/run/kvmprep/journal" | grep -qx 2 || fail "two file steps: $(cat "$ST/run/kvmprep/journal")"
out=$(iommu recover 2>&1) || fail "recover: $out"
echo "$out" | grep -q "rolled back an interrupted 'kvmprep-iommu bind'" || fail "recover said: $out"
assert_nofile "$CONF"
assert_nofile "$RULES"
assert_nofile "$ST/run/kvmprep/journal"
assert_dev 0000:02:00.0 e1000e '(null)'

# 2. over an earlier --persist: its files come back as they were
iommu bind --persist -q 03:00.0 || fail "bind --persist 03:00.0"
conf0=$(cat "$CONF")
rules0=$(cat "$RULES")
assert_dev 0000:03:00.0 vfio-pci vfio-pci
killed_persist 02:00.0
[ "$(cat "$CONF")" != "$conf0" ] || fail "vfio.conf unchanged before the kill"
iommu recover >/dev/null 2>&1 || fail "recover (2)"
assert_eq "$(cat "$CONF")" "$conf0" "vfio.conf back"
assert_eq "$(cat "$RULES")" "$rules0" "the udev rule back"
assert_dev 0000:02:00.0 e1000e '(null)'
assert_dev 0000:03:00.0 vfio-pci vfio-pci
assert_nofile "$ST/run/kvmprep/journal"

# 3. the rule cannot be written (ENOSPC): the call rolls itself back
out=$(fh --fault '/etc/udev/rules.d/*=ENOSPC' -- kvmprep-iommu bind --persist 02:00.0 2>&1)
rc=$?
assert_eq "$rc" 1 "ENOSPC on the rule: exit 1 ($out)"
assert_eq "$(cat "$CONF")" "$conf0" "vfio.conf after ENOSPC"
assert_eq "$(cat "$RULES")" "$rules0" "the udev rule after ENOSPC"
assert_dev 0000:02:00.0 e1000e '(null)'
assert_nofile "$ST/run/kvmprep/journal"
