# golden
# Every bad input is refused before QEMU starts: one line naming the object,
# what could not be done and the fix; exit 2 (usage) or 3 (the host cannot).
# The command lines carry a real kernel path so that only the one error shows.
. ./common.sh
# the runs as nobody use copies a 0700 checkout does not hide (tests/lib.sh)
nobody_setup
K=(--kernel "$T/vmlinuz")
echo "== usage (2)"
launch -n
launch -n --initrd "$T/initrd.img"
launch -n "${K[@]}" --memory lots
launch -n "${K[@]}" --memory 1000K
launch -n "${K[@]}" --cpus 0
launch -n "${K[@]}" --hugepages 3M
launch -n "${K[@]}" --hugepages 2M -m 1025M
launch -n "${K[@]}" --pin 3-1
launch -n "${K[@]}" --pin 0,x
launch -n "${K[@]}" --numa-node -1
launch -n "${K[@]}" --vfio 1:2:3
launch -n "${K[@]}" --vfio 03:00.0 --vfio 0000:03:00.0
launch -n "${K[@]}" --mdev not-a-uuid
launch -n "${K[@]}" --nic bridge=br0,mac=01:00:5e:00:00:01
launch -n "${K[@]}" --nic bridge=br0,mac=00:00:00:00:00:00
launch -n "${K[@]}" --nic bridge=br0,mac=52:54:00:zz:00:01
launch -n "${K[@]}" --nic bridge=br0,queues=99
launch -n "${K[@]}" --nic mac=52:54:00:00:00:01
launch -n "${K[@]}" --nic vde=sw0
launch -n "${K[@]}" --nic bridge=this-name-is-too-long
launch -n "${K[@]}" --accel xen
launch -n "${K[@]}" --firmware coreboot
launch -n "${K[@]}" --firmware uefi
launch -n --machine microvm --disk "$T/root.raw"
launch -n --machine microvm "${K[@]}" --vfio 03:00.0
launch -n --machine 'q35,smm=on' "${K[@]}"
launch -n "${K[@]}" --console serial
launch -n "${K[@]}" --name ../etc
launch -n "${K[@]}" --frobnicate
launch -n "${K[@]}" extra-word
launch -n "${K[@]}" --json --quiet
echo "== the host cannot (3)"
launch -n --kernel "$T/missing"
chmod 000 "$T/initrd.img"
WRAP="$NOBODY" launch -n "${K[@]}" --initrd "$T/initrd.img"
chmod 644 "$T/initrd.img"
chmod 444 "$T/root.raw"
WRAP="$NOBODY" launch -n --disk "$T/root.raw"
chmod 644 "$T/root.raw"
launch -n --disk "$T"
launch -n "${K[@]}" --qemu /nonexistent/qemu-system-x86_64
"$FAKEHOST" "$HOST" -- env PATH=/nonexistent "$BIN/kvmprep-launch" -n --kernel /dev/null 2>&1; echo "[exit $?]"
launch -n "${K[@]}" --memory 64G
launch -n "${K[@]}" --pin 6-9 -c 4
launch -n "${K[@]}" --numa-node 3
launch -n "${K[@]}" --hugepages 2M -m 1G --numa-node 0
launch -n "${K[@]}" --hugepages 2M -m 4G
launch -n "${K[@]}" --hugepages 1G -m 2G
launch -n "${K[@]}" --vfio 01:00.0
launch -n "${K[@]}" --vfio 04:00.0
launch -n "${K[@]}" --vfio 09:00.0
launch -n "${K[@]}" --mdev 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
launch -n "${K[@]}" --nic bridge=br0
NET="ip link add br0 type veth peer name br1" launch -n "${K[@]}" --nic bridge=br0
launch -n "${K[@]}" --nic macvtap=mvt0
NET="ip link add v0 type veth peer name v1 && ip link add link v0 name mvt0 address 52:54:00:0a:0b:0c type macvtap" \
	launch -n "${K[@]}" --nic macvtap=mvt0,mac=52:54:00:00:00:01
launch -n "${K[@]}" --nic tap=tap0
HOST=model-kvm-absent launch -n "${K[@]}" --accel kvm
echo "== memlock: no CAP_IPC_LOCK, no CAP_SYS_RESOURCE, 8 MiB"
WRAP="prlimit --memlock=8388608:8388608 setpriv --bounding-set -sys_resource,-ipc_lock" launch -n "${K[@]}" --vfio 03:00.0 -m 2G
echo "== --json: one document even on error"
launch -n --json "${K[@]}" --memory 64G
