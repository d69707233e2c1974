# The undo of a sysfs attribute retries after writing its "reset" value
# first when the kernel answers EBUSY: a killed run that took a PF from 2
# VFs to 4 left "sriov_numvfs: 2, reset 0"; the kernel refuses 4 -> 2
# (EBUSY), so recovery writes 0, then 2. Without a reset value the same
# undo fails: one line naming the attribute and the kernel's answer, exit
# 1, the record kept, the count as it was.
. ./common.sh
PF=0000:01:00.0
J=$ST/run/kvmprep/journal
sriov set $PF 4 -q || fail "set 4"
assert_eq "$(numvfs $PF)" 4 "4 VFs"
journal() { # STEP-LINE: the record a killed kvmprep-sriov set left
	printf '%s\n%s\n' \
		'{"schema":2,"tool":"kvmprep-sriov","command":"set","pid":1,"boot_id":"","started":0}' \
		"$1" >"$J"
	chmod 600 "$J"
}
# without a reset value: EBUSY is the answer, nothing is forced
journal '{"step":1,"kind":"sysfs-attr","path":"/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs","value":"2"}'
clear_log
out=$(sriov recover 2>&1)
rc=$?
assert_eq "$rc" 1 "recover without reset: exit 1 ($out)"
echo "$out" | grep -q "sriov_numvfs: cannot be set back to '2': Device or resource busy" ||
	fail "recover said: $out"
assert_eq "$(echo "$out" | wc -l)" 1 "one line"
assert_file "$J"
assert_eq "$(numvfs $PF)" 4 "the count as it was"
# with "reset": 0 first, then 2
journal '{"step":1,"kind":"sysfs-attr","path":"/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs","value":"2","reset":"0"}'
clear_log
out=$(sriov recover 2>&1) || fail "recover with reset: $out"
echo "$out" | grep -q "rolled back an interrupted 'kvmprep-sriov set' (pid 1, 1 step, 0 done)" ||
	fail "recover said: $out"
assert_nofile "$J"
assert_eq "$(numvfs $PF)" 2 "back to 2 VFs"
assert_eq "$(effects | grep '^numvfs' | tr '\n' ';')" "numvfs $PF 0;numvfs $PF 2;" "through 0, then 2"
