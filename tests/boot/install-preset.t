# How the boot units are pulled in at boot: `make install` installs
# 80-kvmprep.preset (enable the four boot steps, each a no-op without its
# configuration; guests one by one) and applies it with `systemctl preset`
# to the units it installs for the first time. Staged installs (DESTDIR)
# enable nothing unless PRESET=yes (then `systemctl --root=DESTDIR`); a
# prefix outside systemd's search path enables nothing; a unit the
# administrator disabled stays disabled across a reinstall; a site preset
# in /etc/systemd/system-preset wins. Every install here is staged
# (DESTDIR, or --root): this machine's /etc is never touched. The real
# boot of the units installed this way is vmlab/boot-units.
. "$TOP/tests/lib.sh" || exit 1
command -v systemctl >/dev/null || { echo "systemctl missing (scripts/deps installs systemd)"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/kp-preset.XXXXXX")
trap 'rm -rf "$W"' EXIT
STEPS="kvmprep-vfio.service kvmprep-sriov.service kvmprep-mdev.service kvmprep-net.service"
inst() { # ROOT MAKE-ARG…: make install into ROOT, its output in ROOT.log
	local r=$1
	shift
	make -s -C "$TOP" install DESTDIR="$r" PREFIX=/usr BUILD="$BUILD" "$@" >"$r.log" 2>&1 ||
		{ cat "$r.log"; fail "make install $*"; }
}
links() { # ROOT: the enablement symlinks under ROOT/etc, sorted
	(cd "$1" && find etc -type l -printf '%p -> %l\n' 2>/dev/null | LC_ALL=C sort)
}
state() { # ROOT UNIT…: systemctl is-enabled, one "UNIT STATE" a line
	local r=$1 u
	shift
	for u in "$@"; do echo "$u $(systemctl --root="$r" is-enabled "$u" 2>/dev/null)"; done
}

# the preset file: every unit with an [Install] section but the guest
# template, and nothing that is not installed
P=$TOP/contrib/systemd/80-kvmprep.preset
got=$(sed -n 's/^enable //p' "$P" | LC_ALL=C sort | tr '\n' ' ')
want=$(cd "$TOP/contrib/systemd" && grep -l '^\[Install\]' *.service | grep -v '@\.service$' | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$got" "$want" "the preset enables"
[ -z "$(grep -Ev '^(#|enable |$)' "$P")" ] || fail "the preset has other lines: $(grep -Ev '^(#|enable |$)' "$P")"

# a staged install (a package build): the preset installed, nothing enabled
inst "$W/pkg"
assert_file "$W/pkg/usr/lib/systemd/system-preset/80-kvmprep.preset"
assert_nofile "$W/pkg/etc"
echo "staged: nothing enabled"

# a prefix systemd does not search: nothing enabled, no systemctl run (the
# default is PRESET=no; the units land in PREFIX/lib/systemd/system)
make -s -C "$TOP" install PREFIX="$W/elsewhere" BUILD="$BUILD" >"$W/elsewhere.log" 2>&1 ||
	{ cat "$W/elsewhere.log"; fail "make install PREFIX=elsewhere"; }
assert_file "$W/elsewhere/lib/systemd/system/kvmprep-vfio.service"
grep -q 'systemctl' "$W/elsewhere.log" && fail "systemctl ran: $(cat "$W/elsewhere.log")"
echo "elsewhere: nothing enabled"

# first install with the preset applied: the four steps enabled where
# their [Install] says, the guest template not
inst "$W/root" PRESET=yes
links "$W/root"
assert_eq "$(links "$W/root")" "etc/systemd/system/multi-user.target.wants/kvmprep-mdev.service -> /usr/lib/systemd/system/kvmprep-mdev.service
etc/systemd/system/sysinit.target.wants/kvmprep-net.service -> /usr/lib/systemd/system/kvmprep-net.service
etc/systemd/system/sysinit.target.wants/kvmprep-sriov.service -> /usr/lib/systemd/system/kvmprep-sriov.service
etc/systemd/system/sysinit.target.wants/kvmprep-vfio.service -> /usr/lib/systemd/system/kvmprep-vfio.service" "enabled by the preset"
# shellcheck disable=SC2086
assert_eq "$(state "$W/root" $STEPS)" "kvmprep-vfio.service enabled
kvmprep-sriov.service enabled
kvmprep-mdev.service enabled
kvmprep-net.service enabled" "is-enabled"
grep -q "^systemctl preset " "$W/root.log" || fail "no systemctl preset in: $(cat "$W/root.log")"

# the administrator disables a step; a reinstall (an upgrade) keeps it so
systemctl --root="$W/root" disable kvmprep-net.service >/dev/null 2>&1 || fail "disable"
inst "$W/root" PRESET=yes
grep -q "systemctl preset" "$W/root.log" && fail "a reinstall applied the preset again: $(cat "$W/root.log")"
assert_eq "$(state "$W/root" kvmprep-net.service kvmprep-vfio.service)" "kvmprep-net.service disabled
kvmprep-vfio.service enabled" "after a reinstall"
echo "reinstall: kvmprep-net.service stays disabled"

# a site preset in /etc takes precedence over the package's
mkdir -p "$W/site/etc/systemd/system-preset"
echo "disable kvmprep-sriov.service" >"$W/site/etc/systemd/system-preset/10-site.preset"
inst "$W/site" PRESET=yes
# shellcheck disable=SC2086
assert_eq "$(state "$W/site" $STEPS)" "kvmprep-vfio.service enabled
kvmprep-sriov.service disabled
kvmprep-mdev.service enabled
kvmprep-net.service enabled" "with a site preset"
echo "site preset: kvmprep-sriov.service left disabled"
