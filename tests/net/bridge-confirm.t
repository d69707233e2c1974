# Commit-confirm of the uplink move. Not confirmed: the session that ran
# the move is killed (as when SSH drops), the detached rollback gives the
# NIC back what it had after the timeout. Confirmed (from another process):
# kept. Gateway not answering on the bridge: rolled back at once.
. ./uplink-common.sh
J=$ROOT/run/kvmprep/bridge-uplink/br0.json
scene
BEFORE=$(state v0)
jstate() { jq -r .state "$J" 2>/dev/null || echo none; }

# 1. not confirmed, the calling session killed
# setsid: its own session and process group, as an SSH login has
in_ns setsid bash -c "echo \$\$ >\"$ROOT/sess\"; \"$BR\" bridge add br0 --uplink v0 --confirm-timeout 3 >\"$ROOT/out\" 2>&1; sleep 300" &
bg=$!
for _ in $(seq 100); do [ "$(jstate)" = armed ] && grep -q rollback "$ROOT/out" && break; sleep 0.05; done
assert_eq "$(jstate)" armed
assert_eq "$(cat "$ROOT/out")" "br0: created with uplink v0
rollback in 3 s unless 'kvmprep-bridge confirm' is run (from a new connection, to prove it works)"
rb=$(jq -r .rollback_pid "$J")
kill -0 "$rb" || fail "no rollback process"
# the session is gone (its whole process group), the rollback is not in it
sess=$(cat "$ROOT/sess")
kill -KILL -- "-$sess" || fail "cannot kill the session $sess"
wait "$bg" 2>/dev/null
kill -0 "$rb" || fail "the rollback died with the session"
assert_eq "$(master_of v0)" br0
reach "while armed"
for _ in $(seq 100); do exists br0 || break; sleep 0.1; done
for _ in $(seq 50); do kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
assert_restored "after the confirm timeout"
reach "after the rollback"
[ -e "$J" ] && fail "journal left after the rollback"
grep -q "not confirmed in time: v0 given back what it had, br0 deleted" "$ROOT/run/kvmprep/bridge-uplink/br0.log" ||
	fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"
out=$(br confirm 2>&1); rc=$?
assert_eq "$rc:$out" "1:kvmprep-bridge: nothing to confirm: no uplink move is waiting (rolled back already?)"

# 2. confirmed in time: kept, also after the deadline. The host "runs
# systemd" (/run/systemd/system in the root): the tool asks systemd-run for
# a transient timer too; no systemd answers (a private mount namespace
# whose /run has no /run/systemd/private, a system bus address nothing
# listens on: the machine's own systemd, if any, is never asked), so there
# is none, nothing is said, and the detached process alone is the rollback
mkdir -p "$ROOT/run/systemd/system"
out=$(in_ns unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh \
	env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$ROOT/nobus" "$BR" --json bridge add br0 --uplink v0 \
	--confirm-timeout 3 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -c '[.changed, .uplink, .rollback_timer, (.rollback_pid > 0)]')" '[true,"v0",null,true]'
rmdir "$ROOT/run/systemd/system"
rb=$(jq -r .rollback_pid "$J")
out=$(br confirm) || fail "confirm: $out"
assert_eq "$out" "br0: confirmed (v0 stays in it)"
assert_eq "$(jstate)" done
sleep 3.5
for _ in $(seq 20); do kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
kill -0 "$rb" 2>/dev/null && fail "the rollback process outlived its confirmation"
assert_eq "$(master_of v0)" br0 "kept after confirm"
[ -n "$(state br0 --no-ll --no-link)" ] || fail "br0 lost its addresses"
reach "after confirm"
br -q del br0 --force || fail "del --force"
assert_restored "after del --force"

# 3. the gateway does not answer on the bridge: rolled back before arming
in_peer ip addr del 192.0.2.1/24 dev v0p
out=$(br bridge add br0 --uplink v0 2>&1); rc=$?
assert_eq "$rc:$out" "1:kvmprep-bridge: v0: cannot move into br0: reach the gateway 192.0.2.1 from br0: No route to host"
assert_restored "after the gateway check failed"
[ -e "$J" ] && fail "journal left"
true
