# Sourced by the lab cases (tests/vmlab/*.t, after tests/lib.sh). One file is
# both halves of a case: on the host it boots the lab and runs itself inside
# the guest; inside the guest ($VMLAB=1) it does the work.
#
#   vmlab_guest                 true inside the lab guest
#   vmlab_boot [RUN-OPTION…] SCRIPT [ARG…]
#                               host: boot once, run SCRIPT inside, print its
#                               output, return its exit code; what the guest
#                               wrote to $VMLAB_OUT is then in $VMLAB_RESULTS
#                               (removed when the case ends). Exits 77 (the
#                               case is skipped) when the lab cannot run.
#                               VMLAB_REUSE=DIR (developing a one-boot
#                               case's checks): take DIR, the --out of an
#                               earlier `tests/vmlab/run --out DIR CASE.t`,
#                               instead of booting
#   vmlab_enter [RUN-OPTION…]   host: vmlab_boot "$0" and exit with its exit
#                               code; guest: return at once
#
# Work in the guest is slow (TCG, files over 9p: starting python3 there takes
# seconds): run the tools in the guest and save what they print with `save`,
# and check the results on the host, after the boot, with `check`.
#
#   save NAME CMD…              guest: CMD's stdout to $VMLAB_OUT/NAME, stderr
#                               to NAME.err, exit code to NAME.rc
#   vmlab_state [ROOT] >FILE    the kernel's device state, one line a fact
#                               (driver links, driver_override, groups, VFs,
#                               /dev/vfio nodes, mdevs) under ROOT (default /):
#                               the same lines from the lab and from a fake
#                               host tree compare with diff
#   check NAME CMD…             one check of a batch: "ok NAME", or "not ok
#                               NAME" and its output; never exits
#   checks_done                 exit 1 when a check failed, else 0
#   res NAME                    host: the path of a saved result
#   rc_of NAME                  host: a saved exit code
#   jq_py FILE EXPR             host: evaluate python EXPR with d = FILE's JSON
#   st_drv BDF STATE            host: BDF's driver in a saved vmlab_state
#   st_ovr BDF STATE, st_grp BDF STATE: its driver_override, its group
#   st_numvfs PF STATE, st_vfs PF STATE: a PF's sriov_numvfs, its VFs (a,b,…)
#   st_has LINE STATE           host: STATE has exactly that line
#   vmlab_coldplug              guest: load the drivers of every PCI device by
#                               modalias, as udev does at boot (the lab does
#                               it before the script unless --no-coldplug)
#   vmlab_qmp SOCKET CMD…       guest: run QMP commands (execute names, or
#                               JSON objects) on SOCKET, print each answer's
#                               "return" as one JSON line (waits ≤ 60 s for it)
#   vmlab_hold_qemu NAME ARG…   guest: start a paused QEMU (-S, TCG, 64 MiB,
#                               no NIC) with ARG… (-device vfio-pci,…) in the
#                               background, wait until it holds a /dev/vfio
#                               group (≤ 120 s); $VMLAB_QEMU_PID is its pid,
#                               its log $VMLAB_OUT/NAME.qemu.log
#   vmlab_stop_qemu             guest: kill that QEMU and wait for it
# $VMLAB_LAB (guest) is the lab's cache directory: $VMLAB_LAB/vmlinuz is the
# guest's own kernel, a kernel a nested QEMU can load.
# The lab machine's fixed devices (tests/vmlab/run has the topology):
LAB_E1000E=0000:01:00.0     # e1000e behind root port 00:1c.0, own group
LAB_NVME_PF=0000:02:00.0    # NVMe with SR-IOV (4 VFs) behind 00:1c.1
LAB_UPSTREAM=0000:03:00.0   # switch upstream port behind 00:1c.2
LAB_DOWN1=0000:04:00.0      # switch downstream port (no ACS: shares its
LAB_E1000E2=0000:05:00.0    # group with the second e1000e below it)
LAB_DOWN2=0000:04:01.0
LAB_NVME2=0000:06:00.0      # NVMe without SR-IOV, group with 04:01.0
LAB_PCIBRIDGE=0000:07:00.0  # PCIe-to-PCI bridge behind 00:1c.3
LAB_E1000=0000:08:01.0      # conventional PCI e1000 (no FLR)  } one group
LAB_RTL8139=0000:08:02.0    # conventional PCI rtl8139         } with 07:00.0
LAB_9P_ROOT=0000:00:02.0    # virtio-9p carrying the guest's / (in use!)
LAB_9P_OUT=0000:00:03.0     # virtio-9p carrying $VMLAB_OUT (in use!)

