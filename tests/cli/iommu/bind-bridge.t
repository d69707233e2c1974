# golden
# Group 8 holds a root port without ACS and the NIC behind it: the port
# stays on pcieport and the group is viable with the NIC on vfio-pci. The
# port itself is never bound.
. ./common.sh
riommu bind 03:00.0 --group
assert_dev 0000:03:00.0 vfio-pci vfio-pci
assert_dev 0000:00:1c.4 pcieport '(null)'
riommu groups 03:00.0
riommu status 03:00.0
riommu bind 00:1c.4
assert_dev 0000:00:1c.4 pcieport '(null)'
