# run: network namespace with the host's links, independent copies, --state,
# faults file, exit status, environment, cache rebuild, non-root refusal.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# a host with a NIC the machine surely does not have
IF=fhtst$$
IF=${IF:0:15}
cat >"$W/net.host" <<EOH
name "run test"
pci 0000:00:03.0 8086:10d3 class=020000 net=$IF
net $IF addr=198.51.100.7/24,2001:db8:5::7/64 route=default,203.0.113.0/24
net fhbr$$ addr=10.9.8.7/16
EOH

# --- links exist inside, with addresses and routes, and not outside ------
out=$("$FAKEHOST" "$W/net.host" -- ip -o addr show dev "$IF") || fail "ip addr inside run"
echo "$out" | grep -q "inet 198.51.100.7/24" || fail "no IPv4 address inside: $out"
echo "$out" | grep -q "inet6 2001:db8:5::7/64" || fail "no IPv6 address inside: $out"
out=$("$FAKEHOST" "$W/net.host" -- ip route)
echo "$out" | grep -q "^default dev $IF" || fail "no default route: $out"
echo "$out" | grep -q "^203.0.113.0/24 dev $IF" || fail "no CIDR route: $out"
out=$("$FAKEHOST" "$W/net.host" -- ip -o link show "$IF")
echo "$out" | grep -q "state UNKNOWN\|state UP" || fail "link not up: $out"
echo "$out" | grep -q "link/ether 52:54:00:03:00:00" || fail "MAC differs from sysfs: $out"
mac=$("$FAKEHOST" "$W/net.host" -- cat /sys/class/net/$IF/address)
assert_eq "$mac" "52:54:00:03:00:00" "sysfs MAC"
"$FAKEHOST" "$W/net.host" -- ip -o addr show dev "fhbr$$" | grep -q "10.9.8.7/16" || fail "second link"
ip -o link show "$IF" >/dev/null 2>&1 && fail "$IF exists outside run"
ip -o link show "fhbr$$" >/dev/null 2>&1 && fail "fhbr$$ exists outside run"
# without net lines: a fresh namespace with lo only
out=$("$FAKEHOST" example -- ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')
assert_eq "$out" "lo eno1 " "example's links"

# --- environment ----------------------------------------------------------
out=$("$FAKEHOST" example -- sh -c 'echo "$UMOCKDEV_DIR|$KVMPREP_ROOT|$FAKEHOST_TREE|$LD_PRELOAD"')
IFS='|' read -r u k f p <<<"$out"
[ -n "$u" ] && [ "$u" = "$k" ] && [ "$u" = "$f" ] || fail "tree variables differ: $out"
case "$p" in *libumockdev-preload.so.0) ;; *) fail "LD_PRELOAD: $p" ;; esac
if [ -e "$BUILD/fakehost/libkpfakehost.so" ]; then
	assert_eq "${p%%:*}" "$BUILD/fakehost/libkpfakehost.so" "model first in LD_PRELOAD"
fi
assert_nofile "$u"   # the temporary tree is gone afterwards

# --- exit status -----------------------------------------------------------
"$FAKEHOST" example -- sh -c 'exit 7'
assert_eq "$?" 7 "command's exit status"
"$FAKEHOST" example 2>/dev/null
assert_eq "$?" 2 "no command"
"$FAKEHOST" no-such-host-xyz -- true 2>/dev/null
assert_eq "$?" 2 "unknown host"

# --- each run works on its own copy ----------------------------------------
"$FAKEHOST" example -- sh -c 'echo vfio-pci > "$FAKEHOST_TREE/sys/bus/pci/devices/0000:03:00.0/driver_override"'
out=$("$FAKEHOST" example -- cat /sys/bus/pci/devices/0000:03:00.0/driver_override)
assert_eq "$out" "(null)" "a write leaked into the next run"
assert_eq "$(cat "$("$FAKEHOST" --print-tree example)/sys/bus/pci/devices/0000:03:00.0/driver_override")" "(null)" "cache changed"

# --- --state keeps the tree between runs; faults are per run ----------------
"$FAKEHOST" example --state "$W/st" -- sh -c 'echo marker > "$FAKEHOST_TREE/run/marker"'
assert_eq "$(cat "$W/st/run/marker")" marker "state kept"
out=$("$FAKEHOST" example --state "$W/st" --fault '/sys/bus/pci/drivers/*/bind@2=EBUSY' --fault refuse-bind=0000:03:00.0 -- sh -c 'cat "$KVMPREP_ROOT/run/marker"')
assert_eq "$out" marker "state reused"
assert_eq "$(cat "$W/st/fakehost/faults")" "/sys/bus/pci/drivers/*/bind@2=EBUSY
refuse-bind=0000:03:00.0" "faults file"
echo "1 5" >"$W/st/fakehost/faultcount"
"$FAKEHOST" example --state "$W/st" -- true
assert_eq "$(cat "$W/st/fakehost/faults")" "" "faults not cleared by the next run"
assert_nofile "$W/st/fakehost/faultcount"
mkdir "$W/notatree"
"$FAKEHOST" example --state "$W/notatree" -- true 2>/dev/null
assert_eq "$?" 2 "--state on a foreign directory"

# --- the cache is rebuilt when the description changes ------------------------
cp "$TOP/tests/hosts/example.host" "$W/mine.host"
t1=$("$FAKEHOST" --print-tree "$W/mine.host")
assert_eq "$(grep -c ^processor "$t1/proc/cpuinfo")" 8 "first build"
sleep 1
sed -i 's/count=8/count=3/' "$W/mine.host"
t2=$("$FAKEHOST" --print-tree "$W/mine.host")
assert_eq "$t1" "$t2" "cache path"
assert_eq "$(grep -c ^processor "$t2/proc/cpuinfo")" 3 "rebuilt after a change"
# two builds of the same host at once leave one good tree
touch "$W/mine.host"
"$FAKEHOST" --build-only "$W/mine.host" & "$FAKEHOST" --build-only "$W/mine.host" & wait
"$FAKEHOST" "$W/mine.host" -- test -e /sys/bus/pci/devices/0000:03:00.1/config || fail "tree broken after concurrent builds"
ls -d "$t2".* 2>/dev/null && fail "temporary build directories left"
rm -rf "$t2" "$(dirname "$t2")/.$(basename "$t2").lock"

# --- not root: explain, exit 3 -------------------------------------------------
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	nobody_setup
	out=$("$NOBODY" "$NOBODY_DIR/fakehost-run" example -- true 2>&1)
	rc=$?
	assert_eq "$rc" 3 "non-root exit ($out)"
	case "$out" in *root*) ;; *) fail "no explanation: $out" ;; esac
fi
echo "run ok"
