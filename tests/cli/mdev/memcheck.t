# kvmprep-mdev under valgrind's memcheck on the fake host: no invalid
# access, no uninitialised memory, no leak, on every command family and on
# a create that is rolled back.
. ./common.sh
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps)"
vg() { # WANTED_EXIT [--fault SPEC] -- ARGS…
	local want=$1 rc
	shift
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	fh "${pre[@]}" -- valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 kvmprep-mdev "$@" >/dev/null 2>"$ST.err"
	rc=$?
	[ "$rc" -eq "$want" ] || { cat "$ST.err" >&2; fail "exit $rc (wanted $want): $*"; }
}
vg 0 -- types
vg 0 -- types --json
vg 0 -- create -p matrix -t vfio_ap-passthrough -u "$U3" -a assign_adapter=5 -a assign_domain=4
vg 0 -- create -p 01:00.0 -t nvidia-222 --count 2 --json
vg 0 -- list
vg 0 -- list --json
vg 0 -- define "$U3"
vg 0 -- modify "$U3" --auto --attr assign_control_domain=4 --index 0
vg 0 -- list --defined
vg 0 -- remove "$U3"
vg 0 -- start "$U3"
vg 0 -- stop "$U3"
vg 0 -- undefine "$U3"
vg 0 -- create -p 3d:00.4 -t 1155
vg 0 -- define -p 3d:00.4 -t 1155
vg 0 -- remove 3d:00.4
vg 0 -- apply
vg 1 --fault "/sys/devices/vfio_ap/matrix/*/assign_domain=EINVAL" -- \
	create -p matrix -t vfio_ap-passthrough -u "$U1" -a assign_adapter=5 -a assign_domain=4
vg 1 -- create -p mtty -t mtty-1
vg 2 -- create -p 01:00.0 -t nvidia-222 -u bad
rm -f "$ST.err"
