# Sourced by the kvmprep-launch cases: guest files in a scratch directory
# (shown as T in golden output), commands run inside a fake host.
. "$TOP/tests/lib.sh"
HOST=${HOST:-launch-lab}
T=$(mktemp -d "${TMPDIR:-/tmp}/kp-launch.XXXXXX")
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
echo "a kernel" >"$T/vmlinuz"
echo "an initramfs" >"$T/initrd.img"
truncate -s 64M "$T/root.raw"
printf 'QFI\373\000\000\000\003' >"$T/data.qcow2"
truncate -s 1M "$T/data.qcow2"
truncate -s 2M "$T/install.iso"
chmod 644 "$T"/*

# The links a case needs exist only in the run's own network namespace:
# NET holds the ip commands run before the launcher.
NET=${NET:-true}
# WRAP: what the launcher runs under (setpriv, prlimit)
WRAP=${WRAP:-}
# rl [--state DIR] [--fault …] -- ARGS…: the launcher on the fake host,
# output with the scratch path as T, then "[exit N]"
rl() {
	local out rc pre=()
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	out=$("$FAKEHOST" "$HOST" "${pre[@]}" -- sh -c "$NET && exec $WRAP kvmprep-launch \"\$@\"" sh "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s|$T|T|g"
	echo "[exit $rc]"
}
launch() { rl -- "$@"; }
