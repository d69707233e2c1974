# The admin's modprobe.d as modprobe reads it, and nothing of libkmod's on
# stderr (libkmod's kmod_new() parses it with its default logger, before a
# tool can silence it). In /etc/modprobe.d of iommu-hostmods.host:
#  - old.conf/, a directory: modprobe skips it, so does kvmprep, silently;
#  - bad.conf: a bad line and a deprecated command (ignored, as modprobe
#    ignores them, silently), then an alias line that counts: the USB
#    controller's modalias names nvme, so its softdep is nvme's;
#  - pipe.conf, a FIFO: libkmod's open would wait forever; kvmprep leaves
#    it out and says so, once, in its own words;
#  - masked.conf -> /dev/null and dangling.conf -> nowhere: empty, silent;
#  - notes.txt: not a configuration file, silent.
# Then the same as an unprivileged user: a file it cannot read is named.
. ./common.sh
HOST=iommu-hostmods
fresh
fh -- true || fail "cannot set up the host"
D=$ST/etc/modprobe.d
mkdir -p "$D/old.conf"
echo "options xhci_pci quirks=1" >"$D/old.conf/inner.conf"
printf 'frobnicate the modules\ninclude /etc/other\nalias pci:v00001912d00000014sv*sd*bc*sc*i* nvme\n' >"$D/bad.conf"
mkfifo "$D/pipe.conf"
ln -s /dev/null "$D/masked.conf"
ln -s /nonexistent "$D/dangling.conf"
echo "blacklist nvme" >"$D/notes.txt"
timeout 30 "$FAKEHOST" "$HOST" --state "$ST" -- kvmprep-iommu bind --persist 01:00.0 \
	>"$ST.out" 2>"$ST.err"; rc=$?
assert_eq "$rc" 0 "bind --persist: exit"
grep -i "libkmod\|kmod_\|Directories inside\|ignoring bad line" "$ST.err" && fail "libkmod's own lines on stderr"
assert_eq "$(grep -c "modprobe.d" "$ST.err")" 2 "lines naming modprobe.d (the FIFO's and the softdep note)"
assert_eq "$(grep "pipe.conf" "$ST.err" | sed "s|$ST|ST|")" \
	"kvmprep-iommu: warning: ST/etc/modprobe.d/pipe.conf: cannot read: a FIFO, not a file (modprobe would wait on it) (its module settings are left out here)" "the FIFO's line"
assert_eq "$(grep -v '^#' "$ST/etc/modprobe.d/kvmprep-vfio.conf")" "softdep nvme pre: vfio-pci
options vfio-pci ids=1912:0014" "softdep from bad.conf's good alias line"
assert_grep "^0000:01:00.0  1912:0014  vfio-pci .* bound$" "$ST.out"
rm -f "$ST.out" "$ST.err"

# validate as an unprivileged user: a 0600 file it cannot read is named;
# the directory, the bad lines and the masked file say nothing
nobody_setup
rm -f "$D/pipe.conf"
echo "options vfio_pci disable_vga=1" >"$D/secret.conf"
chmod 0600 "$D/secret.conf"
chmod a+rx "$ST"
out=$(timeout 60 "$FAKEHOST" "$HOST" --state "$ST" -- "$NOBODY" kvmprep-validate --for passthrough 2>&1 >/dev/null)
grep -i "libkmod\|Directories inside\|ignoring bad line" <<<"$out" && fail "libkmod's own lines: $out"
assert_eq "$(sed "s|$ST|ST|" <<<"$out")" \
	"kvmprep-validate: warning: ST/etc/modprobe.d/secret.conf: cannot read: Permission denied (its module settings are left out here)" "validate as $NOBODY"
exit 0
