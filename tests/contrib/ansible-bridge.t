# timeout 300
# The bridge module (kvmprep.host.bridge) moving the host's uplink, through
# ansible-playbook (Debian's ansible-core, connection local), on the real
# kernel in network namespaces this case makes and deletes
# (tests/net/uplink-common.sh: the "host" namespace has v0, a veth with IPv4
# and IPv6 addresses, a secondary with a label, default routes and a route
# in table 100; the peer namespace is the LAN with the gateway). The tool
# runs in the host namespace with /run/kvmprep and /etc under a private
# root (KVMPREP_ROOT), through a wrapper on the play's PATH.
# 1. --check --diff: changed, the diff lists the netlink changes; nothing
#    changes (v0 attribute by attribute, no br0, no journal);
# 2. the move: changed; br0 has exactly what v0 had, v0 is its port, the
#    peer reaches the host; the move is armed with a live rollback process
#    (the module returns its pid and deadline);
# 3. rerun and --check rerun while armed: nothing changed; confirm in check
#    mode: skipped, still armed;
# 4. confirm: changed, confirmed 1, the rollback process ends, the move is
#    kept past its deadline; a second confirm fails with the tool's reason;
# 5. state=absent force: the NIC gets back exactly what it had; rerun: unchanged;
# 6. not confirmed: a move with a 5 s deadline is rolled back by itself, v0
#    has exactly what it had; confirm then fails ("nothing to confirm");
# 7. kvmprep.host.prepare's own bridge tasks (move, wait_for_connection,
#    confirm) against a fake host for validate: the move is kept; a rerun
#    changes nothing.
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is not installed (scripts/deps installs ansible-core)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
cd "$TOP/tests/net" || exit 1
. ./uplink-common.sh || exit 1
J=$ROOT/run/kvmprep/bridge-uplink/br0.json
jstate() { jq -r .state "$J" 2>/dev/null || echo none; }
A=$ROOT/ansible
mkdir -p "$A/bin"
C=$A/collections/ansible_collections/kvmprep/host
mkdir -p "$(dirname "$C")"
cp -a "$TOP/contrib/ansible" "$C"
printf '#!/bin/sh\nKVMPREP_ROOT=%s exec ip netns exec %s %s "$@"\n' "$ROOT" "$NS" "$BIN/kvmprep-bridge" >"$A/bin/kvmprep-bridge"
# validate for step 7: a fake host that is ready (passthrough)
printf '#!/bin/sh\nexec env -u KVMPREP_ROOT %s fleet-ready --state %s -- %s "$@"\n' "$FAKEHOST" "$A/fake" "$BIN/kvmprep-validate" >"$A/bin/kvmprep-validate"
chmod 0755 "$A/bin"/*
cat >"$A/inventory.yml" <<EOI
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: /usr/bin/python3
  hosts:
    host:
EOI
# one play of one task (or two), with the tools' PATH
playbook() { # FILE TASKS-YAML
	{
		printf -- '- hosts: host\n  gather_facts: false\n  environment:\n    PATH: "%s:/usr/sbin:/usr/bin:/sbin:/bin"\n  tasks:\n' "$A/bin"
		sed 's/^/    /'
	} >"$A/$1.yml"
}
playbook move <<'EOT'
- name: Move v0 into br0
  kvmprep.host.bridge:
    name: br0
    uplink: v0
    confirm_timeout: "{{ timeout | default(60) }}"
EOT
playbook confirm <<'EOT'
- name: Keep the move
  kvmprep.host.bridge:
    name: br0
    confirm: true
EOT
playbook absent <<'EOT'
- name: No br0, v0 given back
  kvmprep.host.bridge:
    name: br0
    state: absent
    force: true
EOT
export ANSIBLE_COLLECTIONS_PATH=$A/collections ANSIBLE_HOME=$A/home ANSIBLE_LOCAL_TEMP=$A/tmp \
	ANSIBLE_REMOTE_TEMP=$A/tmp ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_NOCOLOR=1 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_FORCE_COLOR=0
n=0
# play NAME ARGS...: run $A/NAME.yml; output in $OUT, exit in $RC
play() {
	local f=$1
	shift
	n=$((n + 1))
	OUT=$A/run$n.out
	LC_ALL=C.UTF-8 ansible-playbook -v -i "$A/inventory.yml" "$@" "$A/$f.yml" >"$OUT" 2>&1
	RC=$?
}
# recap FIELD: a number of the host's recap line (ok, changed, failed, skipped)
recap() { sed -n "s/^host *: .* $1=\([0-9]*\).*/\1/p" "$OUT"; }
# result: the JSON result of the play's last task on host (-v prints it)
result() {
	sed -n 's/^\(ok\|changed\|skipping\|fatal\): \[host\]\( => \|: FAILED! => \)\(.*\)$/\3/p' "$OUT" | tail -1
}
want() { # RC CHANGED FAILED: the play's exit status and recap
	[ "$RC:$(recap changed):$(recap failed)" = "$1:$2:$3" ] ||
		{ cat "$OUT"; fail "run $n: exit:changed:failed $RC:$(recap changed):$(recap failed), wanted $1:$2:$3"; }
}

scene
BEFORE=$(state v0)
WANT=$(state v0 --no-ll --no-link)
mac=$(ljq v0 .address)
reach "before"

# --- 1. check mode -------------------------------------------------------------
play move --check --diff
want 0 1 0
grep -q "^+set v0 master br0$" "$OUT" || { cat "$OUT"; fail "check mode: no diff of the move"; }
grep -q "^+create bridge br0 address $mac " "$OUT" || fail "check mode: the bridge does not take v0's MAC"
assert_restored "after check mode"
assert_nofile "$J"
assert_nofile "$ROOT/run/kvmprep/journal"

