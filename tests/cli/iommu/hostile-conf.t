# golden
# A hostile /etc/kvmprep/vfio.conf (issue 7, item 4): a driver field that
# would break out of the udev rule's quotes, a NUL byte, a FIFO, a device
# node, a symlink, a duplicate entry, an oversized or group-writable file.
# Each: exit 2, one line on stderr naming FILE[:LINE], nothing on stdout,
# nothing written (the file byte for byte, no udev rule), no device moved,
# and no command hangs on it (timeout 20).
. ./common.sh
CONF=$ST/etc/kvmprep/vfio.conf
RULE=$ST/etc/udev/rules.d/60-kvmprep-vfio.rules
fh -- true || fail "cannot set up the host"
mkdir -p "$ST/etc/kvmprep"
OUT=$(mktemp -d)
trap 'rm -rf "$ST" "$OUT"' EXIT

# run CMD…: must exit 2 with one line on stderr, nothing on stdout, in time
refused() {
	local rc
	timeout 20 "$FAKEHOST" "$HOST" --state "$ST" -- kvmprep-iommu "$@" >"$OUT/out" 2>"$OUT/err"
	rc=$?
	cat "$OUT/err"
	[ "$rc" -eq 2 ] || fail "exit $rc, wanted 2: $*"
	[ "$(wc -l <"$OUT/err")" -eq 1 ] || fail "not one line on stderr: $*"
	[ ! -s "$OUT/out" ] || fail "stdout not empty: $*: $(cat "$OUT/out")"
}
# the three commands that read the file back, each refused; the file and
# the host unchanged afterwards
all_refused() {
	local sum
	sum=$(stat -c '%F %s %a' "$CONF"; [ -f "$CONF" ] && [ ! -L "$CONF" ] && md5sum <"$CONF")
	refused apply-persisted
	refused bind --persist 02:00.0
	refused unpersist 0000:01:00.0
	refused unpersist --dry-run 0000:01:00.0
	assert_eq "$(stat -c '%F %s %a' "$CONF"; [ -f "$CONF" ] && [ ! -L "$CONF" ] && md5sum <"$CONF")" \
		"$sum" "vfio.conf was changed"
	assert_nofile "$RULE"
	lab_pristine
}
reset_conf() { rm -rf "$CONF"; }

# a driver with quotes: would run /x as root at every boot if copied
printf '0000:01:00.0 10de:1eb8 vfio-pci",RUN+="/x\n' >"$CONF"
all_refused
# the same hidden after a good entry: the whole file is refused
printf '0000:01:00.1 10de:10f8 vfio-pci\n0000:01:00.0 10de:1eb8 vfio$pci\n' >"$CONF"
all_refused
# a NUL byte: later entries would be lost (and unpersist would rewrite the
# file without them)
printf '0000:01:00.1 10de:10f8 vfio-pci\n\0000:01:00.0 10de:1eb8 vfio-pci\n0000:02:00.0 8086:10d3 vfio-pci\n' >"$CONF"
all_refused
# an escape sequence in a comment: refused (it would reach a terminal)
printf '# \033]0;owned\007\n0000:01:00.1 10de:10f8 vfio-pci\n' >"$CONF"
all_refused
# invalid fields, each the way the option would refuse it
printf '01:00.8 10de:1eb8 vfio-pci\n' >"$CONF"; all_refused
printf '01:00.0 10de:1eb8x vfio-pci\n' >"$CONF"; all_refused
printf '01:00.0 10de:1eb8 %s\n' "$(printf 'd%.0s' $(seq 40))" >"$CONF"; all_refused
printf '01:00.0 10de:1eb8\n' >"$CONF"; all_refused
# a duplicate entry (either spelling of the address)
printf '0000:01:00.0 10de:1eb8 vfio-pci\n01:00.0 10de:1eb8 pci-stub\n' >"$CONF"
all_refused
# a FIFO: must not hang (nobody writes to it)
reset_conf; mkfifo "$CONF"; all_refused
# a character device (a /dev/zero of its own): must not eat memory
reset_conf; mknod "$CONF" c 1 5; all_refused
# a symlink to /dev/zero, and to a good file elsewhere: not followed
reset_conf; ln -s /dev/zero "$CONF"; all_refused
printf '0000:01:00.1 10de:10f8 vfio-pci\n' >"$ST/etc/elsewhere.conf"
reset_conf; ln -s ../elsewhere.conf "$CONF"; all_refused
# a directory
reset_conf; mkdir "$CONF"; all_refused
# bigger than the cap (256 KiB of comments)
reset_conf; yes '# padding padding padding padding padding padding' | head -c 300000 >"$CONF"; all_refused
# writable by others than root
reset_conf; printf '0000:01:00.1 10de:10f8 vfio-pci\n' >"$CONF"; chmod 0666 "$CONF"; all_refused
chmod 0664 "$CONF"; all_refused
chmod 0644 "$CONF"; chown 65534 "$CONF"; all_refused
chown 0 "$CONF"

# under --json: the same refusal as one document on stdout
printf '0000:01:00.0 10de:1eb8 vfio-pci",RUN+="/x\n' >"$CONF"
iommu apply-persisted --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is False and d["exit"] == 2, d
print(d["error"])'
assert_nofile "$RULE"

# the good file after all that still works: the rule carries only checked
# values
printf '0000:01:00.1 10de:10f8 vfio-pci\n' >"$CONF"
iommu unpersist 0000:01:00.0
echo "[exit $?]"
assert_eq "$(cat "$CONF")" "0000:01:00.1 10de:10f8 vfio-pci" "unpersist of an absent entry rewrote the file"
