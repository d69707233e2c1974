# golden
# --dry-run: the exact QEMU command line and the fds it would get, for a
# matrix of options, on a fake host (KVM works, vmx, 2 NUMA nodes).
. ./common.sh
echo "== direct kernel boot, defaults"
launch -n --kernel "$T/vmlinuz" --initrd "$T/initrd.img" --append "console=ttyS0 root=/dev/vda rw"
echo "== microvm fast path"
launch -n --machine microvm --kernel "$T/vmlinuz" --append console=ttyS0 -m 256M -c 2 --name fast
echo "== disks (raw and qcow2), cdrom, UEFI with a per-guest vars copy"
launch -n --name web --disk "$T/root.raw" --disk "$T/data.qcow2" --cdrom "$T/install.iso" \
	--firmware uefi --state-dir "$T/state" -m 2G -c 4
echo "== hugepages on node 1, pinned vCPUs in the order written"
launch -n --kernel "$T/vmlinuz" --hugepages 2M -m 1G --numa-node 1 -c 2 --pin 5,4 --name huge
echo "== NUMA node without pinning: memory bound, QEMU on the node's CPUs"
launch -n --kernel "$T/vmlinuz" --numa-node 0 --name bound
echo "== a VFIO device (group viable) with CPUs on the other node: locality warning"
# memlock 8 MiB and no CAP_SYS_RESOURCE: the same on every machine
# (CAP_IPC_LOCK makes the limit moot: keep; the refusal is in bad-input.t)
WRAP="prlimit --memlock=8388608:8388608 setpriv --bounding-set -sys_resource" \
	launch -n --kernel "$T/vmlinuz" --vfio 03:00.0 -c 2 --pin 0-1 --name pt
echo "== an mdev: vfio-pci sysfsdev and the guest UUID"
ST=$T/st
"$FAKEHOST" "$HOST" --state "$ST" -- "$BUILD/helpers/fh-write" \
	/sys/bus/pci/devices/0000:05:00.0/mdev_supported_types/mtty-2/create \
	83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 || fail "cannot create the mdev"
rl --state "$ST" -- -n --kernel "$T/vmlinuz" \
	--mdev 83B8F4F2-509F-382F-3C1E-E6BFE0FA1001 --name vgpu
echo "== NICs: bridge (2 queues, vhost-net), macvtap with its own MAC (taps: tests/vm/launch)"
NET="ip link add br0 type bridge && ip link add v0 type veth peer name v1 && ip link add link v0 name mvt0 address 52:54:00:0a:0b:0c type macvtap" \
	launch -n --kernel "$T/vmlinuz" --nic bridge=br0,queues=2 --nic macvtap=mvt0 --name net
echo "== console on a pty, an extra QMP socket, a shutdown timeout"
launch -n --kernel "$T/vmlinuz" --console pty --qmp "$T/qmp,1.sock" --shutdown-timeout 5
echo "== console on a socket (two words); none, under TCG"
launch -n --kernel "$T/vmlinuz" --console socket "$T/con.sock"
launch -n --kernel "$T/vmlinuz" --console none --accel tcg
echo "== JSON"
NET="ip link add br0 type bridge" launch -n --json --kernel "$T/vmlinuz" --nic bridge=br0 -c 2 --pin 6-7 --name js
echo "== PVM host: auto says why and uses TCG; --accel kvm is obeyed with a warning"
HOST=launch-pvm launch -n --kernel "$T/vmlinuz"
HOST=launch-pvm launch -n --kernel "$T/vmlinuz" --accel kvm
echo "== no KVM at all"
HOST=model-kvm-absent launch -n --kernel "$T/vmlinuz" | head -1
# nothing was made: no vars copy, no taps
assert_nofile "$T/state"
