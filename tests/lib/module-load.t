# lib/module.c loading on a fake host (the kernel model answers
# finit_module): dependencies first, the state follows, a second load asks
# the kernel nothing, a missing module is ENOENT.
. "$TOP/tests/lib.sh"

# never let a load reach the machine's kernel: the model must be there
[ -e "$BUILD/fakehost/libkpfakehost.so" ] || fail "no kernel model (make tests-build)"

ST=$(mktemp -d /tmp/kp-modload.XXXXXX)
trap 'rm -rf "$ST"' EXIT
T=$ST/host
modtool() { "$FAKEHOST" lib-modules --state "$T" -- "$BUILD/helpers/kp-modtool" "$@"; }

out=$(modtool state vfio_pci vfio_pci_core vhost_net) || fail "state: $out"
assert_eq "$out" "vfio_pci available
vfio_pci_core available
vhost_net available" "before"
assert_nofile "$T/sys/module/vfio_pci"
: >"$T/fakehost/log"

out=$(modtool load vfio-pci) || fail "load: $out"
assert_eq "$out" "vfio-pci: ok" "load"
out=$(modtool state vfio_pci vfio_pci_core vfio vhost_net) || fail "state: $out"
assert_eq "$out" "vfio_pci loaded
vfio_pci_core loaded
vfio loaded
vhost_net available" "after"
assert_eq "$(cat "$T/sys/module/vfio_pci/initstate")" "live" "vfio_pci initstate"
assert_eq "$(cat "$T/sys/module/vfio_pci_core/initstate")" "live" "vfio_pci_core initstate"
# the dependency went in first, vfio (already loaded) not again; the
# driver vfio_pci provides came with it
log=$(cat "$T/fakehost/log")
echo "$log"
assert_eq "$(grep '^module-load ' <<<"$log")" "module-load vfio_pci_core
module-load vfio_pci" "modules the kernel loaded, in order"
assert_grep '^driver-add vfio-pci$' "$T/fakehost/log"
assert_file "$T/sys/bus/pci/drivers/vfio-pci"

# a second load changes nothing and asks the kernel nothing
: >"$T/fakehost/log"
out=$(modtool load vfio_pci) || fail "reload: $out"
assert_eq "$out" "vfio_pci: ok" "reload"
assert_eq "$(cat "$T/fakehost/log")" "" "kernel effects of a reload"

# by alias
out=$(modtool load char-major-10-238) || fail "load by alias: $out"
assert_eq "$out" "char-major-10-238: ok" "load by alias"
out=$(modtool state vhost_net)
assert_eq "$out" "vhost_net loaded" "vhost_net after"

out=$(modtool load br_netfilter)
assert_eq "$?" 1 "missing module exit"
assert_eq "$out" "br_netfilter: error: No such file or directory" "missing module"
echo ok
