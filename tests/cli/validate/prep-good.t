# A host prepared the way the virtualization guides say: every host
# preparation check passes (libvirt's modular daemons and default network,
# tuned virtual-host, KSM with swap within NUMA nodes, 1G pages at boot, CPU
# isolation leaving each node CPUs for the host, AppArmor profiles, Secure
# Boot firmware, vTPM, vCPUs within the CPUs).
# golden
HOST=validate-prep-good
. ./common.sh
check_host 0 --vcpus 12
for id in kvm.halt_poll_ns memory.hugepage_boot memory.ksm_tuning resources.isolation \
	resources.vcpus secure.secureboot secure.vtpm platform.mac_virt platform.libvirt \
	platform.libvirt_net platform.tuned; do
	assert_status $id PASS
done
