# The real pciutils, under run, list the devices of example.host and the
# drivers it names; the expected list is derived from the description.
. "${TOP:-$(cd ../../.. && pwd)}/tests/lib.sh"
HOST=$TOP/tests/hosts/example.host
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# "BDF DRIVER|-" for every pci line of the description
awk '$1 == "pci" { d = "-"; for (i = 3; i <= NF; i++) if ($i ~ /^driver=/) d = substr($i, 8); print $2, d }' \
	"$HOST" | sort >"$W/want"
[ "$(wc -l <"$W/want")" -ge 10 ] || fail "derived list too short"

"$FAKEHOST" example -- lspci -D -k >"$W/lspci" 2>/dev/null || fail "lspci failed under run"
awk '/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { if (bdf) print bdf, drv; bdf = $1; drv = "-" }
     /Kernel driver in use:/ { drv = $NF }
     END { if (bdf) print bdf, drv }' "$W/lspci" | sort >"$W/got"
diff -u "$W/want" "$W/got" || fail "lspci -k differs from the description"

# vendor:device and class as lspci -n reads them from config space
awk '$1 == "pci" { c = "ff00"; for (i = 3; i <= NF; i++) if ($i ~ /^class=/) c = substr($i, 7, 4); print $2, c ": " $3 }' \
	"$HOST" | sort >"$W/want-n"
"$FAKEHOST" example -- lspci -D -n | awk '{ print $1, $2, $3 }' | sort >"$W/got-n"
diff -u "$W/want-n" "$W/got-n" || fail "lspci -n differs from the description"
cat "$W/got"
