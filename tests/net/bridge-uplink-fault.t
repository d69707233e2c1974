# The uplink move with a fault at each netlink request in turn (a test
# build wraps nl_send_sync: tests/net/nlfault.c): the request is refused,
# the move fails (exit 1) and the NIC has exactly what it had, attribute by
# attribute, and the host answers. Then a SIGKILL at each request: the next
# run (or `recover`) gives the NIC back what it had from the journal.
. ./uplink-common.sh
FAULT=$BUILD/tests/kvmprep-bridge-fault
[ -x "$FAULT" ] || fail "no $FAULT (make tests-build)"
fbr() { in_ns env KP_NLFAULT="$1" "$FAULT" "${@:2}"; }
scene
BEFORE=$(state v0)
n=0
for i in $(seq 1 60); do
	fbr "$i" -q bridge add br0 --uplink v0 --no-confirm 2>"$ROOT/err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		n=$i
		break
	fi
	[ "$rc" -eq 1 ] || { cat "$ROOT/err" >&2; fail "request $i refused: exit $rc"; }
	grep -q '^kvmprep-bridge: v0: cannot move into br0: .*: Device or resource busy$' "$ROOT/err" ||
		fail "request $i: $(cat "$ROOT/err")"
	assert_restored "after request $i was refused"
	reach "after request $i was refused"
	ls "$ROOT"/run/kvmprep/bridge-uplink/*.json >/dev/null 2>&1 && fail "move record left after a rollback ($i)"
	[ -e "$ROOT/run/kvmprep/journal" ] && fail "journal left after a rollback ($i)"
done
[ "$n" -gt 10 ] || fail "the move succeeded after only $n requests"
# the move that went through: undone for the kill round
br -q del br0 --force || fail "del --force"
assert_restored "after the fault round"
steps=$((n - 1))
for i in $(seq 1 "$steps"); do
	fbr "kill@$i" -q bridge add br0 --uplink v0 --no-confirm 2>/dev/null
	rc=$?
	[ "$rc" -eq 137 ] || fail "kill@$i: exit $rc"
	[ -e "$ROOT/run/kvmprep/journal" ] || fail "kill@$i: no journal"
	if [ $((i % 2)) -eq 0 ]; then
		out=$(br recover 2>&1) || fail "recover after kill@$i: $out"
		echo "$out" | grep -q "^kvmprep-bridge: warning: /run/kvmprep/journal: rolled back an interrupted 'kvmprep-bridge bridge add' (pid [0-9]*, [0-9]* steps, [0-9]* done)$" ||
			fail "recover after kill@$i: $out"
		assert_eq "$(echo "$out" | tail -1)" "recovered: 1"
	else
		# any next run that changes links recovers first
		out=$(br bridge add br7 2>&1) || fail "next run after kill@$i: $out"
		br -q bridge del br7
	fi
	assert_restored "after kill@$i and recovery"
	reach "after kill@$i and recovery"
done
# SIGHUP (the SSH session went away) in the middle: the move stops at the
# next step, gives everything back and exits 129
fbr "hup@6" -q bridge add br0 --uplink v0 --no-confirm 2>"$ROOT/err"
rc=$?
[ "$rc" -eq 129 ] || { cat "$ROOT/err" >&2; fail "SIGHUP: exit $rc"; }
grep -q "cannot move into br0: .*: Interrupted system call" "$ROOT/err" || fail "SIGHUP: $(cat "$ROOT/err")"
assert_restored "after SIGHUP"
[ -e "$ROOT/run/kvmprep/journal" ] && fail "journal left after SIGHUP"
assert_eq "$(br recover)" "nothing to recover"
