# timeout 600
# The Ansible collection (contrib/ansible, kvmprep.host) end to end with
# Debian's ansible-core: playbooks/prepare.yml against two hosts, both
# localhost (connection local), each a fake host (tests/fakehost/run
# --state DIR) reached through wrappers named like the tools on the PATH
# the play's environment gives them:
#   ready     fleet-ready: a GPU to bind (group 12), an X710 PF, a T4 mdev
#             parent; its bridge part runs in a network namespace this case
#             makes and deletes (fake hosts have no netlink of their own)
#   notready  validate-intel-vtd-off: the play fails it with the reason
# 1. --check --diff: reports changed, changes nothing (on either host);
# 2. a run: reports changed, and the host is as asked;
# 3. a second run: nothing changed; 4. --check again: nothing changed.
. "$TOP/tests/lib.sh"
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is not installed (scripts/deps installs ansible-core)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (fake hosts and network namespaces)"; exit 77; }
W=$(mktemp -d)
NS=kpfleet-$$
trap 'ip netns del "$NS-ready" 2>/dev/null; ip netns del "$NS-notready" 2>/dev/null; rm -rf "$W"' EXIT

# the collection where Ansible looks for it
C=$W/collections/ansible_collections/kvmprep/host
mkdir -p "$(dirname "$C")"
cp -a "$TOP/contrib/ansible" "$C"

# the tools, one wrapper each, per host
wrappers() { # NAME FAKEHOST
	local d=$W/bin-$1 t
	mkdir -p "$d"
	for t in validate iommu sriov mdev; do
		printf '#!/bin/sh\nexec %s %s --state %s -- %s "$@"\n' "$FAKEHOST" "$2" "$W/state-$1" "$BIN/kvmprep-$t" >"$d/kvmprep-$t"
	done
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS-$1" "$BIN/kvmprep-bridge" >"$d/kvmprep-bridge"
	chmod 0755 "$d"/*
}
wrappers ready fleet-ready
wrappers notready validate-intel-vtd-off
# each host's links: a namespace of its own, veth0 the ready host's port
NS_READY=$NS-ready
ip netns add "$NS_READY" || fail "cannot make the namespace $NS_READY"
ip netns add "$NS-notready" || fail "cannot make the namespace $NS-notready"
ip -n "$NS_READY" link add veth0 type veth peer name veth1 || fail "veth"

U=6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d
cat >"$W/inventory.yml" <<EOI
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: /usr/bin/python3
    kvmprep_become: false
    kvmprep_jobs: [passthrough]
  hosts:
    ready:
      kvmprep_environment:
        PATH: "$W/bin-ready:/usr/sbin:/usr/bin:/sbin:/bin"
      kvmprep_vfio:
        - devices: ["0000:01:00.0"]
          group: true
      kvmprep_sriov:
        - pf: "0000:02:00.0"
          count: 4
          driver: vfio-pci
      kvmprep_mdevs:
        - uuid: $U
          parent: "0000:03:00.0"
          type: nvidia-222
      kvmprep_bridges:
        - name: br0
          ports: [veth0]
    notready:
      kvmprep_environment:
        PATH: "$W/bin-notready:/usr/sbin:/usr/bin:/sbin:/bin"
      kvmprep_vfio:
        - devices: ["0000:01:00.0"]
EOI
export ANSIBLE_COLLECTIONS_PATH=$W/collections ANSIBLE_HOME=$W/ansible ANSIBLE_LOCAL_TEMP=$W/tmp \
	ANSIBLE_REMOTE_TEMP=$W/tmp ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_NOCOLOR=1 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_DEPRECATION_WARNINGS=0
play() { # NAME ARGS...: run the playbook (-v: each result), its output in $W/NAME.out
	local name=$1
	shift
	LC_ALL=C.UTF-8 ansible-playbook -v -i "$W/inventory.yml" -e kvmprep_hosts=all "$@" kvmprep.host.prepare >"$W/$name.out" 2>"$W/$name.err"
	echo $? >"$W/$name.rc"
}
# stat RUN HOST FIELD: a number of the host's recap line (ok, changed, failed, ...)
stat() { sed -n "s/^$2 *: .* $3=\([0-9]*\).*/\1/p" "$W/$1.out"; }
# the message of the task that failed notready: "TASK: msg"
failmsg() {
	awk '/^TASK \[/ { t = $0; sub(/^TASK \[/, "", t); sub(/\] \**$/, "", t) }
		/^fatal: \[notready\]: FAILED! => / { sub(/^fatal: \[notready\]: FAILED! => /, ""); print t "\t" $0 }' "$W/$1.out" |
		python3 -c 'import json,sys
for l in sys.stdin:
    t, j = l.rstrip("\n").split("\t", 1)
    print(t + ": " + json.loads(j).get("msg", ""))'
}
# the ready host's state, as the tools and the tree say it
state() {
	local S=$W/state-ready
	echo "01:00.0 $(basename "$(readlink "$S/sys/bus/pci/devices/0000:01:00.0/driver")")"
	echo "01:00.1 $(basename "$(readlink "$S/sys/bus/pci/devices/0000:01:00.1/driver")")"
	echo "numvfs $(cat "$S/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs")"
	echo "vfs $(for i in 0 1 2 3; do l=$(readlink "$S/sys/bus/pci/devices/0000:02:00.0/virtfn$i") &&
		basename "$(readlink "$S/sys/bus/pci/devices/$(basename "$l")/driver" 2>/dev/null || echo none)"; done | tr '\n' ' ')"
	echo "vfio.conf $(grep -c '^0000' "$S/etc/kvmprep/vfio.conf" 2>/dev/null || echo 0)"
	echo "sriov.conf $(grep '^pf ' "$S/etc/kvmprep/sriov.conf" 2>/dev/null)"
	echo "mdev defined $([ -e "$S/etc/mdevctl.d/0000:03:00.0/$U" ] && echo yes || echo no)"
	echo "mdev active $([ -e "$S/sys/bus/mdev/devices/$U" ] && echo yes || echo no)"
	echo "br0 $(ip -n "$NS_READY" -o link show br0 2>/dev/null | grep -o 'master [a-z0-9]*\|<[^>]*>' | head -1 || true)"
	echo "veth0 $(ip -n "$NS_READY" -o link show veth0 | grep -o 'master [a-z0-9]*' || echo 'no master')"
}

