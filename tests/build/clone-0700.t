# The suite passes from a clone inside a 0700 directory (issue 7, item 9):
# root's home is 0700 on Debian, so `git clone … ~/kvmprep && make check`
# puts the tree where uid 65534 cannot reach it. The repository is cloned
# into a mktemp -d directory (0700), given this build's binaries (building
# again would only cost time: the binaries do not depend on where the tree
# is), and the cases that drop privileges run there.
. "$TOP/tests/lib.sh"
command -v git >/dev/null || fail "git is not installed"
D=$(mktemp -d "${TMPDIR:-/tmp}/kp-clone.XXXXXX")
trap 'rm -rf "$D"' EXIT
assert_eq "$(stat -c %a "$D")" 700 "mktemp -d mode"
C=$D/kvmprep
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	git clone -q --no-hardlinks "$TOP" "$C" || fail "git clone"
	# what is not committed yet (a case run while it is being written)
	git -C "$TOP" ls-files -mo --exclude-standard -z |
		(cd "$TOP" && xargs -0r cp --parents -t "$C") 2>/dev/null
else
	mkdir "$C" && (cd "$TOP" && tar --exclude=./build -cf - .) | tar -C "$C" -xf -
fi
mkdir -p "$C/build/fakehost"
cp -a "$BUILD/bin" "$BUILD/helpers" "$C/build/" || fail "no build (make tests-build)"
[ -e "$BUILD/fakehost/libkpfakehost.so" ] && cp -a "$BUILD/fakehost/libkpfakehost.so" "$C/build/fakehost/"
# the cached trees of the hosts these cases use, marked fresh for the
# clone's (newer) descriptions; a missing one is built there
mkdir -p "$C/build/fakehost/cache"
for h in example iommu-lab iommu-noiommu validate-intel-ready validate-kvm-broken; do
	[ -e "$BUILD/fakehost/cache/$h/fakehost/release" ] || continue
	cp -a "$BUILD/fakehost/cache/$h" "$C/build/fakehost/cache/" &&
		touch "$C/build/fakehost/cache/$h/fakehost/release"
done
for case in cli/iommu/bad-input cli/iommu/dry-run fakehost/t/build-run; do
	out=$(cd "$C" && env -u NOBODY -u NOBODY_DIR TOP="$C" BUILD="$C/build" ./tests/run "$case" 2>&1)
	rc=$?
	echo "$out" | tail -1
	[ $rc -eq 0 ] || { echo "$out"; fail "$case fails from a clone in a 0700 directory"; }
	echo "$out" | grep -q "^PASS $case\$" || { echo "$out"; fail "$case did not run"; }
done
echo ok
