# When the lab cannot run, its cases are skipped with the reason, never
# passed: tests/run reports a case that exits 77 as "SKIP NAME: reason" and
# counts it in the closing line; tests/vmlab/run exits 77 with one line that
# says why (no QEMU; a kernel package apt cannot fetch). No boot.
. "$TOP/tests/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# tests/run on a tree with one case that passes and one that cannot run
mkdir -p "$T/top/tests/x" "$T/top/build"
cp "$TOP/tests/run" "$T/top/tests/run"
echo 'exit 0' >"$T/top/tests/x/good.t"
printf 'echo some output\necho "vmlab: cannot run the lab: no frobnicator" >&2\nexit 77\n' >"$T/top/tests/x/lab.t"
out=$(BUILD="$T/top/build" bash "$T/top/tests/run" 2>&1)
rc=$?
echo "$out"
assert_eq "$rc" 0 "tests/run exit with a skipped case"
grep -qx 'SKIP x/lab: vmlab: cannot run the lab: no frobnicator' <<<"$out" || fail "no SKIP line with the reason"
grep -qx 'PASS x/lab' <<<"$out" && fail "a skipped case passed"
assert_eq "$(tail -1 <<<"$out")" "1 passed, 0 failed, 1 skipped" "closing line"

echo 'echo x' >"$T/script"
# no QEMU binary
out=$(VMLAB_QEMU=qemu-system-none "$TOP/tests/vmlab/run" "$T/script" 2>&1)
rc=$?
echo "$out"
assert_eq "$rc" 77 "run without QEMU"
assert_eq "$out" "vmlab: cannot run the lab: no qemu-system-none (package qemu-system-x86)" "reason"

# a kernel package apt cannot fetch (an empty cache, a release that does not exist)
if apt-cache policy >/dev/null 2>&1; then
	out=$(KVMPREP_VMLAB_CACHE="$T/cache" KVMPREP_VMLAB_RELEASE=0.0.0-0-amd64 "$TOP/tests/vmlab/run" "$T/script" 2>&1)
	rc=$?
	echo "$out"
	assert_eq "$rc" 77 "run with a package that cannot be fetched"
	grep -q '^vmlab: cannot run the lab: cannot fetch linux-image-0.0.0-0-amd64 .* with apt-get download' <<<"$out" ||
		fail "the reason does not name the package"
	ls "$T/cache/0.0.0-0-amd64"/lab-* >/dev/null 2>&1 && fail "a lab was built from nothing"
fi
exit 0
