# The built tree has the kernel's layout: files, links, config space, modules.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
HOST=$TOP/tests/hosts/example.host
T=$("$FAKEHOST" --print-tree example) || fail "cannot build example"
S=$T/sys

# --- PCI devices: files and links, exactly -------------------------------
d=$S/devices/pci0000:00/0000:00:1d.0/0000:03:00.0
assert_eq "$(readlink "$S/bus/pci/devices/0000:03:00.0")" "../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0" "bus/pci/devices link"
assert_eq "$(readlink "$d/driver")" "../../../../bus/pci/drivers/i40e" "driver link"
assert_eq "$(readlink "$d/iommu_group")" "../../../../kernel/iommu_groups/15" "iommu_group link"
assert_eq "$(readlink "$d/subsystem")" "../../../../bus/pci" "subsystem link"
assert_eq "$(readlink "$S/kernel/iommu_groups/15/devices/0000:03:00.1")" "../../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.1" "group member link"
assert_eq "$(readlink "$S/bus/pci/drivers/i40e/0000:03:00.0")" "../../../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0" "driver's device link"
assert_eq "$(readlink "$S/bus/pci/drivers/i40e/module")" "../../../../module/i40e" "driver module link"
assert_eq "$(readlink "$S/class/net/enp3s0f0")" "../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0/net/enp3s0f0" "class/net link"
assert_eq "$(readlink "$d/net/enp3s0f0/device")" "../../../0000:03:00.0" "net device link"
assert_eq "$(cat "$d/vendor") $(cat "$d/device") $(cat "$d/class")" "0x8086 0x1572 0x020000" "ids"
assert_eq "$(cat "$d/driver_override")" "(null)" "driver_override"
assert_eq "$(cat "$d/numa_node")" "1" "numa_node"
assert_eq "$(cat "$d/reset_method")" "flr" "reset_method"
assert_eq "$(cat "$d/sriov_totalvfs") $(cat "$d/sriov_numvfs") $(cat "$d/sriov_vf_device") $(cat "$d/sriov_offset") $(cat "$d/sriov_stride")" "64 0 154c 16 1" "sriov files"
assert_eq "$(cat "$S/kernel/iommu_groups/15/type")" "identity" "group type with iommu=pt"
assert_grep '^PCI_SLOT_NAME=0000:03:00.0$' "$d/uevent"
assert_grep '^DRIVER=i40e$' "$d/uevent"
assert_grep '^MODALIAS=pci:v00008086d00001572sv00008086sd00001572bc02sc00i00$' "$d/uevent"
assert_eq "$(stat -c %s "$d/config")" 4096 "config size with SR-IOV"
assert_eq "$(stat -c %s "$S/bus/pci/devices/0000:01:00.1/config")" 256 "config size without ext caps"
assert_nofile "$S/bus/pci/devices/0000:00:02.0/driver"
assert_nofile "$S/bus/pci/devices/0000:00:02.0/reset_method"
assert_eq "$(cat "$S/bus/pci/devices/0000:00:02.0/boot_vga") $(cat "$S/bus/pci/devices/0000:01:00.0/boot_vga")" "1 0" "boot_vga"
for f in bind unbind new_id remove_id; do assert_file "$S/bus/pci/drivers/pcieport/$f"; done
for f in drivers_probe drivers_autoprobe rescan; do assert_file "$S/bus/pci/$f"; done
assert_file "$S/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/mdev_supported_types/nvidia-222/create"
assert_eq "$(cat "$S/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/mdev_supported_types/nvidia-222/available_instances")" 16 "mdev available"
assert_eq "$(cat "$S/class/iommu/dmar0/intel-iommu/cap")" "d2008c40660462" "intel-iommu cap"

# multi-function: bit 7 on every function of 01:00 and 00:1c (1c.0, 1c.4), type 1 on bridges
ht() { od -An -tx1 -j14 -N1 "$S/bus/pci/devices/$1/config" | tr -d ' '; }
assert_eq "$(ht 0000:01:00.0) $(ht 0000:01:00.1) $(ht 0000:02:00.0) $(ht 0000:00:1d.0) $(ht 0000:00:1c.4)" "80 80 00 01 81" "header types"

# --- config space as libpci reads it (the real lspci, under run) ---------
out=$("$FAKEHOST" example -- lspci -vvv -s 00:1c.0 2>/dev/null)
echo "$out" | grep -q 'Express (v2) Root Port' || fail "00:1c.0 not a root port: $out"
echo "$out" | grep -q 'ACSCap:.*SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+' || fail "no ACS on 00:1c.0"
echo "$out" | grep -q 'Bus: primary=00, secondary=01, subordinate=01' || fail "bridge buses"
out=$("$FAKEHOST" example -- lspci -vvv -s 03:00.1 2>/dev/null)
echo "$out" | grep -q 'DevCap:.*' || fail "no DevCap"
echo "$out" | grep -A1 'DevCap:' | grep -q 'FLReset+' || fail "no FLR on 03:00.1"
echo "$out" | grep -q 'Single Root I/O Virtualization' || fail "no SR-IOV cap"
echo "$out" | grep -q 'Initial VFs: 64, Total VFs: 64, Number of VFs: 0' || fail "SR-IOV counts"
echo "$out" | grep -q 'VF offset: 79, stride: 1, Device ID: 154c' || fail "SR-IOV offset (second PF follows the first's 64 VFs)"
echo "$out" | grep -q 'MSI-X: Enable- Count=129' || fail "MSI-X count"
out=$("$FAKEHOST" example -- lspci -vvv -s 01:00.1 2>/dev/null)
echo "$out" | grep -A1 'DevCap:' | grep -q 'FLReset-' || fail "01:00.1 should have no FLR"
echo "$out" | grep -q 'Access Control Services' && fail "01:00.1 should have no ACS"

