# Sourced by tests/contrib/{manpages,completion}.t: what a tool's --help
# says it accepts, so that a test fails when an option or a command is
# added without its man page entry or its completion.
#
#   help_options TOOL    every option (-x and --long), one a line
#   help_commands TOOL   every command ("bridge port add" for nested ones)
# TOOL is a path to the tool; kvmprep-capture's --help has the same shape.

# The option column of every line that starts with an option: the text up
# to the first two spaces ("-f, --for JOB[,JOB]"), its -x / --long words.
help_options() {
	"$1" --help | sed -n 's/^ *\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u
}

# Command lines: one leading space in the "Commands:" section; the command
# is its leading lowercase words ("bridge port add BRIDGE IF" -> "bridge
# port add", "groups --why [DEVICE]" -> "groups").
help_commands() {
	"$1" --help | awk '
		/^Commands:/ { on = 1; next }
		on && /^$/ { on = 0 }
		on && /^ [a-z]/ {
			sub(/^ /, ""); sub(/  .*/, "")   # the command column only
			c = ""
			for (i = 1; i <= NF; i++) {
				if ($i !~ /^[a-z][a-z-]*$/) break
				c = c (c == "" ? "" : " ") $i
			}
			print c
		}' | sort -u
}
