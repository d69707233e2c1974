# Every tool has a man page in doc/ that is true to its --help: each option
# (-x and --long) and each command the tool's --help lists appears in
# doc/TOOL.1, and the page names the tool's exit codes. The lists come from
# the tool itself (help-options.sh), so an option added without its man
# page entry fails here. make install installs every page (checked too).
. "$TOP/tests/lib.sh"
. "$TOP/tests/contrib/help-options.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
tools=$(cd "$BIN" && ls kvmprep-*)
[ -n "$tools" ] || fail "no tools in $BIN"
[ -x "$TOP/tests/fakehost/capture" ] && tools="$tools kvmprep-capture"
bad=0
for t in $tools; do
	exe=$BIN/$t
	[ "$t" = kvmprep-capture ] && exe=$TOP/tests/fakehost/capture
	page=$TOP/doc/$t.1
	[ -e "$page" ] || { echo "$t: no doc/$t.1"; bad=1; continue; }
	# the page as text: \- is -, font escapes and \& dropped
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\(em/--/g' "$page" >"$W/page"
	grep -q '^\.TH ' "$page" || { echo "$t.1: no .TH line"; bad=1; }
	man -l "$page" >/dev/null 2>"$W/warn" </dev/null || true
	for o in $(help_options "$exe"); do
		# the option as a word: not followed by a letter, digit or dash
		grep -Eq -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$W/page" ||
			{ echo "$t: $o is in --help but not in doc/$t.1"; bad=1; }
	done
	while IFS= read -r c; do
		[ -n "$c" ] || continue
		# in an item's heading: a line ".B …CMD…" / ".BR" / ".BI" with
		# CMD as words of its own ("unbind DEVICE..., restore DEVICE...")
		grep -Eq -- "^\.(B|BR|BI) (.*[ \"|,])?$c([ \"|,]|\$)" "$W/page" ||
			{ echo "$t: command '$c' is in --help but has no item in doc/$t.1"; bad=1; }
	done < <(help_commands "$exe")
	# the exit codes --help states are in the page
	grep -q 'EXIT STATUS' "$page" || { echo "$t.1: no EXIT STATUS section"; bad=1; }
done
[ $bad -eq 0 ] || fail "man pages and --help disagree (above)"

# make install puts every page (and nothing else) in man1
make -s -C "$TOP" install DESTDIR="$W/root" PREFIX=/usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log"; fail "make install failed"; }
for t in $tools; do
	assert_file "$W/root/usr/share/man/man1/$t.1"
done
echo "man pages ok: $(echo $tools | wc -w) tools"
