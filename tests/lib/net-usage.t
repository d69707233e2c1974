# kp_link_usage() against real links in a network namespace this case
# creates and deletes: links with and without addresses and routes, one
# enslaved to a bridge, and a name that does not exist. The links are veth
# pairs (the peer, up, gives carrier; not every kernel has the dummy
# driver: this machine's has not).
. "$TOP/tests/lib.sh"

NS=kp-test-$$
ip netns add "$NS" || fail "cannot create a network namespace"
trap 'ip netns del "$NS" 2>/dev/null' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
mklink() { in_ns ip link add "$1" type veth peer name "$1p" && in_ns ip link set "$1p" up; }

in_ns ip link set lo up
# d0: IPv4 + IPv6 addresses, a static route and the default route
mklink d0 || fail "cannot create links"
in_ns ip link set d0 up
in_ns ip addr add 192.0.2.10/24 dev d0
in_ns ip addr add 2001:db8::10/64 dev d0 nodad
in_ns ip route add 198.51.100.0/24 via 192.0.2.1 dev d0
in_ns ip route add default via 192.0.2.1 dev d0
# d1: up, no address (only the kernel's IPv6 link-local), no route
mklink d1
in_ns ip link set d1 up
# d2: down, no address, enslaved to br0
in_ns ip link add br0 type bridge
mklink d2
in_ns ip link set d2 master br0
# d3: a route without an address of its own, no default
mklink d3
in_ns ip link set d3 up
in_ns ip route add 203.0.113.0/24 dev d3
# d4: an IPv6 default route only
mklink d4
in_ns ip link set d4 up
in_ns ip -6 addr add 2001:db8:4::4/64 dev d4 nodad
in_ns ip -6 route add default via 2001:db8:4::1 dev d4
sleep 0.2

out=$(in_ns "$BUILD/helpers/kp-linkinfo" d0 d1 d2 d3 d4 nosuch0) || fail "kp-linkinfo failed"
echo "$out"

# the ifindex the kernel gave each link, to compare against
idx() { in_ns cat "/sys/class/net/$1/ifindex" 2>/dev/null || in_ns ip -o link show "$1" | cut -d: -f1; }

python3 - "$(idx d0)" "$(idx d1)" "$(idx d2)" "$(idx br0)" <<PY || fail "fields differ"
import json, sys
d0i, d1i, d2i, bri = (int(x) for x in sys.argv[1:5])
doc = json.loads('''$out''')
assert doc["schema"] == 1, doc
L = {l["ifname"]: l for l in doc["links"]}
def check(name, **want):
    got = L[name]
    for k, v in want.items():
        if got[k] != v:
            sys.exit(f"{name}.{k}: got {got[k]!r}, wanted {v!r}")

check("d0", exists=True, ifindex=d0i, up=True, naddrs=2,
      addrs=["192.0.2.10/24", "2001:db8::10/64"], default_route=True,
      master_ifindex=0, master=None, master_kind=None, in_use=True)
# 192.0.2.0/24 (kernel), 198.51.100.0/24, default, 2001:db8::/64
assert L["d0"]["nroutes"] == 4, L["d0"]["nroutes"]
check("d1", exists=True, ifindex=d1i, up=True, naddrs=0, addrs=[], nroutes=0,
      default_route=False, master=None, in_use=False)
check("d2", exists=True, ifindex=d2i, up=False, naddrs=0, nroutes=0,
      master_ifindex=bri, master="br0", master_kind="bridge", in_use=True)
check("d3", exists=True, naddrs=0, nroutes=1, default_route=False, in_use=True)
check("d4", exists=True, naddrs=1, addrs=["2001:db8:4::4/64"], nroutes=2,
      default_route=True, in_use=True)
check("nosuch0", exists=False, ifindex=0, up=False, naddrs=0, addrs=[], nroutes=0,
      default_route=False, master=None, in_use=False)
PY

# the namespace's links are not the machine's: eth0 is not visible in it
out=$(in_ns "$BUILD/helpers/kp-linkinfo" eth0) || fail "kp-linkinfo failed"
echo "$out" | grep -q '"exists": false' || fail "eth0 seen inside the namespace"
echo ok
