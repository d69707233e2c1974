# timeout 600
# ansible-test sanity on the collection (contrib/ansible, kvmprep.host),
# every test, run by ansible-test itself (Debian's ansible-core), offline,
# without containers.
# ansible-test runs pylint, import, validate-modules, pep8, yamllint,
# ansible-doc and runtime-metadata each in a virtual environment it fills
# from PyPI with pinned versions; PyPI is not reachable here. So
# tests/contrib/ansible-test-venvs.py first makes those environments where
# ansible-test looks for them (the paths its own code computes), from
# Debian's packages of the same distributions, and marks them complete;
# then ansible-test runs every test with its own code, configs and pylint
# plugins. What differs from PyPI's environments (Debian's versions, and the
# Debian dependencies they add) is printed by that script, and echoed here.
# The case also shows that pylint and import, so run, find what they must:
# a copy of the collection with a defect of each kind fails ansible-test.
# The ignore file tests/sanity/ignore-2.NN.txt is ansible-test's own.
. "$TOP/tests/lib.sh"
command -v ansible-test >/dev/null || { echo "ansible-test is not installed (scripts/deps installs ansible-core)"; exit 77; }
command -v dpkg-query >/dev/null || { echo "the sanity environments are made from Debian's packages (dpkg-query not found)"; exit 77; }
PY=/usr/bin/python3
$PY -c 'import ansible_test' 2>/dev/null || fail "ansible_test not importable by $PY"
[ -d /usr/lib/python3/dist-packages/pylint ] || { echo "Debian's pylint is not installed (scripts/deps installs it)"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
C=$W/ansible_collections/kvmprep/host
mkdir -p "$(dirname "$C")"
cp -a "$TOP/contrib/ansible" "$C"
cd "$C" || fail "cd"
# HOME: ansible-test keeps its environments under ~/.ansible/test/venv
export HOME=$W/home LC_ALL=C.UTF-8 ANSIBLE_COLLECTIONS_PATH=$W
mkdir -p "$HOME"
pyver=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
corever=$($PY -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')
[ -e "tests/sanity/ignore-$corever.txt" ] || fail "no tests/sanity/ignore-$corever.txt for ansible-core $corever"

VENV_TESTS="pylint import validate-modules pep8 yamllint ansible-doc runtime-metadata"
# shellcheck disable=SC2086
$PY "$TOP/tests/contrib/ansible-test-venvs.py" "$pyver" $VENV_TESTS >"$W/venvs" 2>&1 ||
	{ cat "$W/venvs"; fail "cannot make ansible-test's environments from Debian's packages"; }
sed 's/^/differs from PyPI: /' "$W/venvs"
[ -n "$(ls -d "$HOME"/.ansible/test/venv/sanity.pylint/"$pyver"/*/marker.txt 2>/dev/null)" ] || fail "no pylint environment"

# sanity [ARGS]: ansible-test sanity in the current directory; output in $W/at.out
sanity() {
	ansible-test sanity -v --python "$pyver" --color no "$@" >"$W/at.out" 2>&1
}
sanity
rc=$?
ran=$(sed -n 's/^Running sanity test "\([^"]*\)".*/\1/p' "$W/at.out" | tr '\n' ' ')
[ $rc -eq 0 ] || { cat "$W/at.out"; fail "ansible-test sanity failed (exit $rc)"; }
! grep -i 'skipping sanity test' "$W/at.out" || fail "ansible-test skipped a test (above)"
# every test ansible-test has for a collection ran, the venv ones included
for t in $(ansible-test sanity --list-tests 2>/dev/null); do
	grep -qw -- "$t" <<<"$ran" || fail "ansible-test did not run $t (ran: $ran)"
done
for t in $VENV_TESTS compile shebang future-import-boilerplate metaclass-boilerplate use-argspec-type-path ignores; do
	grep -qw -- "$t" <<<"$ran" || fail "ansible-test did not run $t (ran: $ran)"
done
# pylint ran on the modules and module_utils with ansible-test's collection config
grep -q 'Checking 5 file(s) in context "modules" with config: .*/pylint/config/collection.cfg' "$W/at.out" ||
	{ grep Checking "$W/at.out"; fail "pylint did not check the 5 modules"; }

# --- the environments find what they must --------------------------------------
# pylint with ansible-test's plugins (unwanted: print and sys.exit in a
# module) and its checkers (unreachable code); import: a module importing
# yaml (not in the module environment: modules run on the managed host with
# only the standard library and ansible's module_utils) and a module_utils
# importing a library no environment has
cp plugins/modules/vfio.py "$W/vfio.py"
cp plugins/module_utils/kvmprep.py "$W/kvmprep.py"
printf '\n\ndef _probe():\n    import sys\n    print("x")\n    sys.exit(1)\n    return 1\n' >>plugins/modules/vfio.py
sed -i 's/^from ansible_collections\.kvmprep\.host\.plugins\.module_utils\.kvmprep import .*$/import yaml\n&/' plugins/modules/vfio.py
sed -i 's/^import json$/&\nimport kvmprep_not_a_module/' plugins/module_utils/kvmprep.py
grep -qx 'import yaml' plugins/modules/vfio.py && grep -qx 'import kvmprep_not_a_module' plugins/module_utils/kvmprep.py ||
	fail "cannot make the defective copy"
sanity --test pylint --test import
rc=$?
[ $rc -ne 0 ] || { cat "$W/at.out"; fail "ansible-test passed a defective copy"; }
for want in \
	'plugins/modules/vfio.py:[0-9]*:[0-9]*: ansible-bad-function: Call module.log or module.debug instead of builtins.print' \
	'plugins/modules/vfio.py:[0-9]*:[0-9]*: ansible-bad-function: Call exit_json or fail_json instead of sys.exit' \
	'plugins/modules/vfio.py:[0-9]*:[0-9]*: unreachable: Unreachable code' \
	"plugins/modules/vfio.py:[0-9]*:[0-9]*: traceback: ModuleNotFoundError: No module named 'yaml'" \
	"plugins/module_utils/kvmprep.py:[0-9]*:[0-9]*: traceback: ModuleNotFoundError: No module named 'kvmprep_not_a_module'" \
	"plugins/modules/bridge.py:[0-9]*:[0-9]*: traceback: ModuleNotFoundError: No module named 'kvmprep_not_a_module' (at plugins/module_utils/kvmprep.py"; do
	grep -q "^ERROR: $want" "$W/at.out" || { cat "$W/at.out"; fail "the defective copy: no '$want'"; }
done
cp "$W/vfio.py" plugins/modules/vfio.py
cp "$W/kvmprep.py" plugins/module_utils/kvmprep.py
sanity --test pylint --test import || { cat "$W/at.out"; fail "the restored copy fails"; }
echo "sanity ok: ansible-test ran: $ran"
