# cgroup v1 without the devices controller: a v1 warning.
# golden
HOST=validate-cgroup-v1
. ./common.sh
check_host 0 --for kvm
assert_status cgroups.layout PASS
assert_status cgroups.controllers WARN
grep -q 'devices' "$ST.json" || fail "devices not named"
