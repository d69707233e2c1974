# Commit-confirm's systemd path: where systemd runs, the move also asks
# systemd for a transient timer that runs `kvmprep-bridge recover` at the
# deadline, which outlives a session that logind stops with every process
# in it (KillUserProcesses=yes), the double fork included. systemd is not
# PID 1 here, so the boundary is faked one step further than systemd-run:
# the REAL systemd-run (sd_booted() satisfied by a /run/systemd/system in
# a private mount namespace) talks over a private D-Bus bus (dbus-daemon)
# to tests/net/fake-systemd1.py, which records StartTransientUnit's exact
# properties, and to which the REAL systemctl sends the StopUnit and
# ResetFailedUnit calls that end a move's units (confirm, a rollback that
# ran); it keeps the units' life as systemd does (tests/net/fake-systemd1.py:
# a name still loaded is refused, UnitExists). The case then does what
# systemd would do with them: after killing the detached rollback process
# (as logind would), it runs the service's ExecStart with its Environment
# at the timer's deadline.
# systemd itself (that it accepts these properties, fires the timer and
# runs the service outside the session) is run for real in the lab:
# vmlab/bridge-timer.
. ./uplink-common.sh
command -v dbus-daemon >/dev/null || fail "dbus-daemon not installed (scripts/deps: dbus-daemon)"
command -v systemd-run >/dev/null || fail "systemd-run not installed (scripts/deps: systemd)"
PY=/usr/bin/python3
J=$ROOT/run/kvmprep/bridge-uplink/br0.json
UNIT=kvmprep-bridge-rollback-br0
scene
BEFORE=$(state v0)
jstate() { jq -r .state "$J" 2>/dev/null || echo none; }

# the private bus and the fake manager (ended by pid at exit)
cat >"$ROOT/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>custom</type><listen>unix:path=$ROOT/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>
EOC
dbus-daemon --config-file="$ROOT/bus.conf" --nofork >"$ROOT/dbus.log" 2>&1 &
dbus=$!
fake=
trap 'kill $fake $dbus 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -S "$ROOT/bus" ] && break; sleep 0.05; done
[ -S "$ROOT/bus" ] || fail "dbus-daemon did not start: $(cat "$ROOT/dbus.log")"
start_fake() { # [fake-systemd1.py options]
	[ -n "$fake" ] && { kill "$fake"; wait "$fake" 2>/dev/null; }
	: >"$ROOT/calls"
	echo 0 >"$ROOT/mark"
	"$PY" "$TOP/tests/net/fake-systemd1.py" "$ROOT/calls" "unix:path=$ROOT/bus" "$@" &
	fake=$!
	for _ in $(seq 200); do grep -q READY "$ROOT/calls" && break; sleep 0.05; done
	grep -q READY "$ROOT/calls" || fail "the fake manager did not start"
}
# the calls since the last mark: "METHOD NAME ANSWER" lines
mark() { grep -c '^{' "$ROOT/calls" >"$ROOT/mark"; }
calls() {
	grep '^{' "$ROOT/calls" | tail -n +$(($(cat "$ROOT/mark") + 1)) |
		jq -r '"\(.method) \(.name) \(.answer)"'
}
# the tool in the "host" namespace, on a host that runs systemd: the
# tool's test (/run/systemd/system under its root) and systemd-run's and
# systemctl's (sd_booted(): the real /run/systemd/system, in a private
# mount namespace, whose empty /run has no /run/systemd/private either:
# both use the bus of DBUS_SYSTEM_BUS_ADDRESS). Every command of this case
# goes through it: confirm and del talk to systemd too.
mkdir -p "$ROOT/run/systemd/system"
sdbr() {
	in_ns unshare -m --propagation private sh -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$@"' sh \
		env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$ROOT/bus" "$BR" "$@"
}
# the service's command line and environment, as systemd would run it
# (the last timer systemd accepted)
fire() {
	local svc
	svc=$(grep '^{' "$ROOT/calls" | jq -c --arg s "$UNIT.service" \
		'select(.method == "StartTransientUnit" and .answer == "job") | .aux[$s]' | tail -1)
	mapfile -t envs < <(echo "$svc" | jq -r '.Environment[]')
	mapfile -t cmd < <(echo "$svc" | jq -r '.ExecStart[0][1][]')
	in_ns unshare -m --propagation private sh -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$@"' sh \
		env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$ROOT/bus" "${envs[@]}" "${cmd[@]}"
}
STOPS="ResetFailedUnit $UNIT.timer ok
ResetFailedUnit $UNIT.service ok
StopUnit $UNIT.timer job
StopUnit $UNIT.service job"
junit() { jq -r '.rollback_unit' "$J"; }

