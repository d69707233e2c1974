/* SPDX-License-Identifier: MIT */
/* The check table: id, topic, title, function, the jobs that need it and
 * the full remedy that --explain prints. Order = output order. */
#include "validate.h"

#define KVMJ (J_KVM | J_PASSTHROUGH | J_SRIOV | J_MDEV)
#define GRUB "Kernel arguments go in GRUB_CMDLINE_LINUX in /etc/default/grub; then run\n" \
	     "update-grub (Debian/Ubuntu) or grub2-mkconfig -o /boot/grub2/grub.cfg\n" \
	     "(Fedora/RHEL; or grubby --update-kernel=ALL --args=ARG) and reboot.\n"

const struct vcheck vchecks[] = {
	{ "kvm.cpu_flags", "kvm", "CPU virtualization extensions", chk_kvm_cpu_flags, KVMJ,
	  "KVM needs the CPU's virtualization extension: vmx (Intel VT-x), svm (AMD-V),\n"
	  "sie (s390x); arm64 has no flag, the kernel must run at EL2. A missing flag\n"
	  "usually means the extension is disabled in the firmware: enable \"Intel\n"
	  "Virtualization Technology\" (Intel) or \"SVM Mode\" (AMD) in the BIOS/UEFI setup.\n"
	  "In a VM the outer hypervisor must offer it (nested virtualization). The flag\n"
	  "alone decides nothing: when KVM runs guest code without it (nested or\n"
	  "paravirtual KVM such as PVM) this check passes; when the flag is there but\n"
	  "KVM cannot run guest code, it fails (see kvm.probe).\n" },
	{ "kvm.probe", "kvm", "KVM runs guest code", chk_kvm_probe, KVMJ,
	  "Opens /dev/kvm, checks the API version (12), creates a VM with one page of\n"
	  "memory and one vCPU and runs a few guest instructions, which must exit back\n"
	  "with the value the guest computed and then halt. This is the verdict on KVM.\n"
	  "The probe has 10 s: a vCPU that does not come back from KVM_RUN is killed\n"
	  "and KVM reported broken (a wedged hypervisor below a nested or PVM host).\n"
	  "When it fails at create_vm, another hypervisor (VirtualBox, VMware) may hold\n"
	  "the extension, or it is off in the firmware; the kernel log (dmesg) says why.\n"
	  "When /dev/kvm is missing, load the module (modprobe kvm_intel / kvm_amd).\n" },
	{ "kvm.guests", "kvm", "ordinary guests under KVM", chk_kvm_guests, KVMJ,
	  "The probe proves that KVM runs guest code; this says whether it runs ordinary\n"
	  "guests. Paravirtual KVM (PVM: the kvm_pvm module, on cloud VMs without vmx or\n"
	  "svm) runs only guest kernels built for PVM: a stock distribution kernel stalls\n"
	  "after its decompressor and SeaBIOS/OVMF never finish, under QEMU with KVM.\n"
	  "There, run ordinary guests with TCG (qemu -accel tcg, kvmprep-launch --accel\n"
	  "tcg), or use PVM guest kernels and pass --pvm-guests. Without --for this is a\n"
	  "WARN; with --for kvm (passthrough, sriov, mdev) a FAIL. Hardware KVM with\n"
	  "kvm_intel ept=0, unrestricted_guest=0 or kvm_amd npt=0 boots everything, but\n"
	  "slowly (shadow paging, emulated real mode): a WARN.\n" },
	{ "kvm.modules", "kvm", "KVM modules", chk_kvm_modules, KVMJ,
	  "KVM is the kvm module plus a vendor module: kvm_intel (Intel), kvm_amd (AMD);\n"
	  "arm64 and s390x have kvm alone, paravirtual KVM (PVM) has kvm_pvm.\n"
	  "Load: modprobe kvm_intel (or kvm_amd). At boot: echo kvm_intel >\n"
	  "/etc/modules-load.d/kvm.conf. If modprobe says \"Operation not supported\", the\n"
	  "extension is disabled in the firmware (see kvm.cpu_flags). A module that is\n"
	  "not installed comes with the kernel's modules package.\n" },
	{ "kvm.dev_access", "kvm", "/dev/kvm access", chk_kvm_dev_access, KVMJ,
	  "Whoever starts guests must open /dev/kvm read-write. It is normally mode\n"
	  "0660, group kvm: add the user with usermod -aG kvm USER and log in again.\n"
	  "libvirt's qemu user is in that group already. If /dev/kvm belongs to root\n"
	  "alone, a udev rule fixes it: KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\" in\n"
	  "/etc/udev/rules.d/65-kvm.rules, then udevadm trigger.\n" },
	{ "kvm.nested", "kvm", "nested virtualization", chk_kvm_nested, J_KVM,
	  "Reports whether guests may run KVM themselves. Turn it on with\n"
	  "options kvm_intel nested=1 (or kvm_amd nested=1) in /etc/modprobe.d/kvm.conf\n"
	  "and reload the module (no guest may be running); on arm64 boot with\n"
	  "kvm-arm.mode=nested. Informational: hosts without nesting are fine.\n" },
	{ "kvm.halt_poll_ns", "kvm", "halt polling", chk_kvm_halt_poll, 0,
	  "halt_poll_ns (kvm module parameter): how long an idle vCPU spins before it\n"
	  "gives its CPU back. Spinning shortens the guest's wake-up latency and costs host\n"
	  "CPU; on hosts whose CPUs are overcommitted, or where power matters, 0 is\n"
	  "better: options kvm halt_poll_ns=0 in /etc/modprobe.d/kvm.conf. Informational.\n" },
	{ "kvm.vhost_net", "kvm", "vhost-net", chk_kvm_vhost_net, J_NETWORK,
	  "vhost-net moves virtio-net packet processing into the kernel. Without\n"
	  "/dev/vhost-net guest networking works, slower. modprobe vhost_net; at boot:\n"
	  "echo vhost_net > /etc/modules-load.d/vhost-net.conf.\n" },
	{ "kvm.tun", "kvm", "/dev/net/tun", chk_kvm_tun, J_NETWORK,
	  "tap links (and libvirt's bridged and NAT networks) need /dev/net/tun:\n"
	  "modprobe tun. If the module is loaded and the node is missing:\n"
	  "mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun.\n" },
	{ "kvm.xen_dom0", "kvm", "not a Xen dom0", chk_kvm_xen_dom0, KVMJ,
	  "Under the Xen hypervisor, dom0 cannot use the virtualization extensions, so\n"
	  "KVM cannot run. Boot the plain Linux entry of the boot menu, without Xen\n"
	  "(on Debian: GRUB_DEFAULT, or remove grub-xen's entries).\n" },

	{ "iommu.firmware", "iommu", "IOMMU in firmware", chk_iommu_firmware, J_PASSTHROUGH | J_SRIOV,
	  "Device passthrough needs an IOMMU that the firmware describes to the kernel:\n"
	  "the ACPI DMAR table (Intel VT-d), IVRS (AMD-Vi) or IORT (arm64 SMMU). If the\n"
	  "table is missing, enable \"VT-d\" (Intel) or \"IOMMU\" / \"AMD-Vi\" (AMD) in the\n"
	  "BIOS/UEFI setup, or the SMMU on arm64. A VM needs a virtual IOMMU\n"
	  "(QEMU -device intel-iommu,intremap=on with -machine q35,kernel-irqchip=split).\n" },
	{ "iommu.enabled", "iommu", "IOMMU enabled in the kernel", chk_iommu_enabled, J_PASSTHROUGH | J_SRIOV,
	  "Intel: the kernel enables VT-d only with intel_iommu=on on its command line\n"
	  "(unless built with CONFIG_INTEL_IOMMU_DEFAULT_ON). AMD: the IOMMU is on by\n"
	  "default; amd_iommu=off or iommu=off turns it off. arm64: the SMMU driver\n"
	  "(arm_smmu_v3) must be loaded.\n" GRUB },
	{ "iommu.groups", "iommu", "IOMMU groups", chk_iommu_groups, J_PASSTHROUGH | J_SRIOV,
	  "vfio hands devices to guests by IOMMU group (/sys/kernel/iommu_groups).\n"
	  "No groups means no IOMMU is enabled: see iommu.enabled.\n" },
	{ "iommu.passthrough", "iommu", "IOMMU passthrough mode", chk_iommu_passthrough, J_PASSTHROUGH | J_SRIOV,
	  "With the IOMMU on, the host's own devices have their DMA translated too,\n"
	  "which costs I/O performance. Passthrough mode (identity domains) skips that\n"
	  "for host devices and leaves guests' devices isolated: add iommu=pt (x86) or\n"
	  "iommu.passthrough=1 (arm64) to the kernel command line. Not on an AMD host\n"
	  "that is to run SEV-SNP guests: the AMD IOMMU driver disables SNP in\n"
	  "passthrough mode, so there translated mode is right and iommu=pt a fault.\n" GRUB },
	{ "iommu.irq_remap", "iommu", "interrupt remapping", chk_iommu_irq_remap, J_PASSTHROUGH | J_SRIOV,
	  "vfio refuses to give a device to a guest when the IOMMU cannot remap its\n"
	  "interrupts (a guest could forge MSIs). Enable \"Interrupt Remapping\" with\n"
	  "VT-d in the BIOS/UEFI setup and do not boot with intremap=off. The unsafe\n"
	  "way around it, for trusted guests only: options vfio_iommu_type1\n"
	  "allow_unsafe_interrupts=1 in /etc/modprobe.d/vfio.conf. arm64: MSIs must be\n"
	  "isolated by the interrupt controller: a GICv3/v4 ITS does it, a GICv2m MSI\n"
	  "frame does not (vfio refuses devices there, as without remapping on x86).\n" },
	{ "iommu.vfio", "iommu", "vfio modules", chk_iommu_vfio, J_PASSTHROUGH | J_SRIOV | J_MDEV,
	  "Passthrough uses vfio, vfio_pci and vfio_iommu_type1. They are loaded on\n"
	  "demand (kvmprep-iommu bind does it); they must be installed: they ship with\n"
	  "the kernel (linux-modules-extra on Ubuntu, kernel-modules-core on Fedora).\n"
	  "A kernel that uses iommufd instead needs no vfio_iommu_type1: QEMU 8.2+ takes\n"
	  "-object iommufd, and iommufd's compat container serves /dev/vfio/vfio.\n" },
	{ "iommu.isolation", "iommu", "IOMMU group isolation", chk_iommu_isolation, J_PASSTHROUGH | J_SRIOV,
	  "Devices in one IOMMU group can only be passed through together. Groups that\n"
	  "hold devices of different slots come from bridges or root ports without ACS.\n"
	  "Move the card to a slot on an ACS-capable root port (usually the CPU's), or\n"
	  "pass the whole group. kvmprep-iommu groups lists them. The out-of-tree ACS\n"
	  "override patch (pcie_acs_override= on linux-zen, Proxmox, Unraid) only makes\n"
	  "the kernel pretend: its groups are not DMA isolation, so with it this check\n"
	  "is a WARN naming it. It is not a remedy.\n" },

	{ "memory.hugepages", "memory", "hugepage pools", chk_memory_hugepages, J_HUGEPAGES,
	  "Guests backed by hugepages need pages reserved ahead. 2M pages at run time:\n"
	  "echo N > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages (per node:\n"
	  "/sys/devices/system/node/nodeX/hugepages/...); at boot: vm.nr_hugepages=N in\n"
	  "/etc/sysctl.d/80-hugepages.conf. 1G pages are reserved at boot, per NUMA node:\n"
	  "default_hugepagesz=1G hugepagesz=1G hugepages=N on the kernel command line\n"
	  "spreads N over the nodes; hugepagesz=1G hugepages=0:N0,1:N1 puts them on given\n"
	  "nodes (a guest pinned to node 1 needs its pages there).\n" },
	{ "memory.hugepage_boot", "memory", "hugepages at boot", chk_memory_hugepages_boot, J_HUGEPAGES,
	  "A hugepage pool made at run time is gone after a reboot, and 1G pages can\n"
	  "rarely be had once memory is fragmented: reserve them at boot, 2M pages with\n"
	  "vm.nr_hugepages=N in /etc/sysctl.d/, 1G pages per NUMA node with\n"
	  "hugepagesz=1G hugepages=0:N0,1:N1 on the kernel command line. A reservation\n"
	  "that leaves the host less than 2 GiB or a tenth of its memory fails: at boot\n"
	  "it panics or the OOM killer takes the host's services.\n" },
	{ "memory.thp", "memory", "transparent hugepages", chk_memory_thp, J_HUGEPAGES,
	  "QEMU asks for transparent hugepages (madvise) for guest memory. With\n"
	  "\"never\" guests get 4K pages: echo madvise >\n"
	  "/sys/kernel/mm/transparent_hugepage/enabled, at boot transparent_hugepage=madvise.\n"
	  "\"never\" is right where the guests are backed by reserved hugepages (and\n"
	  "tuning guides set it for latency): with a reserved pool it is not warned.\n" },
	{ "memory.ksm", "memory", "KSM", chk_memory_ksm, 0,
	  "Kernel samepage merging shares identical guest pages: it saves memory, costs\n"
	  "CPU and opens a cross-guest side channel. Where ksmtuned runs it rewrites\n"
	  "/sys/kernel/mm/ksm/run, so an echo alone does not last: persistently off with\n"
	  "systemctl disable --now ksm ksmtuned (then echo 2 > /sys/kernel/mm/ksm/run to\n"
	  "unmerge), on with systemctl enable --now ksm ksmtuned. Informational.\n" },
	{ "memory.ksm_tuning", "memory", "KSM, ksmtuned and swap", chk_memory_ksm_tuning, 0,
	  "Where KSM merges (run=1, or ksmtuned starts it), the memory it saved is needed\n"
	  "again when guests write merged pages: the host needs swap for that overcommit\n"
	  "(and for ballooning), else the OOM killer ends guests. On NUMA hosts set\n"
	  "merge_across_nodes=0 (only while nothing is merged: run=2, then 0, then 1),\n"
	  "so merged pages stay on their guest's node.\n" },
	{ "memory.numa", "memory", "NUMA nodes", chk_memory_numa, J_HUGEPAGES,
	  "On NUMA hosts, pin each guest's vCPUs and memory (and its hugepages) to one\n"
	  "node. Informational.\n" },
	{ "memory.total", "memory", "memory for guests", chk_memory_total, J_KVM | J_PASSTHROUGH,
	  "The host keeps 2 GiB for itself; the rest can go to guests. --memory SIZE\n"
	  "names what the guests ask for: it fails when SIZE exceeds the memory, warns\n"
	  "when SIZE plus 2 GiB does.\n" },
	{ "resources.cpus", "resources", "CPU count", chk_resources_cpus, J_KVM,
	  "Logical CPUs online. With one, vCPUs and the host compete for it.\n" },
	{ "resources.disk", "resources", "free disk for images", chk_resources_disk, J_KVM,
	  "Free space where guest images live (--images DIR, default\n"
	  "/var/lib/libvirt/images); warns under 10 GiB.\n" },
	{ "resources.tsc", "resources", "constant TSC", chk_resources_tsc, J_KVM,
	  "Without an invariant TSC (constant_tsc) guest clocks drift with CPU frequency\n"
	  "changes and live migration is unsafe. On a VM, expose it: -cpu host,+invtsc.\n" },
	{ "resources.isolation", "resources", "CPU isolation", chk_resources_isolation, 0,
	  "Pinned guests run best on CPUs the host keeps off: isolcpus=LIST nohz_full=LIST\n"
	  "rcu_nocbs=LIST (the same list) on the kernel command line, automatic NUMA\n"
	  "balancing off (kernel.numa_balancing=0) or numad, and the unbound workqueues\n"
	  "kept on the host's CPUs (/sys/devices/virtual/workqueue/cpumask). Every NUMA\n"
	  "node must keep at least one CPU for the host: a node whose every CPU is\n"
	  "isolated fails.\n" },
	{ "resources.vcpus", "resources", "vCPUs planned", chk_resources_vcpus, J_KVM,
	  "--vcpus N: the vCPUs of every guest together, judged against the online CPUs\n"
	  "with one kept for the host. Beyond that they are overcommitted (a WARN with the\n"
	  "ratio); past 3 vCPUs per CPU guests stall each other (FAIL).\n" },

	{ "cgroups.layout", "cgroups", "cgroup layout", chk_cgroups_layout, J_KVM,
	  "libvirt and systemd place guests in cgroups to limit CPU, memory and I/O.\n"
	  "v1, v2 and hybrid all work; each is judged on its own terms.\n" },
	{ "cgroups.controllers", "cgroups", "cgroup controllers", chk_cgroups_controllers, J_KVM,
	  "v2: cpu, cpuset, memory, io and pids must be listed in cgroup.controllers;\n"
	  "device access is confined with BPF, so there is no devices controller.\n"
	  "v1: cpu, cpuacct, cpuset, memory, devices, blkio and pids must be mounted.\n"
	  "A controller disabled with cgroup_disable= on the kernel command line comes\n"
	  "back when that argument is removed.\n" },

	{ "secure.sev", "secure", "AMD SEV", chk_secure_sev, J_SECURE,
	  "AMD SEV encrypts guest memory. BIOS: enable SME and SEV and give SEV ASIDs.\n"
	  "Kernel: mem_encrypt=on kvm_amd.sev=1 (or options kvm_amd sev=1), and the ccp\n"
	  "module for /dev/sev. Not for Intel or other CPUs (SKIP).\n" },
	{ "secure.sev_es", "secure", "AMD SEV-ES", chk_secure_sev_es, J_SECURE,
	  "SEV-ES also encrypts guest register state. BIOS: set the SEV-ES ASID space\n"
	  "limit above 1. Kernel: kvm_amd.sev_es=1.\n" },
	{ "secure.sev_snp", "secure", "AMD SEV-SNP", chk_secure_sev_snp, J_SECURE,
	  "SEV-SNP adds memory integrity (EPYC 7003 and later). BIOS: enable SEV-SNP and\n"
	  "SNP memory coverage; the IOMMU must be on, in translated mode: with iommu=pt,\n"
	  "iommu=off or amd_iommu=pgtbl_v2 the AMD IOMMU driver disables SNP at boot and\n"
	  "kvm_amd reports sev_snp=N whatever its options say. Kernel 6.11 or later with\n"
	  "kvm_amd.sev_snp=1; QEMU 9.1 or later.\n" },
	{ "secure.tdx", "secure", "Intel TDX", chk_secure_tdx, J_SECURE,
	  "Intel TDX (4th/5th gen Xeon and later). BIOS: enable TME, TME-MT and TDX\n"
	  "with the SEAM loader. Kernel with TDX host support and kvm_intel.tdx=1.\n" },
	{ "secure.s390_pv", "secure", "s390 protected virtualization", chk_secure_s390_pv, J_SECURE,
	  "IBM Secure Execution (z15 / LinuxONE III and later): boot the host with\n"
	  "prot_virt=1 (zipl.conf parameters, then zipl).\n" },
	{ "secure.secureboot", "secure", "Secure Boot firmware", chk_secure_secureboot, J_SECURE,
	  "Guests that boot with Secure Boot (Windows 11, distributions with shim) need\n"
	  "OVMF built with it and a variables template with the Microsoft keys enrolled:\n"
	  "Debian's ovmf ships OVMF_CODE_4M.secboot.fd and OVMF_VARS_4M.ms.fd, Fedora's\n"
	  "edk2-ovmf OVMF_CODE.secboot.fd and OVMF_VARS.secboot.fd.\n" },
	{ "secure.vtpm", "secure", "virtual TPM", chk_secure_vtpm, J_SECURE,
	  "A virtual TPM 2.0 (Windows 11, measured boot, disk encryption bound to the TPM)\n"
	  "is QEMU's -tpmdev emulator over swtpm, which needs libtpms: apt-get install\n"
	  "swtpm swtpm-tools, or dnf install swtpm swtpm-tools.\n" },

	{ "network.ip_forward", "network", "IPv4 forwarding", chk_network_ip_forward, J_NETWORK,
	  "NAT and routed guest networks need the host to forward IPv4:\n"
	  "sysctl -w net.ipv4.ip_forward=1, and for boot\n"
	  "echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-kvmprep.conf.\n" },
	{ "network.bridge_nf", "network", "bridge netfilter", chk_network_bridge_nf, J_NETWORK,
	  "With br_netfilter loaded and bridge-nf-call-iptables=1, every bridged guest\n"
	  "frame goes through the host's iptables rules: slower, and a host firewall can\n"
	  "drop guest traffic. Unless that is wanted: sysctl -w\n"
	  "net.bridge.bridge-nf-call-iptables=0 (and ip6tables, arptables), persisted in\n"
	  "/etc/sysctl.d/90-kvmprep.conf.\n" },

	{ "platform.qemu", "platform", "QEMU", chk_platform_qemu, KVMJ,
	  "Guests run in QEMU: qemu-system-ARCH in /usr/bin (Debian: qemu-system-x86)\n"
	  "or /usr/libexec/qemu-kvm (Fedora/RHEL: qemu-kvm).\n" },
	{ "platform.uefi", "platform", "UEFI firmware", chk_platform_uefi, J_KVM,
	  "UEFI guests (and Secure Boot) need OVMF/edk2: apt-get install ovmf, or dnf\n"
	  "install edk2-ovmf; arm64: qemu-efi-aarch64 / edk2-aarch64.\n" },
	{ "platform.mac", "platform", "SELinux / AppArmor", chk_platform_mac, 0,
	  "libvirt confines each guest's QEMU with SELinux (sVirt) or AppArmor. Without\n"
	  "either, a QEMU escape reaches the whole host.\n" },
	{ "platform.mac_virt", "platform", "confinement of libvirt's guests", chk_platform_mac_virt, 0,
	  "Where libvirt runs guests under SELinux, the images directory must carry the\n"
	  "virt_image_t label (semanage fcontext -a -t virt_image_t 'DIR(/.*)?'; restorecon\n"
	  "-R DIR) and images on NFS or SMB need the booleans virt_use_nfs / virt_use_samba\n"
	  "(setsebool -P … 1). Under AppArmor, libvirt's profiles (libvirtd, virt-aa-helper)\n"
	  "must be loaded, or guests run unconfined.\n" },
	{ "platform.libvirt", "platform", "libvirt daemons", chk_platform_libvirt, 0,
	  "Where libvirt is installed, its daemons must start: the modular daemons\n"
	  "(virtqemud, virtnetworkd, … with their sockets; libvirt 9 and later, Fedora,\n"
	  "RHEL 9) or the monolithic libvirtd (systemctl enable --now libvirtd.socket).\n"
	  "kvmprep-launch needs neither.\n" },
	{ "platform.libvirt_net", "platform", "libvirt's default network", chk_platform_libvirt_net, 0,
	  "virt-install and virt-manager attach guests to libvirt's \"default\" NAT network:\n"
	  "it must be defined (virsh net-define /usr/share/libvirt/networks/default.xml)\n"
	  "and autostarted (virsh net-autostart default), or they fail with \"cannot find\n"
	  "default network\".\n" },
	{ "platform.tuned", "platform", "tuned profile", chk_platform_tuned, 0,
	  "Where tuned is installed, the virtual-host profile tunes a KVM host (scheduler\n"
	  "migration cost, dirty page writeback, CPU power states): tuned-adm profile\n"
	  "virtual-host, and tuned enabled at boot.\n" },
};

const size_t vchecks_n = sizeof(vchecks) / sizeof(vchecks[0]);
