#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: sriov
short_description: SR-IOV virtual functions of a PF (kvmprep-sriov)
version_added: "0.1.0"
description:
  - Runs C(kvmprep-sriov set PF COUNT), which does nothing when the PF
    already has I(count) VFs on the asked driver, else goes through 0 (the
    kernel's rule), waits for every VF and puts the PF back as it was on
    any failure; with I(driver=vfio-pci) no host driver touches the VFs.
  - With I(persist) the count and driver are recorded in
    C(/etc/kvmprep/sriov.conf) and made again at boot
    (C(kvmprep-sriov.service)).
  - C(changed) is the tool's own (C("changed") and C("persist_changed") of
    its JSON document); check mode is the tool's C(--dry-run); diff mode
    shows the VF count before and after.
options:
  pf:
    description: The PF, a PCI address or its interface name.
    type: str
    required: true
  count:
    description: How many VFs (0 removes them).
    type: int
    required: true
  driver:
    description:
      - Bind the new VFs to this driver (C(vfio-pci) for guests) without a
        host driver touching them first (C(--driver)).
      - Without it the VFs get the host's driver for them.
    type: str
  no_probe:
    description: Create the VFs without any driver (C(--no-probe)).
    type: bool
    default: false
  persist:
    description: Make the VFs again at every boot (C(--persist)).
    type: bool
    default: true
  force:
    description: Remove VFs even when a guest or the host uses them (C(--force)).
    type: bool
    default: false
  timeout:
    description: Milliseconds for the C(sriov_numvfs) write and for the VFs to appear (C(--timeout)).
    type: int
requirements:
  - kvmprep-sriov on the host (C(make install)), root
extends_documentation_fragment:
  - kvmprep.host.tool
  - kvmprep.host.tool.lock_wait
'''

EXAMPLES = r'''
- name: Eight VFs for guests on the X710, at every boot too
  kvmprep.host.sriov:
    pf: "0000:02:00.0"
    count: 8
    driver: vfio-pci

- name: No VFs on enp3s0f0
  kvmprep.host.sriov:
    pf: enp3s0f0
    count: 0
'''

RETURN = r'''
pf:
  description: kvmprep-sriov's PF row (pf, num_vfs, previous, driver, result, changed).
  returned: always
  type: dict
  sample:
    pf: "0000:02:00.0"
    num_vfs: 4
    previous: 0
    driver: vfio-pci
    result: set
    changed: true
vfs:
  description: The VFs after the change (index, address, driver, group, vfio_device); empty in check mode.
  returned: always
  type: list
  elements: dict
persist_changed:
  description: Whether the persisted configuration changed (or would).
  returned: always
  type: bool
'''

from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import Tool, tool_module, tool_options, exit_result


def main():
    module = tool_module(
        dict(
            pf=dict(type="str", required=True),
            count=dict(type="int", required=True),
            driver=dict(type="str"),
            no_probe=dict(type="bool", default=False),
            persist=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            timeout=dict(type="int"),
        ),
        common=["lock_wait"],
    )
    p = module.params
    if p["driver"] and p["no_probe"]:
        module.fail_json(msg="driver and no_probe exclude each other")
    if p["count"] < 0:
        module.fail_json(msg="count must be 0 or more")
    tool = Tool(module, "kvmprep-sriov")
    doc = tool.change(["set", p["pf"], p["count"]] +
                      tool_options(p, flags=[("no_probe", "--no-probe"), ("persist", "--persist"), ("force", "--force")],
                                   values=[("driver", "--driver"), ("timeout", "--timeout")]))
    pf = doc.get("pf") or {}
    persist_changed = bool(doc.get("persist_changed"))
    exit_result(module,
                dict(changed=tool.changed or persist_changed, pf=pf, vfs=doc.get("vfs") or [], persist_changed=persist_changed),
                dict(num_vfs=pf.get("previous")), dict(num_vfs=pf.get("num_vfs"), driver=pf.get("driver")))


if __name__ == "__main__":
    main()
