# With KVMPREP_ROOT set, modprobe.d is another system's (a kickstart
# target, a captured or fake host): libkmod must never run its "install"
# commands on this machine (issue 7, item 8). The module still loads (the
# kernel model answers finit_module), the command does not run.
. "$TOP/tests/lib.sh"
[ -e "$BUILD/fakehost/libkpfakehost.so" ] || fail "no kernel model (make tests-build)"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-modinst.XXXXXX")
trap 'rm -rf "$ST"' EXIT
T=$ST/host
MARK=$ST/ran   # outside the fake tree: "the live host"
modtool() { "$FAKEHOST" lib-modules --state "$T" -- "$BUILD/helpers/kp-modtool" "$@"; }
modtool state vfio_pci >/dev/null || fail "cannot set up the host"
mkdir -p "$T/etc/modprobe.d" "$T/lib/modprobe.d"
for m in vfio_pci vfio_pci_core vhost_net; do
	echo "install $m /bin/sh -c 'echo $m >>$MARK'; /sbin/modprobe --ignore-install $m"
done >"$T/etc/modprobe.d/evil.conf"
echo "install vfio_pci /bin/touch $MARK.lib" >"$T/lib/modprobe.d/evil.conf"
: >"$T/fakehost/log"
out=$(modtool load vfio-pci) || fail "load: $out"
assert_eq "$out" "vfio-pci: ok" "load"
out=$(modtool load vhost_net) || fail "load: $out"
assert_nofile "$MARK"
assert_nofile "$MARK.lib"
# loaded the kernel's way instead, dependency first
assert_eq "$(grep '^module-load ' "$T/fakehost/log")" "module-load vfio_pci_core
module-load vfio_pci
module-load vhost_net" "modules the kernel loaded"
# and through the tool that loads drivers
"$FAKEHOST" iommu-lab --state "$ST/lab" -- true || fail "cannot set up the lab host"
mkdir -p "$ST/lab/etc/modprobe.d"
echo "install vfio_pci /bin/touch $MARK" >"$ST/lab/etc/modprobe.d/evil.conf"
"$FAKEHOST" iommu-lab --state "$ST/lab" -- kvmprep-iommu bind 02:00.0 >/dev/null || fail "bind"
assert_nofile "$MARK"
assert_eq "$(basename "$(readlink "$ST/lab/sys/bus/pci/devices/0000:02:00.0/driver")")" vfio-pci "bound"
echo ok
