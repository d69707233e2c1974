# golden
# Bad input and hosts that cannot: a clear message, the documented exit
# code (2 usage, 3 host cannot), and nothing changed on the host.
. ./common.sh
nobody_setup
riommu
riommu frobnicate
riommu --frobnicate list
riommu -Z list
riommu list --id
riommu list --json=yes
riommu bind
riommu bind 01:00
riommu bind 0000:01:00.8
riommu bind zz:00.0
riommu bind 'a b'
riommu bind 0000:09:00.0
riommu bind enp9s0
riommu bind --id 10de
riommu bind --id dead:beef
riommu bind --driver 'no/such' 02:00.0
riommu bind --driver nosuchdrv 02:00.0
riommu bind --timeout soon 02:00.0
riommu list --class toaster
riommu list --why
riommu status
riommu status 02:00.0 03:00.0
riommu groups 01:00.0 02:00.0
riommu --json -q list
riommu bind 00:1c.4
lab_pristine
# not root: refused before anything (the fake host runs as root otherwise)
fh -- "$NOBODY" kvmprep-iommu bind 02:00.0
echo "[exit $?]"
fh -- "$NOBODY" kvmprep-iommu unbind 02:00.0
echo "[exit $?]"
lab_pristine
# no IOMMU: every command that needs one says how to enable it
HOST=iommu-noiommu
fresh
riommu groups
riommu bind 02:00.0
riommu status 02:00.0
riommu list
assert_dev 0000:02:00.0 e1000e '(null)'
[ -z "$(effects)" ] || fail "changed: $(effects)"
# the remedy names the missing step: no DMAR table -> the firmware setting
rm -f "$ST/sys/firmware/acpi/tables/DMAR"
riommu bind 02:00.0
# the command line turns it off -> remove that
sed -i 's/ quiet$/ quiet intel_iommu=off/' "$ST/proc/cmdline"
riommu bind 02:00.0
# an AMD host with AMD-Vi off in the firmware (no IVRS table)
sed -i 's/ intel_iommu=off$//; s/GenuineIntel/AuthenticAMD/' "$ST/proc/cmdline" "$ST/proc/cpuinfo"
riommu bind 02:00.0
assert_dev 0000:02:00.0 e1000e '(null)'
[ -z "$(effects)" ] || fail "changed: $(effects)"
