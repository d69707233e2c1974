# kvmprep-bridge under valgrind's memcheck, in namespaces of this case: no
# invalid access, no use of uninitialised memory, no leak, on the paths of
# each command (a refusal, a rerun, the uplink move and its undo).
. ./uplink-common.sh
macvtap_lock
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps)"
vg() { # WANTED_EXIT ARGS…
	local want=$1 rc
	shift
	in_ns valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$BR" "$@" >/dev/null 2>"$ROOT/vg"
	rc=$?
	[ "$rc" -eq "$want" ] || { cat "$ROOT/vg" >&2; fail "exit $rc (wanted $want): $*"; }
}
scene
nic v1
vg 0 bridge add br1 --stp on
vg 0 --json bridge add br1
vg 0 tap add tap0 --bridge br1 --vnet-hdr
vg 0 macvtap add mv0 --link v1
vg 0 --json list
vg 1 bridge port add br1 v0
vg 2 bridge add 'a/b'
vg 0 bridge add br0 --uplink v0 --no-confirm
vg 0 bridge add br0 --uplink v0 --no-confirm
vg 0 del br0 --force
vg 0 -n bridge add br0 --uplink v0
vg 0 del mv0
vg 0 del tap0
vg 0 bridge del br1