# --- 2. the move -----------------------------------------------------------------
play move
want 0 1 0
got=$(state br0 --no-ll --no-link)
[ "$got" = "$WANT" ] || { diff -u <(echo "$WANT") <(echo "$got") >&2; fail "br0 is not what v0 was"; }
assert_eq "$(state v0 --no-ll --no-link)" "" "v0 keeps only its link-local address"
assert_eq "$(master_of v0)" br0
assert_eq "$(ljq br0 .address)" "$mac"
reach "after the move"
assert_eq "$(jstate)" armed
rb=$(jq -r .rollback_pid "$J")
kill -0 "$rb" || fail "no rollback process"
assert_eq "$(result | jq -c '.uplink | [.uplink, .gateway, .rollback_pid, (.confirm_deadline > now), .addresses >= 4]')" \
	"[\"v0\",\"192.0.2.1\",$rb,true,true]" "the module's uplink result"

# --- 3. reruns while armed: nothing changes ----------------------------------------
play move
want 0 0 0
play move --check --diff
want 0 0 0
play confirm --check
want 0 0 0
assert_eq "$(recap skipped)" 1 "confirm in check mode: skipped"
assert_eq "$(result | jq -r .msg)" "check mode: kvmprep-bridge confirm has no dry run"
assert_eq "$(jstate)" armed "after confirm --check"
assert_eq "$(master_of v0)" br0

# --- 4. confirm ----------------------------------------------------------------------
play confirm
want 0 1 0
assert_eq "$(result | jq -c '[.changed, .confirmed]')" "[true,1]" "confirm"
assert_eq "$(jstate)" done
for _ in $(seq 50); do kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
kill -0 "$rb" 2>/dev/null && fail "the rollback process outlived its confirmation"
grep -q "confirmed: v0 stays in br0" "$ROOT/run/kvmprep/bridge-uplink/br0.log" || fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"
assert_eq "$(master_of v0)" br0 "kept after confirm"
reach "after confirm"
play move
want 0 0 0
play confirm
want 2 0 1
assert_eq "$(result | jq -r .msg)" "kvmprep-bridge: nothing to confirm: no uplink move is waiting (rolled back already?)"

# --- 5. absent ----------------------------------------------------------------------
play absent --check
want 0 1 0
assert_eq "$(master_of v0)" br0 "after absent --check"
play absent
want 0 1 0
assert_restored "after state=absent"
reach "after state=absent"
play absent
want 0 0 0

# --- 6. not confirmed: rolled back by itself ----------------------------------------
# (what the module returned says it was armed: ansible-playbook's own
# time after the module may take the 5 s under load, so the journal is
# looked at only while the deadline is ahead)
play move -e timeout=5
want 0 1 0
rb=$(result | jq -r '.uplink.rollback_pid // 0')
deadline=$(result | jq -r '.uplink.confirm_deadline // 0')
[ "$rb" -gt 0 ] && [ "$deadline" -gt 0 ] || fail "the move was not armed: $(result)"
if [ "$(date +%s)" -lt $((deadline - 1)) ]; then
	assert_eq "$(jstate)" armed
	assert_eq "$(master_of v0)" br0
fi
for _ in $(seq 200); do exists br0 || break; sleep 0.1; done
for _ in $(seq 50); do kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
assert_restored "after the confirm timeout"
reach "after the rollback"
assert_nofile "$J"
grep -q "not confirmed in time: v0 given back what it had, br0 deleted" "$ROOT/run/kvmprep/bridge-uplink/br0.log" ||
	fail "log: $(cat "$ROOT/run/kvmprep/bridge-uplink/br0.log")"
play confirm
want 2 0 1
assert_eq "$(result | jq -r .msg)" "kvmprep-bridge: nothing to confirm: no uplink move is waiting (rolled back already?)"

# --- 7. the collection's playbook: move, reach, confirm --------------------------------
env -u KVMPREP_ROOT "$FAKEHOST" fleet-ready --state "$A/fake" -- true || fail "fleet-ready"
cat >>"$A/inventory.yml" <<EOI
      kvmprep_become: false
      kvmprep_jobs: [passthrough]
      kvmprep_environment:
        PATH: "$A/bin:/usr/sbin:/usr/bin:/sbin:/bin"
      kvmprep_bridges:
        - name: br0
          uplink: v0
EOI
prepare() {
	n=$((n + 1))
	OUT=$A/run$n.out
	LC_ALL=C.UTF-8 ansible-playbook -v -i "$A/inventory.yml" -e kvmprep_hosts=all "$@" kvmprep.host.prepare >"$OUT" 2>&1
	RC=$?
}
prepare
want 0 2 0 # the move and its confirm
grep -q '^ok: \[host\] => {"changed": false, "elapsed": ' "$OUT" || { cat "$OUT"; fail "prepare: wait_for_connection did not run"; }
assert_eq "$(jstate)" done
got=$(state br0 --no-ll --no-link)
[ "$got" = "$WANT" ] || { diff -u <(echo "$WANT") <(echo "$got") >&2; fail "prepare: br0 is not what v0 was"; }
reach "after prepare"
prepare
want 0 0 0
grep -q "^TASK \[Keep the uplink moves" "$OUT" || fail "prepare rerun: no confirm task"
grep -q '^changed: ' "$OUT" && fail "prepare rerun: $(grep '^changed: ' "$OUT")"
assert_eq "$(jstate)" done
out=$(br del br0 --force) || fail "del --force: $out"
assert_restored "after prepare and del --force"
echo "ansible bridge ok: check, move, reruns, confirm, absent, rollback, prepare"
