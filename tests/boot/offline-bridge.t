# golden
# kvmprep-bridge --persist --root DIR (and --offline): the links and the
# uplink move are written for the target's network manager, nothing is
# changed on the running host (no link made, its files untouched). The
# manager is the target's: NetworkManager (the bridge takes the NIC
# profile's addressing, a port profile preferred by autoconnect-priority),
# systemd-networkd (a .network for the bridge with the NIC file's
# addressing, 00-kvmprep-NIC.network before the NIC's own), ifupdown
# (refused, with the stanza to write), none (kvmprep's net.conf).
. ./common.sh
fh -- true || fail "cannot set up the host"
MAC=$(cat "$ST/sys/class/net/eno1/address")
sum=$(live_sum)
show() { (cd "$TGT" && for f in $(find etc -type f | LC_ALL=C sort); do
	echo "== $f $(stat -c %a "$f")"; sed "s|$MAC|MAC|g" "$f"; done); }

echo "--- NetworkManager"
mkdir -p "$TGT/usr/sbin" "$TGT/etc/NetworkManager/system-connections"
touch "$TGT/usr/sbin/NetworkManager"
printf '[connection]\nid=eno1\ntype=ethernet\ninterface-name=eno1\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24,192.0.2.1\ndns=192.0.2.53;\n\n[ipv6]\nmethod=auto\n' \
	>"$TGT/etc/NetworkManager/system-connections/eno1.nmconnection"
chmod 600 "$TGT/etc/NetworkManager/system-connections/eno1.nmconnection"
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT" --no-confirm
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT" --no-confirm
rtool bridge tap add tap0 --bridge br0 --owner qemu --persist --root "$TGT"
echo "qemu:x:107:107::/nonexistent:/usr/sbin/nologin" >"$TGT/etc/passwd"
rtool bridge tap add tap0 --bridge br0 --owner qemu --persist --root "$TGT" -q
rm "$TGT/etc/passwd"
show
assert_live_unchanged "$sum"

echo "--- systemd-networkd"
rm -rf "$TGT"/* && mkdir -p "$TGT/etc/systemd/system/multi-user.target.wants" "$TGT/etc/systemd/network"
touch "$TGT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
printf '[Match]\nName=eno1\n\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\nDNS=192.0.2.53\n\n[Route]\nDestination=198.51.100.0/24\nGateway=192.0.2.254\n' \
	>"$TGT/etc/systemd/network/10-eno1.network"
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT" --stp on --forward-delay 2 --json |
	sed "s|$MAC|MAC|g"
show
assert_live_unchanged "$sum"

echo "--- ifupdown"
rm -rf "$TGT"/* && mkdir -p "$TGT/etc/network"
printf 'auto eno1\niface eno1 inet static\n    address 192.0.2.10/24\n' >"$TGT/etc/network/interfaces"
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT"
show

echo "--- no manager"
rm -rf "$TGT"/*
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT"
rtool bridge macvtap add mv0 --link eno1 --mode passthru --persist --root "$TGT" -q
rtool bridge del mv0 --persist --root "$TGT" --dry-run
show
rtool bridge del mv0 --persist --root "$TGT"
grep -c mv0 "$TGT/etc/kvmprep/net.conf"
assert_live_unchanged "$sum"

echo "--- --offline: the running host's files"
rtool bridge bridge add br1 --persist --offline
grep -v '^#' "$ST/etc/kvmprep/net.conf"
rtool bridge bridge add br1 --offline
rtool bridge list --root "$TGT"

echo "--- a file that cannot be written: the ones before it are rolled back"
sum=$(live_sum)
rm -rf "$TGT"/*
mkdir -p "$TGT/usr/sbin" "$TGT/etc/NetworkManager/system-connections/kvmprep-eno1.nmconnection"
touch "$TGT/usr/sbin/NetworkManager"
printf '[connection]\nid=eno1\ntype=ethernet\ninterface-name=eno1\n\n[ipv4]\nmethod=auto\n' \
	>"$TGT/etc/NetworkManager/system-connections/eno1.nmconnection"
chmod 600 "$TGT/etc/NetworkManager/system-connections/eno1.nmconnection"
rtool bridge bridge add br0 --uplink eno1 --persist --root "$TGT"
ls -A "$TGT/etc/NetworkManager/system-connections"
[ -e "$ST/run/kvmprep/journal" ] && echo "journal left"
assert_live_unchanged "$sum"
