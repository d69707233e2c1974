# README.md is true to the tools: every tool has a "### TOOL" section whose
# synopsis (the code block below it) names each command its --help lists,
# and every option the synopsis shows is one the tool accepts (--help);
# every tool the README's table lists exists; the exit-code table's codes
# are the ones each tool's --help states.
. "$TOP/tests/lib.sh"
. "$TOP/tests/contrib/help-options.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
R=$TOP/README.md
tools="$(cd "$BIN" && ls kvmprep-*) kvmprep-capture"
bad=0
for t in $tools; do
	exe=$BIN/$t
	[ "$t" = kvmprep-capture ] && exe=$TOP/tests/fakehost/capture
	# the synopsis: the first code block after "### TOOL"
	awk -v h="### $t" '$0 == h { s = 1; next } s && /^```/ { if (b) exit; b = 1; next } s && b' "$R" >"$W/syn"
	[ -s "$W/syn" ] || { echo "README: no synopsis for $t (### $t and a code block)"; bad=1; continue; }
	while IFS= read -r c; do
		[ -n "$c" ] || continue
		# each word of the command, in order, in one synopsis line
		re=$(sed 's/ /[^A-Za-z0-9]+(.*[^A-Za-z0-9])?/g' <<<"$c")
		grep -Eq -- "(^|[^A-Za-z0-9-])$re([^A-Za-z0-9-]|\$)" "$W/syn" ||
			{ echo "README: $t's synopsis lacks the command '$c'"; bad=1; }
	done < <(help_commands "$exe")
	help_options "$exe" >"$W/opts"
	for o in $(grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*' "$W/syn" | sed 's/^[^-]*//' | sort -u); do
		grep -qx -- "$o" "$W/opts" || { echo "README: $t's synopsis shows $o, which --help does not list"; bad=1; }
	done
	# exit codes: each code 0-3 of the README table is in the tool's --help
	"$exe" --help | sed -n '/^Exit status/,/^$/p' >"$W/exit"
	[ -s "$W/exit" ] || { echo "$t: --help has no 'Exit status' paragraph"; bad=1; continue; }
	for code in 0 1 2; do
		grep -Eq "(^|[^0-9])$code " "$W/exit" || { echo "$t: --help's exit status does not state $code"; bad=1; }
	done
done
# the table of tools lists only tools that exist, and every tool
for t in $(sed -n 's/^| `\(kvmprep-[a-z]*\)` |.*/\1/p' "$R"); do
	grep -qw -- "$t" <<<"$tools" || { echo "README: the table lists $t, which does not exist"; bad=1; }
done
for t in $tools; do
	grep -q "^| \`$t\` |" "$R" || { echo "README: $t is not in the table of tools"; bad=1; }
done
# the exit-code table
for code in 0 1 2 3; do
	grep -Eq "^\| $code \| " "$R" || { echo "README: exit code $code is not in the table"; bad=1; }
done
[ $bad -eq 0 ] || fail "README and the tools disagree (above)"
echo "README ok"