vmlab_guest() { [ "${VMLAB:-}" = 1 ]; }

vmlab_boot() {
	local rc
	if [ -z "${VMLAB_RESULTS:-}" ]; then
		VMLAB_RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/kvmprep-vmlab-case.XXXXXX")
		# shellcheck disable=SC2064
		trap "rm -rf '$VMLAB_RESULTS'" EXIT
	fi
	find "$VMLAB_RESULTS" -mindepth 1 -delete
	if [ -n "${VMLAB_REUSE:-}" ]; then
		# developing a case's checks: the results of an earlier boot
		# (tests/vmlab/run --out DIR CASE.t), no boot
		cp -a "$VMLAB_REUSE/." "$VMLAB_RESULTS/" || exit 2
		cat "$VMLAB_RESULTS/output" 2>/dev/null
		rc=$(cat "$VMLAB_RESULTS/rc" 2>/dev/null || echo 125)
	else
		"$TOP/tests/vmlab/run" --out "$VMLAB_RESULTS" "$@"
		rc=$?
	fi
	if [ $rc -eq 77 ]; then
		exit 77
	fi
	[ -f "$VMLAB_RESULTS/wall" ] && echo "vmlab: boot took $(cat "$VMLAB_RESULTS/wall") s" >&2
	return $rc
}

