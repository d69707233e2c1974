# --migrate SRC DST on pairs of fake hosts: each host's `--json` document
# (its host object) is made on the fake host, then compared. A to B (same
# CPU, same NFS export, br0, newer QEMU): it can move. A to an older Intel
# (no AVX-512): the missing features are named with a model both run, an
# older QEMU and a missing bridge fail. A to an AMD host: another vendor.
# A to a host whose images are on a local disk: no shared storage (WARN).
# Bad documents: exit 2, one line.
# golden
. "$TOP/tests/lib.sh"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
for h in mig-a mig-b mig-old amd-sev-snp intel-ready; do
	"$FAKEHOST" validate-$h -- kvmprep-validate --json >"$W/$h.json"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))["host"]["cpu"]["flags"]' "$W/$h.json" ||
		fail "validate --json on $h has no host object"
done
cd "$W"
status() { # ID: its status in the last JSON run
	python3 -c 'import json,sys; d=json.load(open("last.json")); print([c["status"] for c in d["checks"] if c["id"]==sys.argv[1]][0])' "$1"
}
pair() { # WANTED_EXIT SRC DST
	local want=$1
	shift
	echo "== kvmprep-validate --migrate $*"
	rc kvmprep-validate --migrate "$@"
	kvmprep-validate --json --migrate "$@" >last.json
	[ $? -eq "$want" ] || fail "--migrate $*: exit, wanted $want"
}
pair 0 mig-a.json mig-b.json
for id in cpu_vendor cpu_flags qemu machines storage bridges hugepages devices; do
	assert_eq "$(status migrate.$id)" PASS "A to B: $id"
done
assert_eq "$(status migrate.firewall)" SKIP "firewall is never guessed"
grep -q 'a shared model: Cascadelake-Server-noTSX' last.json || fail "A to B: no shared model"

pair 1 mig-a.json mig-old.json
assert_eq "$(status migrate.cpu_flags)" FAIL "A to old: flags"
grep -q 'avx512f' last.json || fail "the missing avx512f is not named"
grep -q -- '-cpu Broadwell-noTSX' last.json || fail "no shared model suggested"
assert_eq "$(status migrate.qemu)" FAIL "A to old: QEMU 8.2 to 7.2"
assert_eq "$(status migrate.machines)" WARN "A to old: pc-q35-8.x missing"
assert_eq "$(status migrate.bridges)" FAIL "A to old: br0 missing"
assert_eq "$(status migrate.storage)" PASS "A to old: same NFS export"

# the other way round the flags are no obstacle (the old CPU's are a subset)
pair 0 mig-old.json mig-b.json
assert_eq "$(status migrate.cpu_flags)" PASS "old to B"

pair 1 mig-a.json amd-sev-snp.json
assert_eq "$(status migrate.cpu_vendor)" FAIL "Intel to AMD"

pair 1 mig-a.json intel-ready.json
assert_eq "$(status migrate.storage)" WARN "NFS to a local disk"
assert_eq "$(status migrate.bridges)" FAIL "br0 missing"

# a whole document or a bare host object are both accepted
python3 -c 'import json; json.dump(json.load(open("mig-b.json"))["host"], open("bare.json","w"))'
kvmprep-validate -q --migrate mig-a.json bare.json >/dev/null || fail "a bare host object is refused"

# bad documents: exit 2, one line on stderr, naming the file
: >empty.json
echo '{"host": {"cpu": {}}}' >broken.json
printf '{"a":\0}' >nul.json
mkfifo fifo.json
for f in empty.json broken.json nul.json fifo.json missing.json /dev/zero; do
	echo "== --migrate $f mig-a.json"
	rc kvmprep-validate --migrate "$f" mig-a.json 2>err
	cat err
	[ "$(wc -l <err)" -eq 1 ] || fail "$f: not one line"
done
echo "== --migrate mig-a.json (no DST)"
rc kvmprep-validate --migrate mig-a.json
