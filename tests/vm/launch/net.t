# Guests on virtio-net reach the host (ping) in a network namespace this
# test makes and deletes: through a bridge (the launcher makes the tap,
# enslaves it and passes its fd), through a persistent tap the launcher
# opens by name, and through a macvtap (the launcher opens /dev/tapN and
# the guest gets the macvtap's MAC) to a peer namespace.
. ./guest.sh
lg_kernel
lg_initramfs "$SCRATCH/initrd.gz"
NS=kpl$$; ip netns add "$NS" || skip "cannot make a network namespace"; LG_NETNS+=("$NS")
PEER=kplp$$; ip netns add "$PEER"; LG_NETNS+=("$PEER")
ipn() { ip -n "$NS" "$@"; }
ipn link set lo up
if command -v kvmprep-bridge >/dev/null && kvmprep-bridge --help 2>/dev/null | grep -q 'bridge add'; then
	ip netns exec "$NS" kvmprep-bridge bridge add br0 >/dev/null || fail "kvmprep-bridge bridge add"
else
	ipn link add br0 type bridge
fi
ipn addr add 10.0.0.1/24 dev br0
ipn link set br0 up
guest() { # NAME NIC IP PING
	ip netns exec "$NS" kvmprep-launch --kernel "$KERNEL" --initrd "$SCRATCH/initrd.gz" -m 256M \
		--name "$1" --nic "$2" --append "console=ttyS0 quiet no_timer_check kp.ip=$3 kp.ping=$4" \
		</dev/null >"$SCRATCH/$1.con" 2>"$SCRATCH/$1.err" &
	L=$!; LG_PIDS+=("$L")
}

echo "== bridge"
guest br 'bridge=br0' 10.0.0.2/24 10.0.0.1
lg_wait "$SCRATCH/br.con" KVMPREP-INIT-OK 90
taps=$(ipn -o link show master br0 | awk -F': ' '{print $2}')
[[ $taps == kpt* ]] || fail "no launcher tap on br0: '$taps'"
Q=$(lg_qemu_pid "$L")
[ "$(readlink "/proc/$Q/fd/4")" = /dev/net/tun ] || fail "fd 4 of QEMU is $(readlink "/proc/$Q/fd/4")"
lg_wait "$SCRATCH/br.con" 'KVMPREP-PING-' 60
lg_wait_exit "$L" 60
assert_grep KVMPREP-PING-OK "$SCRATCH/br.con"
assert_eq "$RC" 0 "bridge guest exit"
[ -z "$(ipn -o link show master br0)" ] || fail "the tap outlived the guest"

echo "== tap by name"
ip -n "$NS" tuntap add kptap0 mode tap
ipn link set kptap0 master br0 up
guest tap 'tap=kptap0,mac=52:54:00:12:34:56' 10.0.0.3/24 10.0.0.1
lg_wait "$SCRATCH/tap.con" 'KVMPREP-PING-' 90
lg_wait_exit "$L" 60
assert_grep KVMPREP-PING-OK "$SCRATCH/tap.con"
assert_eq "$RC" 0 "tap guest exit"
ipn neigh show dev br0 | grep -qi '52:54:00:12:34:56' || fail "the host never saw the guest's MAC: $(ipn neigh)"
echo "== a multi-queue NIC on a single-queue tap is refused before QEMU"
ip netns exec "$NS" kvmprep-launch --kernel "$KERNEL" --nic tap=kptap0,queues=2 </dev/null 2>"$SCRATCH/mq.err"
assert_eq "$?" 3 "queues=2 on a single-queue tap"
assert_grep "kvmprep-bridge tap add kptap0 --multi-queue" "$SCRATCH/mq.err"

echo "== macvtap to a peer namespace"
ipn link add v0 type veth peer name v1 netns "$PEER"
ipn link set v0 up
ip -n "$PEER" addr add 10.0.2.1/24 dev v1
ip -n "$PEER" link set v1 up
ipn link add link v0 name kpmvt0 type macvtap mode bridge
ipn link set kpmvt0 up
mac=$(ipn -o link show kpmvt0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
guest mvt 'macvtap=kpmvt0' 10.0.2.2/24 10.0.2.1
lg_wait "$SCRATCH/mvt.con" 'KVMPREP-PING-' 90
lg_wait_exit "$L" 60
assert_grep KVMPREP-PING-OK "$SCRATCH/mvt.con"
ip -n "$PEER" neigh show dev v1 | grep -qi "$mac" || fail "the peer did not see the macvtap's MAC $mac: $(ip -n "$PEER" neigh)"
echo ok
