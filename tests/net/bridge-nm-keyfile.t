# NetworkManager's own parser reads every keyfile kvmprep-bridge --persist
# writes: libnm's nm_keyfile_read (the code the daemon's keyfile plugin
# loads profiles with) and nm_connection_normalize/verify, through
# python3-gi (tests/net/nm-keyfile.py). The daemon itself is not run: its
# package would start it on this machine. The uplink move (--offline: the
# bridge takes the NIC profile's addressing, a port profile for the NIC
# that autoconnect-priority prefers) and the live --persist of a bridge,
# port, tap and macvtap are parsed and their settings asserted; keyfiles
# corrupted by hand must be refused by the same reader.
. ./common.sh
macvtap_lock
PY=/usr/bin/python3
"$PY" -c 'import gi; gi.require_version("NM", "1.0")' 2>/dev/null ||
	fail "libnm's introspection not installed (scripts/deps: python3-gi gir1.2-nm-1.0)"
nmparse() { "$PY" "$TOP/tests/net/nm-keyfile.py" "$@"; }
NM=$ROOT/etc/NetworkManager/system-connections
mkdir -p "$NM" "$ROOT/usr/sbin"
touch "$ROOT/usr/sbin/NetworkManager"
nic v0
nic v1
nic v2
MAC=$(ljq v0 .address | tr a-f A-F)
# v0's own profile, as an admin (or nmcli) wrote it
cat >"$NM/v0.nmconnection" <<'KF'
[connection]
id=v0
type=ethernet
interface-name=v0

[ethernet]
mtu=1400
wake-on-lan=64

[ipv4]
method=manual
address1=192.0.2.10/24,192.0.2.1
address2=192.0.2.11/24
dns=192.0.2.53;
route1=198.51.100.0/24,192.0.2.254,50

[ipv6]
method=manual
address1=2001:db8::10/64,2001:db8::1
KF
chmod 600 "$NM/v0.nmconnection"
nmparse "$NM/v0.nmconnection" >/dev/null || fail "the admin's profile does not parse"

# --- the uplink move, written for the next boot
br -q bridge add br0 --uplink v0 --persist --offline --stp on --forward-delay 4 --vlan-filtering on \
	--mtu 1400 || fail "uplink --persist --offline"
assert_eq "$(master_of v0)" "-" "--offline moved v0"
# --- live --persist of each kind
br -q bridge add br1 --persist --mac 52:54:00:00:00:01 || fail "bridge add --persist"
br -q bridge port add br1 v1 --persist || fail "port add --persist"
br -q tap add tap1 --bridge br1 --owner 0 --group 0 --multi-queue --vnet-hdr --persist || fail "tap add --persist"
br -q macvtap add mv1 --link v2 --mode vepa --mac 52:54:00:00:00:02 --persist || fail "macvtap add --persist"
assert_eq "$(cd "$NM" && ls | tr '\n' ' ')" \
	"kvmprep-br0.nmconnection kvmprep-br1.nmconnection kvmprep-mv1.nmconnection kvmprep-tap1.nmconnection kvmprep-v0.nmconnection kvmprep-v1.nmconnection v0.nmconnection " \
	"keyfiles"
for f in "$NM"/kvmprep-*; do
	assert_eq "$(stat -c '%a %u' "$f")" "600 0" "$f: the daemon loads only root's 0600 keyfiles"
