# The change journal: a create stopped by SIGTERM while it waits rolls
# itself back (exit 143, no device left); one killed with SIGKILL leaves
# its journal, and the next call (here: recover) removes the half-made
# device; define's file is journalled too.
. ./common.sh
J=$ST/run/kvmprep/journal
fh -- true
# pid of the call that wrote the journal (waits for it to appear)
journal_pid() {
	local i
	for i in $(seq 200); do
		if [ -s "$J" ] && [ -e "$ST/sys/bus/mdev/devices/$U1" ]; then
			python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["pid"])' "$J" && return
		fi
		sleep 0.05
	done
	fail "no journal appeared"
}
fh --fault no-vfio-node=34 -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u "$U1" --timeout 20000 \
	>"$ST/out" 2>"$ST/err" &
bg=$!
pid=$(journal_pid)
grep -q '"kind":"mdev"' "$J" || fail "the journal does not record the mdev: $(cat "$J")"
kill -TERM "$pid"
wait $bg; rc=$?
assert_eq "$rc" 143 "SIGTERM: exit 128+15"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
assert_nofile "$J"
assert_eq "$(avail "$T4" nvidia-222)" 4 "instance given back"
# SIGKILL: nothing runs in the process; the journal stays and recover undoes it
fh --fault no-vfio-node=34 -- kvmprep-mdev create -p 01:00.0 -t nvidia-222 -u "$U1" --timeout 20000 \
	>/dev/null 2>&1 &
bg=$!
pid=$(journal_pid)
kill -KILL "$pid"
wait $bg
assert_file "$ST/sys/bus/mdev/devices/$U1"
assert_file "$J"
out=$(mdev recover) || fail "recover: $out"
echo "$out" | grep -q "rolled back an interrupted 'kvmprep-mdev create'" || fail "recover said: $out"
assert_nofile "$ST/sys/bus/mdev/devices/$U1"
assert_nofile "$J"
assert_eq "$(mdev recover)" "nothing to recover, unchanged" "recover again"
# any mutating call recovers first (here a list does not, a define does)
mdev_pristine
