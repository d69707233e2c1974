# golden
# list: driver, group, reset methods and host use of every device;
# --class and --id filters; JSON.
. ./common.sh
riommu list
riommu list --class net
riommu list --id 10de:10f8
riommu list --class display --json
riommu list --class crypto
