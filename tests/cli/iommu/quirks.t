# golden
# groups --why against the kernel's ACS quirk table (iommu-quirks.host:
# every kind of row of pci_dev_acs_enabled[], linux-next 26f71eab75e2):
# the root ports, downstream ports and multifunction endpoints a quirk
# isolates are named (acs_quirk, with the kernel's function) for the groups
# they isolate; a Zhaoxin port or Wangxun function outside its quirk's ID
# list is the reason its group holds more (quirk_not_isolated), whatever
# its ACS capability; a Cavium root port outside pci_quirk_cavium_acs's
# ranges and an AMD FCH function off the root bus get the PCIe rule; the
# AMD southbridge quirk needs the IVRS table.
HOST=iommu-quirks
. ./common.sh
# the groups of two or more, each with its reason
riommu groups --why
# each endpoint a root port's quirk isolates: alone, and which quirk
for d in 01:00.0 02:00.0 03:00.0 04:00.0 05:00.0 06:00.0 07:00.0 08:00.0 09:00.0 0a:00.0 0f:00.0; do
	iommu groups --why "$d" | tail -n +2
done
# each function a multifunction quirk isolates
for d in 20:00.0 21:00.1 22:00.0 23:00.0 24:00.1 25:00.0 00:14.0 00:14.3; do
	iommu groups --why "$d" | tail -n +2
done
echo "[exit $?]"
riommu groups --why --json 01:00.0 | grep -E '"(kind|at|quirk)"'
riommu groups --why --json 0c:00.0 | grep -E '"(kind|at|quirk)"'
# without the IVRS table (no AMD IOMMU described) the southbridge quirk
# does not apply: no acs_quirk row for its functions
fh -- true
rm -f "$ST/sys/firmware/acpi/tables/IVRS"
riommu groups --why 00:14.0
