# timeout 600
# Commit-confirm's transient timer under a real systemd (PID 1 in the lab
# guest, vmlab_boot --systemd): the uplink move asks systemd-run for
# kvmprep-bridge-rollback-NAME.timer; the detached rollback process is then
# killed (as logind kills a session's scope), and at the deadline systemd
# itself runs the service, whose `recover` gives the NIC back (and does
# not stop its own service). `confirm` stops the timer and its service at
# once, so that a second move of the same bridge within the first's
# timeout gets its own timer (systemd refuses a name still loaded), which
# rolls it back. A rollback by the detached process leaves no unit. In the guest's root network
# namespace (where systemd's services run), on a veth pair the case makes;
# the lab's NICs are not touched. One boot.
. "$TOP/tests/lib.sh" || exit 1
. "$TOP/tests/vmlab/lib.sh" || exit 1

if vmlab_guest && [ "${VMLAB_PHASE:-}" = preboot ]; then
	exit 0
fi
if vmlab_guest; then
	O=$VMLAB_OUT
	L=/run/kvmprep/bridge-uplink/kbr0.log
	U=kvmprep-bridge-rollback-kbr0
	ip netns add kpeer || exit 1
	ip link add kv0 type veth peer name kv0p netns kpeer
	ip -n kpeer link set kv0p up
	ip -n kpeer addr add 192.0.2.1/24 dev kv0p
	ip link set kv0 up
	ip addr add 192.0.2.10/24 dev kv0
	ip -j addr show dev kv0 >"$O/before.addr"
	# 1. not confirmed; the detached process killed: systemd's timer rolls back
	save move1.json kvmprep-bridge --json bridge add kbr0 --uplink kv0 --confirm-timeout 8
	systemctl show "$U.timer" -p ActiveState -p LoadState >"$O/timer1.show" 2>&1
	systemctl cat "$U.timer" "$U.service" >"$O/units1" 2>&1
	rb=$(jq -r .rollback_pid "$O/move1.json")
	kill -KILL "$rb"
	ip -j link show dev kv0 >"$O/armed.link"
	for i in $(seq 60); do ip link show dev kbr0 >/dev/null 2>&1 || break; sleep 0.5; done
	# its log line comes after the rollback's last step (the units' stop)
	for i in $(seq 40); do grep -q "recovered: " "$L" 2>/dev/null && break; sleep 0.5; done
	ip -j link show >"$O/after1.links"
	ip -j addr show dev kv0 >"$O/after1.addr"
	cp "$L" "$O/log1" 2>/dev/null
	systemctl show "$U.service" -p Result -p ExecMainStatus >"$O/svc1.show" 2>&1
	journalctl -u "$U.service" --no-pager -o cat >"$O/journal1" 2>&1
	# the service ended: both units unloaded (--collect)
	for i in $(seq 20); do
		[ "$(systemctl show "$U.service" -p LoadState --value 2>/dev/null)" = not-found ] && break
		sleep 0.5
	done
	systemctl show "$U.timer" "$U.service" -p LoadState >"$O/gone1.show" 2>&1
	# 2. confirmed: confirm stops the timer and its service at once
	save move2.json kvmprep-bridge --json bridge add kbr0 --uplink kv0 --confirm-timeout 30
	systemctl show "$U.timer" -p ActiveState >"$O/timer2.show" 2>&1
	save confirm kvmprep-bridge confirm
	systemctl show "$U.timer" "$U.service" -p LoadState >"$O/gone2.show" 2>&1
	ip -j link show dev kv0 >"$O/after2.link"
	save del kvmprep-bridge del kbr0 --force
	# 3. a second move within the first's timeout gets its own timer: its
	# detached process killed, the timer rolls it back
	save move3.json kvmprep-bridge --json bridge add kbr0 --uplink kv0 --confirm-timeout 8
	systemctl show "$U.timer" -p ActiveState >"$O/timer3.show" 2>&1
	kill -KILL "$(jq -r .rollback_pid "$O/move3.json")"
	for i in $(seq 60); do ip link show dev kbr0 >/dev/null 2>&1 || break; sleep 0.5; done
	ip -j link show >"$O/after3.links"
	ip -j addr show dev kv0 >"$O/after3.addr"
	for i in $(seq 20); do
		[ "$(systemctl show "$U.service" -p LoadState --value 2>/dev/null)" = not-found ] && break
		sleep 0.5
	done
	journalctl -u "$U.service" --no-pager -o cat >"$O/journal3" 2>&1
	cp "$L" "$O/log3" 2>/dev/null
	# 4. not confirmed, the detached process alive: whichever of it and the
	# timer comes first rolls back, and no unit is left
	save move4.json kvmprep-bridge --json bridge add kbr0 --uplink kv0 --confirm-timeout 4
	for i in $(seq 60); do ip link show dev kbr0 >/dev/null 2>&1 || break; sleep 0.5; done
	sleep 2
	ip -j addr show dev kv0 >"$O/after4.addr"
	systemctl list-units --all --plain --no-legend --no-pager "$U.*" >"$O/units4" 2>&1
	cp "$L" "$O/log4" 2>/dev/null
	ip netns del kpeer
	ip link del kv0 2>/dev/null
	exit 0
