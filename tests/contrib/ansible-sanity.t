# timeout 600
# ansible-test sanity on the collection (contrib/ansible, kvmprep.host),
# offline, without containers:
# 1. ansible-test itself (Debian's ansible-core) runs every sanity test
#    that needs no virtual environment of its own: compile, shebang,
#    future-import-boilerplate, metaclass-boilerplate, line-endings,
#    no-assert, no-smart-quotes, use-argspec-type-path, shellcheck,
#    action-plugin-docs, ignores, ... (all but those in VENV_TESTS);
# 2. the tests ansible-test would run in a virtual environment it fills
#    from PyPI (not reachable here) are run the way ansible-test runs them,
#    with its own validators and Debian's packages (python3-voluptuous,
#    pycodestyle, yamllint): validate-modules (argument_spec against
#    DOCUMENTATION, RETURN, EXAMPLES), pep8, yamllint, ansible-doc,
#    runtime-metadata. Not run: pylint and import (they need ansible-test's
#    pinned venvs). The ignore file tests/sanity/ignore-2.NN.txt is honoured.
. "$TOP/tests/lib.sh"
command -v ansible-test >/dev/null || { echo "ansible-test is not installed (scripts/deps installs ansible-core)"; exit 77; }
PY=/usr/bin/python3
SR=$($PY -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_util/controller/sanity"))') ||
	fail "ansible_test not importable by $PY"
for m in voluptuous pycodestyle yamllint; do
	$PY -c "import $m" 2>/dev/null || { echo "python3 module $m missing (scripts/deps installs it)"; exit 77; }
done
VENV_TESTS="ansible-doc import pep8 pylint runtime-metadata validate-modules yamllint mypy"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
C=$W/ansible_collections/kvmprep/host
mkdir -p "$(dirname "$C")"
cp -a "$TOP/contrib/ansible" "$C"
cd "$C" || fail "cd"
export HOME=$W/home LC_ALL=C.UTF-8 ANSIBLE_COLLECTIONS_PATH=$W
mkdir -p "$HOME"
pyver=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
corever=$($PY -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')
IGNORE=tests/sanity/ignore-$corever.txt
[ -e "$IGNORE" ] || fail "no $IGNORE for ansible-core $corever"

# --- 1. ansible-test -----------------------------------------------------------
skips=()
have=$(ansible-test sanity --list-tests 2>/dev/null)
for t in $VENV_TESTS; do grep -qx -- "$t" <<<"$have" && skips+=(--skip-test "$t"); done
ansible-test sanity --python "$pyver" "${skips[@]}" >"$W/at.out" 2>&1
rc=$?
ran=$(sed -n 's/^Running sanity test "\([^"]*\)".*/\1/p' "$W/at.out" | tr '\n' ' ')
[ $rc -eq 0 ] || { cat "$W/at.out"; fail "ansible-test sanity failed (exit $rc)"; }
for t in compile shebang future-import-boilerplate metaclass-boilerplate use-argspec-type-path ignores; do
	grep -qw -- "$t" <<<"$ran" || fail "ansible-test did not run $t (ran: $ran)"
done

# --- 2. the venv tests, with Debian's packages ------------------------------------
# ignored: "PATH TEST:CODE" lines of the ignore file
ignored() { grep -q "^$1 $2:$3\( \|\$\)" "$IGNORE"; }
bad=0
# validate-modules
ver=$(sed -n 's/^version: *//p' galaxy.yml)
$PY "$SR/validate-modules/validate.py" --format json --arg-spec --collection ansible_collections/kvmprep/host \
	--collection-version "$ver" plugins/modules/*.py >"$W/vm.json" 2>"$W/vm.err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || { cat "$W/vm.err"; fail "validate-modules exited $rc"; }
[ ! -s "$W/vm.err" ] || { cat "$W/vm.err"; fail "validate-modules wrote to stderr"; }
while read -r path code msg; do
	ignored "$path" validate-modules "$code" && continue
	echo "validate-modules: $path: $code: $msg"
	bad=1
done < <($PY -c 'import json,sys
for path, r in json.load(open(sys.argv[1])).items():
    for e in r["errors"]:
        print(path, e["code"], e["msg"].replace("\n", " "))' "$W/vm.json")
[ "$(grep -c '"errors"' "$W/vm.json")" -eq "$(ls plugins/modules/*.py | wc -l)" ] || fail "validate-modules did not see every module"
# pep8, as ansible-test calls pycodestyle
$PY -m pycodestyle --max-line-length 160 --config /dev/null \
	--ignore "$(sort "$SR/pep8/current-ignore.txt" | paste -sd,)" plugins >"$W/pep8" 2>&1 ||
	{ sed 's/^/pep8: /' "$W/pep8"; bad=1; }
# yamllint: the YAML files and the modules' embedded documentation
{ find . -name '*.yml' -o -name '*.yaml'; ls plugins/modules/*.py; } | sed 's|^\./||' |
	$PY "$SR/yamllint/yamllinter.py" >"$W/yl.json" 2>&1 || { cat "$W/yl.json"; fail "yamllinter failed"; }
$PY -c 'import json,sys; m = json.load(open(sys.argv[1]))["messages"]
for x in m: print("yamllint: %s:%s:%s: %s" % (x["path"], x["line"], x["column"], x["message"]))
sys.exit(1 if m else 0)' "$W/yl.json" || bad=1
# ansible-doc renders every module
for m in plugins/modules/*.py; do
	n=$(basename "$m" .py)
	ansible-doc -t module "kvmprep.host.$n" >"$W/doc" 2>&1 || { echo "ansible-doc: kvmprep.host.$n: $(tail -1 "$W/doc")"; bad=1; }
	grep -q "^> KVMPREP.HOST.$(tr a-z A-Z <<<"$n") " "$W/doc" || { echo "ansible-doc: kvmprep.host.$n: no page"; bad=1; }
done
# runtime-metadata
$PY "$SR/code-smell/runtime-metadata.py" meta/runtime.yml >"$W/rt" 2>&1
[ ! -s "$W/rt" ] || { sed 's/^/runtime-metadata: /' "$W/rt"; bad=1; }
[ $bad -eq 0 ] || fail "sanity (above)"
echo "sanity ok: ansible-test ran: $ran; and validate-modules pep8 yamllint ansible-doc runtime-metadata"
