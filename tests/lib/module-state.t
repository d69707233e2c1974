# lib/module.c on a fake host: the state of loaded, available, built-in and
# missing modules, by name, by '-' spelling and by alias; parameters; the
# module directory follows the host's release, under the root prefix.
. "$TOP/tests/lib.sh"

modtool() { "$FAKEHOST" lib-modules -- "$BUILD/helpers/kp-modtool" "$@"; }

out=$(modtool state kvm kvm-intel kvm_intel vfio vfio-pci vfio_pci_core vhost_net \
	vhost-net char-major-10-238 mdev br_netfilter no_such_module) || fail "state failed: $out"
echo "$out"
assert_eq "$out" "kvm loaded
kvm-intel loaded
kvm_intel loaded
vfio loaded
vfio-pci available
vfio_pci_core available
vhost_net available
vhost-net available
char-major-10-238 available
mdev builtin
br_netfilter missing
no_such_module missing" "module states"

out=$(modtool param kvm_intel nested) || fail "param failed: $out"
assert_eq "$out" "Y" "kvm_intel.nested"
out=$(modtool param kvm-intel ept) || fail "param failed: $out"
assert_eq "$out" "Y" "kvm_intel.ept"
out=$(modtool param kvm halt_poll_ns) || fail "param failed: $out"
assert_eq "$out" "200000" "kvm.halt_poll_ns"
out=$(modtool param kvm no_such_param)
assert_eq "$?" "1" "missing parameter exit"
assert_eq "$out" "kvm.no_such_param: error: No such file or directory" "missing parameter"

# the tree's modules directory, prefixed with the fake root
out=$(modtool dir) || fail "dir failed"
case "$out" in
/*/lib/modules/6.1.0-99-kptest) ;;
*) fail "module directory: $out" ;;
esac
[[ "$out" != /lib/modules/* ]] || fail "module directory not prefixed: $out"

# loading what needs no kernel: already loaded, built in, missing
out=$(modtool load kvm mdev)
assert_eq "$?" "0" "load of loaded/builtin modules"
assert_eq "$out" "kvm: ok
mdev: ok" "load of loaded/builtin modules"
out=$(modtool load br_netfilter)
assert_eq "$?" "1" "load of a missing module"
assert_eq "$out" "br_netfilter: error: No such file or directory" "load of a missing module"
echo ok
