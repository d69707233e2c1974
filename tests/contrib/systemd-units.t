# Every unit in contrib/systemd that runs a kvmprep tool has a start
# timeout (a oneshot unit has none by default: a held lock or a device that
# never settles would hang the boot), and a oneshot one (a change of the
# host) passes --wait so that the tool gives up on another run's lock
# before systemd gives up on the tool.
. "$TOP/tests/lib.sh"
n=0
for u in "$TOP"/contrib/systemd/*.service; do
	[ -e "$u" ] || continue
	grep -q '^ExecStart=.*kvmprep-' "$u" || continue
	# the oneshot boot units (a service that runs a guest is not one)
	grep -q '^Type=oneshot' "$u" || continue
	n=$((n + 1))
	grep -Eq '^TimeoutStartSec=[1-9]' "$u" || fail "$(basename "$u"): no TimeoutStartSec"
	grep -q '^Type=oneshot' "$u" || continue
	# --wait where the tool has it (a tool that takes no lock has none)
	tool=$(sed -n 's|^ExecStart=[^ ]*/\(kvmprep-[a-z]*\).*|\1|p' "$u" | head -1)
	"$BIN/$tool" --help 2>/dev/null | grep -q -- '--wait' || continue
	grep -Eq '^ExecStart=.* --wait [0-9]' "$u" || fail "$(basename "$u"): ExecStart without --wait"
	t=$(sed -n 's/^TimeoutStartSec=\([0-9]*\)s*$/\1/p' "$u")
	w=$(sed -n 's/^ExecStart=.* --wait \([0-9]*\).*/\1/p' "$u" | sort -n | tail -1)
	[ "$w" -lt "$t" ] || fail "$(basename "$u"): --wait $w is not below TimeoutStartSec=$t"
done
[ "$n" -gt 0 ] || fail "no unit found"