# 1. not confirmed, the session and the detached process gone: the timer rolls back
start_fake
# (10 s: the steps before the deadline must fit in it on a loaded machine)
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 10 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -c '[.changed, .rollback_timer, (.rollback_pid > 0)]')" "[true,\"$UNIT\",true]"
assert_eq "$(junit)" "$UNIT" "the journal names the timer"
deadline=$(echo "$out" | jq -r .confirm_deadline)
rb=$(echo "$out" | jq -r .rollback_pid)
assert_eq "$(grep -c '^{' "$ROOT/calls")" 1 "StartTransientUnit calls"
want=$(jq -n -S -c --arg br "$BR" --arg root "$ROOT" --arg u "$UNIT" '{
	method: "StartTransientUnit", name: ($u + ".timer"), mode: "fail", answer: "job",
	properties: { Description: "kvmprep-bridge: roll back br0 unless confirmed",
		CollectMode: "inactive-or-failed", AddRef: true,
		TimersMonotonic: [["OnActiveSec", 10000000]], AccuracyUSec: 100000,
		RemainAfterElapse: false },
	aux: { ($u + ".service"): { Description: "kvmprep-bridge: roll back br0 unless confirmed",
		CollectMode: "inactive-or-failed", AddRef: true,
		Environment: ["KVMPREP_ROOT=" + $root, "KVMPREP_BRIDGE_ROLLBACK_UNIT=" + $u],
		ExecStart: [[$br, [$br, "-q", "--wait", "3600", "recover"], false]] } } }')
assert_eq "$(grep '^{' "$ROOT/calls" | jq -S -c .)" "$want" "the transient timer asked of systemd"
# logind stops the session's scope: every process in it, the double fork too
kill -KILL "$rb" || fail "no rollback process"
for _ in $(seq 50); do kill -0 "$rb" 2>/dev/null || break; sleep 0.05; done
assert_eq "$(jstate) $(master_of v0)" "armed br0" "after the session was killed"
# the service run before the deadline (it cannot fire early; harmless if it did)
[ "$(date +%s)" -lt "$deadline" ] || fail "the deadline passed before the early recover (machine too slow)"
mark
fire || fail "recover before the deadline failed"
assert_eq "$(jstate) $(master_of v0)" "armed br0" "recover before the deadline"
assert_eq "$(calls)" "" "systemd asked nothing by a recover with nothing to do"
# systemd would run the service now: the timer elapsed (unloaded:
# RemainAfterElapse=no), not before the journal's deadline
for _ in $(seq 300); do grep -q "^ELAPSED $UNIT.timer" "$ROOT/calls" && break; sleep 0.1; done
grep -q "^ELAPSED $UNIT.timer" "$ROOT/calls" || fail "the fake's timer did not elapse"
[ "$(date +%s)" -ge "$deadline" ] || fail "the timer elapsed before the deadline"
out=$(fire 2>&1) || fail "the timer's recover: $out"
assert_restored "after the timer's recover"
reach "after the timer's recover"
[ -e "$J" ] && fail "journal left after the timer's rollback"
grep -q "recovered: v0 given back what it had (the move was armed)" "$ROOT/run/kvmprep/bridge-uplink/br0.log" ||
	fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"
# the rollback that ran ends the units: the elapsed timer (gone already,
# "not loaded" is no error), not the service that runs this recover
assert_eq "$(calls)" "ResetFailedUnit $UNIT.timer org.freedesktop.systemd1.NoSuchUnit
StopUnit $UNIT.timer org.freedesktop.systemd1.NoSuchUnit" "the timer's own recover"
echo "$out" | grep -q "cannot stop" && fail "a warning for a unit already gone: $out"

# 2. confirmed: confirm stops and resets the timer and its service; a
# second move of the same bridge within the first's timeout gets its own
# timer (a unit left loaded would be refused: UnitExists); the timer's
# recover at the deadline leaves a confirmed move alone
start_fake
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 60 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" "$UNIT"
mark
out=$(sdbr confirm 2>&1) || fail "confirm: $out"
assert_eq "$out" "br0: confirmed (v0 stays in it)"
assert_eq "$(calls)" "$STOPS" "confirm's calls"
assert_eq "$(jstate) $(master_of v0)" "done br0" "confirmed"
mark
sdbr -q del br0 --force || fail "del --force"
assert_restored "after del --force"
assert_eq "$(calls)" "" "del --force of a confirmed move (its units stopped at confirm)"
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 2 2>&1) || fail "second move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" "$UNIT" "the second move's timer"
assert_eq "$(calls)" "StartTransientUnit $UNIT.timer job" "the second move's calls"
deadline=$(echo "$out" | jq -r .confirm_deadline)
mark
out=$(sdbr confirm) || fail "confirm: $out"
assert_eq "$(calls)" "$STOPS" "the second confirm's calls"
while [ "$(date +%s)" -le "$deadline" ]; do sleep 0.2; done
fire || fail "the timer's recover after confirm"
assert_eq "$(jstate) $(master_of v0)" "done br0" "confirmed, after the timer"
sdbr -q del br0 --force || fail "del --force"
assert_restored "after del --force"

