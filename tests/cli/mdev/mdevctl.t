# The real mdevctl of the distribution on the same fake host: it lists and
# starts what kvmprep-mdev defined, kvmprep-mdev lists and starts what
# mdevctl defined, and both write the same bytes for the same definition.
. ./common.sh
have_mdevctl || fail "mdevctl is not installed (scripts/deps installs it)"
D=$ST/etc/mdevctl.d
V4=33333333-4444-4555-8666-777777777777
V5=44444444-5555-4666-8777-888888888888
mdev define -p matrix -t vfio_ap-passthrough -u "$U3" -a assign_adapter=5 -a assign_domain=0xab --auto >/dev/null || fail "define"
out=$(mdevctl_fh list -d) || fail "mdevctl list -d: $out"
assert_eq "$out" "$U3 matrix vfio_ap-passthrough auto" "mdevctl list -d"
# mdevctl writes the same definition with the same bytes
mdevctl_fh define -u "$V4" -p matrix -t vfio_ap-passthrough --auto || fail "mdevctl define"
mdevctl_fh modify -u "$V4" --addattr assign_adapter --value 5 || fail "mdevctl modify"
mdevctl_fh modify -u "$V4" --addattr assign_domain --value 0xab || fail "mdevctl modify"
cmp "$D/matrix/$U3" "$D/matrix/$V4" || fail "bytes differ: $(cat "$D/matrix/$U3") vs $(cat "$D/matrix/$V4")"
mdev define -p 01:00.0 -t nvidia-222 -u "$U1" >/dev/null || fail "define without attrs"
mdevctl_fh define -u "$V5" -p 0000:01:00.0 -t nvidia-222 || fail "mdevctl define"
cmp "$D/0000:01:00.0/$U1" "$D/0000:01:00.0/$V5" || fail "bytes differ without attrs"
# mdevctl starts what kvmprep-mdev defined
mdevctl_fh start -u "$U3" || fail "mdevctl start"
assert_eq "$(cat "$AP/$U3/assign_domain")" 0xab "mdevctl wrote the attributes"
mdev list | grep -Eq "^$U3 +matrix +vfio_ap-passthrough +auto +yes +yes " || fail "kvmprep list: $(mdev list)"
mdevctl_fh stop -u "$U3" || fail "mdevctl stop"
# kvmprep-mdev starts what mdevctl defined
mdev start "$V4" >/dev/null || fail "kvmprep start"
assert_eq "$(cat "$AP/$V4/assign_adapter")" 5 "kvmprep wrote the attributes"
assert_eq "$(mdevctl_fh list)" "$V4 matrix vfio_ap-passthrough auto (defined)" "mdevctl list"
# what kvmprep-mdev modified, mdevctl reads
mdev modify "$U1" --auto --attr foo=bar >/dev/null || fail "modify"
mdevctl_fh list -d -v -p 0000:01:00.0 -u "$U1" >"$ST/v" || fail "mdevctl list -v"
assert_grep '@{0}: {"foo":"bar"}' "$ST/v"
assert_grep "$U1 0000:01:00.0 nvidia-222 auto" "$ST/v"
