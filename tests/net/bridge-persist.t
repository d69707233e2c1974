# --persist in each manager's format (a fake root, KVMPREP_ROOT, says which
# manager the host has), checked by that manager's own parser where it runs
# here: systemd-networkd itself loads the files in a namespace of this case
# and creates the links; ifupdown's ifquery reads the stanzas.
# (udevd does not run here: the case marks every link index initialized in
# udev's database, in a /run of its own, so networkd configures the links.)
# The keyfiles are compared here with the text NetworkManager documents
# (nm-settings-keyfile(5)); NetworkManager's own parser (libnm) reads them
# in bridge-nm-keyfile.t.
. ./common.sh
macvtap_lock
nic v0
nic v1
ND=$ROOT/etc/systemd/network

# --- systemd-networkd ------------------------------------------------------
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants" "$ND"
touch "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
printf '[Match]\nName=v1\n\n[Network]\nDHCP=no\n' >"$ND/10-v1.network"
br -q bridge add br0 --persist --stp off --forward-delay 2 --mtu 1400 || fail "bridge add --persist"
br -q bridge port add br0 v0 --persist || fail "port add --persist"
br -q tap add tap0 --bridge br0 --owner 0 --vnet-hdr --persist || fail "tap add --persist"
br -q macvtap add mv0 --link v1 --mode vepa --persist || fail "macvtap add --persist"
assert_eq "$(cd "$ND" && find . -type f | sort | tr '\n' ' ')" \
	"./10-v1.network ./10-v1.network.d/kvmprep-mv0.conf ./60-kvmprep-br0.netdev ./60-kvmprep-br0.network ./60-kvmprep-mv0.netdev ./60-kvmprep-tap0.netdev ./60-kvmprep-tap0.network ./60-kvmprep-v0.network ./60-kvmprep-v0.network.d/kvmprep-v0.conf " "networkd files"
assert_eq "$(grep -v '^#' "$ND/60-kvmprep-br0.netdev")" "[NetDev]
Name=br0
Kind=bridge

