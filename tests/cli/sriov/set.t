# golden
# set: a count is reached through 0 (the kernel's EBUSY rule), reruns are
# unchanged, --driver vfio-pci puts the VFs straight on vfio-pci (no host
# driver ever binds: autoprobe 0 during creation, restored after), and
# --no-probe leaves them without a driver.
. ./common.sh
rsriov set 02:00.0 3 --timeout 5000
effects
vf_drivers 0000:02:00.0
clear_log
rsriov set enp2s0f0 3                       # by interface: unchanged
assert_untouched
rsriov set 02:00.0 2 --json
effects
clear_log
rsriov set 02:00.0 2 --dry-run --driver vfio-pci
rsriov set 02:00.0 4 --dry-run
assert_untouched
rsriov set 02:00.0 4 --driver vfio-pci
effects
assert_eq "$(autoprobe 0000:02:00.0)" 1 "autoprobe restored"
vf_drivers 0000:02:00.0
for g in 142 143 144 145; do assert_file "$ST/dev/vfio/$g"; done
clear_log
rsriov set 02:00.0 4 --driver vfio-pci      # unchanged
assert_untouched
rsriov list -v 02:00.0
rsriov set 02:00.0 0
effects
for g in 142 143 144 145; do assert_nofile "$ST/dev/vfio/$g"; done
clear_log
rsriov set 05:00.0 2 --no-probe
effects
vf_drivers 0000:05:00.0
assert_eq "$(autoprobe 0000:05:00.0)" 1 "autoprobe restored"
rsriov set 05:00.0 0 --quiet
