# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT
"""Run a kvmprep tool with --json and read its one document.

Every kvmprep tool prints exactly one JSON document on stdout under --json,
also when it fails ({"ok": false, "exit": N, "error": "..."}), and says
itself whether it changed the host ("changed"). The modules never guess:
"changed" is the tool's, check mode is the tool's --dry-run.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

# exit codes the tools document (README, each man page)
EXIT_MEANING = {
    1: "failed or refused (rolled back)",
    2: "usage error",
    3: "the host cannot do it",
}


def tool_path(module, tool):
    """The tool's path: PATH first (so a play's environment can choose),
    then the usual install prefixes."""
    return module.get_bin_path(tool, required=True,
                               opt_dirs=["/usr/local/bin", "/usr/bin", "/usr/local/sbin"])


def run_json(module, tool, args, dry_run=False, ok_codes=(0,), fail=True):
    """Run TOOL ARGS --json [--dry-run]. Returns (rc, doc, cmd). A run that
    exits outside ok_codes fails the task (unless fail=False) with the
    tool's own error line."""
    cmd = [tool_path(module, tool)] + [str(a) for a in args] + ["--json"]
    if dry_run:
        cmd.append("--dry-run")
    rc, out, err = module.run_command(cmd, environ_update={"LC_ALL": "C", "NO_COLOR": "1"})
    doc = None
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    if rc in ok_codes and isinstance(doc, dict):
        return rc, doc, cmd
    if not fail:
        return rc, doc, cmd
    msg = None
    if isinstance(doc, dict) and doc.get("error"):
        msg = "%s: %s" % (tool, doc["error"])
    elif err.strip():
        msg = err.strip().splitlines()[-1]
    elif doc is None:
        msg = "%s printed no JSON document (exit %d)" % (tool, rc)
    else:
        msg = "%s exited %d" % (tool, rc)
    module.fail_json(msg=msg, rc=rc, cmd=cmd, stdout=out, stderr=err,
                     exit_meaning=EXIT_MEANING.get(rc, "interrupted by a signal" if rc >= 128 else "unknown"))
    return rc, doc, cmd  # not reached


def changed_of(doc):
    """The tool's own answer: "changed" in its document."""
    return bool(doc.get("changed")) if isinstance(doc, dict) else False
