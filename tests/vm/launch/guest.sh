# Sourced by the kvmprep-launch end-to-end cases: a real Linux kernel from
# Debian's linux-image-cloud-amd64 (fetched with apt-get download into a
# cache outside the repository, never installed on the host) and a small
# busybox initramfs built here, whose init prints markers on the serial
# console. Every guest is bounded in time.
#
#   KVMPREP_LAUNCH_CACHE   the cache (default /var/cache/kvmprep-launch, else
#                          ~/.cache/kvmprep-launch)
. "$TOP/tests/lib.sh"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kp-launch.XXXXXX")
trap 'lg_cleanup' EXIT
LG_PIDS=()
LG_NETNS=()
lg_cleanup() {
	local p n
	for p in "${LG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in "${LG_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$SCRATCH"
}

skip() { echo "SKIP: $*"; exit 77; }

# The guest's modules, in load order (the cloud kernel has them as modules).
LG_MODULES="drivers/acpi/button drivers/input/evdev drivers/virtio/virtio_ring drivers/virtio/virtio
drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci
drivers/virtio/virtio_mmio net/core/failover drivers/net/net_failover drivers/net/virtio_net"

# lg_kernel: sets KERNEL and MODDIR (fetching the package once)
lg_kernel() {
	local cache=${KVMPREP_LAUNCH_CACHE:-/var/cache/kvmprep-launch} rel deb
	if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/kvmprep-launch
		mkdir -p "$cache" || skip "cannot create a kernel cache"
	fi
	rel=$(cat "$cache/release" 2>/dev/null)
	if [ -z "$rel" ] || [ ! -e "$cache/$rel/vmlinuz" ]; then
		rel=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*-cloud-amd64\)$/\1/p' | head -1)
		[ -n "$rel" ] || skip "apt knows no linux-image-cloud-amd64 and the cache is empty"
		mkdir -p "$cache/$rel.tmp"
		(cd "$cache/$rel.tmp" && timeout 300 apt-get download "linux-image-$rel" >download.log 2>&1) ||
			skip "cannot fetch linux-image-$rel: $(grep -E '^E:' "$cache/$rel.tmp/download.log" | head -1)"
		deb=$(ls "$cache/$rel.tmp"/linux-image-*.deb | head -1)
		dpkg-deb -x "$deb" "$cache/$rel.tmp/x" || fail "cannot unpack $deb"
		mkdir -p "$cache/$rel/modules"
		cp "$cache/$rel.tmp/x/boot/vmlinuz-$rel" "$cache/$rel/vmlinuz"
		local m
		for m in $LG_MODULES; do
			cp "$cache/$rel.tmp/x/lib/modules/$rel/kernel/$m.ko" "$cache/$rel/modules/" ||
				fail "the package has no $m.ko"
		done
		rm -rf "$cache/$rel.tmp"
		echo "$rel" >"$cache/release"
	fi
	KERNEL=$cache/$rel/vmlinuz
	MODDIR=$cache/$rel/modules
}

# lg_initramfs OUT: a busybox initramfs. Its init prints KVMPREP-INIT-OK,
# then does what the kernel command line says:
#   kp.ip=A/P kp.ping=H   configure eth0, ping H, print KVMPREP-PING-OK|FAIL, power off
#   (always)              on the ACPI power button: KVMPREP-POWER-BUTTON, power off
#   kp.nobutton=1         ignore the power button (for the bounded-wait path)
#   kp.exit=1             power off right after the marker (bench/launch.sh)
lg_initramfs() {
	local out=$1 root=$SCRATCH/initramfs.$$.$RANDOM m
	command -v busybox >/dev/null || skip "no busybox (busybox-static)"
	command -v cpio >/dev/null || skip "no cpio"
	mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
	cp "$(command -v busybox)" "$root/bin/busybox"
	file -L "$root/bin/busybox" 2>/dev/null | grep -q 'dynamically' && skip "busybox is dynamic: install busybox-static"
	for m in $LG_MODULES; do cp "$MODDIR/$(basename "$m").ko" "$root/lib/modules/"; done
	cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(for m in $LG_MODULES; do printf '%s ' "$(basename "$m")"; done); do
	insmod /lib/modules/\$m.ko 2>/dev/null
done
echo KVMPREP-INIT-OK
grep -q 'kp.exit=1' /proc/cmdline && poweroff -f
arg() { sed -n "s/.*\$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
ip=\$(arg kp.ip) ping=\$(arg kp.ping) nobutton=\$(arg kp.nobutton)
if [ -n "\$ip" ]; then
	ip link set lo up
	i=0; while [ ! -e /sys/class/net/eth0 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
	ip link set eth0 up
	ip addr add \$ip dev eth0
	if ping -c 3 -w 20 \$ping >/dev/null 2>&1; then echo KVMPREP-PING-OK; else echo KVMPREP-PING-FAIL; ip addr; fi
	poweroff -f
fi
btn=
for e in /sys/class/input/event*; do
	[ "\$(cat \$e/device/name 2>/dev/null)" = "Power Button" ] && btn=/dev/input/\${e##*/}
done
[ -n "\$nobutton" ] && btn=
if [ -n "\$btn" ]; then
	echo KVMPREP-WATCHING \$btn
	dd if=\$btn of=/dev/null bs=24 count=1 2>/dev/null
	echo KVMPREP-POWER-BUTTON
	poweroff -f
fi
echo KVMPREP-NO-BUTTON  # (or told to ignore it)
while :; do sleep 3600; done
EOF
	chmod 755 "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out" || fail "cannot build the initramfs"
	rm -rf "$root"
}

# lg_wait FILE PATTERN SECONDS: wait until FILE has a line matching PATTERN
lg_wait() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "--- $1 ---"; tail -30 "$1"
	fail "no '$2' within $3 s"
}

# lg_wait_exit PID SECONDS: wait for a background job to end; sets RC
lg_wait_exit() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			RC=$?
			return 0
		fi
		sleep 0.1
	done
	fail "pid $1 still running after $2 s"
}

# the QEMU child of a launcher
lg_qemu_pid() { pgrep -P "$1" -f qemu-system | head -1; }
