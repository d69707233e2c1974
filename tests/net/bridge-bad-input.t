# golden
# kvmprep-bridge: bad input and refusals: one line, the documented exit
# code (2 usage, 3 host cannot, 1 refused), and the links as they were.
. ./common.sh
nobody_setup
nic v0
nic v1
br -q bridge add br0
br -q bridge port add br0 v1
before=$(links)
rbr
rbr frobnicate
rbr bridge
rbr bridge frob br0
rbr bridge add
rbr bridge add a-name-that-is-long
rbr bridge add 'a/b'
rbr bridge add 'a b'
rbr bridge add .
rbr bridge add ..
rbr bridge add br1 --mac 01:00:5e:00:00:01
rbr bridge add br1 --mac 00:00:00:00:00:00
rbr bridge add br1 --mac 52:54:00:zz:00:01
rbr bridge add br1 --mtu 70000
rbr bridge add br1 --mtu 20
rbr bridge add br1 --stp maybe
rbr bridge add br1 --forward-delay 31
rbr bridge add br1 --timeout 100
rbr apply-persisted --timeout 600001
rbr apply-persisted --timeout x
rbr bridge add br1 --link v0
rbr bridge add v0
rbr bridge port add br0 nosuch0
rbr bridge port add nosuch0 v0
rbr bridge port add br0 br0
rbr bridge port add v0 br0
br -q bridge add br2
rbr bridge port add br0 br2
rbr bridge port add br2 v1
rbr bridge del v0
rbr macvtap add mv0
rbr macvtap add mv0 --link v1
rbr macvtap add mv0 --link br0
rbr macvtap add mv0 --link nosuch0
rbr macvtap add mv0 --link v0 --mode loud
rbr macvtap add mv0 --link v0 --mac ff:ff:ff:ff:ff:ff
rbr tap add tap0 --owner no-such-user-kp
rbr tap add tap0 --bridge v0
rbr tap add tap0 --bridge nosuch0
rbr del v0
rbr del lo
rbr --json -q list
rbr list extra
# not root: refused before anything (a dry run needs no root)
in_ns "$NOBODY" kvmprep-bridge bridge add br1 2>&1; echo "[exit $?]"
in_ns "$NOBODY" kvmprep-bridge -n bridge add br1 2>&1; echo "[exit $?]"
br -q bridge del br2
assert_eq "$(links)" "$before" "bad input changed links"
