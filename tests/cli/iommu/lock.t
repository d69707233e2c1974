# golden
# The lock cannot freeze root's tools: /run/kvmprep is 0700 and the lock
# 0600, so no other user can open it; a lock an unprivileged process holds
# (on a file an older version left 0644) makes the tool exit 1 after
# --wait, naming that process; a symlinked /run/kvmprep or lock is refused.
. ./common.sh
iommu restore 00:14.0 >/dev/null || fail "restore"
LOCK=$ST/run/kvmprep/lock
assert_eq "$(stat -c %a "$ST/run/kvmprep") $(stat -c %a "$LOCK")" "700 600" "modes"
# an older version's modes; the tree made reachable for nobody
chmod 0755 "$ST" "$ST/run" "$ST/run/kvmprep"
chmod 0644 "$LOCK"
setpriv --reuid=65534 --regid=65534 --clear-groups flock --no-fork -x "$LOCK" sleep 60 &
holder=$!
trap 'kill $holder 2>/dev/null; rm -rf "$ST"' EXIT
for i in $(seq 100); do flock -n "$LOCK" true || break; sleep 0.05; done
fh -- kvmprep-iommu bind 02:00.0 --wait 0.5 >"$ST.out" 2>&1
echo "[exit $?]"
sed "s/pid $holder /pid HOLDER /" "$ST.out"
fh -- kvmprep-iommu bind 02:00.0 --wait 0 --json 2>/dev/null | sed "s/pid $holder /pid HOLDER /"
assert_dev 0000:02:00.0 e1000e '(null)'
# the run tightened both: nobody cannot open the lock any more
assert_eq "$(stat -c %a "$ST/run/kvmprep") $(stat -c %a "$LOCK")" "700 600" "modes after"
kill $holder
wait $holder 2>/dev/null
setpriv --reuid=65534 --regid=65534 --clear-groups flock -n "$LOCK" true 2>/dev/null &&
	fail "nobody opened the lock"
riommu bind 02:00.0 -q
assert_dev 0000:02:00.0 vfio-pci vfio-pci
# a symlinked /run/kvmprep (the lock would be made where it points)
fresh
iommu restore 00:14.0 >/dev/null || fail "restore"
mkdir "$ST/elsewhere"
rm -rf "$ST/run/kvmprep"
ln -s ../elsewhere "$ST/run/kvmprep"
riommu bind 02:00.0
assert_nofile "$ST/elsewhere/lock"
assert_dev 0000:02:00.0 e1000e '(null)'
# a symlinked lock file
rm "$ST/run/kvmprep"
mkdir -m 0700 "$ST/run/kvmprep"
ln -s ../../elsewhere/lock "$ST/run/kvmprep/lock"
riommu bind 02:00.0
assert_nofile "$ST/elsewhere/lock"
riommu recover
assert_dev 0000:02:00.0 e1000e '(null)'
# --wait takes seconds
riommu bind 02:00.0 --wait soon
riommu bind 02:00.0 --wait -1
riommu list --wait 1
