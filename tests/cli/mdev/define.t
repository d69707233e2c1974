# Definitions in mdevctl's place and format: what kvmprep-mdev writes is
# byte for byte what mdevctl writes for the same device, mdevctl lists and
# starts it; what mdevctl writes kvmprep-mdev lists and starts. modify,
# undefine, idempotent reruns, a corrupt file (one line naming it, the
# others still listed, exit 2), scripts.d, no /etc/mdevctl.d at all.
. ./common.sh
D=$ST/etc/mdevctl.d
V4=33333333-4444-4555-8666-777777777777
out=$(mdev define -p matrix -t vfio_ap-passthrough -u "$U3" -a assign_adapter=5 \
	-a assign_domain=0xab -a assign_control_domain=0xab) || fail "define: $out"
assert_eq "$out" "defined $U3 on matrix (vfio_ap-passthrough, manual): /etc/mdevctl.d/matrix/$U3" "define"
assert_file "$D/matrix/$U3"
assert_eq "$(mdev define -p matrix -t vfio_ap-passthrough -u "$U3" -a assign_adapter=5 \
	-a assign_domain=0xab -a assign_control_domain=0xab)" "$U3 on matrix: unchanged" "define again"
expect_rc 1 mdev define -p matrix -t vfio_ap-passthrough -u "$U3"
mdev define -p 01:00.0 -t nvidia-222 -u "$U1" --auto >/dev/null || fail "define --auto"
# the file is mdevctl's JSON (two-space indent, no final newline)
printf '{\n  "mdev_type": "nvidia-222",\n  "start": "auto",\n  "attrs": []\n}' >"$ST/want"
cmp "$D/0000:01:00.0/$U1" "$ST/want" || fail "file format: $(cat "$D/0000:01:00.0/$U1")"
out=$(mdev list --defined) || fail "list --defined"
echo "$out" | grep -Eq "^$U3 +matrix +vfio_ap-passthrough +manual +no .*assign_adapter=5,assign_domain=0xab,assign_control_domain=0xab$" ||
	fail "list --defined: $out"
# start, stop
out=$(mdev start "$U3") || fail "start: $out"
assert_eq "$(cat "$AP/$U3/assign_control_domain")" 0xab "start writes the attributes"
assert_eq "$(mdev start "$U3")" "$U3 /sys/bus/mdev/devices/$U3 unchanged" "start again"
mdev list | grep -Eq "^$U3 +matrix +vfio_ap-passthrough +manual +yes +yes " || fail "list: $(mdev list)"
mdev stop "$U3" >/dev/null || fail "stop"
assert_nofile "$AP/$U3"
# modify
mdev modify "$U3" --auto >/dev/null || fail "modify --auto"
mdev modify "$U3" --attr assign_domain=4 --index 1 >/dev/null || fail "modify --attr --index"
mdev modify "$U3" --delattr >/dev/null || fail "modify --delattr"
assert_eq "$(mdev modify "$U3" --auto)" "$U3 on matrix: unchanged" "modify again"
python3 - "$D/matrix/$U3" <<'PY' || fail "modified file: $(cat "$D/matrix/$U3")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"mdev_type": "vfio_ap-passthrough", "start": "auto",
             "attrs": [{"assign_adapter": "5"}, {"assign_domain": "4"}, {"assign_domain": "0xab"}]}, d
PY
# a corrupt definition: one line naming it, the others still listed, exit 2
mkdir -p "$D/0000:00:02.0"
printf '{"mdev_type": "i915-GVTg_V5_4", "start": ' >"$D/0000:00:02.0/$U2"
out=$(mdev list --defined 2>"$ST/err"); rc=$?
assert_eq "$rc" 2 "list with a corrupt definition"
assert_eq "$(cat "$ST/err")" "kvmprep-mdev: /etc/mdevctl.d/0000:00:02.0/$U2: cannot read definition: not JSON: unexpected end of data" "corrupt file message"
echo "$out" | grep -q "^$U1 " || fail "the good ones are still listed: $out"
echo "$out" | grep -q "^$U3 " || fail "the good ones are still listed: $out"
printf '{"mdev_type": "x", "start": "sometimes"}' >"$D/0000:00:02.0/$U2"
mdev list --defined 2>&1 >/dev/null | grep -q "start is 'sometimes', not auto or manual" || fail "bad start"
printf '{"mdev_type": "x", "start": "auto", "attrs": [{"a": "1", "b": "2"}]}' >"$D/0000:00:02.0/$U2"
mdev list --defined 2>&1 >/dev/null | grep -q "attrs\[0\] is not an object with one key" || fail "bad attrs"
rm -r "$D/0000:00:02.0"
# scripts.d is not a parent; files that are not UUIDs are skipped as mdevctl does
mkdir -p "$D/scripts.d/$U2" && touch "$D/matrix/README"
assert_eq "$(mdev list --defined --json | python3 -c 'import json,sys; print(sorted(d["uuid"] for d in json.load(sys.stdin)["devices"]))')" \
	"['$U3', '$U1']" "scripts.d and non-UUID files skipped"
# undefine, and again
assert_eq "$(mdev undefine "$U1")" "undefined $U1 on 0000:01:00.0 (nvidia-222, auto): /etc/mdevctl.d/0000:01:00.0/$U1" "undefine"
assert_nofile "$D/0000:01:00.0"
assert_eq "$(mdev undefine "$U1")" "$U1: not defined, unchanged" "undefine again"
# define UUID of an active device takes its parent and type
mdev create -p 00:02.0 -t i915-GVTg_V5_8 -u "$V4" >/dev/null || fail "create"
mdev define "$V4" >/dev/null || fail "define an active device"
assert_grep '"mdev_type": "i915-GVTg_V5_8"' "$D/0000:00:02.0/$V4"
# no /etc/mdevctl.d at all is no error
rm -rf "$D"
assert_eq "$(mdev list --defined)" "no mediated devices defined" "no /etc/mdevctl.d"
mdev define -p 01:00.0 -t nvidia-223 -u "$U2" >/dev/null || fail "define creates /etc/mdevctl.d"
assert_file "$D/0000:01:00.0/$U2"
