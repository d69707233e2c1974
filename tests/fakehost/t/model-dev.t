# Kernel model: a /dev path the fake host lacks is ENOENT (umockdev alone
# would show the machine's), the fake nodes are character devices, the
# basic ones stay the machine's; statvfs/statfs of a disk path answer the
# description's numbers.
. "$TOP/tests/lib.sh"
on() { "$FAKEHOST" model-basic -- "$@"; }

[ -e /dev/kvm ] || [ -e /dev/mem ] || [ -e /dev/console ] || fail "this machine has none of the probes"
out=$(on sh -c 'for d in /dev/mem /dev/console /dev/vhost-net /dev/nosuch; do test -e $d && echo "$d present"; done; cat /dev/mem 2>&1 | head -1')
assert_eq "$out" "cat: /dev/mem: No such file or directory" "missing nodes"
assert_eq "$(on stat -c '%F %t:%T' /dev/kvm)" "character special file a:e8" "the fake /dev/kvm"
assert_eq "$(on sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c')" 4 "/dev/null and /dev/zero"
# 500G total, 200G free in 4096-byte blocks; plain and root-prefixed paths
assert_eq "$(on stat -f -c '%S %b %f %a' /var/lib/libvirt/images)" "4096 131072000 52428800 52428800" "statfs"
assert_eq "$(on sh -c 'stat -f -c "%b %f" "$KVMPREP_ROOT/var/lib/libvirt/images/sub"')" "131072000 52428800" "statfs below the disk path"
assert_eq "$(on sh -c 'df -B1 --output=size,avail "$KVMPREP_ROOT/var/lib/libvirt/images"' 2>&1 | tail -1 | tr -s ' ')" "536870912000 214748364800" "df (statvfs)"