fi
vmlab_boot --systemd --timeout 500 "$0" || fail "the guest's part failed"
R=$VMLAB_RESULTS
check "the move asked systemd for the timer" \
	eval '[ "$(rc_of move1.json)" = 0 ] && [ "$(jq -r .rollback_timer "$R/move1.json")" = kvmprep-bridge-rollback-kbr0 ]'
check "systemd has it, active" eval 'grep -qx ActiveState=active "$R/timer1.show" && grep -qx LoadState=loaded "$R/timer1.show"'
check "its service runs kvmprep-bridge recover, the timer 8 s" \
	eval 'grep -q "^ExecStart=\".*/kvmprep-bridge\" \"-q\" \"--wait\" \"3600\" \"recover\"$" "$R/units1" && grep -qx OnActiveSec=8s "$R/units1"'
check "kv0 in kbr0 while armed" eval '[ "$(jq -r ".[0].master" "$R/armed.link")" = kbr0 ]'
check "kbr0 gone after the deadline" eval '! jq -e ".[] | select(.ifname == \"kbr0\")" "$R/after1.links" >/dev/null'
check "kv0 has its address back" eval 'jq -e ".[0].addr_info[] | select(.local == \"192.0.2.10\")" "$R/after1.addr" >/dev/null'
check "the timer's recover did it (not the killed process)" \
	eval 'grep -q "recovered: kv0 given back what it had (the move was armed)" "$R/log1" && ! grep -q "not confirmed in time" "$R/log1"'
check "the service succeeded" eval 'grep -qx Result=success "$R/svc1.show"'
check "the service's own recover did not stop it; both units unloaded after it" \
	eval '[ "$(grep -c "^LoadState=not-found$" "$R/gone1.show")" = 2 ]'
check "confirmed move: exit 0 twice, the timer active before confirm" \
	eval '[ "$(rc_of move2.json) $(rc_of confirm)" = "0 0" ] && grep -qx ActiveState=active "$R/timer2.show"'
check "confirm stopped the timer and its service (unloaded at once)" \
	eval '[ "$(grep -c "^LoadState=not-found$" "$R/gone2.show")" = 2 ]'
check "confirmed: kv0 stays in kbr0" eval '[ "$(jq -r ".[0].master" "$R/after2.link")" = kbr0 ]'
check "del --force" eval '[ "$(rc_of del)" = 0 ]'
check "the second move within the first's timeout has its own timer, active" \
	eval '[ "$(rc_of move3.json)" = 0 ] && [ "$(jq -r .rollback_timer "$R/move3.json")" = kvmprep-bridge-rollback-kbr0 ] && grep -qx ActiveState=active "$R/timer3.show"'
check "its timer rolled it back (its process killed): kbr0 gone, kv0 has its address" \
	eval '! jq -e ".[] | select(.ifname == \"kbr0\")" "$R/after3.links" >/dev/null && jq -e ".[0].addr_info[] | select(.local == \"192.0.2.10\")" "$R/after3.addr" >/dev/null && [ "$(grep -c "recovered: kv0 given back" "$R/log3")" = 2 ]'
check "the detached process or the timer rolled the fourth back; no unit left" \
	eval '[ "$(rc_of move4.json)" = 0 ] && jq -e ".[0].addr_info[] | select(.local == \"192.0.2.10\")" "$R/after4.addr" >/dev/null && [ ! -s "$R/units4" ]'
checks_done
