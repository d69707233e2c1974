# golden
# kvmprep-mdev define/modify/undefine --offline / --root DIR: the
# definition only, in mdevctl's place (/etc/mdevctl.d/PARENT/UUID) of the
# running host or of the target, byte-identical to a live define; no
# callout or notifier script runs (neither the running host's nor the
# target's), nothing is created.
HOST=mdev-lab
. ./common.sh
U=8e0ab5a4-4c40-4b4b-b06b-92d1f1b2a3c1
fh -- true || fail "cannot set up the host"
# callouts and notifiers that leave a trace, on the host and in the target
for root in "$ST" "$TGT"; do
	for d in callouts notifiers; do
		mkdir -p "$root/etc/mdevctl.d/scripts.d/$d"
		printf '#!/bin/sh\necho "$@" >>%s/ran-%s\nexit 0\n' "$OUT" "$d" \
			>"$root/etc/mdevctl.d/scripts.d/$d/50-trace"
		chmod 755 "$root/etc/mdevctl.d/scripts.d/$d/50-trace"
	done
done
sum=$(live_sum)
rtool mdev define --root "$TGT" -p 0000:01:00.0 -t nvidia-222 --uuid $U --auto
rtool mdev define --root "$TGT" -p 0000:01:00.0 -t nvidia-222 --uuid $U --auto
rtool mdev modify --root "$TGT" $U --attr x=1 -q
cat "$TGT/etc/mdevctl.d/0000:01:00.0/$U"; echo
assert_live_unchanged "$sum"
assert_nofile "$OUT/ran-callouts"
assert_nofile "$OUT/ran-notifiers"
assert_nofile "$ST/sys/bus/mdev/devices/$U"
# the same definition made live on the running host is byte-identical
fh -- kvmprep-mdev define -p 0000:01:00.0 -t nvidia-222 --uuid $U --auto -a x=1 -q ||
	fail "live define"
cmp "$ST/etc/mdevctl.d/0000:01:00.0/$U" "$TGT/etc/mdevctl.d/0000:01:00.0/$U" ||
	fail "the --root definition differs from a live one"
assert_file "$OUT/ran-callouts" # the live define did run them
rm -f "$OUT"/ran-*
rtool mdev undefine --root "$TGT" $U -q
assert_nofile "$TGT/etc/mdevctl.d/0000:01:00.0/$U"
assert_file "$ST/etc/mdevctl.d/0000:01:00.0/$U"
# --offline on the running host: the file, no callout
fh -- kvmprep-mdev undefine $U -q || fail "undefine"
rm -f "$OUT"/ran-*
sum=$(live_sum)
rtool mdev define --offline -p 0000:01:00.0 -t nvidia-223 --uuid $U --auto -q
assert_file "$ST/etc/mdevctl.d/0000:01:00.0/$U"
assert_nofile "$OUT/ran-callouts"
assert_nofile "$OUT/ran-notifiers"
rtool mdev create --offline -p 0000:01:00.0 -t nvidia-222
rtool mdev start --root "$TGT" $U
