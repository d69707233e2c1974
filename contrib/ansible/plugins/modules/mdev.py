#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: mdev
short_description: Mediated devices (vGPUs and others), defined and started (kvmprep-mdev)
version_added: "0.1.0"
description:
  - C(state=present) makes the definition (mdevctl's own file,
    C(/etc/mdevctl.d/PARENT/UUID), through C(kvmprep-mdev define), or
    C(modify) when the type or start mode differ) and starts the device
    (C(kvmprep-mdev start)). C(state=defined) only defines it. C(state=absent)
    stops it and removes the definition.
  - C(changed) is the tool's own (C("changed") of each JSON document); check
    mode is the tool's C(--dry-run); diff mode shows the definition and
    whether the device is active, before and after.
options:
  uuid:
    description: The device's UUID.
    type: str
    required: true
  parent:
    description:
      - The parent device as C(/sys/class/mdev_bus) names it (C(0000:01:00.0),
        C(matrix)). Required unless C(state=absent).
    type: str
  type:
    description: The mdev type (C(nvidia-222), C(i915-GVTg_V5_4)). Required unless C(state=absent).
    type: str
  start:
    description: Start at boot when the parent appears (C(auto)), or not (C(manual)).
    type: str
    choices: [auto, manual]
    default: auto
  attrs:
    description:
      - Vendor attributes C(KEY=VALUE), written in this order when the device
        is created. Given for a new definition; an existing definition with
        other attributes is refused (remove it first with C(state=absent)).
    type: list
    elements: str
    default: []
  force:
    description: Stop a device a process holds, go on when a callout refuses (C(--force)).
    type: bool
    default: false
  timeout:
    description: Milliseconds to wait for the device and its vfio node (C(--timeout)).
    type: int
  state:
    description: Defined and active (C(present)), defined only (C(defined)), or neither (C(absent)).
    type: str
    choices: [present, defined, absent]
    default: present
requirements:
  - kvmprep-mdev on the host (C(make install)), root
extends_documentation_fragment:
  - kvmprep.host.tool
  - kvmprep.host.tool.lock_wait
'''

EXAMPLES = r'''
- name: A T4 vGPU, started now and at boot
  kvmprep.host.mdev:
    uuid: 6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d
    parent: "0000:03:00.0"
    type: nvidia-222

- name: Gone
  kvmprep.host.mdev:
    uuid: 6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d
    state: absent
'''

RETURN = r'''
definition:
  description: The definition after the change (uuid, parent, type, start, attrs, file); null when absent.
  returned: always
  type: dict
device:
  description: The active device (uuid, parent, type, sysfs, iommu_group, vfio_node); null unless state=present.
  returned: always
  type: dict
'''

from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import Tool, tool_module, tool_options, exit_result


def find(doc, uuid):
    for d in (doc or {}).get("devices") or []:
        if (d.get("uuid") or "").lower() == uuid:
            return d
    return None


def attr_strings(d):
    """A definition's attributes as KEY=VALUE strings, in order (the list
    shows them as [{KEY: VALUE}, ...])."""
    out = []
    for a in (d or {}).get("attrs") or []:
        if isinstance(a, dict):
            out += ["%s=%s" % (k, v) for k, v in a.items()]
        else:
            out.append(str(a))
    return out


def main():
    module = tool_module(
        dict(
            uuid=dict(type="str", required=True),
            parent=dict(type="str"),
            type=dict(type="str"),
            start=dict(type="str", choices=["auto", "manual"], default="auto"),
            attrs=dict(type="list", elements="str", default=[]),
            force=dict(type="bool", default=False),
            timeout=dict(type="int"),
            state=dict(type="str", choices=["present", "defined", "absent"], default="present"),
        ),
        common=["lock_wait"],
        required_if=[["state", "present", ["parent", "type"]],
                     ["state", "defined", ["parent", "type"]]],
    )
    p = module.params
    uuid = p["uuid"].lower()
    check = module.check_mode
    tool = Tool(module, "kvmprep-mdev")
    tmo = tool_options(p, values=[("timeout", "--timeout")])
    force = tool_options(p, flags=[("force", "--force")])

    rc, ldef = tool.query(["list", "--defined"])
    rc, lact = tool.query(["list"])
    old_def = find(ldef, uuid)
    old_act = find(lact, uuid)
    have = attr_strings(old_def)
    before = dict(
        definition=None if old_def is None else dict(
            parent=old_def.get("parent"), type=old_def.get("type"),
            start=old_def.get("start"), attrs=have),
        active=old_act is not None)
    definition = None
    device = None

    if p["state"] == "absent":
        tool.change(["stop", uuid] + force)
        tool.change(["undefine", uuid])
        after = dict(definition=None, active=False)
    else:
        mode = "--auto" if p["start"] == "auto" else "--manual"
        attrs = []
        for a in p["attrs"]:
            if "=" not in a:
                module.fail_json(msg="attrs: '%s' is not KEY=VALUE" % a)
            attrs += ["--attr", a]
        if old_def is not None:
            if old_def.get("parent") != p["parent"]:
                module.fail_json(msg="%s is defined on %s, not %s: remove it first (state=absent)"
                                 % (uuid, old_def.get("parent"), p["parent"]))
            if p["attrs"] and have != p["attrs"]:
                module.fail_json(msg="%s is defined with attributes %s, not %s: remove it first (state=absent)"
                                 % (uuid, have, p["attrs"]))
            margs = ["modify", uuid]
            if old_def.get("type") != p["type"]:
                margs += ["--type", p["type"]]
            if old_def.get("start") != p["start"]:
                margs.append(mode)
            if len(margs) > 2:
                definition = tool.change(margs).get("definition")
            else:
                definition = old_def
        else:
            definition = tool.change(["define", "--parent", p["parent"], "--type", p["type"],
                                      "--uuid", uuid, mode] + attrs).get("definition")
        if p["state"] == "present":
            if old_def is None and check:
                # not defined yet (the define above was a dry run): what
                # a start would do is a create of the same device
                sargs = ["create", "--parent", p["parent"], "--type", p["type"], "--uuid", uuid] + attrs
            else:
                sargs = ["start", uuid]
            device = tool.change(sargs + tmo).get("device")
        after = dict(
            definition=dict(parent=p["parent"], type=p["type"], start=p["start"],
                            attrs=have if old_def is not None else p["attrs"]),
            active=(p["state"] == "present") or before["active"])
    exit_result(module, dict(changed=tool.changed, definition=definition, device=device), before, after)


if __name__ == "__main__":
    main()
