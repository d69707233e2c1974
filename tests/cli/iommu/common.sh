# Sourced by the kvmprep-iommu cases: one kept fake host per case.
. "$TOP/tests/lib.sh"
HOST=${HOST:-iommu-lab}
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-iommu.XXXXXX")
rmdir "$ST" # run makes it (and keeps it) on first use
trap 'rm -rf "$ST"' EXIT
# start again on a pristine copy of the host
fresh() { rm -rf "$ST"; }

# fh [--fault SPEC]… -- CMD…: run inside the kept host
fh() { "$FAKEHOST" "$HOST" --state "$ST" "$@"; }
iommu() { fh -- kvmprep-iommu "$@"; }
# the same, printing "[exit N]" after the output (golden cases)
riommu() { iommu "$@"; echo "[exit $?]"; }

devdir() { echo "$ST/sys/bus/pci/devices/$1"; }
# driver_of BDF: the bound driver's name, or "none"
driver_of() {
	local t
	t=$(readlink "$(devdir "$1")/driver") || { echo none; return; }
	basename "$t"
}
override_of() { cat "$(devdir "$1")/driver_override"; }
# assert_dev BDF DRIVER OVERRIDE
assert_dev() {
	assert_eq "$(driver_of "$1")" "$2" "$1 driver"
	assert_eq "$(override_of "$1")" "$3" "$1 driver_override"
}
# the kernel model's effects so far (binds, unbinds, overrides)
effects() { grep -E '^(override|unbind|bind|vfio-)' "$ST/fakehost/log" 2>/dev/null || true; }
# the state of every device of the lab host, for "nothing changed" checks
lab_pristine() {
	assert_dev 0000:01:00.0 nouveau '(null)'
	assert_dev 0000:01:00.1 snd_hda_intel '(null)'
	assert_dev 0000:02:00.0 e1000e '(null)'
	assert_dev 0000:03:00.0 igb '(null)'
	assert_dev 0000:00:19.0 e1000e '(null)'
	assert_dev 0000:00:02.0 i915 '(null)'
	[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
}
