#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: bridge
short_description: A bridge for guests, its ports, and the host's uplink moved into it (kvmprep-bridge)
version_added: "0.1.0"
description:
  - C(state=present) runs C(kvmprep-bridge bridge add NAME) (a rerun with
    the same settings changes nothing; a changed setting is set) and
    C(bridge port add NAME PORT) for each of I(ports).
  - With I(uplink) the host's NIC is moved into the bridge with its MAC,
    MTU, addresses and routes; unless I(no_confirm), the tool arms a
    rollback that restores the NIC unless confirmed within
    I(confirm_timeout) seconds. Confirm it with a second task,
    C(confirm=true), after the controller reached the host again
    (C(ansible.builtin.wait_for_connection)).
  - C(state=absent) deletes the bridge (C(kvmprep-bridge del NAME)).
  - C(changed) is the tool's own (C("changed") of each JSON document); check
    mode is the tool's C(--dry-run), which lists every netlink change;
    diff mode shows those changes.
options:
  name:
    description: The bridge's name.
    type: str
    required: true
  stp:
    description: Spanning tree (C(--stp on|off)); default off.
    type: bool
  forward_delay:
    description: Forward delay in seconds (C(--forward-delay)); default 0.
    type: int
  vlan_filtering:
    description: VLAN filtering (C(--vlan-filtering on|off)).
    type: bool
  mtu:
    description: The bridge's MTU (C(--mtu)).
    type: int
  mac:
    description: The bridge's MAC (C(--mac)).
    type: str
  ports:
    description: Interfaces to make ports of the bridge (C(bridge port add)).
    type: list
    elements: str
    default: []
  uplink:
    description: Move the host's uplink into the bridge (C(--uplink)).
    type: str
  no_confirm:
    description: No commit-confirm for the uplink move (C(--no-confirm)).
    type: bool
    default: false
  confirm_timeout:
    description: Seconds before an unconfirmed uplink move is rolled back (C(--confirm-timeout)).
    type: int
  confirm:
    description:
      - Only confirm the pending uplink move (C(kvmprep-bridge confirm));
        the other options are ignored. The tool's C(confirm) keeps every
        move waiting on the host (one per bridge), not only I(name)'s.
        Fails when no move is waiting (it was rolled back, or was confirmed
        already). Skipped in check mode (the tool has no dry run for it).
    type: bool
    default: false
  persist:
    description:
      - Also in the host's network configuration (NetworkManager,
        systemd-networkd or ifupdown) so that it comes back at boot (C(--persist)).
    type: bool
    default: false
  force:
    description: Take a link the host uses; delete a bridge carrying the host's addresses (C(--force)).
    type: bool
    default: false
  state:
    description: The bridge exists (C(present)) or not (C(absent)).
    type: str
    choices: [present, absent]
    default: present
requirements:
  - kvmprep-bridge on the host (C(make install)), root (CAP_NET_ADMIN)
extends_documentation_fragment:
  - kvmprep.host.tool
'''

EXAMPLES = r'''
- name: br0 with two ports
  kvmprep.host.bridge:
    name: br0
    ports: [enp2s0f1, enp2s0f2]

- name: Move eno1 into br0 (rolled back unless confirmed)
  kvmprep.host.bridge:
    name: br0
    uplink: eno1
    persist: true

- name: The controller still reaches the host
  ansible.builtin.wait_for_connection:
    timeout: 30

- name: Keep the move
  kvmprep.host.bridge:
    name: br0
    confirm: true
'''

RETURN = r'''
steps:
  description: Every netlink change made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
  sample: ["create bridge br0 stp_state 0 forward_delay 0", "set br0 up"]
uplink:
  description:
    - With I(uplink), the move as the tool reports it; C(confirm_deadline)
      and C(rollback_pid) are set while the move waits for C(confirm=true).
  returned: when I(uplink) is given and I(state=present)
  type: dict
  sample:
    uplink: eno1
    addresses: 2
    routes: 1
    gateway: 192.0.2.1
    confirm_deadline: 1767225600
    rollback_pid: 4242
    rollback_timer: null
confirmed:
  description: How many pending uplink moves C(confirm=true) kept.
  returned: when I(confirm=true), outside check mode
  type: int
  sample: 1
'''

from ansible_collections.kvmprep.host.plugins.module_utils.kvmprep import Tool, changed_of, tool_module, tool_options, exit_result


def onoff(v):
    return "on" if v else "off"


def main():
    module = tool_module(
        dict(
            name=dict(type="str", required=True),
            stp=dict(type="bool"),
            forward_delay=dict(type="int"),
            vlan_filtering=dict(type="bool"),
            mtu=dict(type="int"),
            mac=dict(type="str"),
            ports=dict(type="list", elements="str", default=[]),
            uplink=dict(type="str"),
            no_confirm=dict(type="bool", default=False),
            confirm_timeout=dict(type="int"),
            confirm=dict(type="bool", default=False),
            persist=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
    )
    p = module.params
    check = module.check_mode
    tool = Tool(module, "kvmprep-bridge")
    flags = tool_options(p, flags=[("persist", "--persist"), ("force", "--force")])
    steps = []

    def run(args):
        doc = tool.change(args + flags)
        steps.extend(doc.get("steps") or [])
        return doc

    if p["confirm"]:
        if check:
            # confirm has no dry run; a move that check mode did not make
            # has nothing to confirm
            module.exit_json(changed=False, skipped=True, steps=[],
                             msg="check mode: kvmprep-bridge confirm has no dry run")
        rc, doc = tool.query(["confirm"])
        module.exit_json(changed=changed_of(doc) if "changed" in doc else True, steps=[],
                         confirmed=doc.get("confirmed", 0))
    result = dict(steps=steps)
    if p["state"] == "absent":
        run(["del", p["name"]])
    else:
        args = ["bridge", "add", p["name"]]
        if p["stp"] is not None:
            args += ["--stp", onoff(p["stp"])]
        if p["vlan_filtering"] is not None:
            args += ["--vlan-filtering", onoff(p["vlan_filtering"])]
        args += tool_options(p, values=[("forward_delay", "--forward-delay"), ("mtu", "--mtu"), ("mac", "--mac"),
                                        ("uplink", "--uplink")])
        if p["uplink"]:
            if p["no_confirm"]:
                args.append("--no-confirm")
            else:
                args += tool_options(p, values=[("confirm_timeout", "--confirm-timeout")])
        rc, listing = tool.query(["list"])
        exists = any(link.get("name") == p["name"] for link in listing.get("links") or [])
        move = run(args)
        if p["uplink"]:
            result["uplink"] = dict((k, move.get(k)) for k in
                                    ("uplink", "addresses", "routes", "gateway", "confirm_deadline", "rollback_pid",
                                     "rollback_timer")
                                    if k in move)
        for port in p["ports"]:
            if check and not exists:
                # a port of a bridge that only a dry run made: the tool
                # cannot judge it before the bridge exists; making the
                # bridge is already the change
                steps.append("then: bridge port add %s %s" % (p["name"], port))
                continue
            run(["bridge", "port", "add", p["name"], port])
    result["changed"] = tool.changed
    exit_result(module, result, "", "".join(s + "\n" for s in steps))


if __name__ == "__main__":
    main()
