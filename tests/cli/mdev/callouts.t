# mdevctl's callout scripts: kvmprep-mdev calls them with mdevctl's
# arguments and the definition's JSON on stdin, pre and post, exactly as
# the real mdevctl does (both logs compared); a script that refuses stops
# the action (its stderr shown, nothing created) unless --force; a script
# answering 2 (not its type) is passed over.
. ./common.sh
fh -- true
LOG=$ST/callout.log
CD=$ST/etc/mdevctl.d/scripts.d/callouts
mkdir -p "$CD"
cat >"$CD/50-test" <<SH
#!/bin/sh
args="\$*"
while getopts t:e:a:s:u:p: o; do
	case \$o in t) type=\$OPTARG ;; e) event=\$OPTARG ;; esac
done
[ "\$event" = get ] && exit 2
case "\$type" in nvidia-222|vfio_ap-passthrough) ;; *) exit 2 ;; esac
printf '%s | %s\n' "\$args" "\$(cat)" >>"$LOG"
if [ "\$type" = vfio_ap-passthrough ] && [ "\$event" = pre ]; then
	echo "matrix is locked" >&2
	exit 1
fi
exit 0
SH
chmod 755 "$CD/50-test"
# another script before it that is for another type only
printf '#!/bin/sh\nexit 2\n' >"$CD/10-other" && chmod 755 "$CD/10-other"
mdev create -p 01:00.0 -t nvidia-222 -u "$U1" >/dev/null || fail "create"
mdev remove "$U1" >/dev/null || fail "remove"
mdev define -p 01:00.0 -t nvidia-222 -u "$U1" -a x=1 >/dev/null || fail "define"
assert_eq "$(cat "$LOG")" "-t nvidia-222 -e pre -a start -s none -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[]}
-t nvidia-222 -e post -a start -s success -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[]}
-t nvidia-222 -e pre -a stop -s none -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[]}
-t nvidia-222 -e post -a stop -s success -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[]}
-t nvidia-222 -e pre -a define -s none -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[{\"x\":\"1\"}]}
-t nvidia-222 -e post -a define -s success -u $U1 -p 0000:01:00.0 | {\"mdev_type\":\"nvidia-222\",\"start\":\"manual\",\"attrs\":[{\"x\":\"1\"}]}" "callout log"
# the real mdevctl calls the same script the same way
if have_mdevctl; then
	mv "$LOG" "$ST/kvmprep.log"
	mdevctl_fh start -u "$U2" -p 0000:01:00.0 -t nvidia-222 || fail "mdevctl start"
	mdevctl_fh stop -u "$U2" || fail "mdevctl stop"
	mdevctl_fh define -u "$U2" -p 0000:01:00.0 -t nvidia-222 || fail "mdevctl define"
	mdevctl_fh modify -u "$U2" --addattr x --value 1 >/dev/null 2>&1
	# mdevctl's define hands over the definition before the attribute came; compare start/stop
	head -4 "$ST/kvmprep.log" | sed "s/$U1/U/g" >"$ST/a"
	head -4 "$LOG" | sed "s/$U2/U/g" >"$ST/b"
	[ -s "$ST/b" ] || fail "mdevctl did not call the callout"
	diff -u "$ST/b" "$ST/a" || fail "kvmprep-mdev and mdevctl call the callout differently"
fi
# a script that refuses stops the action; its stderr is shown
out=$(mdev create -p matrix -t vfio_ap-passthrough -u "$U3" 2>&1); rc=$?
assert_eq "$rc" 1 "refused"
assert_eq "$out" "50-test: matrix is locked
kvmprep-mdev: $U3: cannot start on matrix: callout script 50-test refused it (exit 1; --force goes on anyway)" "refusal message"
assert_nofile "$ST/sys/bus/mdev/devices/$U3"
tail -1 "$LOG" | grep -q -- "-e post -a start -s failure -u $U3 -p matrix" || fail "post failure: $(tail -1 "$LOG")"
out=$(mdev create -p matrix -t vfio_ap-passthrough -u "$U3" --force 2>&1) || fail "--force: $out"
assert_file "$ST/sys/bus/mdev/devices/$U3"
echo "$out" | grep -q "warning: $U3: start anyway: callout script 50-test refused it (exit 1)" || fail "--force warning: $out"
