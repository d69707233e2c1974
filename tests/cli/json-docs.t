# Under --json every command of every tool prints exactly one document, valid UTF-8, on
# every path: success, usage errors, hosts that cannot, refused changes,
# bad files, and arguments that are not UTF-8 or carry newlines and escape
# sequences (issue 7, item 5). The commands are taken from each tool's
# --help, so a command added later is walked too. For a failed command the
# document says ok: false with the exit status, and its "error" is the
# line on stderr (both escaped the same way); stderr itself stays one line
# per message, without raw control characters.
. "$TOP/tests/lib.sh"
ST=$(mktemp -d "${TMPDIR:-/tmp}/kp-jsondocs.XXXXXX")
trap 'rm -rf "$ST"' EXIT
nobody_setup
n=0

# doc TOOL HOST [--nobody] ARGS…: queue TOOL --json ARGS… for HOST (run
# later, all cases of a host in one fake-host run: see run_host)
doc() {
	local tool=$1 host=$2 pre=()
	shift 2
	if [ "${1:-}" = --nobody ]; then
		pre=("$NOBODY")
		shift
	fi
	printf '%q ' "${pre[@]}" "$tool" --json "$@" >>"$ST/$host.cases"
	echo >>"$ST/$host.cases"
	n=$((n + 1))
}
# run_host HOST: run its queued cases inside it (one after the other, on
# one kept tree), then check each one's document
run_host() {
	local host=$1
	mkdir -p "$ST/$host.res"
	cat >"$ST/runner" <<'SH'
i=0
while IFS= read -r line; do
	i=$((i + 1))
	eval "args=($line)"
	"${args[@]}" >"$2/$i.out" 2>"$2/$i.err"
	echo $? >"$2/$i.rc"
	printf '%s\n' "$line" >"$2/$i.cmd"
done <"$1"
SH
	"$FAKEHOST" "$host" --state "$ST/$host" -- bash "$ST/runner" "$ST/$host.cases" "$ST/$host.res" ||
		fail "$host: the cases did not run"
	python3 - "$ST/$host.res" <<'PY' || fail "$host: a document is wrong"
import glob, json, os, sys
bad = 0
res = sys.argv[1]
cases = sorted(glob.glob(os.path.join(res, "*.rc")), key=lambda p: int(os.path.basename(p)[:-3]))
assert cases, "no case ran"
for rcf in cases:
    base = rcf[:-3]
    out = open(base + ".out", "rb").read()
    err = open(base + ".err", "rb").read()
    rc = int(open(rcf).read())
    cmd = open(base + ".cmd", "rb").read().decode("utf-8", "replace").strip()
    tool = [w for w in cmd.split() if w.startswith("kvmprep-")][0]
    def check():
        try:
            text = out.decode("utf-8")          # strict: every byte valid UTF-8
        except UnicodeDecodeError as e:
            return "stdout is not UTF-8: %s" % e
        try:
            d = json.loads(text)                # one document, nothing after it
        except ValueError as e:
            return "stdout is not one JSON document: %s" % e
        if not isinstance(d, dict) or d.get("schema") != 1 or d.get("tool") != tool:
            return "no schema 1 / tool header"
        if rc not in (0, 1, 2, 3):
            return "undocumented exit status"
        try:
            etext = err.decode("utf-8")
        except UnicodeDecodeError as e:
            return "stderr is not UTF-8: %s" % e
        if any(ord(c) < 0x20 and c != "\n" for c in etext) or "\x7f" in etext:
            return "raw control character on stderr"
        if "exit" in d and d["exit"] != rc:
            return "document says exit %r" % d["exit"]
        if rc != 0 and "ok" in d and d["ok"] is not False:
            return "failed, but ok is not false"
        if "error" in d:
            if not isinstance(d["error"], str) or not d["error"]:
                return "error is not a message"
            if not any(d["error"] in line for line in etext.splitlines()):
                return "error %r is not the stderr line" % d["error"]
        if rc == 2 and "error" not in d:
            return "usage error without an error message"
        return None
    msg = check()
    if msg:
        bad += 1
        print("FAIL %s: exit %d: %s\n  stdout: %r\n  stderr: %r" % (cmd, rc, msg, out[:300], err[:300]))
print("%d cases, %d bad" % (len(cases), bad))
sys.exit(1 if bad else 0)
PY
}

