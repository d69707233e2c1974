# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT
"""Run a kvmprep tool with --json and read its one document.

Every kvmprep tool prints exactly one JSON document on stdout under --json,
also when it fails ({"ok": false, "exit": N, "error": "..."}), and says
itself whether it changed the host ("changed"). The modules never guess:
"changed" is the tool's, check mode is the tool's --dry-run.

What every module shares lives here: the module with check mode
(tool_module), the options common to several tools (COMMON_OPTIONS; their
documentation is doc_fragments/tool.py), module parameters turned into the
tool's options (tool_options), a tool run that adds the common options and
--dry-run in check mode and keeps "changed" (Tool), and the result with its
diff (exit_result).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible.module_utils.basic import AnsibleModule

# exit codes the tools document (README, each man page)
EXIT_MEANING = {
    1: "failed or refused (rolled back)",
    2: "usage error",
    3: "the host cannot do it",
}

# options several tools have: name -> (argument spec, the tool's option);
# documented in doc_fragments/tool.py under the same name
COMMON_OPTIONS = {
    "lock_wait": (dict(type="int"), "--wait"),
}


def tool_module(argument_spec, common=(), **kwargs):
    """The AnsibleModule of a kvmprep module: its own argument spec plus the
    COMMON_OPTIONS named in COMMON, with check mode (the tools' --dry-run)."""
    spec = dict(argument_spec)
    for name in common:
        spec[name] = dict(COMMON_OPTIONS[name][0])
    return AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)


def tool_options(params, flags=(), values=()):
    """The tool's options for module parameters, in the order given.
    FLAGS: (parameter, --option) pairs, the option given when the parameter
    is true; VALUES: (parameter, --option) pairs, the option given with the
    parameter's value when it is set (not None, not empty)."""
    args = []
    for name, opt in flags:
        if params.get(name):
            args.append(opt)
    for name, opt in values:
        value = params.get(name)
        if value is not None and value != "":
            args += [opt, value]
    return args


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


class Tool(object):
    """One kvmprep tool as a module runs it: query() reads (never with
    --dry-run), change() changes the host (or, in check mode, asks the
    tool's --dry-run) with the options of the module's COMMON_OPTIONS
    appended, and remembers whether any change said "changed"."""

    def __init__(self, module, name):
        self.module = module
        self.name = name
        self.common = tool_options(module.params, values=[(k, v[1]) for k, v in sorted(COMMON_OPTIONS.items())
                                                          if k in module.params])
        self.changed = False
        self.last_cmd = None

    def query(self, args, ok_codes=(0,)):
        """rc and document of a run that changes nothing."""
        rc, doc, self.last_cmd = run_json(self.module, self.name, args, ok_codes=ok_codes)
        return rc, doc

    def change(self, args, common=True):
        """The document of a change (a dry run in check mode)."""
        rc, doc, self.last_cmd = run_json(self.module, self.name, list(args) + (self.common if common else []),
                                          dry_run=self.module.check_mode)
        self.changed = changed_of(doc) or self.changed
        return doc


def exit_result(module, result, before=None, after=None):
    """exit_json with RESULT, and in diff mode the diff BEFORE -> AFTER."""
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)
