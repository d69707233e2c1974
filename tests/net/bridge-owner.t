# golden
# Who owns the uplink: NetworkManager keyfiles, systemd-networkd .network
# files, ifupdown stanzas (in a fake root, KVMPREP_ROOT). A managed uplink
# is refused with the configuration that does the move through its
# manager; a DHCP lease without a manager is refused too. Nothing changes.
. ./uplink-common.sh
scene
in_ns ip link set v0 address 52:54:00:00:00:10
BEFORE=$(state v0)
mkdir -p "$ROOT/etc/NetworkManager/system-connections"
cat >"$ROOT/etc/NetworkManager/system-connections/uplink.nmconnection" <<'K'
[connection]
id=uplink
type=ethernet
interface-name=v0

[ipv4]
method=manual
address1=192.0.2.10/24,192.0.2.1
K
rbr bridge add br0 --uplink v0
rm -r "$ROOT/etc/NetworkManager"
mkdir -p "$ROOT/etc/systemd/network" "$ROOT/etc/systemd/system/multi-user.target.wants"
touch "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
printf '[Match]\nName=en* v*\n\n[Network]\nDHCP=yes\n' >"$ROOT/etc/systemd/network/20-wired.network"
rbr bridge add br0 --uplink v0
rm -r "$ROOT/etc/systemd"
mkdir -p "$ROOT/etc/network/interfaces.d"
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >"$ROOT/etc/network/interfaces"
printf 'auto v0\niface v0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n' >"$ROOT/etc/network/interfaces.d/v0"
rbr bridge add br0 --uplink v0
rm -r "$ROOT/etc/network"
# a lease (an IPv4 address with a lifetime) and nobody's configuration
in_ns ip addr add 192.0.2.20/24 dev v0 valid_lft 600 preferred_lft 600
rbr bridge add br0 --uplink v0
in_ns ip addr del 192.0.2.20/24 dev v0
assert_restored "after the refusals"
