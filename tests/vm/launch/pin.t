# --pin: QEMU starts paused (-S), the launcher reads the vCPU thread ids
# over QMP (query-cpus-fast), pins them, then lets the guest run. Checked
# here with sched_getaffinity of every thread of QEMU, found by the names
# -name …,debug-threads=on gives them, independently of the launcher.
. ./guest.sh
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
lg_kernel
lg_initramfs "$SCRATCH/initrd.gz"
kvmprep-launch --kernel "$KERNEL" --initrd "$SCRATCH/initrd.gz" -m 256M -c 2 --pin 1,0 --name pinned \
	--append "console=ttyS0 quiet no_timer_check" --console socket="$SCRATCH/con.sock" --json \
	</dev/null >"$SCRATCH/doc" 2>"$SCRATCH/err" &
L=$!; LG_PIDS+=("$L")
for i in $(seq 100); do [ -s "$SCRATCH/doc" ] && break; sleep 0.1; done
Q=$(lg_qemu_pid "$L")
[ -n "$Q" ] || fail "no QEMU: $(cat "$SCRATCH/err")"
for i in $(seq 100); do python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$SCRATCH/doc" 2>/dev/null && break; sleep 0.1; done
python3 - "$Q" "$SCRATCH/doc" <<'PY' || fail "pinning"
import json, os, re, sys
qemu, doc = int(sys.argv[1]), json.load(open(sys.argv[2]))
want = {0: {1}, 1: {0}}
assert doc["paused_for_pinning"] is True, doc
reported = {t["vcpu"]: t["thread_id"] for t in doc["vcpu_threads"]}
seen = {}
for tid in os.listdir("/proc/%d/task" % qemu):
    comm = open("/proc/%d/task/%s/comm" % (qemu, tid)).read().strip()
    aff = os.sched_getaffinity(int(tid))
    m = re.match(r"CPU (\d+)/(TCG|KVM)$", comm)
    print(tid, repr(comm), sorted(aff))
    if m:
        seen[int(m.group(1))] = (int(tid), aff)
    elif aff != set(range(os.cpu_count())) and aff != os.sched_getaffinity(0):
        sys.exit("a non-vCPU thread %s (%s) was pinned to %s" % (tid, comm, sorted(aff)))
assert sorted(seen) == [0, 1], seen
for v, (tid, aff) in seen.items():
    assert aff == want[v], "vCPU %d thread %d has %s, wanted %s" % (v, tid, aff, want[v])
    assert reported[v] == tid, "launcher reported thread %s for vCPU %d, the kernel names %d" % (reported[v], v, tid)
print("pinned:", {v: sorted(a) for v, (t, a) in seen.items()})
PY
kill -TERM "$L"
lg_wait_exit "$L" 90
echo "launcher exit $RC"
echo ok
