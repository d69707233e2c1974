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
  lock_wait:
    description: Seconds to wait for another kvmprep run's lock (C(--wait)).
    type: int
requirements:
  - kvmprep-sriov on the host (C(make install)), root
attributes:
  check_mode:
    support: full
    description: The tool's C(--dry-run); nothing on the host changes.
  diff_mode:
    support: full
    description: What the tool's document says before and after.
author:
  - kvmprep contributors (@kvmprep)
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import run_json, changed_of


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pf=dict(type="str", required=True),
            count=dict(type="int", required=True),
            driver=dict(type="str"),
            no_probe=dict(type="bool", default=False),
            persist=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            timeout=dict(type="int"),
            lock_wait=dict(type="int"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["driver"] and p["no_probe"]:
        module.fail_json(msg="driver and no_probe exclude each other")
    if p["count"] < 0:
        module.fail_json(msg="count must be 0 or more")
    args = ["set", p["pf"], p["count"]]
    if p["driver"]:
        args += ["--driver", p["driver"]]
    if p["no_probe"]:
        args.append("--no-probe")
    if p["persist"]:
        args.append("--persist")
    if p["force"]:
        args.append("--force")
    if p["timeout"] is not None:
        args += ["--timeout", p["timeout"]]
    if p["lock_wait"] is not None:
        args += ["--wait", p["lock_wait"]]
    rc, doc, cmd = run_json(module, "kvmprep-sriov", args, dry_run=module.check_mode)
    pf = doc.get("pf") or {}
    persist_changed = bool(doc.get("persist_changed"))
    result = dict(changed=changed_of(doc) or persist_changed, pf=pf,
                  vfs=doc.get("vfs") or [], persist_changed=persist_changed)
    if module._diff:
        result["diff"] = dict(before=dict(num_vfs=pf.get("previous")),
                              after=dict(num_vfs=pf.get("num_vfs"), driver=pf.get("driver")))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
