# golden
# vf PF INDEX SETTING=VALUE…: every bad value refused before anything is
# sent (exit 2), a VF that does not exist and a PF without a netdev (exit
# 3), --dry-run, then the settings through the fake host's PF driver
# (tests/fakehost/vfnl.c answers RTM_GETLINK/RTM_SETLINK for the PF's
# interface as i40e would): each setting set, the model's state checked,
# a rerun unchanged, the driver's refusal (EINVAL for a VLAN on a VF it
# lacks is not reachable: the tool refuses first) and a PF driver without
# the op (--fault vf-setting=…:EOPNOTSUPP): the earlier settings of the
# call rolled back. (Requests attribute by attribute, every errno and the
# extended ack: tests/unit/test_vfnl.c.)
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
rsriov vf enp2s0f0 1 mac=52:54:00:12:34:56 vlan=100 qos=3 proto=802.1ad rate=10-1000 \
	spoofchk=off trust=on state=disable query_rss=on
# the PF driver's record of VF 1, and VF 1's interface follows the MAC
cat "$ST/fakehost/vfcfg/0000:02:00.0/1"
cat "$ST/sys/bus/pci/devices/0000:02:02.1/net/enp2s0f0v1/address"
rsriov vf enp2s0f0 1 mac=52:54:00:12:34:56 trust=on --json
rsriov vf enp2s0f0 1 max=500
cat "$ST/fakehost/vfcfg/0000:02:00.0/1"
# a driver without the op: mac set first, then trust refused, mac back
fh --fault vf-setting=0000:02:00.0:trust:EOPNOTSUPP -- kvmprep-sriov vf enp2s0f0 0 \
	mac=52:54:00:00:00:10 trust=on
echo "[exit $?]"
cat "$ST/fakehost/vfcfg/0000:02:00.0/0"
grep '^vf \|^fault vf' "$ST/fakehost/log"
