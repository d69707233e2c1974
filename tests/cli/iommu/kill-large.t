# The case of the report: a 256-device bind on the large fake host (whole
# groups of igb and i40e functions), killed. SIGKILL in the middle: the
# journal holds every device the call touched; `recover` puts each one
# back on its driver with no driver_override. SIGTERM in the middle: the
# call rolls back all of it itself.
# Each phase is one run on a fresh overlay of the host (no --state copy
# of its 1061 devices): the case runs itself inside it.
. "$TOP/tests/lib.sh"
HOST=large-1024
desc=$TOP/tests/hosts/$HOST.host
used=$(awk '$1 == "net" { print $2 }' "$desc")
# whole groups, leaving out the group of the NIC the host uses, until 256
all_devs() {
	awk -v used="$used" '
	$1 == "pci" && ($3 == "8086:1521" || $3 == "8086:1572") {
		g = ""; n = ""
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^group=/) g = substr($i, 7)
			if ($i ~ /^net=/) n = substr($i, 5)
		}
		if (n == used) skip[g] = 1
		grp[NR] = g; bdf[NR] = $2
	}
	END { for (i in bdf) if (!(grp[i] in skip)) print grp[i], bdf[i] }' "$desc" |
	sort -n -k1,1 -k2,2 | awk '
	{ count[$1]++; line[NR] = $0 }
	END {
		total = 0
		for (i = 1; i <= NR; i++) {
			split(line[i], f, " ")
			if (f[1] != last) {
				if (total + count[f[1]] > 256) break
				total += count[f[1]]; last = f[1]
			}
			print f[2]
		}
	}'
}

if [ "${1:-}" = inner ]; then
	# inside the run: $2 the signal, $3 how many steps it leaves
	T=$FAKEHOST_TREE
	devs=$(all_devs)
	snapshot() {
		local d t o
		for d in $devs; do
			t=$(readlink "$T/sys/bus/pci/devices/$d/driver") || t=none
			o=$(<"$T/sys/bus/pci/devices/$d/driver_override")
			echo "$d ${t##*/} $o"
		done
	}
	before=$(snapshot)
	bg "$T/out" kvmprep-iommu bind -q $devs
	wait_for "$T/fakehost/log" '^fault .*delay' 60
	kill -"$2" "$(holder_pid "$T")"
	rc=0
	wait "$BG" || rc=$?
	if [ "$2" = KILL ]; then
		steps=$(grep -c '"kind":"pci-driver"' "$T/run/kvmprep/journal")
		assert_eq "$steps" "$3" "steps in the journal"
		half=$(snapshot | grep -c ' vfio-pci' || true)
		[ "$half" -ge $(($3 - 1)) ] || fail "the kill left only $half devices on vfio-pci"
		kvmprep-iommu recover >"$T/out" 2>&1 || { cat "$T/out"; fail "recover"; }
		grep -q "rolled back an interrupted 'kvmprep-iommu bind' (pid [0-9]*, $3 steps, $(($3 - 1)) done)" "$T/out" ||
			fail "recover said: $(cat "$T/out")"
	else
		assert_eq "$rc" 143 "exit status after SIGTERM"
		grep -q 'interrupted by SIGTERM: every change rolled back' "$T/out" ||
			fail "said: $(cat "$T/out")"
	fi
	diff -u <(echo "$before") <(snapshot) || fail "not every device is back"
	assert_nofile "$T/run/kvmprep/journal"
	echo "$2: $(wc -w <<<"$devs") devices back"
	exit 0
fi
n=$(all_devs | wc -l)
[ "$n" -ge 200 ] || fail "only $n devices"
# SIGKILL inside the 120th device's reprobe
"$FAKEHOST" "$HOST" --fault '/sys/bus/pci/drivers_probe@120=delay:5000' -- \
	bash "$TOP/tests/cli/iommu/kill-large.t" inner KILL 120 || fail "SIGKILL phase"
# SIGTERM inside the 200th device's unbind: the call undoes all of it
"$FAKEHOST" "$HOST" --fault '/sys/bus/pci/drivers/*/unbind@200=delay:3000' -- \
	bash "$TOP/tests/cli/iommu/kill-large.t" inner TERM 200 || fail "SIGTERM phase"
