#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Provision ansible-test's sanity virtual environments from Debian's packages.

ansible-test runs its pylint, import, validate-modules, pep8, yamllint,
ansible-doc and runtime-metadata sanity tests each in a virtual environment
of its own, which it fills from PyPI with the versions it pins
(ansible_test/_data/requirements/sanity.NAME.txt), and keeps under
~/.ansible/test/venv/LABEL/PYVER/HASH once marker.txt is written there.
PyPI is not reachable here, Debian's packages are. This script makes the
same environments at the same paths, computed by ansible-test's own code
(collect_requirements, hash_pip_commands), with the same contents but
Debian's files for each pinned distribution:

  - python3 -m venv --without-pip, as ansible-test creates them (no
    system site packages: each environment sees only its requirements);
  - for each requirement of the pinned list, the top-level entries that
    Debian's package of that distribution installs in dist-packages
    (dpkg -L), symlinked into the environment's site-packages, as pip
    would have installed them; and the same for the python3-* packages
    that those packages depend on (Debian's Depends, alternatives judged
    as dpkg would), since Debian's version may need what PyPI's does not
    (Debian's isort 5.6.4 imports toml);
  - meta.install.json (ansible-test's own serialization of the pip
    commands it would have run), meta.yaml.json (ansible-test's yamlcheck
    of the environment) and marker.txt, which tells ansible-test the
    environment is complete.

Then ansible-test itself runs the tests. What differs from an environment
made from PyPI is printed, one line per distribution whose Debian version
is not the pinned one, and one per pinned requirement that the
environment's Python does not need (an environment marker that the pinned
list leaves out, e.g. tomli on Python >= 3.11), and one per Debian package
added as a dependency that the pinned list does not have. A requirement that Debian
lacks and the environment needs is an error (exit 1).

