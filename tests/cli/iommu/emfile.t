# Out of file descriptors (issue 7, item 8): at every limit from 5 to 40
# open files, each command either works or says "Too many open files",
# never a made-up reason ("Input/output error", "no such driver").
. ./common.sh
OUT=$(mktemp)
trap 'rm -rf "$ST" "$OUT"' EXIT
fh -- bash -c '
for n in $(seq 5 40); do
	for c in "kvmprep-iommu list" "kvmprep-iommu groups --why" "kvmprep-iommu status 02:00.0" \
		 "kvmprep-iommu bind --dry-run 02:00.0" \
		 "kvmprep-validate"; do
		(ulimit -n $n; exec $c) >/dev/null 2>/tmp/err.$$
		echo "$n $? $c: $(tr "\n" "|" </tmp/err.$$)"
	done
done
rm -f /tmp/err.$$' >"$OUT" 2>&1 || true
[ "$(wc -l <"$OUT")" -eq $((36 * 5)) ] || { cat "$OUT"; fail "not every run reported"; }
grep -E 'Input/output error|no such driver|cannot be preloaded' "$OUT" && fail "a wrong reason"
# at the low limits the tools did fail, and said why
grep -q '^5 [13] .*Too many open files' "$OUT" || { cat "$OUT"; fail "no EMFILE at 5 files"; }
# every message names EMFILE (a failure without a message is a verdict:
# status "not ready", validate's failed checks, which name it themselves)
grep -v ': $' "$OUT" | grep -v 'Too many open files' && fail "a message without its reason"
# at 40 files everything works as usual
assert_eq "$(grep -c '^40 .*: $' "$OUT")" 5 "runs without a message at 40 files"
echo ok
