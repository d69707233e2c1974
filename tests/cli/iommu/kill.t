# golden
# SIGKILL (or a crash) in the middle of a multi-device bind leaves the
# journal /run/kvmprep/journal: the next command that takes the lock rolls
# the killed call back first, says so on stderr, then does its own work;
# `recover` does only that. Afterwards every device is where it was, no
# stale driver_override, no journal.
. ./common.sh
OUT=$ST.out
trap 'rm -rf "$ST" "$OUT"' EXIT
before() {
	assert_dev 0000:01:00.0 nouveau '(null)'
	assert_dev 0000:01:00.1 snd_hda_intel '(null)'
	assert_dev 0000:02:00.0 e1000e '(null)'
	assert_nofile "$ST/dev/vfio/12"
	assert_nofile "$ST/dev/vfio/13"
	assert_nofile "$ST/run/kvmprep/journal"
}
state() {
	local d
	for d in 0000:01:00.0 0000:01:00.1 0000:02:00.0; do
		echo "$d $(driver_of $d) $(override_of $d)"
	done
}
# killed FAULT: bind the GPU's group and the NIC, SIGKILL the tool when the
# faulted write starts; show what it left
killed() {
	fresh
	echo "== KILL at $1"
	bg "$OUT" fh --fault "$1" -- kvmprep-iommu bind --group 01:00.0 02:00.0
	wait_for "$ST/fakehost/log" '^fault .*delay'
	kill -KILL "$(holder_pid "$ST")"
	wait "$BG" 2>/dev/null
	assert_file "$ST/run/kvmprep/journal"
	state
	: >"$ST/fakehost/log"
}
# the first device is on vfio-pci, the second one's unbind never returned
killed '/sys/bus/pci/drivers/snd_hda_intel/unbind=delay:3000'
# the next change (here: restoring the USB controller, which is on its own
# driver already) rolls it back first
riommu restore 00:14.0 2>&1 | sed 's/pid [0-9]*/pid N/'
effects
before
# two devices bound, the third unbound with driver_override set and no
# driver (what a reprobe would take to vfio-pci): `recover`
killed '/sys/bus/pci/drivers_probe@3=delay:3000'
riommu recover 2>&1 | sed 's/pid [0-9]*/pid N/'
effects
before
riommu recover
# before any write: the journal holds the step, the device is untouched
killed '/sys/bus/pci/devices/0000:01:00.0/driver_override=delay:3000'
riommu recover --dry-run --json | sed 's/"pid": [0-9]*/"pid": N/; s/"started": [0-9]*/"started": T/'
assert_file "$ST/run/kvmprep/journal"
riommu bind 02:00.0 2>&1 | sed 's/pid [0-9]*/pid N/'
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_dev 0000:02:00.0 vfio-pci vfio-pci
assert_nofile "$ST/run/kvmprep/journal"