[Bridge]
STP=no
ForwardDelaySec=2"
# the bridge's MTU is set by its .network after creation (see below)
grep -qx 'MTUBytes=1400' "$ND/60-kvmprep-br0.network" || fail "br0's .network has no MTUBytes=1400"
assert_eq "$(grep -v '^#' "$ND/10-v1.network.d/kvmprep-mv0.conf")" "[Network]
MACVTAP=mv0"
# networkd's parser: run it on these files in a fresh namespace; it must
# accept every line and make the links as the tool made them
if [ -x /lib/systemd/systemd-networkd ] && id systemd-network >/dev/null 2>&1; then
	NDNS=$ID-nd
	ip netns add "$NDNS" || fail "cannot create a namespace"
	ip netns exec "$NDNS" ip link add v1 type veth peer name v1p
	ip netns exec "$NDNS" ip link add v0 type veth peer name v0p
	chmod 755 "$ROOT" "$ROOT/etc" "$ROOT/etc/systemd" "$ND"; find "$ND" -type d -exec chmod 755 {} +; find "$ND" -type f -exec chmod 644 {} +
	timeout 4 ip netns exec "$NDNS" unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/netif /run/udev/data &&
		 for i in \$(seq 1 32); do echo I:1 >/run/udev/data/n\$i; done &&
		 chown systemd-network:systemd-network /run/systemd/netif &&
		 mount --bind '$ND' /etc/systemd/network &&
		 SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console exec /lib/systemd/systemd-networkd" \
		>"$ROOT/networkd.log" 2>&1
	bad=$(grep -E '^/etc/systemd/network/[^:]+:[0-9]+: ' "$ROOT/networkd.log")
	[ -z "$bad" ] || { ip netns del "$NDNS"; fail "networkd: $bad"; }
	got=$(ip netns exec "$NDNS" ip -j -d link show | jq -r '.[] | select(.ifname == "br0" or .ifname == "tap0" or .ifname == "mv0") |
		"\(.ifname) \(.linkinfo.info_kind) \(.linkinfo.info_data.stp_state // .linkinfo.info_data.mode // .linkinfo.info_data.type)"' | sort | tr '\n' ';')
	mtus=$(ip netns exec "$NDNS" ip -j link show | jq -r '.[] | select(.ifname == "br0" or .ifname == "v0") |
		"\(.ifname) \(.mtu) \(.master // "-")"' | sort | tr '\n' ';')
	ip -n "$NDNS" link del mv0 2>/dev/null
	ip netns del "$NDNS"
	assert_eq "$got" "br0 bridge 0;mv0 macvtap vepa;tap0 tun tap;" "links networkd made"
	# the MTU set after creation is the admin's to the kernel: br0 keeps
	# 1400 with v0 (1500) in it (one it was made with would have gone
	# to its port's, br_mtu_auto_adjust)
	assert_eq "$mtus" "br0 1400 -;v0 1500 br0;" "MTU and master after networkd"
	grep -q "v0: Requested to set master interface" "$ROOT/networkd.log" || fail "networkd did not take v0 into br0"
	grep -q 'br0: netdev ready' "$ROOT/networkd.log" || fail "networkd did not make br0"
else
	echo "SKIP: systemd-networkd not installed: its parser not run"
fi
# del --persist removes what it wrote, drop-ins too; the admin's file stays
br -q del mv0 --persist && br -q del tap0 --persist && br -q bridge port del br0 v0 --persist &&
	br -q bridge del br0 --persist || fail "del --persist"
assert_eq "$(cd "$ND" && find . -type f | sort | tr '\n' ' ')" "./10-v1.network " "after del --persist"
rm -r "$ROOT/etc/systemd"

# --- ifupdown ---------------------------------------------------------------
mkdir -p "$ROOT/etc/network/interfaces.d"
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >"$ROOT/etc/network/interfaces"
br -q bridge add br0 --persist || fail "ifupdown bridge"
br -q bridge port add br0 v0 --persist || fail "ifupdown port"
br -q tap add tap0 --bridge br0 --multi-queue --persist || fail "ifupdown tap"
assert_eq "$(grep -v '^#' "$ROOT/etc/network/interfaces.d/kvmprep-br0")" "auto br0
iface br0 inet manual
    pre-up $BR -q bridge add br0 --stp off --forward-delay 0
    post-down $BR -q del br0"
if command -v ifquery >/dev/null; then
	for l in br0 v0 tap0; do
		out=$(ifquery -i "$ROOT/etc/network/interfaces.d/kvmprep-$l" "$l" 2>&1) || fail "ifquery $l: $out"
		echo "$out" | grep -q "^pre-up: $BR -q " || fail "ifquery $l: $out"
	done
	assert_eq "$(cat "$ROOT"/etc/network/interfaces.d/kvmprep-* >"$ROOT/all" && ifquery -i "$ROOT/all" --list -a | grep -vx lo | sort | tr '\n' ' ')" \
		"br0 tap0 v0 " "ifquery --list"
else
	fail "ifquery not installed (scripts/deps: ifupdown)"
fi
br -q del tap0 --persist && br -q bridge port del br0 v0 --persist && br -q bridge del br0 --persist || fail "del"
assert_eq "$(ls "$ROOT/etc/network/interfaces.d")" "" "ifupdown files left"
rm -r "$ROOT/etc/network"

# --- NetworkManager ------------------------------------------------------------
mkdir -p "$ROOT/etc/NetworkManager/system-connections" "$ROOT/usr/sbin"
touch "$ROOT/usr/sbin/NetworkManager"
NM=$ROOT/etc/NetworkManager/system-connections
br -q bridge add br0 --persist --mac 52:54:00:00:00:01 || fail "nm bridge"
br -q bridge port add br0 v0 --persist || fail "nm port"
br -q macvtap add mv0 --link v1 --persist || fail "nm macvtap"
assert_eq "$(stat -c %a "$NM/kvmprep-br0.nmconnection")" 600 "keyfile mode"
assert_eq "$(grep -v '^#' "$NM/kvmprep-br0.nmconnection")" "[connection]
id=kvmprep-br0
type=bridge
interface-name=br0
autoconnect=true

[bridge]
stp=false
forward-delay=0
mac-address=52:54:00:00:00:01

[ipv4]
method=disabled

[ipv6]
method=disabled"
assert_eq "$(grep -v '^#' "$NM/kvmprep-v0.nmconnection")" "[connection]
id=kvmprep-v0
type=ethernet
interface-name=v0
autoconnect=true
master=br0
slave-type=bridge"
grep -q '^parent=v1$' "$NM/kvmprep-mv0.nmconnection" && grep -q '^tap=true$' "$NM/kvmprep-mv0.nmconnection" ||
	fail "macvtap keyfile"
# a dry run writes nothing and says what it would
out=$(br -n tap add tap9 --persist) || fail "dry-run persist"
echo "$out" | grep -q "^would: write /etc/NetworkManager/system-connections/kvmprep-tap9.nmconnection$" || fail "dry-run: $out"
[ -e "$NM/kvmprep-tap9.nmconnection" ] && fail "dry run wrote"
# no manager at all: kvmprep's own boot configuration, /etc/kvmprep/net.conf,
# applied at boot by kvmprep-net.service (apply-persisted)
rm -r "$ROOT/etc/NetworkManager" "$ROOT/usr"
NC=$ROOT/etc/kvmprep/net.conf
nic v2
nic v3
in_ns ip addr add 192.0.2.5/24 dev v3
br -q bridge add br5 --persist --stp on --forward-delay 4 || fail "bridge add --persist, no manager"
br -q bridge port add br5 v2 --persist || fail "port add --persist, no manager"
br -q tap add tap5 --bridge br5 --owner 0 --persist || fail "tap add --persist, no manager"
# the uplink move, written for the next boot only (--offline): v3 keeps its address now
br -q bridge add br6 --uplink v3 --persist --offline --no-confirm || fail "uplink --offline"
assert_eq "$(master_of v3)" "-" "--offline moved v3"
exists br6 && fail "--offline made br6"
assert_eq "$(grep -v '^#' "$NC")" "bridge br5 stp=on forward-delay=4
port v2 bridge=br5
tap tap5 owner=0 bridge=br5
uplink v3 bridge=br6 stp=off forward-delay=0 mac=$(ljq v3 .address)" "net.conf"
# "boot": the links are gone; apply-persisted makes them, the uplink moved
br -q del tap5 && br -q bridge del br5 || fail "del"
out=$(br apply-persisted 2>&1) || fail "apply-persisted: $out"
echo "$out" | grep -q '^br5: created$' || fail "apply said: $out"
assert_eq "$(master_of v2) $(master_of tap5) $(master_of v3)" "br5 br5 br6" "masters after apply"
assert_eq "$(ljq br5 .linkinfo.info_data.stp_state)" 1 "br5 STP"
in_ns ip -j addr show dev br6 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' |
	grep -qx 192.0.2.5/24 || fail "br6 did not get v3's address"
# a rerun changes nothing
out=$(br apply-persisted 2>&1) || fail "apply-persisted rerun: $out"
echo "$out" | grep -v unchanged && fail "rerun changed: $out"
# a NIC that appears late (its driver loaded by udev during coldplug; no
# udev-settle): its line waits for it by name, within --timeout
br -q bridge port del br5 v2 || fail "port del v2"
in_ns ip link del v2 || fail "del v2"
bg "$ROOT/late" in_ns "$BR" apply-persisted --timeout 20000
sleep 1
kill -0 "$BG" || fail "apply-persisted did not wait for v2: $(cat "$ROOT/late")"
nic v2
wait "$BG" || fail "apply-persisted with a late NIC: $(cat "$ROOT/late")"
grep -Eq '^v2: appeared after [0-9]+ ms$' "$ROOT/late" || fail "said: $(cat "$ROOT/late")"
assert_eq "$(master_of v2)" br5 "the late NIC is a port"
# a line that fails is said with its reason, the others still applied; a
# link that never comes is waited for until --timeout
echo "port nosuch0 bridge=br5" >>"$NC"
br -q del tap5 || fail "del tap5"
t0=$(date +%s%N)
out=$(br apply-persisted --timeout 600 2>&1); rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq "$rc" 1 "apply with a failing line"
echo "$out" | grep -q "^kvmprep-bridge: /etc/kvmprep/net.conf:6: port nosuch0: not applied" || fail "no reason: $out"
[ "$ms" -ge 600 ] || fail "gave up on nosuch0 after $ms ms, before --timeout"
exists tap5 || fail "the tap after the failing line was not made"
# a bad line refuses the file whole (FILE:LINE, exit 2), nothing applied
cp "$NC" "$ROOT/nc.good"
echo "bridge br7 stp=maybe" >>"$NC"
out=$(br apply-persisted 2>&1); rc=$?
assert_eq "$rc:$out" "2:kvmprep-bridge: /etc/kvmprep/net.conf:7: invalid setting 'stp=maybe' for a bridge line"
cp "$ROOT/nc.good" "$NC"
# bridge del --persist forgets the bridge and its ports
br -q bridge del br6 --force --persist || fail "del br6 --persist"
grep -q 'v3' "$NC" && fail "v3's line left: $(cat "$NC")"
true