usage: ansible-test-venvs.py PYVER TEST...  (TEST: pylint, import, ...)
Run with HOME set as for ansible-test, and with the Python that ansible-test
uses as its controller (Debian's /usr/bin/python3).
"""

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys

from ansible_test._internal.python_requirements import collect_requirements, PipInstall
from ansible_test._internal.commands.sanity import hash_pip_commands
from ansible_test._internal.host_configs import NativePythonConfig, VirtualPythonConfig
from ansible_test._internal.util_common import yamlcheck

try:
    from packaging.requirements import Requirement
except ImportError:  # the marker check is then skipped: every pin is needed
    Requirement = None

DIST = '/usr/lib/python3/dist-packages'

# sanity test -> (name ansible-test passes to create_sanity_virtualenv, minimize)
TESTS = {
    'pylint': [('pylint', False)],
    'pep8': [('pep8', False)],
    'yamllint': [('yamllint', False)],
    'validate-modules': [('validate-modules', False)],
    'ansible-doc': [('ansible-doc', False)],
    'runtime-metadata': [('runtime-metadata', False)],
    # import: its module and plugin environments (minimized) and the
    # controller's one that reads YAML for the collection loader
    'import': [('import.module', True), ('import.plugin', True), ('import', False)],
}


def die(msg):
    print('ansible-test-venvs: %s' % msg, file=sys.stderr)
    sys.exit(1)


def pins(commands):
    """The NAME==VERSION lines of the requirement files pip would install."""
    out = []
    for c in commands:
        if not isinstance(c, PipInstall):
            continue
        for _path, text in c.requirements:
            for line in text.splitlines():
                line = line.split('#', 1)[0].strip()
                if not line:
                    continue
                m = re.match(r'^([A-Za-z0-9_.-]+)==(\S+)$', line)
                if not m:
                    die('cannot read requirement %r' % line)
                out.append((m.group(1), m.group(2)))
        for p in c.packages:
            m = re.match(r'^([A-Za-z0-9_.-]+)==(\S+)$', p)
            if not m:
                die('cannot read package %r' % p)
            out.append((m.group(1), m.group(2)))
    return out


def debian_files(dist):
    """The Debian package installing DIST and its top-level dist-packages entries."""
    path = str(dist._path)  # pylint: disable=protected-access
    if os.path.dirname(path) != DIST:
        die('%s is not Debian\'s (%s)' % (dist.metadata['Name'], path))
    owner = subprocess.run(['dpkg-query', '-S', path], capture_output=True, text=True, check=False)
    if owner.returncode != 0:
        die('no Debian package owns %s' % path)
    pkg = owner.stdout.split(':', 1)[0].strip()
    return pkg, dpkg_version(pkg), package_entries(pkg)


def dpkg_version(pkg):
    """The installed version of Debian package PKG, or None."""
    r = subprocess.run(['dpkg-query', '-W', '-f', '${db:Status-Status} ${Version}', pkg],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0 or not r.stdout.startswith('installed '):
        return None
    return r.stdout.split(' ', 1)[1]


def satisfied(alt):
    """Is the Depends alternative 'NAME[:any] [(OP VER)]' installed?"""
    m = re.match(r'^([a-z0-9.+-]+)(?::any)?(?:\s*\((<<|<=|=|>=|>>)\s*([^)]+)\))?$', alt.strip())
    if not m:
        die('cannot read the dependency %r' % alt)
    ver = dpkg_version(m.group(1))
    if ver is None:
        return None
    if m.group(2):
        op = {'<<': 'lt', '<=': 'le', '=': 'eq', '>=': 'ge', '>>': 'gt'}[m.group(2)]
        if subprocess.run(['dpkg', '--compare-versions', ver, op, m.group(3).strip()], check=False).returncode != 0:
            return None
    return m.group(1)


def python_depends(pkg):
    """The python3-* packages PKG needs as dpkg judges its Depends: a group
    satisfied by the python3 interpreter's version needs nothing."""
    deps = subprocess.run(['dpkg-query', '-W', '-f', '${Depends}', pkg], capture_output=True, text=True, check=True).stdout
    out = []
    for group in filter(None, (g.strip() for g in deps.split(','))):
        alts = [a.strip() for a in group.split('|')]
        names = [satisfied(a) for a in alts]
        if any(n in ('python3', 'python3-minimal') for n in names):
            continue
        chosen = [n for n, a in zip(names, alts) if n and n.startswith('python3-')]
        if chosen:
            out.append(chosen[0])
        elif all(a.split()[0].split(':')[0].startswith('python3-') for a in alts):
            die('%s depends on %s, which is not installed' % (pkg, group))
    return out


def package_entries(pkg):
    """The top-level dist-packages entries of Debian package PKG."""
    listing = subprocess.run(['dpkg-query', '-L', pkg], capture_output=True, text=True, check=True).stdout
    return sorted({f[len(DIST) + 1:].split('/', 1)[0] for f in listing.splitlines() if f.startswith(DIST + '/')})


def needed(pinned, name):
    """Is NAME required by one of the other pinned distributions, as Debian
    built them, under this Python's environment markers?"""
    if Requirement is None:
        return True
    key = name.lower().replace('_', '-')
    for other, _v in pinned:
        if other == name:
            continue
        try:
            reqs = importlib.metadata.requires(other) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for r in reqs:
            req = Requirement(r)
            if req.name.lower().replace('_', '-') != key:
                continue
            if req.marker is None or req.marker.evaluate({'extra': ''}):
                return True
    return False


def provision(pyver, name, minimize, python, report):
    commands = collect_requirements(python=python, controller=True, virtualenv=False, command=None,
                                    ansible=False, cryptography=False, coverage=False,
                                    minimize=minimize, sanity=name)
    if not commands:
        return  # ansible-test makes an environment without requirements itself, without pip
    label = 'sanity.%s' % name
    path = os.path.join(os.path.expanduser('~/.ansible/test/venv'), label, pyver, hash_pip_commands(commands))
    if os.path.exists(os.path.join(path, 'marker.txt')):
        return
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([python.path, '-m', 'venv', '--without-pip', path], check=True)
    site = os.path.join(path, 'lib', 'python%s' % pyver, 'site-packages')
    if not os.path.isdir(site):
        die('%s: no %s' % (label, site))
    pinned = pins(commands)
    debian = {}

    def link(tops):
        for top in tops:
            dst = os.path.join(site, top)
            if not os.path.lexists(dst):
                os.symlink(os.path.join(DIST, top), dst)

    pkgs = set()
    for dname, pin in pinned:
        try:
            dist = importlib.metadata.distribution(dname)
        except importlib.metadata.PackageNotFoundError:
            if needed(pinned, dname):
                die('%s: %s==%s is needed and Debian\'s package of it is not installed' % (label, dname, pin))
            report.append('%s: %s==%s not installed: no other requirement needs it on Python %s' % (label, dname, pin, pyver))
            continue
        pkg, pkgver, tops = debian_files(dist)
        link(tops)
        pkgs.add(pkg)
        debian[dname] = dict(pinned=pin, version=dist.version, package=pkg, package_version=pkgver, entries=tops)
        if dist.version != pin:
            report.append('%s: %s %s (Debian %s %s) instead of %s' % (label, dname, dist.version, pkg, pkgver, pin))
    # what Debian's packages of them need besides
    todo = sorted(pkgs)
    seen = set(pkgs)
    while todo:
        for dep in python_depends(todo.pop()):
            if dep in seen:
                continue
            seen.add(dep)
            todo.append(dep)
            tops = package_entries(dep)
            link(tops)
            debian['debian:' + dep] = dict(pinned=None, package=dep, package_version=dpkg_version(dep), entries=tops)
            report.append('%s: %s %s added: a dependency of Debian\'s packages, not pinned' % (label, dep, dpkg_version(dep)))
    with open(os.path.join(path, 'meta.install.json'), 'w', encoding='utf-8') as f:
        f.write(json.dumps([c.serialize() for c in commands], indent=4))
    with open(os.path.join(path, 'meta.debian.json'), 'w', encoding='utf-8') as f:
        f.write(json.dumps(debian, indent=4, sort_keys=True))
    venv_python = VirtualPythonConfig(version=pyver, path=os.path.join(path, 'bin', 'python'))
    if any(isinstance(c, PipInstall) and c.has_package('pyyaml') for c in commands):
        yaml = yamlcheck(venv_python)
    else:
        yaml = None
    with open(os.path.join(path, 'meta.yaml.json'), 'w', encoding='utf-8') as f:
        json.dump(yaml, f)
    with open(os.path.join(path, 'marker.txt'), 'w', encoding='utf-8'):
        pass


def main():
    if len(sys.argv) < 3:
        die('usage: ansible-test-venvs.py PYVER TEST...')
    pyver = sys.argv[1]
    python = NativePythonConfig(version=pyver, path=shutil.which('python%s' % pyver, path='/usr/bin') or sys.executable)
    report = []
    for test in sys.argv[2:]:
        if test not in TESTS:
            die('unknown test %s (known: %s)' % (test, ' '.join(sorted(TESTS))))
        for name, minimize in TESTS[test]:
            provision(pyver, name, minimize, python, report)
    for line in report:
        print(line)


if __name__ == '__main__':
    main()
