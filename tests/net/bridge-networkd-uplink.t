# systemd-networkd's own parser and its link setup read the files of the
# uplink move written for the next boot (bridge add --uplink --persist
# --offline on a host whose NIC networkd configures): the real
# /lib/systemd/systemd-networkd runs in a throwaway network namespace of
# this case, with a private /run and the written directory bind-mounted on
# /etc/systemd/network, and the kernel's state it leaves is read back over
# netlink (ip -j): the bridge made with the NIC's MAC, STP and forward
# delay, the NIC its port and nothing else (our 00-kvmprep file wins over
# the NIC's own 10- file), the addresses and routes on the bridge. Every
# line networkd logs as FILE:LINE (an unknown key, a bad value) fails the
# case. Two corrupted copies must fail the same checks.
# (systemd-analyze verify does not take .network/.netdev files: "Failed to
# prepare filename … Invalid argument"; udevd does not run here, so the
# case marks the link indexes initialized in udev's database in its /run.)
# timeout 120
. ./common.sh
[ -x /lib/systemd/systemd-networkd ] && id systemd-network >/dev/null 2>&1 ||
	fail "systemd-networkd not installed (scripts/deps: systemd)"
nic v0
MAC=$(ljq v0 .address)
ND=$ROOT/etc/systemd/network
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants" "$ND"
touch "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
cat >"$ND/10-v0.network" <<'F'
[Match]
Name=v0

[Network]
Address=192.0.2.10/24
Address=2001:db8::10/64
Gateway=192.0.2.1
DNS=192.0.2.53

[Route]
Destination=198.51.100.0/24
Gateway=192.0.2.254
Metric=50

[Link]
MTUBytes=1450
F
br -q bridge add br0 --uplink v0 --persist --offline --stp on --forward-delay 2 --mtu 1400 ||
	fail "uplink --persist --offline"
assert_eq "$(master_of v0)" "-" "--offline moved v0"
assert_eq "$(cd "$ND" && ls | tr '\n' ' ')" \
	"00-kvmprep-v0.network 10-v0.network 60-kvmprep-br0.netdev 60-kvmprep-br0.network " "files"
chmod 755 "$ROOT" "$ROOT/etc" "$ROOT/etc/systemd" "$ND"
chmod 644 "$ND"/*

# nd_run DIR NAME WAIT: networkd on DIR in a namespace with a v0 of the
# same MAC, until the bridge is configured or WAIT seconds; the links'
# state in $ROOT/NAME.state, networkd's log in $ROOT/NAME.log
nd_run() {
	local dir=$1 name=$2 wait=$3 ns=$ID-$2 pid i
	ip netns add "$ns" || fail "cannot create a namespace"
	ip -n "$ns" link add v0 address "$MAC" type veth peer name v0p
	ip -n "$ns" link set v0p up
	ip netns exec "$ns" unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/netif /run/udev/data &&
		 for i in \$(seq 1 32); do echo I:1 >/run/udev/data/n\$i; done &&
		 chown systemd-network:systemd-network /run/systemd/netif &&
		 mount --bind '$dir' /etc/systemd/network &&
		 SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console exec /lib/systemd/systemd-networkd" \
		>"$ROOT/$name.log" 2>&1 &
	pid=$!
	for i in $(seq $((wait * 5))); do
		ip -n "$ns" -j route show default 2>/dev/null | grep -q '"dev":"br0"' &&
			ip -n "$ns" -j route show 198.51.100.0/24 2>/dev/null | grep -q '"dev":"br0"' &&
			ip -n "$ns" -6 -j addr show dev br0 2>/dev/null | grep -q '2001:db8::10' && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	{
		for l in br0 v0; do
			ip -n "$ns" -j -d link show dev "$l" 2>/dev/null | jq -r '.[0] |
				"link \(.ifname) kind=\(.linkinfo.info_kind // "-") master=\(.master // "-") mac=\(.address) mtu=\(.mtu)" +
				(if .linkinfo.info_kind == "bridge" then " stp=\(.linkinfo.info_data.stp_state) forward_delay=\(.linkinfo.info_data.forward_delay)" else "" end)'
			ip -n "$ns" -j addr show dev "$l" 2>/dev/null | jq -r --arg l "$l" '.[0].addr_info[]? |
				select(.scope == "global") | "addr \($l) \(.local)/\(.prefixlen)"'
		done
		ip -n "$ns" -j route show table all 2>/dev/null | jq -r '.[] | select(.type == null or .type == "unicast") |
			select(.dev == "br0" or .dev == "v0") | select((.dst // "") | startswith("fe80") | not) |
			"route \(.dst) via=\(.gateway // "-") dev=\(.dev) metric=\(.metric // 0) proto=\(.protocol)"' | sort
	} >"$ROOT/$name.state"
	ip netns del "$ns"
}
# nd_check NAME: networkd took every line, the state is the move's
nd_check() {
	local bad
	bad=$(grep -E '^/etc/systemd/network/[^:]+:[0-9]+: ' "$ROOT/$1.log")
	[ -z "$bad" ] || { echo "networkd: $bad"; return 1; }
	want="link br0 kind=bridge master=- mac=$MAC mtu=1400 stp=1 forward_delay=200
addr br0 192.0.2.10/24
addr br0 2001:db8::10/64
link v0 kind=veth master=br0 mac=$MAC mtu=1450
route 192.0.2.0/24 via=- dev=br0 metric=0 proto=kernel
route 198.51.100.0/24 via=192.0.2.254 dev=br0 metric=50 proto=static
route 2001:db8::/64 via=- dev=br0 metric=256 proto=kernel
route default via=192.0.2.1 dev=br0 metric=0 proto=static"
	[ "$(cat "$ROOT/$1.state")" = "$want" ] || { echo "state:"; diff <(echo "$want") "$ROOT/$1.state"; return 1; }
}
nd_run "$ND" good 20
out=$(nd_check good) || fail "the move's files under networkd: $out"
grep -q 'br0: netdev ready' "$ROOT/good.log" || fail "networkd did not say it made br0"

# corrupted copies: the same checks must fail
cp -a "$ND" "$ROOT/bad1"
sed -i 's/^Address=192.0.2.10/Adress=192.0.2.10/' "$ROOT/bad1/60-kvmprep-br0.network"
nd_run "$ROOT/bad1" bad1 5
out=$(nd_check bad1) && fail "a misspelt key went unnoticed"
echo "$out" | grep -q "60-kvmprep-br0.network:[0-9]*: Unknown key 'Adress' in section \[Network\]" ||
	fail "bad1: $out"
cp -a "$ND" "$ROOT/bad2"
sed -i 's/^Bridge=br0/Bridge=br9/' "$ROOT/bad2/00-kvmprep-v0.network"
nd_run "$ROOT/bad2" bad2 5
out=$(nd_check bad2) && fail "a port file naming another bridge went unnoticed"
echo "$out" | grep -q '^> link v0 kind=veth master=- ' || fail "bad2: $out"
true