vmlab_enter() {
	vmlab_guest && return 0
	local opts=() rc
	while [ $# -gt 0 ]; do opts+=("$1"); shift; done
	vmlab_boot "${opts[@]}" "$0"
	rc=$?
	exit $rc
}

_checks_failed=0
_checks_run=0
check() {
	local name=$1 out rc
	shift
	out=$( ("$@") 2>&1)
	rc=$?
	_checks_run=$((_checks_run + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $name"
	else
		_checks_failed=$((_checks_failed + 1))
		echo "not ok $name (exit $rc)"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
	fi
	return 0
}
checks_done() {
	echo "$((_checks_run - _checks_failed)) of $_checks_run checks passed"
	[ "$_checks_failed" -eq 0 ]
	exit $?
}

save() {
	local name=$1
	shift
	"$@" >"$VMLAB_OUT/$name" 2>"$VMLAB_OUT/$name.err"
	echo $? >"$VMLAB_OUT/$name.rc"
}
res() { echo "$VMLAB_RESULTS/$1"; }
rc_of() { cat "$VMLAB_RESULTS/$1.rc"; }
jq_py() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# A handful of processes, not a few per device: under TCG every fork and
# exec costs ~0.1 s, and the cases take the state a dozen times each.
vmlab_state() {
	local root=${1:-} path target d b name n i line
	local -A drv grp ovr nvfs vfn mtype
	local P=$root/sys/bus/pci/devices
	while read -r path target; do
		d=${path%/*}
		d=${d%/}
		b=${d##*/} name=${path##*/}
		case $name in
		driver) drv[$b]=${target##*/} ;;
		iommu_group) grp[$b]=${target##*/} ;;
		virtfn*) vfn[$b:${name#virtfn}]=${target##*/} ;;
		esac
	done < <(find "$P"/*/ -maxdepth 1 \( -name driver -o -name iommu_group -o -name 'virtfn*' \) \
		-printf '%p %l\n' 2>/dev/null)
	# "PATH:VALUE" (PATH holds colons of its own: split at the file name)
	while IFS= read -r line; do
		case $line in
		*/driver_override:*)
			d=${line%%/driver_override:*}
			ovr[${d##*/}]=${line#*/driver_override:} ;;
		*/sriov_numvfs:*)
			d=${line%%/sriov_numvfs:*}
			nvfs[${d##*/}]=${line#*/sriov_numvfs:} ;;
		esac
	done < <(grep -H '' "$P"/*/driver_override "$P"/*/sriov_numvfs 2>/dev/null)
	for d in "$P"/*; do
		b=${d##*/}
		[ -e "$d" ] || continue
		echo "pci $b driver=${drv[$b]:-none} override=${ovr[$b]:--} group=${grp[$b]:-none}"
		if [ -n "${nvfs[$b]+x}" ]; then
			line=
			for ((i = 0; ; i++)); do
				[ -n "${vfn[$b:$i]+x}" ] || break
				line+=${line:+,}${vfn[$b:$i]}
			done
			echo "sriov $b numvfs=${nvfs[$b]} vfs=$line"
		fi
	done
	# groups in the shell's glob order, members sorted as ls sorts them
	while read -r n line; do
		echo "group $n $line"
	done < <(find "$root"/sys/kernel/iommu_groups/ -mindepth 3 -maxdepth 3 -path '*/devices/*' \
		-printf '%h %f\n' 2>/dev/null | LC_ALL=C sort |
		awk '{ g = $1; sub("/devices$", "", g); sub(".*/", "", g)
		       m[g] = (g in m) ? m[g] " " $2 : $2 }
		     END { for (g in m) print g, m[g] }' | LC_ALL=C sort -k1,1)
	for d in "$root"/dev/vfio/*; do
		[ -e "$d" ] && echo "vfio ${d##*/}"
	done
	while read -r path target; do
		d=${path%/*}
		d=${d%/}
		mtype[${d##*/}]=${target##*/}
	done < <(find "$root"/sys/bus/mdev/devices/*/ -maxdepth 1 -name mdev_type -printf '%p %l\n' 2>/dev/null)
	while read -r b target; do
		d=${target%/*}
		echo "mdev $b type=${mtype[$b]:-} parent=${d##*/}"
	done < <(find "$root"/sys/bus/mdev/devices/ -mindepth 1 -maxdepth 1 -printf '%f %l\n' 2>/dev/null |
		LC_ALL=C sort)
	return 0
}

vmlab_coldplug() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/driver" ] && continue
		modprobe -q -b "$(cat "$d/modalias")" 2>/dev/null
	done
	return 0
}

vmlab_qmp() {
	python3 - "$@" <<'PYEOF'
import json, socket, sys, time
path, cmds = sys.argv[1], sys.argv[2:]
s = None
for _ in range(600):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        break
    except OSError:
        s.close(); s = None; time.sleep(0.1)
if s is None:
    sys.exit("vmlab_qmp: %s: cannot connect" % path)
f = s.makefile("rw")
def ask(obj):
    f.write(json.dumps(obj) + "\n"); f.flush()
    while True:
        line = f.readline()
        if not line:
            return None
        r = json.loads(line)
        if "return" in r or "error" in r:
            return r
json.loads(f.readline())                     # the greeting
ask({"execute": "qmp_capabilities"})
for c in cmds:
    obj = json.loads(c) if c.startswith("{") else {"execute": c}
    r = ask(obj)
    print(json.dumps(r.get("return", r) if r else None))
PYEOF
}

vmlab_hold_qemu() {
	local name=$1 i
	shift
	qemu-system-x86_64 -S -M q35 -accel tcg -m 64 -nodefaults -display none -nic none \
		"$@" >"$VMLAB_OUT/$name.qemu.log" 2>&1 </dev/null &
	VMLAB_QEMU_PID=$!
	for i in $(seq 600); do
		ls -l "/proc/$VMLAB_QEMU_PID/fd" 2>/dev/null | grep -q ' -> /dev/vfio/[0-9]' && return 0
		kill -0 "$VMLAB_QEMU_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

vmlab_stop_qemu() {
	[ -n "${VMLAB_QEMU_PID:-}" ] || return 0
	kill "$VMLAB_QEMU_PID" 2>/dev/null
	wait "$VMLAB_QEMU_PID" 2>/dev/null
	VMLAB_QEMU_PID=
	return 0
}

_st_pci() { grep "^pci $1 " "$(res "$2")"; }
st_drv() { _st_pci "$1" "$2" | sed 's/.* driver=\([^ ]*\) .*/\1/'; }
st_ovr() { _st_pci "$1" "$2" | sed 's/.* override=\([^ ]*\) .*/\1/'; }
st_grp() { _st_pci "$1" "$2" | sed 's/.* group=\([^ ]*\)$/\1/'; }
st_numvfs() { grep "^sriov $1 " "$(res "$2")" | sed 's/.* numvfs=\([0-9]*\).*/\1/'; }
st_vfs() { grep "^sriov $1 " "$(res "$2")" | sed 's/.* vfs=//'; }
st_has() { grep -qxF -- "$1" "$(res "$2")"; }
