# golden
# VM files: /etc/kvmprep/vms/NAME.conf, "key = value" with the long option
# names; --vm NAME reads them, the command line overrides scalars and adds
# to lists. The file is read by the hardened reader (lib/rfile) and the
# lines strictly: FILE:LINE: message, exit 2.
. ./common.sh
ST=$T/host
"$FAKEHOST" "$HOST" --state "$ST" -- true || fail "no state"
VMS=$ST/etc/kvmprep/vms
mkdir -p "$VMS"
vm() { rl --state "$ST" -- "$@" | sed "s|$ST|ROOT|g"; }
cat >"$VMS/web.conf" <<CONF
# a small web guest
kernel = $T/vmlinuz
initrd = $T/initrd.img
append = "console=ttyS0 root=/dev/vda rw"
disk = $T/root.raw
memory = 1G
cpus = 2
	machine	=	q35
console = pty
CONF
chmod 644 "$VMS/web.conf"
echo "== --vm web"
vm --vm web -n
echo "== the command line overrides memory and adds a disk"
vm --vm web -n -m 2G --disk "$T/data.qcow2" | grep -E '^ +-(m|drive) '
echo "== a path instead of a name"
vm --vm /etc/kvmprep/vms/web.conf -n --name other | grep -e '-name'
echo "== no such VM (3)"
vm --vm db -n
bad() {
	printf "$2" >"$VMS/$1.conf"
	chmod 644 "$VMS/$1.conf"
	vm --vm "$1" -n
}
echo "== bad files (2)"
bad unknown 'kernel = /k\nfrobnicate = 1\n'
bad twice 'memory = 1G\nmemory = 2G\n'
bad noeq 'kernel /vmlinuz\n'
bad nul 'kernel = /k\nmemory = 1G\0\n'
bad ctrl 'append = a\033b\n'
bad value 'kernel = /k\ncpus = many\n'
bad run 'dry-run = 1\n'
mkdir -p "$VMS/dir.conf"
vm --vm dir -n
head -c 70000 /dev/zero | tr '\0' '#' >"$VMS/big.conf"
chmod 644 "$VMS/big.conf"
vm --vm big -n
printf 'kernel = %s\n' "$T/vmlinuz" >"$VMS/open.conf"
chmod 666 "$VMS/open.conf"
vm --vm open -n
ln -sf /dev/zero "$VMS/dev.conf"
vm --vm dev -n
vm --vm /nonexistent/x.conf -n
