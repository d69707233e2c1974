# golden
# groups: every group, its members and viability; one group; JSON.
. ./common.sh
riommu groups
riommu groups 01:00.1
riommu groups --json 0000:03:00.0
riommu -q groups
