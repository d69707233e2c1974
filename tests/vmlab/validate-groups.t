# timeout 600
# kvmprep-validate and kvmprep-iommu groups / groups --why / list on the lab
# guest: a real kernel with an emulated VT-d (interrupt remapping on), real
# IOMMU groups and real vfio modules. What the tools say is compared with
# what the kernel itself shows in /sys and /proc. One boot for all of it.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

if vmlab_guest; then
	save validate.json kvmprep-validate --for passthrough --json
	save validate.txt kvmprep-validate --for passthrough
	save groups.json kvmprep-iommu groups --json
	save groups.txt kvmprep-iommu groups
	save why.json kvmprep-iommu groups --why --json
	save why.txt kvmprep-iommu groups --why
	save list.json kvmprep-iommu list --json
	save list.txt kvmprep-iommu list
	# the kernel's own view
	vmlab_state >"$VMLAB_OUT/state"
	grep -c 'IR-' /proc/interrupts >"$VMLAB_OUT/ir-chips"
	# after validate tried its netfilter netlink socket (which asks the
	# kernel to load nfnetlink): is there netfilter netlink at all?
	if [ -d /sys/module/nfnetlink ]; then echo 1; else echo 0; fi >"$VMLAB_OUT/nfnetlink"
	for d in /sys/bus/pci/devices/*; do
		echo "${d##*/} $(cat "$d/reset_method" 2>/dev/null | tr ' ' ',')"
	done >"$VMLAB_OUT/reset"
	exit 0
fi

vmlab_boot --timeout 500 "$0" || fail "the lab guest's part failed"
cat "$(res validate.txt)" "$(res groups.txt)" "$(res why.txt)"
V=$(res validate.json)
status_of() { jq_py "$V" "[c['status'] for c in d['checks'] if c['id']=='$1'][0]"; }
finding_of() { jq_py "$V" "[c['finding'] for c in d['checks'] if c['id']=='$1'][0]"; }
# the kernel's facts from vmlab_state
kgroup() { sed -n "s/^pci $1 .* group=\([^ ]*\)$/\1/p" "$(res state)"; }
kmembers() { sed -n "s/^group $1 //p" "$(res state)"; }

# validate: everything the IOMMU needs is real here, so every iommu check
# but isolation passes; isolation warns about the group behind the PCI bridge
for id in iommu.firmware iommu.enabled iommu.groups iommu.passthrough iommu.irq_remap iommu.vfio; do
	check "validate: $id is PASS" eval '[ "$(status_of '$id')" = PASS ] || fail "$(status_of '$id'): $(finding_of '$id')"'
done
check "validate: iommu.isolation warns about the PCI bridge's group" eval '
	[ "$(status_of iommu.isolation)" = WARN ] || fail "isolation: $(status_of iommu.isolation)"
	finding_of iommu.isolation | grep -q "$LAB_PCIBRIDGE $LAB_E1000 $LAB_RTL8139" || fail "$(finding_of iommu.isolation)"'
check "validate: the kernel really remaps interrupts (IR- chips)" eval '[ "$(cat $(res ir-chips))" -gt 0 ]'
check "validate: iommu.groups counts the kernel's groups" eval '
	n=$(grep -c "^group " $(res state))
	finding_of iommu.groups | grep -q "^$n IOMMU groups" || fail "kernel: $n, validate: $(finding_of iommu.groups)"'
check "validate: the only failures are KVM's (a TCG guest has no VT-x), exit 1" eval '
	bad=$(jq_py $V "\" \".join(c[\"id\"] for c in d[\"checks\"] if c[\"status\"]==\"FAIL\" and not c[\"id\"].startswith(\"kvm.\"))")
	[ -z "$bad" ] || fail "failed: $bad"
	[ "$(rc_of validate.json)" = 1 ] || fail "exit $(rc_of validate.json), wanted 1 (kvm fails)"'