# 3. not confirmed, the detached process rolls back at the deadline: it
# stops the timer and the service too (whichever systemd has left: the
# timer elapses at the same deadline)
start_fake
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 3 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" "$UNIT"
mark
deadline=$(echo "$out" | jq -r .confirm_deadline)
for _ in $(seq 100); do [ -e "$J" ] || break; sleep 0.1; done
for _ in $(seq 50); do [ "$(calls | grep -c StopUnit)" = 2 ] && break; sleep 0.1; done
assert_restored "after the detached rollback"
grep -q "not confirmed in time: v0 given back what it had" "$ROOT/run/kvmprep/bridge-uplink/br0.log" ||
	fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"
assert_eq "$(calls | cut -d' ' -f1,2)" "$(echo "$STOPS" | cut -d' ' -f1,2)" "the detached rollback's calls"
assert_eq "$(calls | grep "StopUnit $UNIT.service")" "StopUnit $UNIT.service job" "the service stopped"

# 4. a unit of that name still loaded (an earlier move's, its stop failed;
# or made by hand): refused, stopped, asked again
start_fake --loaded "$UNIT.timer" --loaded "$UNIT.service"
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 30 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" "$UNIT" "the timer after a stale one"
assert_eq "$(calls)" "StartTransientUnit $UNIT.timer org.freedesktop.systemd1.UnitExists
$STOPS
StartTransientUnit $UNIT.timer job" "a stale unit's calls"
sdbr -q confirm && sdbr -q del br0 --force || fail "confirm, del"
assert_restored "after del --force"

# 5. systemd refuses the timer: the detached process alone, said in the
# JSON and the journal; confirm asks systemd nothing
start_fake --fail org.freedesktop.DBus.Error.AccessDenied
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 30 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -c '[.changed, .rollback_timer, (.rollback_pid > 0)]')" "[true,null,true]"
assert_eq "$(calls | grep -c StartTransientUnit)" 2 "StartTransientUnit asked twice (once after the stops)"
assert_eq "$(junit)" null "no timer in the journal"
rb=$(echo "$out" | jq -r .rollback_pid)
kill -0 "$rb" || fail "no rollback process without the timer"
mark
sdbr -q confirm || fail "confirm"
assert_eq "$(calls)" "" "confirm without a timer"
sdbr -q del br0 --force || fail "del --force"
assert_restored "after del --force"

# 6. no systemd: systemd-run is not asked at all, nor is systemctl
rmdir "$ROOT/run/systemd/system"
start_fake
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 30 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" null
sdbr -q confirm && sdbr -q del br0 --force || fail "confirm, del"
assert_eq "$(grep -c '^{' "$ROOT/calls")" 0 "systemd asked without systemd"
assert_restored "at the end"
