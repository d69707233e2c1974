# golden
# groups and groups --why as the kernel's pci_device_group() forms them
# (iommu-why.host): a PCH root port isolated by the kernel's quirk is never
# blamed, the root port without ACS is (it is inside its NIC's group), a
# PCIe-to-PCI bridge aliases what is behind it, a multifunction NIC the
# kernel's quirk isolates is two groups, a group on mlx5_vfio_pci and
# vfio-pci is viable. pcie_acs_override= is said; without root, --why says
# root is needed.
HOST=iommu-why
. ./common.sh
nobody_setup
riommu groups --why
riommu groups 06:00.0
riommu groups --why --json 05:00.0 | grep -E '"(kind|reason)"'
# the override patch's parameter on the command line
fh -- true
sed -i 's/$/ pcie_acs_override=downstream,multifunction/' "$ST/proc/cmdline"
riommu groups 01:00.0
iommu status 02:00.0 | grep isolation
# not root: the config space beyond 64 bytes is root's
fh -- "$NOBODY" kvmprep-iommu groups --why
echo "[exit $?]"
fh -- "$NOBODY" kvmprep-iommu groups 02:00.0 >/dev/null
echo "[exit $?]"
