# kvmprep-capture, as make install installs it: a user's host becomes a
# test. A fake host captured through --sysroot (-o FILE) and built back
# gives the tools the same answers as the original; a capture of this
# machine leaves out its host name and addresses unless --no-redact; bad
# input is one line and exit 2; an unwritable --output is exit 1.
. "$TOP/tests/lib.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
make -s -C "$TOP" install DESTDIR="$W/root" PREFIX=/usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log"; fail "make install failed"; }
CAP=$W/root/usr/bin/kvmprep-capture
[ -x "$CAP" ] || fail "make install did not install kvmprep-capture"
"$CAP" --help | grep -q '^ kvmprep-capture \[options\]' || fail "--help"
assert_eq "$("$CAP" --version)" "kvmprep-capture 0.1.0" "--version"

# --- a fake host round trip: the same answers -------------------------------
for host in fleet-ready sriov-lab mdev-lab iommu-why; do
	T=$("$FAKEHOST" --print-tree "$host") || fail "$host: no tree"
	"$CAP" --sysroot "$T" -o "$W/$host.host" || fail "$host: capture failed"
	[ "$(stat -c %a "$W/$host.host")" = 644 ] || fail "$host: -o FILE is not 0644"
	"$TOP/tests/fakehost/build" --check "$W/$host.host" || fail "$host: capture does not check"
	for cmd in "kvmprep-iommu groups --json" "kvmprep-iommu groups --why" "kvmprep-iommu list --json" \
		"kvmprep-sriov list -v --json" "kvmprep-mdev types --json"; do
		# shellcheck disable=SC2086
		"$FAKEHOST" "$host" -- $cmd >"$W/a" 2>&1
		a=$?
		# shellcheck disable=SC2086
		"$FAKEHOST" "$W/$host.host" -- $cmd >"$W/b" 2>&1
		b=$?
		diff -u "$W/a" "$W/b" || fail "$host: '$cmd' differs on the capture"
		assert_eq "$b" "$a" "$host: exit of '$cmd' on the capture"
	done
	rm -rf "$("$FAKEHOST" --print-tree "$W/$host.host")"
done
# the answer is the host's, not an empty one
"$FAKEHOST" "$W/fleet-ready.host" -- kvmprep-iommu groups --json | grep -q '"group": 12' ||
	fail "group 12 not in the capture's answer"

# --- this machine: redacted by default ----------------------------------------
"$CAP" -o "$W/here.host" || fail "capture of this machine failed"
"$CAP" --no-redact >"$W/here-exact.host" || fail "capture --no-redact failed"
h=$(cat /proc/sys/kernel/hostname)
grep -q '^name .*a host' "$W/here.host" || fail "the name is not replaced"
assert_eq "$(grep '^name ' "$W/here.host")" 'name "Captured: a host"' "the redacted name line"
assert_eq "$(grep '^name ' "$W/here-exact.host")" "name \"Captured: $h\"" "--no-redact: the name line"
# a long host name (a short one like "vm" is in every cpu flags line) appears nowhere
[ ${#h} -lt 6 ] || ! grep -qF -- "$h" "$W/here.host" || fail "the host name $h is in the capture"
for a in $(ip -j addr show | python3 -c 'import json,sys
for l in json.load(sys.stdin):
    for x in l.get("addr_info", []):
        if x.get("scope") == "global": print(x["local"])'); do
	! grep -Eq -- "(=|,)$a/" "$W/here.host" || fail "address $a is in the capture"
	grep -Eq -- "(=|,)$a/" "$W/here-exact.host" || fail "--no-redact: address $a is missing"
done
# the same interfaces carry addresses, with the same prefix lengths
strip() { sed -n 's/^net \([^ ]*\) addr=\([^ ]*\)\(.*\)$/\1 \2 \3/p' "$1" | sed -E 's#[0-9a-f.:]+/#/#g'; }
assert_eq "$(strip "$W/here.host")" "$(strip "$W/here-exact.host")" "redacted net lines"
"$TOP/tests/fakehost/build" --check "$W/here.host" || fail "the redacted capture does not check"
rm -rf "$("$FAKEHOST" --print-tree "$W/here.host" 2>/dev/null)" 2>/dev/null

# --- bad input ---------------------------------------------------------------
"$CAP" --bogus >"$W/out" 2>"$W/err"; assert_eq "$?" 2 "unknown option"
assert_eq "$(head -1 "$W/err")" "kvmprep-capture: unrecognized argument '--bogus'" "message"
[ ! -s "$W/out" ] || fail "output on a usage error"
"$CAP" --sysroot "$W/none" 2>"$W/err"; assert_eq "$?" 2 "--sysroot not a directory"
"$CAP" -o 2>"$W/err"; assert_eq "$?" 2 "-o without FILE"
"$CAP" --sysroot "$T" -o "$W/no/such/dir/x.host" 2>"$W/err"; assert_eq "$?" 1 "unwritable FILE"
grep -q "^kvmprep-capture: $W/no/such/dir/x.host: cannot write: No such file or directory$" "$W/err" ||
	fail "unwritable FILE: $(cat "$W/err")"
"$CAP" --sysroot "$T" >/dev/full 2>"$W/err"; assert_eq "$?" 1 "/dev/full"
grep -q "^kvmprep-capture: standard output: cannot write" "$W/err" || fail "/dev/full: $(cat "$W/err")"
echo "capture ok"
