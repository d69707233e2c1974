# golden
# A single-function NIC by interface name: bound, ready, rerun unchanged,
# unbound back to e1000e with driver_override cleared, rerun unchanged.
. ./common.sh
riommu bind enp2s0
assert_dev 0000:02:00.0 vfio-pci vfio-pci
assert_file "$ST/dev/vfio/13"
[ ! -e "$(devdir 0000:02:00.0)/net/enp2s0" ] || fail "enp2s0 still there"
effects
riommu status 0000:02:00.0
# rerun: unchanged, nothing written
before=$(effects | wc -l)
riommu bind 02:00.0 --json
assert_eq "$(effects | wc -l)" "$before" "rerun wrote to the host"
riommu unbind 02:00.0
assert_dev 0000:02:00.0 e1000e '(null)'
assert_nofile "$ST/dev/vfio/13"
riommu status 02:00.0
riommu restore 02:00.0 --json
assert_dev 0000:02:00.0 e1000e '(null)'
