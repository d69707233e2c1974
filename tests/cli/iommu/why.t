# golden
# groups --why: the root port without ACS (group 8 holds the port and the
# NIC), the GPU's functions without ACS (group 12), a device alone.
. ./common.sh
riommu groups --why
riommu groups --why 02:00.0
riommu groups --why --json 01:00.0
