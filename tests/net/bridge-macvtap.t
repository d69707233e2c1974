# kvmprep-bridge macvtap add: the /dev/tapN it prints is the macvtap's
# character device: a frame sent to the guest's MAC from the peer
# namespace (the wire) is read from it. /dev is the machine's devtmpfs:
# the node goes when the case deletes the link.
. ./common.sh
macvtap_lock
nic v0
out=$(br macvtap add mv0 --link v0 --mac 52:54:00:ab:cd:ef) || fail "macvtap add: $out"
dev=$(echo "$out" | sed -n 's/^device: //p')
idx=$(ljq mv0 '.ifindex')
assert_eq "$dev" "/dev/tap$idx"
[ -c "$dev" ] || fail "$dev is not a character device"
# the node's number is this macvtap's (not another namespace's tap$idx)
assert_eq "$(stat -c '%t:%T' "$dev" | while IFS=: read -r a b; do echo "$((16#$a)):$((16#$b))"; done)" \
	"$(in_ns cat "/sys/class/net/mv0/macvtap/tap$idx/dev")" "device number"
got=$(in_ns python3 - "$dev" "$PEER" v0p <<'PY'
import os, select, socket, subprocess, sys
dev, peer, ifname = sys.argv[1:4]
fd = os.open(dev, os.O_RDWR)
frame = bytes.fromhex("525400abcdef" "021122334455" "88b5") + b"kvmprep-macvtap-test".ljust(46, b".")
# send from the peer namespace (the other end of the NIC) with a packet socket
subprocess.run(["ip", "netns", "exec", peer, "python3", "-c",
	"import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); "
	"s.bind((sys.argv[1], 0)); s.send(bytes.fromhex(sys.argv[2]))", ifname, frame.hex()], check=True)
deadline = 50
while deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        data = os.read(fd, 2048)
        # macvtap queues start with a virtio-net header (IFF_VNET_HDR is
        # its default, 10 bytes); the frame follows as it was on the wire
        if data[10:10 + len(frame)] == frame:
            print("frame received")
            break
    deadline -= 1
else:
    print("no frame")
PY
)
assert_eq "$got" "frame received"
assert_eq "$(br del mv0)" "mv0: deleted"
[ -e "$dev" ] && fail "$dev left behind"
true