# --- modules: libkmod reads the tree -------------------------------------
R=6.1.0-18-amd64
assert_eq "$(cat "$T/proc/sys/kernel/osrelease")" "$R" "osrelease"
modinfo -b "$T" -k "$R" -F depends vfio-pci | grep -qx 'vfio,vfio_pci_core' || fail "modinfo vfio-pci depends"
deps=$(modprobe -d "$T" -S "$R" --show-depends vfio_pci | sed 's|.*/||' | tr '\n' ' ')
assert_eq "$deps" "vfio.ko  vfio_pci_core.ko  vfio_pci.ko  " "modprobe --show-depends"
modprobe -d "$T" -S "$R" --show-depends mdev | grep -qx 'builtin mdev' || fail "mdev not builtin"
modprobe -d "$T" -S "$R" -R pci:v00008086d0000154Csv00008086sd00000000bc02sc00i00 | grep -qx iavf || fail "iavf alias"
modprobe -d "$T" -S "$R" --show-depends br_netfilter >/dev/null 2>&1 && fail "br_netfilter should be missing"
assert_eq "$(cat "$S/module/kvm_intel/initstate") $(cat "$S/module/kvm_intel/parameters/nested")" "live Y" "kvm_intel"
assert_nofile "$S/module/mdev/initstate"
assert_file "$S/module/mdev"
assert_nofile "$S/module/vfio_pci"
assert_nofile "$S/bus/pci/drivers/vfio-pci"
assert_nofile "$S/bus/pci/drivers/iavf"
assert_grep '^module vfio_pci$' "$T/fakehost/drivers/vfio-pci"
assert_grep '^id 8086:154c$' "$T/fakehost/drivers/iavf"
assert_grep '^class 060400/ffff00$' "$T/fakehost/drivers/pcieport"
assert_grep '^state available$' "$T/fakehost/modules/vfio_pci"
assert_grep '^depends vfio_pci_core$' "$T/fakehost/modules/vfio_pci"
assert_grep '^group_base 80$' "$T/fakehost/pf/0000:03:00.1"
assert_grep '^netdev enp3s0f1v%d$' "$T/fakehost/pf/0000:03:00.1"

# --- proc, system, dev ---------------------------------------------------
assert_eq "$(grep -c '^processor' "$T/proc/cpuinfo")" 8 "cpu count"
grep -q '^flags.* vmx ' "$T/proc/cpuinfo" || fail "vmx flag"
assert_grep 'intel_iommu=on' "$T/proc/cmdline"
assert_grep '^HugePages_Total: *2048$' "$T/proc/meminfo"
assert_grep '^MemTotal: *67108864 kB$' "$T/proc/meminfo"
assert_eq "$(cat "$S/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages")" 4 "1G pages"
assert_eq "$(cat "$S/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages")" 1024 "node1 free 2M"
assert_eq "$(cat "$S/kernel/mm/transparent_hugepage/enabled")" "always [madvise] never" "thp"
assert_eq "$(cat "$T/proc/sys/net/ipv4/ip_forward")" 1 "sysctl"
assert_grep '^cgroup2 /sys/fs/cgroup cgroup2 ' "$T/proc/mounts"
assert_grep '^hugetlbfs /mnt/huge1g hugetlbfs ' "$T/proc/self/mounts"
assert_file "$S/firmware/acpi/tables/DMAR"
assert_eq "$(head -c4 "$S/firmware/acpi/tables/DMAR")" DMAR "ACPI signature"
assert_eq "$(cat "$T/usr/bin/qemu-system-x86_64" | sed -n 2p)" "echo 'QEMU emulator version 7.2.0'" "file content"
assert_eq "$(stat -c %a "$T/usr/bin/qemu-system-x86_64")" 755 "file mode"
assert_eq "$(readlink "$T/etc/alternatives/editor")" /usr/bin/vi "file link"
assert_eq "$(cat "$T/fakehost/statfs")" "/var/lib/libvirt/images 536870912000 214748364800" "statfs meta"
assert_eq "$(cat "$T/fakehost/kvm" | tr '\n' ' ')" "state works api 12 " "kvm meta"
out=$("$FAKEHOST" example -- stat -c '%n %F %t:%T' /dev/kvm /dev/vfio/vfio /dev/vhost-net /dev/net/tun /dev/sda)
assert_eq "$out" "/dev/kvm character special file a:e8
/dev/vfio/vfio character special file a:c4
/dev/vhost-net character special file a:ee
/dev/net/tun character special file a:c8
/dev/sda block special file 8:0" "device nodes under umockdev"
echo "tree ok"
