# The boot steps as `make install` installs them: systemd-analyze verify
# accepts every unit (no ordering cycle, no missing unit; a unit with a
# cycle put in is refused), the units order the steps as documented
# (modules; vfio bindings; VF counts; links before network-pre.target;
# mdevs after the VFs; every step before libvirt's daemons, whose guests'
# autostart needs them; guests last, after the network and remote
# filesystems, so that at shutdown, in the reverse order, they are stopped
# before the network is torn down; no step waits for the deprecated
# systemd-udev-settle.service), none Requires another (a failing step
# does not stop the next), every one has a start timeout; then the steps'
# own commands run in that order on a fake host whose configuration the
# tools wrote with --offline: the GPU ends on vfio-pci, 8 VFs on
# vfio-pci, the vGPU made, the bridge up; an item that cannot be applied
# (a slot that now holds another device) is logged with its reason and
# the rest is applied.
HOST=boot-order
. ./common.sh
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (scripts/deps installs systemd)"; exit 77; }
D=$OUT/inst
make -s -C "$TOP" install PREFIX="$D/usr" PRESET=no BUILD="$BUILD" >/dev/null || fail "make install"
UD=$D/usr/lib/systemd/system
ls "$UD"
ls "$D/usr/lib/udev/rules.d"
va() { SYSTEMD_UNIT_PATH=$1: systemd-analyze verify --man=no "${@:2}" 2>&1; }
out=$(va "$UD" "$UD"/kvmprep-*.service kvmprep-vm@g1.service) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify said: $out"
# the negative control: a cycle put in is found
mkdir -p "$OUT/bad" && cp "$UD"/*.service "$OUT/bad/"
sed -i 's/^After=systemd-modules-load.service systemd-udev-trigger.service$/&\nAfter=kvmprep-mdev.service/' \
	"$OUT/bad/kvmprep-vfio.service"
out=$(va "$OUT/bad" "$OUT/bad/kvmprep-vfio.service" "$OUT/bad/kvmprep-mdev.service")
echo "$out" | grep -qi 'cycle' || fail "a cycle was not found: $out"
for u in "$UD"/*.service; do
	grep -Eq '^TimeoutStartSec=[1-9]' "$u" || fail "$(basename "$u"): no start timeout"
	grep -Eq '^(Requires|BindsTo|Requisite)=.*kvmprep-' "$u" && fail "$(basename "$u") requires a kvmprep unit"
done
# the ordering, from the units' After=/Before= (transitively)
order=$(python3 - "$UD" <<'PY'
import sys, os, itertools
d = sys.argv[1]
edges = set()   # (a, b): a starts before b
units = sorted(f for f in os.listdir(d) if f.endswith('.service'))
for u in units:
    for line in open(os.path.join(d, u)):
        k, _, v = line.strip().partition('=')
        for o in v.split():
            if k == 'After': edges.add((o, u))
            if k == 'Before': edges.add((u, o))
before = {}
for a, b in edges: before.setdefault(a, set()).add(b)
def reach(a, b, seen=()):
    return b in before.get(a, ()) or any(reach(c, b, seen + (a,)) for c in before.get(a, ()) if c not in seen)
want = [('systemd-modules-load.service', 'kvmprep-vfio.service'),
        ('kvmprep-vfio.service', 'kvmprep-sriov.service'),
        ('kvmprep-vfio.service', 'sysinit.target'),
        ('kvmprep-sriov.service', 'kvmprep-net.service'),
        ('kvmprep-sriov.service', 'kvmprep-mdev.service'),
        ('kvmprep-net.service', 'network-pre.target'),
        ('kvmprep-sriov.service', 'network-pre.target'),
        ('kvmprep-mdev.service', 'libvirtd.service'),
        # guests' autostart (libvirtd, or the modular virtqemud) after every
        # step; libvirt's node devices (mdevs through mdevctl) after the
        # VFs and mdevs, its networks after the links
        *[(s, d) for s in ('kvmprep-vfio.service', 'kvmprep-sriov.service',
                           'kvmprep-mdev.service', 'kvmprep-net.service')
          for d in ('libvirtd.service', 'virtqemud.service')],
        ('kvmprep-sriov.service', 'virtnodedevd.service'),
        ('kvmprep-mdev.service', 'virtnodedevd.service'),
        ('kvmprep-net.service', 'virtnetworkd.service'),
        # stopped before what tears the network down (NetworkManager,
        # systemd-networkd, ifupdown's networking.service: all
        # Before=network.target) and before remote filesystems go
        ('network.target', 'kvmprep-vm@.service'),
        ('remote-fs.target', 'kvmprep-vm@.service'),
        ('kvmprep-vfio.service', 'kvmprep-vm@.service'),
        ('kvmprep-sriov.service', 'kvmprep-vm@.service'),
        ('kvmprep-mdev.service', 'kvmprep-vm@.service'),
        ('kvmprep-net.service', 'kvmprep-vm@.service'),
        ('network-online.target', 'kvmprep-vm@.service')]
for a, b in want:
    if not reach(a, b): sys.exit('not ordered: %s before %s' % (a, b))
    if reach(b, a): sys.exit('cycle: %s and %s' % (a, b))
# udev-settle: no unit waits for it or pulls it in
for u in units:
    for line in open(os.path.join(d, u)):
        if 'systemd-udev-settle' in line and not line.startswith('#'):
            sys.exit('%s: %s' % (u, line.strip()))
# the steps in an order the units allow: each after all it must follow
left, out = [u for u in units], []
while left:
    u = next(x for x in left if not any(reach(y, x) for y in left if y != x))
    out.append(u); left.remove(u)
print(' '.join(out))
PY
) || fail "ordering: $order"
echo "order: $order"
assert_eq "$order" "kvmprep-vfio.service kvmprep-sriov.service kvmprep-mdev.service kvmprep-net.service kvmprep-vm@.service" "boot order"

# the host's boot configuration, written by the tools with --offline
fh -- true || fail "cannot set up the host"
U=2b7e1a58-91a5-4c6e-8e2b-7b1f0d3c4a5e
fh -- kvmprep-iommu bind --persist --offline --group 01:00.0 -q 2>/dev/null || fail "iommu --offline"
fh -- kvmprep-sriov set 02:00.0 8 --driver vfio-pci --persist --offline -q || fail "sriov --offline"
fh -- kvmprep-mdev define --offline -p 0000:03:00.0 -t nvidia-222 --uuid $U --auto -q || fail "mdev --offline"
fh -- kvmprep-bridge bridge add br0 --persist --offline -q || fail "bridge --offline"
# an item that cannot be applied: the slot of the PF holds another device
echo "0000:02:00.0 10de:1eb8 vfio-pci" >>"$ST/etc/kvmprep/vfio.conf"
[ -z "$(effects)" ] || fail "--offline changed the host: $(effects)"

# "boot": each unit's ExecStart in the order, when its condition holds
cond_ok() { # UNIT: ConditionPathExists= (| lines: any one of them)
	local any=0 anyok=0 line p
	while IFS= read -r line; do
		p=${line#ConditionPathExists=}
		case $p in
		\|*) any=1; [ -e "$ST${p#|}" ] && anyok=1 ;;
		*%i*) return 1 ;;
		*) [ -e "$ST$p" ] || return 1 ;;
		esac
	done < <(grep '^ConditionPathExists=' "$1")
	[ $any = 0 ] || [ $anyok = 1 ]
}
for u in $order; do
	f=$UD/$u
	if ! cond_ok "$f"; then echo "$u: skipped (condition)"; continue; fi
	cmd=$(sed -n "s|^ExecStart=$D/usr/bin/||p" "$f")
	[ -n "$cmd" ] || fail "$u: no ExecStart"
	# the links live in the run's network namespace: looked at in the same run
	[ "$u" = kvmprep-net.service ] && cmd="$cmd && kvmprep-bridge list"
	out=$(fh -- sh -c "$cmd" 2>&1); rc=$?
	echo "$u: exit $rc"
	echo "$out" | sed 's/^/    /' | grep -v '^    *$' | head -12
	case $u in
	kvmprep-vfio.service) assert_eq "$rc" 1 "vfio step with a bad item" ;;
	*) assert_eq "$rc" 0 "$u" ;;
	esac
done
drv() { basename "$(readlink "$ST/sys/bus/pci/devices/$1/driver")"; }
assert_eq "$(drv 0000:01:00.0) $(drv 0000:01:00.1)" "vfio-pci vfio-pci" "the GPU after boot"
assert_eq "$(cat "$ST/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs")" 8 "VFs after boot"
for v in "$ST"/sys/bus/pci/devices/0000:02:00.0/virtfn*; do
	assert_eq "$(basename "$(readlink "$v/driver")")" vfio-pci "$(basename "$v") driver"
done
assert_file "$ST/sys/bus/mdev/devices/$U"
