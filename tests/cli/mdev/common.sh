# Sourced by the kvmprep-mdev cases: one kept fake host per case.
. "$TOP/tests/lib.sh"
HOST=${HOST:-mdev-lab}
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-mdev.XXXXXX")
rmdir "$ST" # run makes it (and keeps it) on first use
trap 'rm -rf "$ST"' EXIT
fresh() { rm -rf "$ST"; }

# fh [--fault SPEC]… -- CMD…: run inside the kept host
fh() { "$FAKEHOST" "$HOST" --state "$ST" "$@"; }
mdev() { fh -- kvmprep-mdev "$@"; }
# the same, printing "[exit N]" after the output (golden cases)
rmdev() { mdev "$@"; echo "[exit $?]"; }

U1=6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d
U2=0e7cbd5c-1e2f-4a3b-8c4d-5e6f7a8b9c0d
U3=11111111-2222-4333-8444-555555555555
T4=$ST/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
GVT=$ST/sys/devices/pci0000:00/0000:00:02.0
AP=$ST/sys/devices/vfio_ap/matrix
avail() { cat "$1/mdev_supported_types/$2/available_instances"; }
# the kernel model's mdev effects so far
effects() { grep -E '^(mdev|vgpu|fault)' "$ST/fakehost/log" 2>/dev/null || true; }
# nothing changed: no mdev, instances as described, no definition, no vGPU
mdev_pristine() {
	[ -z "$(ls "$ST/sys/bus/mdev/devices" 2>/dev/null)" ] ||
		fail "mdevs left: $(ls "$ST/sys/bus/mdev/devices" | tr '\n' ' ')"
	assert_eq "$(avail "$T4" nvidia-222)" 4 "nvidia-222 instances"
	assert_eq "$(avail "$T4" nvidia-223)" 2 "nvidia-223 instances"
	assert_eq "$(avail "$GVT" i915-GVTg_V5_4)" 2 "GVTg_V5_4 instances"
	assert_eq "$(ls "$ST/etc/mdevctl.d" | grep -v '^scripts.d$' || true)" "" "definitions"
	assert_nofile "$ST/etc/kvmprep/vgpu.conf"
	local vf
	for vf in 0000:3d:00.4 0000:3d:00.5 0000:3d:00.6; do
		assert_eq "$(cat "$ST/sys/bus/pci/devices/$vf/nvidia/current_vgpu_type")" 0 "$vf vgpu"
	done
}
# the real mdevctl of the distribution (it has no root prefix), on the fake
# host: /sys through umockdev, /etc/mdevctl.d bind-mounted from the tree in
# a mount namespace of its own with private propagation; the mount is
# refused unless that namespace differs from the caller's, so the
# machine's /etc is never touched
have_mdevctl() { command -v mdevctl >/dev/null 2>&1 && [ -d /etc/mdevctl.d ]; }
mdevctl_fh() {
	mkdir -p "$ST/etc/mdevctl.d"
	KP_OUTER_NS=$(readlink /proc/self/ns/mnt) fh -- unshare --mount --propagation private -- sh -c '
		[ "$(readlink /proc/self/ns/mnt)" != "$KP_OUTER_NS" ] || { echo "not in a mount namespace of its own" >&2; exit 125; }
		mount --bind "$FAKEHOST_TREE/etc/mdevctl.d" /etc/mdevctl.d || exit 125
		exec mdevctl "$@"' mdevctl "$@"
}
