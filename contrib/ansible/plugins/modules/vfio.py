#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vfio
short_description: Bind PCI devices to vfio-pci for passthrough, or give them back (kvmprep-iommu)
version_added: "0.1.0"
description:
  - C(state=present) runs C(kvmprep-iommu bind), which takes whole IOMMU
    groups (with I(group)) or refuses to split one, refuses devices the host
    uses unless I(force), waits for C(/dev/vfio/N) and rolls every device
    of the call back on any failure; with I(persist) the binding is recorded
    in C(/etc/kvmprep/vfio.conf) and made again at boot.
  - C(state=absent) forgets the persisted binding (C(kvmprep-iommu
    unpersist)) and gives the devices back to their own drivers
    (C(kvmprep-iommu unbind)).
  - C(changed) is the tool's own (C("changed") of its JSON document); check
    mode is the tool's C(--dry-run); diff mode shows each device's driver
    before and after.
options:
  devices:
    description:
      - PCI addresses (C(0000:01:00.0), C(01:00.0)) or network interface names.
      - Required unless I(id) is given.
    type: list
    elements: str
    default: []
  id:
    description: Every device with this vendor:device ID (C(--id VVVV:DDDD)).
    type: str
  group:
    description: Take each device's whole IOMMU group (C(--group)).
    type: bool
    default: false
  driver:
    description: The driver to bind to (C(--driver)).
    type: str
    default: vfio-pci
  persist:
    description:
      - Bind again at every boot (C(--persist)); with C(state=absent), forget
        the persisted binding first.
    type: bool
    default: true
  force:
    description: Take devices the host is using (C(--force)).
    type: bool
    default: false
  timeout:
    description: Milliseconds to wait for C(/dev/vfio/N) (C(--timeout)).
    type: int
  state:
    description: Bound (C(present)) or given back (C(absent)).
    type: str
    choices: [present, absent]
    default: present
requirements:
  - kvmprep-iommu on the host (C(make install)), root
extends_documentation_fragment:
  - kvmprep.host.tool
  - kvmprep.host.tool.lock_wait
'''

EXAMPLES = r'''
- name: The GPU and its audio function to vfio-pci, at every boot too
  kvmprep.host.vfio:
    devices: ["0000:01:00.0"]
    group: true

- name: Every X710 by ID
  kvmprep.host.vfio:
    id: "8086:1572"

- name: Give the GPU back to its driver
  kvmprep.host.vfio:
    devices: ["0000:01:00.0", "0000:01:00.1"]
    state: absent
'''

RETURN = r'''
devices:
  description: kvmprep-iommu's rows, one per device of the call.
  returned: always
  type: list
  elements: dict
  sample:
    - device: "0000:01:00.0"
      vendor_device: "10de:1eb8"
      driver: vfio-pci
      previous_driver: nouveau
      group: 12
      vfio_device: /dev/vfio/12
      result: bound
      changed: true
persist_changed:
  description: Whether the persisted configuration changed (or would).
  returned: always
  type: bool
'''

from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import Tool, changed_of, tool_module, tool_options, exit_result


def main():
    module = tool_module(
        dict(
            devices=dict(type="list", elements="str", default=[]),
            id=dict(type="str"),
            group=dict(type="bool", default=False),
            driver=dict(type="str", default="vfio-pci"),
            persist=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            timeout=dict(type="int"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        common=["lock_wait"],
        required_one_of=[["devices", "id"]],
    )
    p = module.params
    if not p["devices"] and not p["id"]:
        module.fail_json(msg="one of devices or id is required")
    tool = Tool(module, "kvmprep-iommu")
    sel = list(p["devices"]) + tool_options(p, values=[("id", "--id")])
    persist_changed = False
    if p["state"] == "present":
        doc = tool.change(["bind"] + sel + ["--driver", p["driver"]] +
                          tool_options(p, flags=[("group", "--group"), ("persist", "--persist"), ("force", "--force")],
                                       values=[("timeout", "--timeout")]))
        persist_changed = bool(doc.get("persist_changed"))
    else:
        if p["persist"]:
            persist_changed = changed_of(tool.change(["unpersist"] + sel))
        doc = tool.change(["unbind"] + sel)
    rows = doc.get("devices") or []
    before = {}
    after = {}
    for r in rows:
        before[r.get("device")] = r.get("previous_driver")
        after[r.get("device")] = r.get("driver")
    if persist_changed:
        before["persisted"] = p["state"] != "present"
        after["persisted"] = p["state"] == "present"
    exit_result(module, dict(changed=tool.changed, devices=rows, persist_changed=persist_changed), before, after)


if __name__ == "__main__":
    main()
