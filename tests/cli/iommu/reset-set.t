# golden
# How status judges a device's reset (iommu-reset.host, issue 9): a GPU
# and its audio function without FLR share their bus, so the kernel lists
# no reset_method for either; they are reset together by a bus reset of
# their root port, which needs the guest to own both: not ready while the
# audio function is on the host, ready once the group is bound. An AMD
# Navi 10 is the same set and carries a known reset defect: ready, never
# without the warning (which changes once vendor-reset's device_specific
# is its first method). The kernel's no-bus-reset quirk and the root bus
# leave a device without FLR no reset at all; FLR is a per-function reset.
HOST=iommu-reset
. ./common.sh
# the set, half on the host: not ready, the audio function named
riommu status 01:00.0
riommu bind --group 01:00.0 -q
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
riommu status 01:00.0
riommu status 01:00.1 --json | grep -E '"(ready|check|status|detail)"'
# Navi 10: the set reset, and the defect warning even when ready
riommu bind --group 02:00.0 -q
riommu status 02:00.0
# vendor-reset loaded and device_specific first: the warning says so
printf 'device_specific\n' >"$(devdir 0000:02:00.0)/reset_method"
riommu status 02:00.0 | grep reset
# no reset at all: the no-bus-reset quirk, the root bus
riommu status 03:00.0 | grep -E 'reset|ready'
riommu status 00:14.0 | grep -E 'reset|ready'
# FLR: a per-function reset
riommu status 06:00.0 | grep -E '^reset'
