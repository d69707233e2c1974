# cgroup v2: no devices controller, and that is no warning (BPF does it).
# golden
HOST=validate-cgroup-v2
. ./common.sh
check_host 0 --for kvm
assert_status cgroups.layout PASS
assert_status cgroups.controllers PASS
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(any("devices" in c["finding"] + (c["hint"] or "") for c in d["checks"]))' "$ST.json" ||
	fail "devices mentioned on a v2 host"
true
