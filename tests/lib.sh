# Sourced by every tests/**/*.t case. A case passes when it exits 0 (and,
# with a "# golden" line, when its output equals CASE.expected).
set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
BIN=$BUILD/bin
FAKEHOST=$TOP/tests/fakehost/run
export LC_ALL=C NO_COLOR=1
PATH=$BIN:$PATH

fail() { echo "FAIL: $*" >&2; exit 1; }

# Run a command, print its output and then "[exit N]": for golden files.
rc() {
	"$@"
	echo "[exit $?]"
}

# expect_rc N CMD…: run, print output, fail unless it exits N.
expect_rc() {
	local want=$1 got
	shift
	"$@"
	got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $*"
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', wanted '$2'"; }
assert_file() { [ -e "$1" ] || fail "missing: $1"; }
assert_nofile() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "should not exist: $1"; }
# assert_link LINK NAME: the symlink's target ends in /NAME
assert_link() {
	local t
	t=$(readlink "$1") || fail "not a link: $1"
	[ "$(basename "$t")" = "$2" ] || fail "$1 -> $t, wanted …/$2"
}
assert_nolink() { [ ! -L "$1" ] || fail "should not be a link: $1 -> $(readlink "$1")"; }
assert_grep() { grep -q -- "$1" "$2" || fail "'$1' not in $2"; }

# Commands run as nobody (uid 65534) cannot read a tree that sits in a 0700
# directory (root's home is 0700 on Debian). nobody_setup copies what they
# need from the tree (the tools, the kernel model's preload, fakehost/run)
# to a temporary directory everyone can read, and sets NOBODY to a wrapper
# there that runs its arguments as nobody with those copies (PATH and the
# preload), inside a fake host or outside:
#   nobody_setup; fh -- "$NOBODY" kvmprep-iommu bind 02:00.0
# NOBODY_DIR/fakehost-run is the copy of tests/fakehost/run. The directory
# is removed when the case exits (the case's own EXIT trap still runs).
nobody_setup() {
	[ -n "${NOBODY:-}" ] && return 0
	NOBODY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kp-nobody.XXXXXX") || fail "mktemp"
	cp "$BIN"/kvmprep-* "$NOBODY_DIR"/ || fail "cannot copy the tools"
	cp "$TOP/tests/fakehost/run" "$NOBODY_DIR/fakehost-run"
	if [ -e "$BUILD/fakehost/libkpfakehost.so" ]; then
		cp "$BUILD/fakehost/libkpfakehost.so" "$NOBODY_DIR"/
	fi
	{
		echo '#!/bin/sh'
		echo '# run "$@" as nobody, with the copies beside this script'
		echo 'if [ -n "${LD_PRELOAD:-}" ]; then'
		echo "	LD_PRELOAD=\$(printf '%s' \"\$LD_PRELOAD\" | sed 's|[^:]*/libkpfakehost\\.so|$NOBODY_DIR/libkpfakehost.so|')"
		echo '	export LD_PRELOAD'
		echo 'fi'
		echo "PATH=$NOBODY_DIR:\$PATH exec setpriv --reuid=65534 --regid=65534 --clear-groups \"\$@\""
	} >"$NOBODY_DIR/as-nobody"
	chmod -R a+rX "$NOBODY_DIR"
	chmod 0755 "$NOBODY_DIR" "$NOBODY_DIR/as-nobody"
	NOBODY=$NOBODY_DIR/as-nobody
	local old
	old=$(trap -p EXIT)
	if [ -n "$old" ]; then
		eval "set -- $old"
		# shellcheck disable=SC2064
		trap "rm -rf '$NOBODY_DIR'; $3" EXIT
	else
		# shellcheck disable=SC2064
		trap "rm -rf '$NOBODY_DIR'" EXIT
	fi
}

# ---- killing a change at a chosen point (tests/README.md "Testing a kill")
# bg OUT CMD…: run CMD in the background, stdout and stderr to OUT; BG is
# its pid (the fakehost run's, not the tool's: see holder_pid).
bg() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	BG=$!
}
# wait_for FILE REGEX [SECONDS]: until a line of FILE matches (default 10 s)
wait_for() {
	local i n=$(( ${3:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "timed out waiting for '$2' in $1"
}
# holder_pid TREE: the pid of the kvmprep process holding TREE's lock
holder_pid() { cat "$1/run/kvmprep/lock"; }
# bg_wait: wait for the background command, print "[exit N]"
bg_wait() {
	local rc=0
	wait "$BG" || rc=$?
	echo "[exit $rc]"
}
