# golden
# vf PF INDEX SETTING=VALUE…: every bad value refused before anything is
# sent (exit 2), a VF that does not exist and a PF without a netdev (exit
# 3), --dry-run, and the real kernel's answer: the fake host's PF
# interface is an ifb link in the run's namespace, whose driver has no
# SR-IOV, so the kernel answers the first setting with EOPNOTSUPP and
# nothing else is sent. (Requests attribute by attribute, every errno and
# the extended ack: tests/unit/test_vfnl.c.)
HOST=sriov-vf
. ./common.sh
sriov set 02:00.0 2 >/dev/null || fail "set"
sriov set 05:00.0 1 >/dev/null || fail "set nvme"
for a in mac=01:00:5e:00:00:01 mac=00:00:00:00:00:00 mac=52:54:00:zz:00:01 vlan=4095 \
	 "vlan=10 qos=8" qos=3 proto=802.1x rate=100-10 rate=10 max=x spoofchk=yes \
	 state=up frob=1 mac "vlan=1 vlan=2"; do
	rsriov vf 02:00.0 0 $a
done
rsriov vf 02:00.0 -1 trust=on
rsriov vf 02:00.0 x trust=on
rsriov vf 02:00.0 0
rsriov vf 02:00.0 2 trust=on        # VFs 0..1
rsriov vf 05:00.0 0 trust=on        # NVMe: no netdev
rsriov vf 02:00.0 0 mac=52:54:00:12:34:56 vlan=100 qos=3 proto=802.1ad rate=10-1000 trust=on --dry-run
rsriov vf enp2s0f0 1 mac=52:54:00:12:34:56 trust=on
rsriov vf enp2s0f0 1 spoofchk=off --json