BAD=$'\xff\xfe'          # not UTF-8
NL=$'dev\nice'            # a newline
ESC=$'\033[31mred\033]0;title\007'  # escape sequences
MIX=$'\xc3\x28\x80 \xe2\x82'        # broken sequences

# --- kvmprep-iommu --------------------------------------------------------
I=iommu-lab
cmds=$("$BUILD/bin/kvmprep-iommu" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort -u)
[ -n "$cmds" ] || fail "no commands in kvmprep-iommu --help"
for c in $cmds; do
	doc kvmprep-iommu $I "$c" --frobnicate
	doc kvmprep-iommu $I "$c" "--$BAD"
	doc kvmprep-iommu $I "$c" "$BAD"
	doc kvmprep-iommu $I "$c" "$NL" "$ESC"
	doc kvmprep-iommu $I "$c" "$MIX"
	doc kvmprep-iommu $I "$c" 0000:09:00.0
	doc kvmprep-iommu $I "$c" --id "$BAD"
	doc kvmprep-iommu $I "$c" --id dead:beef
	doc kvmprep-iommu $I "$c" --dry-run "$BAD"
	doc kvmprep-iommu $I "$c" --class "$ESC"
	doc kvmprep-iommu $I "$c" --driver "$BAD" 02:00.0
	doc kvmprep-iommu $I "$c" --timeout "$NL" 02:00.0
	doc kvmprep-iommu $I "$c" -q
	doc kvmprep-iommu $I --nobody "$c" 02:00.0
done
doc kvmprep-iommu $I
doc kvmprep-iommu $I "$BAD"
doc kvmprep-iommu $I --help
doc kvmprep-iommu $I --version
doc kvmprep-iommu $I list
doc kvmprep-iommu $I groups --why
doc kvmprep-iommu $I status 02:00.0
doc kvmprep-iommu $I status 02:00.0 03:00.0
doc kvmprep-iommu $I bind
doc kvmprep-iommu $I bind 01:00
doc kvmprep-iommu $I bind --driver nosuchdrv 02:00.0
doc kvmprep-iommu $I bind 00:1c.4
doc kvmprep-iommu $I bind 00:19.0
doc kvmprep-iommu $I bind --dry-run --group 01:00.0
doc kvmprep-iommu $I unbind --dry-run 02:00.0
run_host $I
# a hostile vfio.conf, read by three commands
for conf in 'h1' 'h2' 'h3'; do
	rm -rf "$ST/$I/etc/kvmprep"
	mkdir -p "$ST/$I/etc/kvmprep"
	case $conf in
	h1) printf '0000:01:00.0 10de:1eb8 vfio-pci",RUN+="/x\n' >"$ST/$I/etc/kvmprep/vfio.conf" ;;
	h2) printf '0000:01:00.0 10de:1eb8 vfio-pci\n\0\n' >"$ST/$I/etc/kvmprep/vfio.conf" ;;
	h3) mkfifo "$ST/$I/etc/kvmprep/vfio.conf" ;;
	esac
	: >"$ST/$I.cases"
	rm -rf "$ST/$I.res"
	doc kvmprep-iommu $I apply-persisted
	doc kvmprep-iommu $I unpersist 01:00.0
	doc kvmprep-iommu $I bind --persist 02:00.0
	timeout 60 bash -c "$(declare -f run_host fail); FAKEHOST=$FAKEHOST ST=$ST run_host $I" ||
		fail "hostile vfio.conf $conf"
