# Bash completion (contrib/completion/TOOL) completes every command and
# every option each tool's --help lists (help-options.sh reads them from
# the tool itself, so an option added without its completion fails here):
#  - each command word at its place ("kvmprep-bridge bridge port " offers add);
#  - each --long option after "--", with no command or after one of them;
#  - an option that takes an argument is followed by no command or option
#    (its argument is completed, or nothing is), and one whose argument is
#    a fixed set (on|off, uefi|bios) offers exactly that set.
#  - short options (-x), as util-linux's completions offer them: a word
#    "-" offers every short and long option, "--" only the long ones, an
#    empty word no short one (a tool without commands offers its long
#    options there); after a short option that takes an argument the
#    completion is exactly that of its long form ("-d " as "--driver ").
. "$TOP/tests/lib.sh"
. "$TOP/tests/contrib/help-options.sh"
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || { echo "bash-completion is not installed (scripts/deps installs it)"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# complete TOOL WORD... : what the completion offers for the last WORD
# (empty: a new word), one a line
cat >"$W/complete.sh" <<'EOS'
. /usr/share/bash-completion/bash_completion
. "$COMPFILE"
fn=$(complete -p "$1" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || { echo "no completion function for $1" >&2; exit 1; }
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
cur=${COMP_WORDS[COMP_CWORD]}
prev=${COMP_WORDS[COMP_CWORD-1]}
"$fn" "$1" "$cur" "$prev" >/dev/null 2>&1
printf '%s\n' "${COMPREPLY[@]}"
EOS
complete() {
	local tool=$1
	shift
	COMPFILE=$TOP/contrib/completion/$tool bash "$W/complete.sh" "$tool" "$@" 2>&1
}

tools=$(cd "$BIN" && ls kvmprep-*)
tools="$tools kvmprep-capture"
bad=0
for t in $tools; do
	exe=$BIN/$t
	[ "$t" = kvmprep-capture ] && exe=$TOP/tests/fakehost/capture
	[ -e "$TOP/contrib/completion/$t" ] || { echo "$t: no contrib/completion/$t"; bad=1; continue; }
	bash -n "$TOP/contrib/completion/$t" || { echo "$t: syntax error"; bad=1; continue; }
	help_commands "$exe" >"$W/cmds"
	# commands, word by word
	while read -r -a cw; do
		for ((k = 0; k < ${#cw[@]}; k++)); do
			complete "$t" "${cw[@]:0:k}" "" | grep -qx -- "${cw[k]}" ||
				{ echo "$t: '${cw[*]:0:k} ' does not offer '${cw[k]}'"; bad=1; }
		done
	done <"$W/cmds"
	# options: offered after "--" in some context (no command, or a command)
	{
		complete "$t" --
		while read -r -a cw; do complete "$t" "${cw[@]}" --; done <"$W/cmds"
	} | sort -u >"$W/offered"
	for o in $(help_options "$exe" | grep '^--'); do
		grep -qx -- "$o" "$W/offered" || { echo "$t: $o is not completed"; bad=1; }
	done
	grep -x -- '-[^-]' "$W/offered" | sed "s/^/$t: '--' offers the short option /" | grep . && bad=1
	# short options: offered after "-", with the long ones
	{
		complete "$t" -
		while read -r -a cw; do complete "$t" "${cw[@]}" -; done <"$W/cmds"
	} | sort -u >"$W/offered1"
	for o in $(help_options "$exe"); do
		grep -qx -- "$o" "$W/offered1" || { echo "$t: '-' does not offer $o"; bad=1; }
	done
	[ -z "$(complete "$t" "" | grep -x -- '-[^-]')" ] || { echo "$t: an empty word offers short options"; bad=1; }
	# a short option with an argument completes as its long form
	"$exe" --help | sed -n 's/^ *\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
		sed -nE 's/^(-[A-Za-z0-9]), (--[A-Za-z0-9-]+)[ =].+$/\1 \2/p' >"$W/shortarg"
	while read -r so lo; do
		[ "$(complete "$t" "$so" "")" = "$(complete "$t" "$lo" "")" ] ||
			{ echo "$t: '$so ' offers '$(complete "$t" "$so" "" | tr '\n' ' ')', '$lo ' '$(complete "$t" "$lo" "" | tr '\n' ' ')'"; bad=1; }
	done <"$W/shortarg"
	# options that take an argument: the rest of the option column after
	# the names ("--stp on|off", "-d, --driver DRIVER")
	"$exe" --help | sed -n 's/^ *\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
		sed -nE 's/^(-[A-Za-z0-9], )?(--[A-Za-z0-9-]+)[ =](.+)$/\2 \3/p' >"$W/argopts"
	while read -r o arg; do
		case $arg in --*) continue ;; esac   # "--auto, --manual": two flags
		complete "$t" "$o" "" >"$W/after"
		if [[ $arg =~ ^[a-z0-9A-Z]+(\|[a-z0-9A-Z]+)+$ ]]; then
			tr '|' '\n' <<<"$arg" | sort >"$W/want"
			sort -u "$W/after" | diff -u "$W/want" - >/dev/null ||
				{ echo "$t: $o offers '$(tr '\n' ' ' <"$W/after")', wanted $arg"; bad=1; }
			continue
		fi
		if grep -qx -- '--[a-z-]*' "$W/after"; then
			echo "$t: $o takes $arg but is followed by options"; bad=1
		fi
		if [ -s "$W/cmds" ] && [ "$(sort -u "$W/after")" = "$(awk '{print $1}' "$W/cmds" | sort -u)" ]; then
			echo "$t: $o takes $arg but is followed by the command list"; bad=1
		fi
	done <"$W/argopts"
done
[ $bad -eq 0 ] || fail "completion and --help disagree (above)"

# make install installs every completion
make -s -C "$TOP" install DESTDIR="$W/root" PREFIX=/usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log"; fail "make install failed"; }
for t in $tools; do
	assert_file "$W/root/usr/share/bash-completion/completions/$t"
done
echo "completion ok: $(echo $tools | wc -w) tools"
