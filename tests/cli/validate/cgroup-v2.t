# cgroup v2: no devices controller, and that is no warning (BPF does it).
# golden
HOST=validate-cgroup-v2
. ./common.sh
check_host 0 --for kvm
assert_status cgroups.layout PASS
assert_status cgroups.controllers PASS
grep -q devices "$ST.json" && fail "devices mentioned on a v2 host"
true
