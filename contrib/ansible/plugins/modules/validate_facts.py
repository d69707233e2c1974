#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: validate_facts
short_description: Whether a host is ready for KVM guests, as facts (kvmprep-validate)
version_added: "0.1.0"
description:
  - Runs C(kvmprep-validate --json) on the host and sets the fact C(kvmprep)
    from its document, with C(ready), the checks, the failed ones with their
    remedy, and the C(host) object (CPU, kernel, QEMU, hugepages, bridges).
  - A host that is not ready is not a failure of this module; the playbook
    decides (see C(playbooks/prepare.yml)). The module fails only when the
    checks could not run (exit 2 or 3).
  - Read-only; the same in check mode.
options:
  jobs:
    description:
      - What the host is for (C(--for)); without it the question is "can it
        run KVM guests?".
    type: list
    elements: str
    choices: [kvm, passthrough, sriov, mdev, hugepages, network, secure]
    aliases: [for]
  memory:
    description: Memory the guests ask for (C(--memory)), for example C(64G).
    type: str
  vcpus:
    description: vCPUs the guests are planned with, all together (C(--vcpus)).
    type: int
  images:
    description: Where guest images live (C(--images)).
    type: path
  strict:
    description: A WARN counts as not ready (C(--strict)).
    type: bool
    default: false
  pvm_guests:
    description: The guests run PVM-enabled kernels (C(--pvm-guests)).
    type: bool
    default: false
requirements:
  - kvmprep-validate on the host (C(make install))
attributes:
  check_mode:
    support: full
    description: Read-only; the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  facts:
    support: full
    description: Sets C(ansible_facts.kvmprep).
author:
  - kvmprep contributors (@kvmprep)
'''

EXAMPLES = r'''
- name: Can the host take PCI passthrough and SR-IOV guests?
  kvmprep.host.validate_facts:
    jobs: [passthrough, sriov]

- name: Stop here when it cannot
  ansible.builtin.fail:
    msg: "{{ ansible_facts.kvmprep.reason }}"
  when: not ansible_facts.kvmprep.ready
'''

RETURN = r'''
exit_status:
  description: kvmprep-validate's exit status (0 ready, 1 a check failed).
  returned: always
  type: int
cmd:
  description: The command that ran.
  returned: always
  type: list
  elements: str
ansible_facts:
  description: The facts set.
  returned: always
  type: complex
  contains:
    kvmprep:
      description: kvmprep-validate's answer.
      returned: always
      type: complex
      contains:
        ready:
          description: Every check passed (exit 0).
          type: bool
          returned: always
        reason:
          description: >-
            One line per check that did not pass ("ID: finding (remedy)"),
            joined with "; "; empty when ready.
          type: str
          returned: always
        failed:
          description: The checks that decided "not ready" (FAIL, or WARN with strict).
          type: list
          elements: dict
          returned: always
        checks:
          description: Every check (id, topic, status, finding, hint).
          type: list
          elements: dict
          returned: always
        summary:
          description: Counts of pass, warn, fail, skip.
          type: dict
          returned: always
        host:
          description: The host object of the document (CPU, kernel, QEMU, hugepages, bridges, images).
          type: dict
          returned: always
'''

from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import Tool, tool_module, tool_options


def main():
    module = tool_module(
        dict(
            jobs=dict(type="list", elements="str", aliases=["for"],
                      choices=["kvm", "passthrough", "sriov", "mdev", "hugepages", "network", "secure"]),
            memory=dict(type="str"),
            vcpus=dict(type="int"),
            images=dict(type="path"),
            strict=dict(type="bool", default=False),
            pvm_guests=dict(type="bool", default=False),
        ),
    )
    p = module.params
    args = ["--for", ",".join(p["jobs"])] if p["jobs"] else []
    args += tool_options(p, flags=[("strict", "--strict"), ("pvm_guests", "--pvm-guests")],
                         values=[("memory", "--memory"), ("vcpus", "--vcpus"), ("images", "--images")])
    # exit 0: ready, 1: a check failed; both are answers
    tool = Tool(module, "kvmprep-validate")
    rc, doc = tool.query(args, ok_codes=(0, 1))
    checks = doc.get("checks") or []
    bad = ("FAIL", "WARN") if p["strict"] else ("FAIL",)
    failed = [c for c in checks if c.get("status") in bad]
    reason = "; ".join(
        "%s: %s%s" % (c.get("id"), c.get("finding"), " (%s)" % c["hint"] if c.get("hint") else "")
        for c in failed)
    if rc == 1 and not failed:
        reason = "kvmprep-validate exited 1"
    facts = dict(
        ready=(rc == 0),
        reason=reason,
        failed=failed,
        checks=checks,
        summary=doc.get("summary") or {},
        host=doc.get("host") or {},
    )
    # (not "rc": a non-zero rc would make Ansible count the task as failed;
    # a host that is not ready is an answer, the play decides)
    module.exit_json(changed=False, ansible_facts=dict(kvmprep=facts), cmd=tool.last_cmd, exit_status=rc)


if __name__ == "__main__":
    main()
