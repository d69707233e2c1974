# lib/module.c opens libkmod only when a question needs it: no tool links
# it; loaded and built-in modules are answered from /sys/module, a host
# without a module tree answers "missing", both with libkmod never mapped;
# alias lookup, "available" and loading open it (loading through the
# dlopen'd library reaches the kernel model); a libkmod that cannot be
# opened or lacks a symbol is "Operation not supported" for what needs it,
# while /sys/module still answers.
. "$TOP/tests/lib.sh"

[ -e "$BUILD/fakehost/libkpfakehost.so" ] || fail "no kernel model (make tests-build)"
command -v readelf >/dev/null || fail "readelf not found (binutils)"

# --- nothing links libkmod -----------------------------------------------
n=0
for bin in "$BUILD"/bin/kvmprep-* "$BUILD/helpers/kp-modtool"; do
	[ -x "$bin" ] || continue
	needed=$(readelf -d "$bin") || fail "readelf $bin"
	if grep -q 'NEEDED.*libkmod' <<<"$needed"; then
		fail "$(basename "$bin") links libkmod: $(grep NEEDED <<<"$needed" | tr -s ' ' | tr '\n' ' ')"
	fi
	n=$((n + 1))
done
[ "$n" -ge 3 ] || fail "only $n binaries to check"
echo "$n binaries without NEEDED libkmod"

ST=$(mktemp -d /tmp/kp-modlazy.XXXXXX)
trap 'rm -rf "$ST"' EXIT
T=$ST/host
modtool() { "$FAKEHOST" lib-modules --state "$T" -- "$BUILD/helpers/kp-modtool" -m "$@"; }

# --- /sys/module answers, libkmod stays out --------------------------------
out=$(modtool state kvm kvm-intel kvm_intel vfio mdev) || fail "state: $out"
assert_eq "$out" "kvm loaded
kvm-intel loaded
kvm_intel loaded
vfio loaded
mdev builtin
libkmod: not mapped" "loaded and built-in modules without libkmod"

: >"$T/fakehost/log"
out=$(modtool load kvm-intel mdev) || fail "load: $out"
assert_eq "$out" "kvm-intel: ok
mdev: ok
libkmod: not mapped" "loading what is loaded or built in, without libkmod"
assert_eq "$(cat "$T/fakehost/log")" "" "kernel effects of loading what is there"

# --- no module tree for the running release: missing, without libkmod ------
echo 6.1.0-0-nomods >"$T/proc/sys/kernel/osrelease"
out=$(modtool dir)
assert_eq "$out" "$T/lib/modules/6.1.0-0-nomods
libkmod: not mapped" "module directory of a release without a tree"
assert_nofile "$T/lib/modules/6.1.0-0-nomods"
out=$(modtool state kvm mdev vfio-pci vhost_net char-major-10-238) || fail "state: $out"
assert_eq "$out" "kvm loaded
mdev builtin
vfio-pci missing
vhost_net missing
char-major-10-238 missing
libkmod: not mapped" "states without a module tree"
out=$(modtool load vfio-pci)
assert_eq "$?" 1 "load without a module tree: exit"
assert_eq "$out" "vfio-pci: error: No such file or directory
libkmod: not mapped" "load without a module tree"
assert_nofile "$T/sys/module/vfio_pci"
echo 6.1.0-99-kptest >"$T/proc/sys/kernel/osrelease"

# --- a libkmod that cannot be opened, or lacks a symbol ----------------------
mkdir -p "$ST/garbage" "$ST/stub"
echo "not an ELF object" >"$ST/garbage/libkmod.so.2"
echo 'int kp_not_kmod(void); int kp_not_kmod(void) { return 0; }' >"$ST/stub/stub.c"
${CC:-cc} -shared -fPIC -o "$ST/stub/libkmod.so.2" "$ST/stub/stub.c" || fail "cannot build the stub"
for lib in garbage stub; do
	badtool() { "$FAKEHOST" lib-modules --state "$T" -- \
		env LD_LIBRARY_PATH="$ST/$lib" "$BUILD/helpers/kp-modtool" -m "$@"; }
	out=$(badtool state kvm mdev vfio-pci)
	assert_eq "$?" 1 "$lib libkmod: state exit"
	assert_eq "$out" "kvm loaded
mdev builtin
vfio-pci error: Operation not supported
libkmod: not mapped" "$lib libkmod: state"
	out=$(badtool load kvm vhost_net)
	assert_eq "$?" 1 "$lib libkmod: load exit"
	assert_eq "$out" "kvm: ok
vhost_net: error: Operation not supported
libkmod: not mapped" "$lib libkmod: load"
	assert_nofile "$T/sys/module/vhost_net"
done

# --- what needs the indexes opens libkmod ------------------------------------
out=$(modtool state vfio-pci) || fail "state: $out"
assert_eq "$out" "vfio-pci available
libkmod: mapped" "available module through libkmod"
out=$(modtool state char-major-10-238) || fail "state: $out"
assert_eq "$out" "char-major-10-238 available
libkmod: mapped" "alias through libkmod"
out=$(modtool state br_netfilter) || fail "state: $out"
assert_eq "$out" "br_netfilter missing
libkmod: mapped" "missing module with a tree, through libkmod"

# --- loading through the dlopen'd libkmod reaches the kernel model -----------
: >"$T/fakehost/log"
out=$(modtool load vfio-pci) || fail "load: $out"
assert_eq "$out" "vfio-pci: ok
libkmod: mapped" "load through libkmod"
assert_eq "$(grep '^module-load ' "$T/fakehost/log")" "module-load vfio_pci_core
module-load vfio_pci" "modules the kernel loaded, in order"
assert_eq "$(cat "$T/sys/module/vfio_pci/initstate")" "live" "vfio_pci initstate"
# now /sys/module knows it: no libkmod
out=$(modtool state vfio_pci vfio-pci-core) || fail "state: $out"
assert_eq "$out" "vfio_pci loaded
vfio-pci-core loaded
libkmod: not mapped" "after the load, without libkmod"
echo ok
