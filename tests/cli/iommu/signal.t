# golden
# SIGTERM (systemd stopping a unit, kill) and SIGINT (Ctrl-C) in the middle
# of a multi-device bind: the call rolls itself back, exits 128+N with one
# line, and every device is where it was, no override left, no journal.
# A delay fault holds the tool inside one write; the model logs "fault …
# delay" when the write starts, which is when the signal is sent.
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
# term SIG FAULT [ARGS…]: bind the GPU's group and the NIC, send SIG to the
# tool when the faulted write starts
term() {
	local sig=$1 fault=$2
	shift 2
	fresh
	echo "== $sig at $fault"
	bg "$OUT" fh --fault "$fault" -- kvmprep-iommu bind --group 01:00.0 02:00.0 "$@"
	wait_for "$ST/fakehost/log" '^fault .*delay'
	kill -"$sig" "$(holder_pid "$ST")"
	bg_wait
	cat "$OUT"
	effects # what the call did, and undid
	before
}
# before the first write: the first device's driver_override
term TERM '/sys/bus/pci/devices/0000:01:00.0/driver_override=delay:1500'
# the first device is on vfio-pci, the second one's host driver lets go slowly
term TERM '/sys/bus/pci/drivers/snd_hda_intel/unbind=delay:1500'
# two devices bound, the third unbound with its override set
term INT '/sys/bus/pci/drivers_probe@3=delay:1500'
# the device bound, waiting for /dev/vfio/13 (a fault keeps it away)
fresh
echo "== HUP waiting for /dev/vfio/13"
bg "$OUT" fh --fault no-vfio-node=13 -- kvmprep-iommu bind 02:00.0 --timeout 20000
wait_for "$ST/fakehost/log" '^bind 0000:02:00.0 vfio-pci'
sleep 0.2
kill -HUP "$(holder_pid "$ST")"
bg_wait
cat "$OUT"
effects
before
# --json: one document, the exit status and the line in it
fresh
bg "$OUT" fh --fault '/sys/bus/pci/drivers/snd_hda_intel/unbind=delay:1500' -- kvmprep-iommu bind --group 01:00.0 --json
wait_for "$ST/fakehost/log" '^fault .*delay'
kill -TERM "$(holder_pid "$ST")"
bg_wait
cat "$OUT"
before
