# Sourced by the kvmprep-validate cases: one kept fake host per case.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-validate.XXXXXX")
rmdir "$ST" # run makes it (and keeps it) on first use
trap 'rm -rf "$ST" "$ST.json" "$ST.sum"' EXIT

fh() { "$FAKEHOST" "$HOST" --state "$ST" "$@"; }
validate() { fh -- kvmprep-validate "$@"; }

# A digest of every file and link of the host (the kernel model's log
# aside), to prove that validate changed nothing.
host_digest() {
	(cd "$ST" && find . -path ./fakehost -prune -o \( -type f -o -type l \) -print |
		LC_ALL=C sort | while read -r f; do
			if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f $(md5sum <"$f")"; fi
		done)
}

# The kernel effects in the model's log other than the KVM probe's ioctls.
effects() { grep -v -E '^kvm' "$ST/fakehost/log" 2>/dev/null || true; }

# check_host WANTED_EXIT [ARGS…]: golden human and JSON output of
# kvmprep-validate on $HOST, the exit code, the JSON's consistency with
# the human summary, and that the host is unchanged afterwards.
check_host() {
	local want=$1 rc jrc before
	shift
	fh -- true || fail "cannot set up $HOST"
	before=$(host_digest)

	echo "== kvmprep-validate${*:+ $*}"
	validate "$@"
	rc=$?
	echo "[exit $rc]"
	[ "$rc" -eq "$want" ] || fail "exit $rc, wanted $want"

	echo "== kvmprep-validate --json${*:+ $*}"
	validate --json "$@" >"$ST.json"
	jrc=$?
	cat "$ST.json"
	echo "[exit $jrc]"
	[ "$jrc" -eq "$rc" ] || fail "--json exit $jrc, human exit $rc"
	python3 - "$ST.json" "$rc" <<'PY' || fail "inconsistent JSON"
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
assert d["schema"] == 1 and d["tool"] == "kvmprep-validate", "header"
n = {"PASS": 0, "WARN": 0, "FAIL": 0, "SKIP": 0}
for c in d["checks"]:
    assert set(c) == {"id", "topic", "status", "finding", "hint"}, c
    assert c["id"].startswith(c["topic"] + "."), c["id"]
    n[c["status"]] += 1
    assert c["finding"], c["id"]
    assert (c["hint"] is None) == (c["status"] == "PASS") or \
        (c["status"] == "SKIP" and c["hint"] is None), c["id"] + ": hint"
s = d["summary"]
assert [s["pass"], s["warn"], s["fail"], s["skip"]] == \
    [n["PASS"], n["WARN"], n["FAIL"], n["SKIP"]], "summary counts"
assert d["ok"] == (rc == 0), "ok vs exit"
assert (rc == 1) == (n["FAIL"] > 0 or (d["strict"] and n["WARN"] > 0)), "exit vs statuses"
PY
	[ "$(host_digest)" = "$before" ] || fail "kvmprep-validate changed the fake host"
	[ -z "$(effects)" ] || fail "kernel effects: $(effects | tr '\n' ';')"
}

# status_of ID: the status of a check in the last --json run
status_of() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["status"] for c in d["checks"] if c["id"]==sys.argv[2]][0])' "$ST.json" "$1"
}
assert_status() { assert_eq "$(status_of "$1")" "$2" "$1"; }
