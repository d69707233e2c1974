# Options: --help, --version, --list, --explain, -q, --strict, --for,
# --memory, usage errors (exit 2) and a host where the checks cannot run
# (exit 3).
# golden
HOST=validate-intel-vtd-off
. ./common.sh

kvmprep-validate --help | head -3; echo "[exit ${PIPESTATUS[0]}]"
kvmprep-validate --version | sed 's/ [0-9.]*$/ VERSION/'
echo "== --list"
rc kvmprep-validate --list
echo "== --list --for secure --json"
rc kvmprep-validate --list --for secure --json
echo "== --explain iommu.enabled"
rc kvmprep-validate --explain iommu.enabled
echo "== usage errors"
rc kvmprep-validate --explain no.such
# under --json a failure is a document too, with the stderr line
rc kvmprep-validate --json --explain no.such 2>/dev/null
rc kvmprep-validate --for kvm,bogus
rc kvmprep-validate --memory lots
rc kvmprep-validate --images relative/dir
rc kvmprep-validate --bogus-option
rc kvmprep-validate extra-arg
rc kvmprep-validate --list --explain kvm.probe

echo "== -q --for network"
rc validate -q --for network
echo "== --strict --for kvm -q"
rc validate --strict --for kvm -q
echo "== --memory 31G --for kvm -q"
rc validate --memory 31G --for kvm -q
echo "== --memory 64G --for kvm -q"
rc validate --memory 64G --for kvm -q
echo "== --json -q --for network"
rc validate --json -q --for network
echo "== --images /srv/none --for kvm -q"
rc validate --images /srv/none --for kvm -q

echo "== a root without /proc/cpuinfo"
empty=$(mktemp -d)
KVMPREP_ROOT=$empty kvmprep-validate >/dev/null 2>&1; r=$?
rmdir "$empty"
KVMPREP_ROOT=/nonexistent-kvmprep-root kvmprep-validate 2>&1; echo "[exit $?]"
assert_eq "$r" 3 "exit with an empty root"
