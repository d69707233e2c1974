# The lock's bounded wait, as kvmprep-iommu's (lib/change.h): another run
# holding /run/kvmprep/lock past --wait SECONDS makes every command that
# changes links exit 1 naming the holder's pid, nothing changed; a holder
# that lets go within the wait is waited for; bad --wait values and
# commands that take no lock are usage errors (exit 2).
. ./common.sh
nic v0
br -q bridge add br0 || fail "bridge add"
LOCK=$ROOT/run/kvmprep/lock
assert_eq "$(stat -c %a "$ROOT/run/kvmprep") $(stat -c %a "$LOCK")" "700 600" "modes"
flock --no-fork -x "$LOCK" sleep 60 &
holder=$!
trap 'kill $holder 2>/dev/null; cleanup' EXIT
for i in $(seq 100); do flock -n "$LOCK" true || break; sleep 0.05; done
t0=$(date +%s%N)
out=$(br bridge add br1 --wait 0.5 2>&1); rc=$?
t1=$(date +%s%N)
assert_eq "$rc:$out" "1:kvmprep-bridge: /run/kvmprep/lock: cannot take the lock: held by pid $holder for more than 0.5 s (another change is under way; --wait SECONDS waits longer)"
[ $(((t1 - t0) / 1000000)) -ge 450 ] || fail "gave up after $(((t1 - t0) / 1000000)) ms, before --wait 0.5"
exists br1 && fail "br1 made without the lock"
# every command that changes links, and the JSON error
for cmd in "bridge del br0" "bridge port add br0 v0" "bridge port del br0 v0" "tap add t0" \
	"macvtap add m0 --link v0" "del br0" "confirm" "recover" \
	"bridge add br2 --uplink v0 --no-confirm"; do
	# shellcheck disable=SC2086
	out=$(br $cmd --wait 0 --json 2>/dev/null); rc=$?
	assert_eq "$rc $(echo "$out" | jq -r .error)" \
		"1 /run/kvmprep/lock: cannot take the lock: held by pid $holder for more than 0 s (another change is under way; --wait SECONDS waits longer)" "$cmd"
done
# apply-persisted: each line of net.conf is refused the same way
mkdir -p "$ROOT/etc/kvmprep"
echo "bridge br9" >"$ROOT/etc/kvmprep/net.conf"
out=$(br apply-persisted --wait 0 2>&1); rc=$?
assert_eq "$rc" 1 "apply-persisted under a held lock"
echo "$out" | grep -qF "kvmprep-bridge: /run/kvmprep/lock: cannot take the lock: held by pid $holder for more than 0 s" ||
	fail "apply-persisted: $out"
rm "$ROOT/etc/kvmprep/net.conf"
assert_eq "$(links)" "br0 lo v0" "links while the lock was held"
kill $holder
wait $holder 2>/dev/null
# a holder that lets go within the wait
flock --no-fork -x "$LOCK" sleep 1 &
holder=$!
for i in $(seq 100); do flock -n "$LOCK" true || break; sleep 0.05; done
out=$(br bridge add br1 --wait 20 2>&1) || fail "waited and failed: $out"
assert_eq "$out" "br1: created"
wait $holder
# usage
for v in soon -1 nan 3601 ""; do
	out=$(br bridge add br3 --wait "$v" 2>&1); rc=$?
	assert_eq "$rc:$out" "2:kvmprep-bridge: invalid --wait: '$v' (seconds, 0..3600) (try 'kvmprep-bridge --help')"
done
out=$(br list --wait 1 2>&1); rc=$?
assert_eq "$rc:$out" "2:kvmprep-bridge: list does not take --wait (try 'kvmprep-bridge --help')"
br --help | grep -q -- "--wait SECONDS" || fail "--help does not name --wait"
true
