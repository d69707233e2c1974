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