done
# a host without an IOMMU
for c in groups list "status 02:00.0" "bind 02:00.0" "bind --dry-run 02:00.0"; do
	# shellcheck disable=SC2086
	doc kvmprep-iommu iommu-noiommu $c
done
run_host iommu-noiommu

# --- kvmprep-validate -----------------------------------------------------
V=validate-intel-ready
doc kvmprep-validate $V
doc kvmprep-validate $V --help
doc kvmprep-validate $V --version
doc kvmprep-validate $V --list
doc kvmprep-validate $V --explain kvm.probe
doc kvmprep-validate $V --explain "$BAD"
doc kvmprep-validate $V --explain "$ESC"
doc kvmprep-validate $V --frobnicate
doc kvmprep-validate $V "--$BAD"
doc kvmprep-validate $V "$BAD"
doc kvmprep-validate $V --for
doc kvmprep-validate $V --for "$BAD"
doc kvmprep-validate $V --for "kvm,$NL"
doc kvmprep-validate $V --memory "$MIX"
doc kvmprep-validate $V --memory 1T
doc kvmprep-validate $V --images "$BAD"
doc kvmprep-validate $V --images "/srv/$BAD/$NL/$ESC"
doc kvmprep-validate $V --list --explain kvm.probe
doc kvmprep-validate $V -q
doc kvmprep-validate $V --strict --for passthrough
run_host $V
doc kvmprep-validate validate-kvm-broken --nobody
doc kvmprep-validate validate-kvm-broken
run_host validate-kvm-broken

# --- kvmprep-sriov, -mdev, -bridge: each command from --help -----------
# cmds_of TOOL: the command words of each line of --help's Commands
# section ("bridge port add" for bridge's two-level ones)
cmds_of() {
	"$BUILD/bin/$1" --help | sed -n '/^Commands:/,/^$/p' | awk '
		/^ [a-z]/ { w = ""
			for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) w = w (i > 1 ? " " : "") $i
			print w }' | sort -u
}
# generic TOOL HOST CMD: the bad inputs every command must survive
generic() {
	local t=$1 h=$2 c=$3
	# shellcheck disable=SC2086
	{
		doc "$t" "$h" $c --frobnicate
		doc "$t" "$h" $c "--$BAD"
		doc "$t" "$h" $c "$BAD"
		doc "$t" "$h" $c "$NL" "$ESC"
		doc "$t" "$h" $c "$MIX"
		doc "$t" "$h" $c "$BAD" "$MIX" "$ESC"
		doc "$t" "$h" $c --dry-run "$BAD"
		doc "$t" "$h" $c --wait "$NL"
		doc "$t" "$h" $c -q
		doc "$t" "$h" $c --help
		doc "$t" "$h" --nobody $c
	}
}
for t in kvmprep-sriov kvmprep-mdev kvmprep-bridge; do
	cmds=$(cmds_of $t)
	[ -n "$cmds" ] || fail "no commands in $t --help"
	case $t in
	kvmprep-sriov) h=sriov-lab ;;
	kvmprep-mdev) h=mdev-lab ;;
	kvmprep-bridge) h=iommu-lab ;;
	esac
	while IFS= read -r c; do
		generic $t $h "$c"
	done <<<"$cmds"
	doc $t $h
	doc $t $h "$BAD"
	doc $t $h --help
	doc $t $h --version
	doc $t $h --version --frobnicate