check "validate: the firewall record matches the kernel's netfilter netlink (libnftables never exits the tool)" eval '
	[ "$(jq_py $V "d[\"host\"][\"firewall\"][\"read\"]")" = True ] || fail "firewall not read: $(jq_py $V "d[\"host\"][\"firewall\"]")"
	want=$([ "$(cat $(res nfnetlink))" = 1 ] && echo True || echo False)
	[ "$(jq_py $V "d[\"host\"][\"firewall\"][\"nftables\"]")" = "$want" ] || fail "nftables: $(jq_py $V "d[\"host\"][\"firewall\"]")"'

# groups and list against the kernel's links
check "groups: exit 0, members equal /sys/kernel/iommu_groups" eval '
	[ "$(rc_of groups.json)" = 0 ] || fail "exit $(rc_of groups.json)"
	want=$(sed -n "s/^pci \([^ ]*\) .*group=\([0-9]*\)$/\2 \1/p" $(res state) | sort)
	got=$(jq_py $(res groups.json) "\"\\n\".join(\"%d %s\" % (g[\"group\"], x[\"device\"]) for g in d[\"groups\"] for x in g[\"devices\"])" | sort)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); fail "groups differ"; }'
check "list: exit 0, drivers equal the kernel's driver links" eval '
	[ "$(rc_of list.json)" = 0 ] || fail "exit $(rc_of list.json)"
	want=$(sed -n "s/^pci \([^ ]*\) driver=\([^ ]*\) .*/\1 \2/p" $(res state) | sed "s/ none$/ None/" | sort)
	got=$(jq_py $(res list.json) "\"\\n\".join(\"%s %s\" % (x[\"device\"], x[\"driver\"]) for x in d[\"devices\"])" | sort)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); fail "drivers differ"; }'
check "list: reset methods equal the kernel's reset_method files" eval '
	got=$(jq_py $(res list.json) "\"\\n\".join(\"%s %s\" % (x[\"device\"], \",\".join(x[\"reset_methods\"])) for x in d[\"devices\"])" | sed "s/ $//")
	want=$(sed "s/ $//" $(res reset))
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); fail "reset methods differ"; }'
check "list: the conventional PCI e1000 has no FLR (kernel and list)" eval '
	! grep -q "^$LAB_E1000 .*flr" $(res reset) || fail "the kernel says flr"'
check "groups: the e1000e on its own root port is a group of one" eval '
	[ "$(kmembers $(kgroup $LAB_E1000E))" = "$LAB_E1000E" ] || fail "group: $(kmembers $(kgroup $LAB_E1000E))"'
check "groups: the PCI bridge and both devices behind it are one group" eval '
	[ "$(kmembers $(kgroup $LAB_PCIBRIDGE))" = "$LAB_PCIBRIDGE $LAB_E1000 $LAB_RTL8139" ] || fail "group: $(kmembers $(kgroup $LAB_PCIBRIDGE))"'

# groups --why: one reason per group of several devices, from the PCIe path
W=$(res why.json)
why() { jq_py "$W" "\" \".join(\"%s@%s\" % (r[\"kind\"], r[\"at\"]) for r in d[\"reasons\"] if \"$1\" in r[\"devices\"] or r[\"at\"]==\"$1\")"; }
check "why: the switch's downstream ports have no ACS" eval '
	[ "$(why $LAB_E1000E2)" = "no_acs@$LAB_DOWN1" ] || fail "$LAB_E1000E2: $(why $LAB_E1000E2)"
	[ "$(why $LAB_NVME2)" = "no_acs@$LAB_DOWN2" ] || fail "$LAB_NVME2: $(why $LAB_NVME2)"'
check "why: the conventional PCI bridge shares its requester ID" eval '
	[ "$(why $LAB_E1000)" = "pci_bridge@$LAB_PCIBRIDGE" ] || fail "$LAB_E1000: $(why $LAB_E1000)"'
check "why: the ICH9 functions are one multifunction device" eval '
	[ "$(why 0000:00:1f.0)" = "multifunction@0000:00:1f.0" ] || fail "1f.0: $(why 0000:00:1f.0)"'
check "why: exactly the kernel's groups of several devices have a reason" eval '
	want=$(sed -n "s/^group \([0-9]*\) [^ ]* .*/\1/p" $(res state) | sort -n)
	got=$(jq_py $W "\"\\n\".join(str(r[\"group\"]) for r in d[\"reasons\"])" | sort -nu)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); fail "groups with reasons differ"; }'
checks_done
