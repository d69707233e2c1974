# An Intel host ready for passthrough: everything that applies passes.
# golden
HOST=validate-intel-ready
. ./common.sh
check_host 0
for id in kvm.cpu_flags kvm.probe kvm.modules kvm.dev_access iommu.firmware \
	iommu.enabled iommu.groups iommu.passthrough iommu.irq_remap iommu.vfio \
	iommu.isolation memory.hugepages platform.qemu platform.uefi platform.mac; do
	assert_status $id PASS
done
assert_status secure.sev SKIP
