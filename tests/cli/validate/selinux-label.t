# SELinux on: the images directory's label decides whether sVirt lets
# guests open their disks. The label is the real security.selinux xattr of
# the fake tree's directory (root may set it on ext4/tmpfs without SELinux).
# A label that cannot be read is said, never a PASS.
HOST=validate-prep-poor
. ./common.sh
fh -- true || fail "cannot set up $HOST"
printf '1 1\n' >"$ST/sys/fs/selinux/booleans/virt_use_nfs"
IMG=$ST/var/lib/libvirt/images
[ -d "$IMG" ] || fail "no images directory in the fake tree"
label() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], "security.selinux", sys.argv[2].encode() + b"\0")' "$IMG" "$1" ||
	{ echo "cannot set security.selinux on this filesystem"; exit 77; }; }
mac() { validate --json >"$ST.json"; status_of platform.mac_virt; }
finding() { python3 -c 'import json,sys; print([c["finding"] + " | " + str(c["hint"]) for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "platform.mac_virt"][0])' "$ST.json"; }

python3 -c 'import os,sys; os.removexattr(sys.argv[1], "security.selinux")' "$IMG" 2>/dev/null
assert_eq "$(mac)" WARN "no label"
finding | grep -q 'label of /var/lib/libvirt/images cannot be read (No data available)' || fail "unreadable label not said: $(finding)"

label system_u:object_r:default_t:s0
assert_eq "$(mac)" WARN "default_t"
finding | grep -q "labelled system_u:object_r:default_t:s0, not virt_image_t" || fail "wrong label not named: $(finding)"
finding | grep -q "semanage fcontext -a -t virt_image_t '/var/lib/libvirt/images(/.\*)?' && restorecon -R /var/lib/libvirt/images" ||
	fail "no semanage remedy: $(finding)"

label system_u:object_r:nfs_t:s0
assert_eq "$(mac)" PASS "nfs_t with virt_use_nfs on"
finding | grep -q 'virt_use_nfs' || fail "boolean not named: $(finding)"

printf '0 0\n' >"$ST/sys/fs/selinux/booleans/virt_use_nfs"
assert_eq "$(mac)" FAIL "nfs_t with virt_use_nfs off"

printf '1 1\n' >"$ST/sys/fs/selinux/booleans/virt_use_nfs"
label system_u:object_r:virt_image_t:s0
assert_eq "$(mac)" PASS "virt_image_t"
