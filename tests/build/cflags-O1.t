# The tools build with other optimisation levels than the default -O2
# (issue 7, item 8: -O1 broke on -Werror=format-truncation, which gcc
# only sees at some levels): a build of the library and the tools with
# CFLAGS=-O1 into a build directory of its own. (-O0, -O3, -Os, -Og were
# checked by hand; -O1 is the level that found the bug.)
. "$TOP/tests/lib.sh"
D=$(mktemp -d "${TMPDIR:-/tmp}/kp-O1.XXXXXX")
trap 'rm -rf "$D"' EXIT
nice make -s -C "$TOP" -j2 BUILD="$D" CFLAGS="-O1 -g" all >"$D.log" 2>&1 ||
	{ cat "$D.log"; rm -f "$D.log"; fail "make CFLAGS=-O1 failed"; }
rm -f "$D.log"
for t in "$TOP"/tools/*/main.c; do
	name=kvmprep-$(basename "$(dirname "$t")")
	"$D/bin/$name" --version | grep -q "^$name " || fail "$name -O1 does not run"
done
echo ok
