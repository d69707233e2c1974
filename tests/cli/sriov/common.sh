# Sourced by the kvmprep-sriov cases: one kept fake host per case.
. "$TOP/tests/lib.sh"
HOST=${HOST:-sriov-lab}
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-sriov.XXXXXX")
rmdir "$ST" # run makes it (and keeps it) on first use
trap 'rm -rf "$ST"' EXIT
fresh() { rm -rf "$ST"; }
fh() { "$FAKEHOST" "$HOST" --state "$ST" "$@"; }
sriov() { fh -- kvmprep-sriov "$@"; }
rsriov() { sriov "$@"; echo "[exit $?]"; }

devdir() { echo "$ST/sys/bus/pci/devices/$1"; }
numvfs() { cat "$(devdir "$1")/sriov_numvfs"; }
autoprobe() { cat "$(devdir "$1")/sriov_drivers_autoprobe"; }
driver_of() {
	local t
	t=$(readlink "$(devdir "$1")/driver") || { echo none; return; }
	basename "$t"
}
# vf_drivers PF: "ADDR DRIVER" of each VF, in index order
vf_drivers() {
	local i=0 l
	while l=$(readlink "$(devdir "$1")/virtfn$i"); do
		echo "$(basename "$l") $(driver_of "$(basename "$l")")"
		i=$((i + 1))
	done
}
# the kernel model's effects so far
effects() { grep -E '^(numvfs|override|unbind|bind|vfio-|fault)' "$ST/fakehost/log" 2>/dev/null || true; }
clear_log() { : >"$ST/fakehost/log"; }
assert_untouched() {
	[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
}
