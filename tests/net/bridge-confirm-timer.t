# Commit-confirm's systemd path: where systemd runs, the move also asks
# systemd for a transient timer that runs `kvmprep-bridge recover` at the
# deadline, which outlives a session that logind stops with every process
# in it (KillUserProcesses=yes), the double fork included. systemd is not
# PID 1 here, so the boundary is faked one step further than systemd-run:
# the REAL systemd-run (sd_booted() satisfied by a /run/systemd/system in
# a private mount namespace) talks over a private D-Bus bus (dbus-daemon)
# to tests/net/fake-systemd1.py, which records StartTransientUnit's exact
# properties. The case then does what systemd would do with them: after
# killing the detached rollback process (as logind would), it runs the
# service's ExecStart with its Environment at the timer's deadline.
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
start_fake() { # [D-BUS ERROR to answer with]
	[ -n "$fake" ] && { kill "$fake"; wait "$fake" 2>/dev/null; }
	: >"$ROOT/calls"
	"$PY" "$TOP/tests/net/fake-systemd1.py" "$ROOT/calls" "unix:path=$ROOT/bus" "$@" &
	fake=$!
	for _ in $(seq 200); do grep -q READY "$ROOT/calls" && break; sleep 0.05; done
	grep -q READY "$ROOT/calls" || fail "the fake manager did not start"
}
# the tool in the "host" namespace, on a host that runs systemd: the
# tool's test (/run/systemd/system under its root) and systemd-run's
# (sd_booted(): the real /run/systemd/system, in a private mount namespace)
mkdir -p "$ROOT/run/systemd/system"
sdbr() {
	in_ns unshare -m --propagation private sh -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$@"' sh \
		env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$ROOT/bus" "$BR" "$@"
}
# the service's command line and environment, as systemd would run it
fire() {
	local svc
	svc=$(grep '^{' "$ROOT/calls" | tail -1 | jq -c --arg s "$UNIT.service" '.aux[$s]')
	mapfile -t envs < <(echo "$svc" | jq -r '.Environment[]')
	mapfile -t cmd < <(echo "$svc" | jq -r '.ExecStart[0][1][]')
	in_ns env "${envs[@]}" "${cmd[@]}"
}

# 1. not confirmed, the session and the detached process gone: the timer rolls back
start_fake
# (10 s: the steps before the deadline must fit in it on a loaded machine)
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 10 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -c '[.changed, .rollback_timer, (.rollback_pid > 0)]')" "[true,\"$UNIT\",true]"
deadline=$(echo "$out" | jq -r .confirm_deadline)
rb=$(echo "$out" | jq -r .rollback_pid)
assert_eq "$(grep -c '^{' "$ROOT/calls")" 1 "StartTransientUnit calls"
want=$(jq -n -S -c --arg br "$BR" --arg root "$ROOT" --arg u "$UNIT" '{
	method: "StartTransientUnit", name: ($u + ".timer"), mode: "fail",
	properties: { Description: "kvmprep-bridge: roll back br0 unless confirmed",
		CollectMode: "inactive-or-failed", AddRef: true,
		TimersMonotonic: [["OnActiveSec", 10000000]], AccuracyUSec: 100000,
		RemainAfterElapse: false },
	aux: { ($u + ".service"): { Description: "kvmprep-bridge: roll back br0 unless confirmed",
		CollectMode: "inactive-or-failed", AddRef: true,
		Environment: ["KVMPREP_ROOT=" + $root],
		ExecStart: [[$br, [$br, "-q", "--wait", "3600", "recover"], false]] } } }')
assert_eq "$(grep '^{' "$ROOT/calls" | jq -S -c .)" "$want" "the transient timer asked of systemd"
# logind stops the session's scope: every process in it, the double fork too
kill -KILL "$rb" || fail "no rollback process"
for _ in $(seq 50); do kill -0 "$rb" 2>/dev/null || break; sleep 0.05; done
assert_eq "$(jstate) $(master_of v0)" "armed br0" "after the session was killed"
# the service run before the deadline (it cannot fire early; harmless if it did)
[ "$(date +%s)" -lt "$deadline" ] || fail "the deadline passed before the early recover (machine too slow)"
fire || fail "recover before the deadline failed"
assert_eq "$(jstate) $(master_of v0)" "armed br0" "recover before the deadline"
while [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
out=$(fire 2>&1) || fail "the timer's recover: $out"
assert_restored "after the timer's recover"
reach "after the timer's recover"
[ -e "$J" ] && fail "journal left after the timer's rollback"
grep -q "recovered: v0 given back what it had (the move was armed)" "$ROOT/run/kvmprep/bridge-uplink/br0.log" ||
	fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"

# 2. confirmed: the timer's recover at the deadline leaves the move alone
start_fake
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 2 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" "$UNIT"
deadline=$(echo "$out" | jq -r .confirm_deadline)
out=$(br confirm) || fail "confirm: $out"
assert_eq "$out" "br0: confirmed (v0 stays in it)"
while [ "$(date +%s)" -le "$deadline" ]; do sleep 0.2; done
fire || fail "the timer's recover after confirm"
assert_eq "$(jstate) $(master_of v0)" "done br0" "confirmed, after the timer"
br -q del br0 --force || fail "del --force"
assert_restored "after del --force"

# 3. systemd refuses the timer: the detached process alone, said in the JSON
start_fake org.freedesktop.systemd1.UnitExists
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 30 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -c '[.changed, .rollback_timer, (.rollback_pid > 0)]')" "[true,null,true]"
assert_eq "$(grep -c '^{' "$ROOT/calls")" 1 "StartTransientUnit asked once"
rb=$(echo "$out" | jq -r .rollback_pid)
kill -0 "$rb" || fail "no rollback process without the timer"
br -q confirm || fail "confirm"
br -q del br0 --force || fail "del --force"
assert_restored "after del --force"

# 4. no systemd: systemd-run is not asked at all
rmdir "$ROOT/run/systemd/system"
start_fake
out=$(sdbr --json bridge add br0 --uplink v0 --confirm-timeout 30 2>&1) || fail "move: $out"
assert_eq "$(echo "$out" | jq -r .rollback_timer)" null
assert_eq "$(grep -c '^{' "$ROOT/calls")" 0 "StartTransientUnit without systemd"
br -q confirm && br -q del br0 --force || fail "confirm, del"
assert_restored "at the end"
