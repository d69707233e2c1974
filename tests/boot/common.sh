# Sourced by the tests/boot cases: a kept fake host ($ST, the running host)
# and a target system ($TGT, what --root DIR names), and the checks that
# the running host is unchanged.
. "$TOP/tests/lib.sh"
HOST=${HOST:-iommu-lab}
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-boot.XXXXXX")
TGT=$(mktemp -d "${TMPDIR:-/tmp}/kp-boot-target.XXXXXX")
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kp-boot-out.XXXXXX")
rmdir "$ST" # run makes it (and keeps it) on first use
trap 'rm -rf "$ST" "$TGT" "$OUT"' EXIT
fresh() { rm -rf "$ST"; }
fh() { "$FAKEHOST" "$HOST" --state "$ST" "$@"; }
# rtool TOOL ARGS…: kvmprep-TOOL inside the running host, then "[exit N]"
# (stderr too, the target's path as TGT)
rtool() {
	local t=$1
	shift
	{ fh -- "kvmprep-$t" "$@"; echo "[exit $?]"; } 2>&1 | sed "s|$TGT|TGT|g"
}

# live_sum: every file, link and directory of the running (fake) host
# with its content: /sys, /etc, /dev, /proc, /lib, /usr, and what is left
# in /run/kvmprep besides the lock (a journal would be a live change)
live_sum() {
	(cd "$ST" && find sys etc dev proc lib usr run -xdev \( -path run/kvmprep/lock -o -path run/kvmprep \) -prune -o \
		\( -type f -printf 'f %p %m\n' -exec md5sum {} + \) -o \
		\( -type l -printf 'l %p %l\n' \) -o \( -type d -printf 'd %p %m\n' \) 2>/dev/null |
		LC_ALL=C sort)
}
# the kernel model's log of live changes (bind, unbind, sysfs writes, module loads)
effects() { cat "$ST/fakehost/log" 2>/dev/null || true; }
# assert_live_unchanged SUM: the running host is as it was
assert_live_unchanged() {
	local now
	now=$(live_sum)
	if [ "$now" != "$1" ]; then
		diff <(echo "$1") <(echo "$now") | head -20 >&2
		fail "the running host was changed"
	fi
	[ -z "$(effects)" ] || fail "live changes: $(effects | tr '\n' ';')"
}
# tree TARGET-RELATIVE-DIR: the files under the target, with modes
tree() { (cd "$TGT" && find "$@" -type f -printf '%p %m\n' 2>/dev/null | LC_ALL=C sort); }
