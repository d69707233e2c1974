# golden
# A GPU without a driver whose memory a firmware framebuffer holds
# (iommu-reset.host, issue 9). The kernel's sysfb (drivers/firmware/sysfb.c)
# registers the framebuffer's platform device with the PCI device whose BAR
# holds the screen as its parent: "simple-framebuffer.0" (bound by
# simpledrm, drivers/gpu/drm/tiny/simpledrm.c, when CONFIG_SYSFB_SIMPLEFB)
# or "vesa-framebuffer.0" (vesafb, drivers/video/fbdev/vesafb.c), as
# "efi-framebuffer.0" for efifb (inuse-stacked). Binding would leave a dead
# console and "BAR can't reserve": list, status and bind say so, with the
# hint for each, and bind refuses without --force; nothing changes.
HOST=iommu-reset
. ./common.sh
iommu list --json | grep -E '"(device|in_use_by)"' | paste - - | tr -s ' \t' ' ' | grep -E '0000:0[45]'
riommu status 04:00.0 | grep -E "ready|host_use|exit"
riommu status 05:00.0 | grep -E "ready|host_use|exit"
riommu bind 04:00.0
riommu bind 05:00.0
assert_dev 0000:04:00.0 none '(null)'
assert_dev 0000:05:00.0 none '(null)'
[ -z "$(effects)" ] || fail "the host was changed: $(effects | tr '\n' ';')"
# the framebuffer's platform device is below the function, its driver bound
[ -L "$(devdir 0000:04:00.0)/simple-framebuffer.0/driver" ] || fail "no driver link: $(devdir 0000:04:00.0)/simple-framebuffer.0/driver"
[ -L "$(devdir 0000:05:00.0)/vesa-framebuffer.0/driver" ] || fail "no driver link: $(devdir 0000:05:00.0)/vesa-framebuffer.0/driver"
# with no driver on the framebuffer device, nothing holds the memory
rm "$(devdir 0000:05:00.0)/vesa-framebuffer.0/driver"
riommu status 05:00.0 | grep -E "host_use|exit"
# --force takes it, with the warning
riommu bind --force 04:00.0 -q
assert_dev 0000:04:00.0 vfio-pci vfio-pci