# --- 1. check mode on the pristine hosts ---------------------------------------
"$FAKEHOST" fleet-ready --state "$W/state-ready" -- true || fail "fleet-ready"
"$FAKEHOST" validate-intel-vtd-off --state "$W/state-notready" -- true || fail "validate-intel-vtd-off"
state >"$W/pristine" 2>&1
play check1 --check --diff
[ "$(cat "$W/check1.rc")" = 2 ] || { cat "$W/check1.err"; fail "check mode: exit $(cat "$W/check1.rc"), wanted 2 (notready fails)"; }
[ "$(stat check1 ready failed)" = 0 ] || { head -100 "$W/check1.out"; fail "check mode: ready failed"; }
[ "$(stat check1 ready changed)" -ge 4 ] || fail "check mode: ready reports $(stat check1 ready changed) changed, wanted the 4 changes"
state >"$W/after-check1" 2>&1
diff -u "$W/pristine" "$W/after-check1" || fail "check mode changed the host"
grep -q 'numvfs 0' "$W/pristine" || fail "pristine: $(cat "$W/pristine")"
# the diff shows what would change (drivers before and after)
grep -q '"previous_driver": "nouveau"' "$W/check1.out" || fail "check mode: no device rows"
grep -q '"0000:01:00.0": "nouveau"' "$W/check1.out" || fail "check mode: no diff of the binding"
# notready: failed with the reason, before any change
failmsg check1 >"$W/msg1"
grep -q '^Stop the hosts that are not ready, with the reason: not ready for passthrough: iommu\.' "$W/msg1" ||
	fail "notready's failure: $(cat "$W/msg1")"
[ "$(stat check1 notready failed)" = 1 ] || fail "notready: $(stat check1 notready failed) failures"
[ "$(stat check1 notready changed)" = 0 ] || fail "notready: changed"

# --- 2. the run ---------------------------------------------------------------------
play run1 --diff
[ "$(cat "$W/run1.rc")" = 2 ] || { cat "$W/run1.err"; fail "run: exit $(cat "$W/run1.rc")"; }
[ "$(stat run1 ready failed)" = 0 ] || { grep -A3 "^fatal: \[ready\]" "$W/run1.out" | head -30; fail "run: ready failed"; }
[ "$(stat run1 ready changed)" = 4 ] || fail "run: ready reports $(stat run1 ready changed) changed, wanted 4"
state >"$W/after-run1" 2>&1
cat >"$W/want" <<EOW
01:00.0 vfio-pci
01:00.1 vfio-pci
numvfs 4
vfs vfio-pci vfio-pci vfio-pci vfio-pci 
vfio.conf 2
sriov.conf pf 0000:02:00.0 8086:1572 4 vfio-pci
mdev defined yes
mdev active yes
EOW
head -8 "$W/after-run1" | diff -u "$W/want" - || fail "the host after the run"
grep -q '^br0 <.*UP' "$W/after-run1" || fail "br0: $(grep br0 "$W/after-run1")"
grep -q '^veth0 master br0$' "$W/after-run1" || fail "veth0: $(grep veth0 "$W/after-run1")"
failmsg run1 | grep -q 'not ready for passthrough: iommu\.' || fail "run: notready's reason"
# notready was not touched
assert_nolink "$W/state-notready/sys/bus/pci/devices/0000:01:00.0/driver"
assert_nofile "$W/state-notready/etc/kvmprep/vfio.conf"
[ -z "$(grep -E '^(bind|unbind|override)' "$W/state-notready/fakehost/log" 2>/dev/null)" ] ||
	fail "notready was changed: $(grep -E '^(bind|unbind|override)' "$W/state-notready/fakehost/log")"

# --- 3. a second run: nothing changed -------------------------------------------
play run2
[ "$(stat run2 ready failed)" = 0 ] || fail "rerun: ready failed"
[ "$(stat run2 ready changed)" = 0 ] || { grep "^changed: \[ready\]" "$W/run2.out" | head -20; fail "rerun: $(stat run2 ready changed) changed, wanted 0"; }
state | diff -u "$W/after-run1" - || fail "the rerun changed the host"

# --- 4. check mode on the prepared host: nothing would change ---------------------
play check2 --check --diff
[ "$(stat check2 ready failed)" = 0 ] || fail "check after the run: ready failed"
[ "$(stat check2 ready changed)" = 0 ] || fail "check after the run: $(stat check2 ready changed) would change"
state | diff -u "$W/after-run1" - || fail "check mode changed the prepared host"
echo "ansible playbook ok: check, run, rerun, check"
