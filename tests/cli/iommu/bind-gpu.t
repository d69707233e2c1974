# golden
# A GPU with its audio function: binding the GPU alone would split group
# 12 and is refused with the other member's name; --group takes both;
# restore returns both to their own drivers.
. ./common.sh
riommu bind 01:00.0
lab_pristine
# status says what to run, and that is --group here
riommu status 01:00.1
riommu bind 01:00.0 --group --json
assert_dev 0000:01:00.0 vfio-pci vfio-pci
assert_dev 0000:01:00.1 vfio-pci vfio-pci
assert_file "$ST/dev/vfio/12"
riommu status 01:00.1 --json
riommu groups 01:00.0
riommu restore 01:00.0 01:00.1
assert_dev 0000:01:00.0 nouveau '(null)'
assert_dev 0000:01:00.1 snd_hda_intel '(null)'
assert_nofile "$ST/dev/vfio/12"
# --id takes every match
riommu bind --id 10de:10f8 --dry-run
