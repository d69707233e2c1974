# Kernel model, SR-IOV beyond the basics: kstrtou16's rules ('+' and a base
# prefix accepted, above 0xffff ERANGE), a capability with TotalVFs 0 (no
# sriov_* attributes, as sriov_init() leaves them out), vf-fail (the PF's
# driver fails at VF k: the VFs it added go again, the count stays 0; once
# per run) and ATTR=delay:MS (the write blocks, then happens).
. "$TOP/tests/lib.sh"
ST=$(mktemp -d /tmp/kp-model.XXXXXX); trap 'rm -rf "$ST"' EXIT
T=$ST/host W=$BUILD/helpers/fh-write
on() { "$FAKEHOST" sriov-lab --state "$T" "$@"; }
N=/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs
on -- true || fail "cannot build the host"
PF=$T/sys/bus/pci/devices/0000:02:00.0
assert_eq "$(on -- $W $N 70000)" "ERANGE (Numerical result out of range)" "above u16"
assert_eq "$(on -- $W $N 0x2x)" "EINVAL (Invalid argument)" "junk after"
assert_eq "$(on -- $W $N +2)" ok "a '+' sign"
assert_eq "$(cat "$PF/sriov_numvfs")" 2 "+2"
assert_eq "$(on -- $W $N 0)" ok "0"
# TotalVFs 0: the capability is in config space, the attributes are not
assert_nofile "$T/sys/bus/pci/devices/0000:03:00.0/sriov_totalvfs"
assert_eq "$(on -- lspci -s 03:00.0 -vvv 2>/dev/null | grep -c 'Single Root I/O Virtualization')" 1 "capability"
assert_eq "$(on -- lspci -s 03:00.0 -vvv 2>/dev/null | grep -o 'Total VFs: [0-9]*')" "Total VFs: 0" "TotalVFs 0"
# the driver fails at VF 3: VFs 0-2 come and go, ENOMEM, count 0
: >"$T/fakehost/log"
assert_eq "$(on --fault 'vf-fail=0000:02:00.0@3:ENOMEM' -- sh -c "$W $N 4; $W $N 4")" "ENOMEM (Cannot allocate memory)
ok" "vf-fail once"
assert_eq "$(grep -c '^bind 0000:02:02' "$T/fakehost/log")" 7 "3 probed, then 4"
assert_eq "$(grep -c '^unbind 0000:02:02' "$T/fakehost/log")" 3 "3 removed"
assert_eq "$(cat "$PF/sriov_numvfs")" 4 "second write"
on -- $W $N 0 >/dev/null
# delay: the write returns after the delay, with its effect
s=$(date +%s%N)
assert_eq "$(on --fault '/sys/devices/pci0000:00/0000:00:02.0/0000:02:00.0/sriov_numvfs=delay:400' -- $W $N 1)" ok "delayed write"
e=$(( ($(date +%s%N) - s) / 1000000 ))
[ "$e" -ge 400 ] || fail "the write took $e ms, wanted >= 400"
assert_eq "$(cat "$PF/sriov_numvfs")" 1 "delayed write happened"
