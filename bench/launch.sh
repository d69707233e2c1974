#!/bin/bash
# kvmprep-launch against a hand-written QEMU command line, and the microvm
# fast path against q35, for the same guest, in one run:
#
#   bench/launch.sh [RUNS]      (default 5 runs of each; run as root after make)
#
# The guest is the end-to-end tests' (tests/vm/launch/guest.sh): Debian's
# linux-image-cloud-amd64 and a busybox initramfs whose init prints
# KVMPREP-INIT-OK on the serial console and, with kp.exit=1, powers off at
# once. For each run: wall time from the command to the marker on the
# console; for the launcher also its own CPU time (/proc/PID/schedstat, ns,
# the launcher alone, not QEMU), its peak RSS (VmHWM) and its PSS
# (/proc/PID/smaps_rollup), all read when the marker arrives, i.e. after
# all the launcher's work before the guest runs. The memory target is
# judged on PSS: what the launcher adds to the host is its private pages
# plus its share of the shared ones; RSS also counts in full the pages of
# libc and the other libraries that every process on the host shares. Medians. The accelerator is whatever the launcher chooses here
# (--accel auto: TCG on a paravirtual-KVM host such as the build machine),
# and the hand-written line uses the same.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RUNS=${1:-5}
export TOP BUILD
[ -x "$BUILD/bin/kvmprep-launch" ] || { echo "bench: build first (make)" >&2; exit 1; }
cd "$TOP/tests/vm/launch" || exit 1
. ./guest.sh
lg_kernel
lg_initramfs "$SCRATCH/initrd.gz"
ACCEL=$(kvmprep-launch -n --json --kernel "$KERNEL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accel"])')
QEMU=$(command -v qemu-system-x86_64)
TSC_KHZ=$(awk -F': ' '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)

python3 - "$RUNS" "$ACCEL" "$QEMU" "$KERNEL" "$SCRATCH/initrd.gz" "${TSC_KHZ:-2000000}" <<'PY'
import os, select, statistics, subprocess, sys, time

runs, accel, qemu, kernel, initrd, tsc = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
MARK = b"KVMPREP-INIT-OK"
cpu = "host" if accel == "kvm" else "max"

def append(machine):
    a = "console=ttyS0 quiet kp.exit=1"
    if machine == "microvm" and accel == "tcg":
        a += " tsc_early_khz=" + tsc   # microvm under TCG has no timer to calibrate against
    return a

def launcher(machine):
    return ["kvmprep-launch", "--kernel", kernel, "--initrd", initrd, "-m", "256M",
            "--machine", machine, "--name", "bench", "--append", append(machine)]

def hand(machine):
    return [qemu, "-name", "bench", "-nodefaults", "-no-user-config", "-machine", machine,
            "-accel", accel, "-cpu", cpu, "-m", "256M", "-smp", "1", "-display", "none",
            "-serial", "stdio", "-kernel", kernel, "-initrd", initrd, "-append", append(machine)]

def one(cmd, is_launcher):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    buf, t_mark, cpu_ns, hwm_kb, pss_kb = b"", None, None, None, None
    deadline = t0 + 120
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        if t_mark is None and MARK in buf:
            t_mark = time.monotonic() - t0
            if is_launcher:
                cpu_ns = int(open("/proc/%d/schedstat" % p.pid).read().split()[0])
                for l in open("/proc/%d/status" % p.pid):
                    if l.startswith("VmHWM:"):
                        hwm_kb = int(l.split()[1])
                for l in open("/proc/%d/smaps_rollup" % p.pid):
                    if l.startswith("Pss:"):
                        pss_kb = int(l.split()[1])
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()
    if t_mark is None:
        sys.exit("bench: no marker from %s" % " ".join(cmd))
    return t_mark, cpu_ns, hwm_kb, pss_kb

res = {}
order = [("launcher", "q35"), ("hand", "q35"), ("launcher", "microvm"), ("hand", "microvm")]
for i in range(runs):              # interleaved, so drift hits every variant alike
    for who, m in order:
        r = one(launcher(m) if who == "launcher" else hand(m), who == "launcher")
        res.setdefault((who, m), []).append(r)

med = lambda xs: statistics.median(xs)
print("accelerator: %s   runs: %d each (medians)   QEMU: %s" % (accel, runs, qemu))
print()
print("%-34s %14s %16s %14s %14s" % ("", "to init marker", "launcher CPU", "launcher RSS", "launcher PSS"))
for who, m in order:
    rs = res[(who, m)]
    t = med([r[0] for r in rs])
    if who == "launcher":
        c = med([r[1] for r in rs]) / 1e6
        h = med([r[2] for r in rs]) / 1024
        ps = med([r[3] for r in rs]) / 1024
        print("%-34s %11.0f ms %13.2f ms %10.2f MiB %10.2f MiB" % ("kvmprep-launch, " + m, t * 1000, c, h, ps))
    else:
        print("%-34s %11.0f ms %16s %14s %14s" % ("hand-written qemu, " + m, t * 1000, "-", "-", "-"))
print()
for m in ("q35", "microvm"):
    a, b = med([r[0] for r in res[("launcher", m)]]), med([r[0] for r in res[("hand", m)]])
    print("%-8s launcher / hand-written wall: %.3f (%+.0f ms)" % (m, a / b, (a - b) * 1000))
c = med([r[1] for r in res[("launcher", "q35")]]) / 1e6
h = med([r[3] for r in res[("launcher", "q35")]]) / 1024
print("target: the launcher adds < 5 ms CPU and < 2 MiB (PSS): %.2f ms, %.2f MiB -> %s" %
      (c, h, "met" if c < 5 and h < 2 else "NOT met"))
q, mv = med([r[0] for r in res[("hand", "q35")]]), med([r[0] for r in res[("hand", "microvm")]])
print("microvm / q35 (hand-written, to init): %.0f ms / %.0f ms = %.2f" % (mv * 1000, q * 1000, mv / q))
print("for reference: Firecracker publishes <= 125 ms to init on KVM; here microvm takes %.0f ms under %s" %
      (med([r[0] for r in res[("launcher", "microvm")]]) * 1000, accel.upper()))
PY
