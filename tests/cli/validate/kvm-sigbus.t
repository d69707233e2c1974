# KVM_RUN kills the caller with SIGBUS (guest memory the host cannot
# back): the probe runs in a child of its own, so kvmprep-validate lives,
# reports KVM broken with the signal, exits 1, and leaves no core behind.
HOST=validate-kvm-sigbus
. ./common.sh
cd "$(mktemp -d)" || fail "no scratch directory"
W=$PWD
out=$(validate --for kvm 2>&1); rc=$?
assert_eq "$rc" 1 "exit"
echo "$out" | grep -q '^  FAIL  kvm.probe            KVM is broken: the probe process died of signal 7 (Bus error)$' ||
	fail "kvm.probe: $out"
echo "$out" | grep -q '^        hint: check the kernel log (dmesg) for kvm errors and memory failures$' || fail "hint: $out"
validate --json --for kvm >"$ST.json"; assert_eq "$?" 1 "--json exit"
python3 -c '
import json, sys
c = {x["id"]: x for x in json.load(open(sys.argv[1]))["checks"]}
assert c["kvm.probe"]["status"] == "FAIL", c["kvm.probe"]
assert "signal 7" in c["kvm.probe"]["finding"], c["kvm.probe"]
' "$ST.json" || fail "json"
assert_eq "$(ls -A "$W")" "" "no core file"
rm -rf "$W"
exit 0