done
S=sriov-lab
doc kvmprep-sriov $S list
doc kvmprep-sriov $S list -v 01:00.0
doc kvmprep-sriov $S list "$ESC"
doc kvmprep-sriov $S set 01:00.0 "$BAD"
doc kvmprep-sriov $S set 01:00.0 -1
doc kvmprep-sriov $S set 01:00.0 1e3
doc kvmprep-sriov $S set 01:00.0 4 --driver "$BAD"
doc kvmprep-sriov $S set 01:00.0 4 --timeout "$MIX"
doc kvmprep-sriov $S set 01:00.0 9999
doc kvmprep-sriov $S set 01:00.0 4 --dry-run
doc kvmprep-sriov $S set 00:01.0 4
doc kvmprep-sriov $S vf 01:00.0 0 "mac=$BAD"
doc kvmprep-sriov $S vf 01:00.0 0 "$ESC=1"
doc kvmprep-sriov $S vf 01:00.0 0 vlan=4095
doc kvmprep-sriov $S vf 01:00.0 99 trust=on
doc kvmprep-sriov $S vf 01:00.0 0 "spoofchk=$NL"
doc kvmprep-sriov $S recover
run_host $S
M=mdev-lab
doc kvmprep-mdev $M types
doc kvmprep-mdev $M types "$BAD"
doc kvmprep-mdev $M list
doc kvmprep-mdev $M list --defined
doc kvmprep-mdev $M create -p 01:00.0 -t "$BAD"
doc kvmprep-mdev $M create -p "$ESC" -t nvidia-222
doc kvmprep-mdev $M create -p 01:00.0 -t nvidia-222 -u "$MIX"
doc kvmprep-mdev $M create -p 01:00.0 -t nvidia-222 --attr "$BAD=1"
doc kvmprep-mdev $M create -p 01:00.0 -t nvidia-222 --attr "x=$NL"
doc kvmprep-mdev $M create -p 01:00.0 -t nvidia-222 --dry-run
doc kvmprep-mdev $M remove 0b6ea3e2-4e55-4c2b-9a9c-7c2b1c1b0a01
doc kvmprep-mdev $M define -p 01:00.0 -t nvidia-222 -u "$BAD"
doc kvmprep-mdev $M modify 0b6ea3e2-4e55-4c2b-9a9c-7c2b1c1b0a01 --type "$ESC"
doc kvmprep-mdev $M start-parent "$BAD"
doc kvmprep-mdev $M recover
run_host $M
B=iommu-lab
doc kvmprep-bridge $B list
doc kvmprep-bridge $B bridge add "$BAD"
doc kvmprep-bridge $B bridge add "kpj$NL"
doc kvmprep-bridge $B bridge add kpjbr0 --uplink "$ESC"
doc kvmprep-bridge $B bridge add kpjbr0 --stp "$BAD"
doc kvmprep-bridge $B bridge add kpjbr0 --dry-run
doc kvmprep-bridge $B bridge port add kpjbr0 "$MIX"
doc kvmprep-bridge $B macvtap add kpjmv0 --link "$BAD"
doc kvmprep-bridge $B tap add "$ESC"
doc kvmprep-bridge $B del "$BAD"
doc kvmprep-bridge $B del kpjnone0
doc kvmprep-bridge $B confirm
doc kvmprep-bridge $B recover
run_host $B

# --- kvmprep-launch (one command; dry runs and refusals only) ----------
L=launch-lab
doc kvmprep-launch $L
doc kvmprep-launch $L --help
doc kvmprep-launch $L --version
doc kvmprep-launch $L --help --vm "$BAD"
doc kvmprep-launch $L --frobnicate
doc kvmprep-launch $L "--$BAD"
doc kvmprep-launch $L "$BAD"
doc kvmprep-launch $L --dry-run --kernel "$BAD"
doc kvmprep-launch $L --dry-run --kernel "/boot/$NL$ESC"
doc kvmprep-launch $L --dry-run --vm "$BAD"
doc kvmprep-launch $L --dry-run --vm "$ESC"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --memory "$MIX"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --cpus "$BAD"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --nic "bridge=$ESC"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --nic "$BAD"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --vfio "$BAD"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --mdev "$MIX"
doc kvmprep-launch $L --dry-run --kernel /nonexistent --append "$NL$BAD"
doc kvmprep-launch $L --dry-run -q --kernel /nonexistent
doc kvmprep-launch $L --nobody --dry-run --kernel /nonexistent
run_host $L

echo "$n documents, each one valid UTF-8 JSON"