done
nmparse "$NM"/*.nmconnection >"$ROOT/parsed.json" 2>"$ROOT/parsed.err" ||
	fail "NetworkManager's parser refused: $(cat "$ROOT/parsed.err")"
[ -s "$ROOT/parsed.err" ] && fail "parser said: $(cat "$ROOT/parsed.err")"
# p FILE KEY...: the parsed values, space-separated (arrays joined by ",")
p() {
	local f=$1
	shift
	for k in "$@"; do
		jq -r --arg f "$f" --arg k "$k" 'select(.file == $f) | .[$k] |
			if type == "array" then join(",") elif . == null then "-" else tostring end' "$ROOT/parsed.json"
	done | tr '\n' ' ' | sed 's/ $//'
}
assert_eq "$(p kvmprep-br0.nmconnection connection.type connection.interface-name connection.autoconnect-priority \
	bridge.stp bridge.forward-delay bridge.vlan-filtering bridge.mac-address 802-3-ethernet.mtu)" \
	"bridge br0 100 true 4 true $MAC 1400" "the bridge profile of the move"
assert_eq "$(p kvmprep-br0.nmconnection ipv4.method ipv4.addresses ipv4.gateway ipv4.dns ipv4.routes)" \
	"manual 192.0.2.10/24,192.0.2.11/24 192.0.2.1 192.0.2.53 198.51.100.0/24 via 192.0.2.254 metric 50" \
	"the bridge took v0's IPv4 addressing"
assert_eq "$(p kvmprep-br0.nmconnection ipv6.method ipv6.addresses ipv6.gateway)" \
	"manual 2001:db8::10/64 2001:db8::1" "the bridge took v0's IPv6 addressing"
assert_eq "$(p kvmprep-v0.nmconnection connection.type connection.interface-name connection.master \
	connection.slave-type connection.autoconnect-priority ipv4.method)" \
	"802-3-ethernet v0 br0 bridge 100 -" "v0's port profile"
assert_eq "$(p kvmprep-v0.nmconnection 802-3-ethernet.mtu 802-3-ethernet.wake-on-lan)" "1400 64" \
	"v0's port profile keeps its link settings"
# the admin's profile for v0 is left as it was; the port profile wins at
# boot because the daemon picks the highest autoconnect-priority
assert_eq "$(p v0.nmconnection connection.interface-name connection.autoconnect-priority ipv4.addresses)" \
	"v0 0 192.0.2.10/24,192.0.2.11/24" "v0's own profile"
assert_eq "$(p kvmprep-br1.nmconnection connection.type bridge.stp bridge.forward-delay bridge.mac-address ipv4.method ipv6.method)" \
	"bridge false 0 52:54:00:00:00:01 disabled disabled" "bridge profile"
assert_eq "$(p kvmprep-v1.nmconnection connection.type connection.master connection.slave-type)" \
	"802-3-ethernet br1 bridge" "port profile"
assert_eq "$(p kvmprep-tap1.nmconnection connection.type connection.master tun.mode tun.owner tun.group tun.multi-queue tun.vnet-hdr)" \
	"tun br1 2 0 0 true true" "tap profile"
assert_eq "$(p kvmprep-mv1.nmconnection connection.type macvlan.parent macvlan.mode macvlan.tap 802-3-ethernet.cloned-mac-address)" \
	"macvlan v2 1 true 52:54:00:00:00:02" "macvtap profile"

# --- the same reader refuses keyfiles corrupted by hand: each line below
# is one sed edit of the tool's own file, and the parser must say no
bad() { # bad FILE SED-EXPR WHAT-THE-PARSER-SAYS
	sed "$2" "$NM/$1" >"$ROOT/bad.nmconnection"
	cmp -s "$NM/$1" "$ROOT/bad.nmconnection" && fail "sed '$2' changed nothing in $1"
	out=$(nmparse "$ROOT/bad.nmconnection" 2>&1) && fail "the parser took $1 with '$2': $out"

	echo "$out" | grep -q -- "$3" || fail "$1 with '$2': $out"
}
bad kvmprep-br0.nmconnection 's/^stp=true/stp=maybe/' 'cannot be interpreted'
bad kvmprep-br0.nmconnection 's/^mac-address=.*/mac-address=52:54:00:zz:00:01/' 'invalid MAC address'
bad kvmprep-br0.nmconnection 's|^address1=192.0.2.10/24|address1=192.0.2.10/33|' 'invalid prefix length'
bad kvmprep-br0.nmconnection 's/^forward-delay=/forward-dely=/' 'forward-dely: no such property'
bad kvmprep-v0.nmconnection 's/^slave-type=bridge/slave-type=brdge/' "Unknown slave type 'brdge'"
bad kvmprep-v1.nmconnection '/^type=/d' 'connection.type: property is missing'
bad kvmprep-v0.nmconnection 's/^mtu=1400/mtu=jumbo/' 'cannot be interpreted as integer'
bad kvmprep-tap1.nmconnection 's/^mode=2/mode=7/' "tun.mode: '7': invalid mode"
bad kvmprep-mv1.nmconnection 's/^parent=v2/parent=/' 'macvlan.parent: .* is neither an UUID nor an interface name'
true
