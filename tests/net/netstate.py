#!/usr/bin/env python3
"""Print what a link has, attribute by attribute, as sorted JSON lines, so
two states can be compared with diff: the link (MTU, MAC, up, master), each
address (family, local, prefix, peer, broadcast, scope, label, flags,
lifetime forever or finite), each route through it in every table (type,
destination, gateway, table, protocol, scope, metric, source, flags), and
the settings the uplink move touches (promote_secondaries, accept_ra,
autoconf).

  netstate.py DEV [--no-ll] [--no-link]

--no-ll leaves out the IPv6 link-local address and the kernel's routes for
it (a bridge has its own); labels are printed with DEV's name as "@".
Runs in the caller's network namespace (ip netns exec NS netstate.py …)."""
import json, subprocess, sys

dev = sys.argv[1]
no_ll = "--no-ll" in sys.argv
no_link = "--no-link" in sys.argv

def ipj(*args):
    out = subprocess.run(["ip", "-j", "-d"] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out or "[]")

def ll(a):
    return a.lower().startswith("fe80:")

rows = []
link = ipj("link", "show", "dev", dev)[0]
if not no_link:
    rows.append({"link": {"mtu": link["mtu"], "address": link["address"],
                          "up": "UP" in link["flags"], "master": link.get("master")}})
    for fam, key in (("ipv4", "promote_secondaries"), ("ipv6", "accept_ra"), ("ipv6", "autoconf")):
        try:
            with open(f"/proc/sys/net/{fam}/conf/{dev}/{key}") as f:
                rows.append({"sysctl": {key: f.read().strip()}})
        except FileNotFoundError:
            pass
for a in ipj("addr", "show", "dev", dev)[0].get("addr_info", []):
    if no_ll and a["family"] == "inet6" and ll(a["local"]):
        continue
    flags = sorted(k for k in ("secondary", "nodad", "noprefixroute", "dynamic", "deprecated",
                               "tentative", "dadfailed", "home", "mngtmpaddr", "optimistic")
                   if a.get(k))
    label = a.get("label")
    if label:
        label = label.replace(dev, "@", 1)
    rows.append({"addr": {
        "family": a["family"], "local": a["local"], "prefixlen": a["prefixlen"],
        "address": a.get("address"), "broadcast": a.get("broadcast"), "scope": a.get("scope"),
        "label": label, "flags": flags,
        "valid": "forever" if a.get("valid_life_time", 4294967295) == 4294967295 else "finite",
        "preferred": "forever" if a.get("preferred_life_time", 4294967295) == 4294967295 else "finite",
    }})
for fam in ("-4", "-6"):
    for r in ipj(fam, "route", "show", "table", "all", "dev", dev):
        dst = r.get("dst", "")
        if no_ll and (ll(dst) or dst.startswith("ff00:") or r.get("type") == "multicast"):
            continue
        if r.get("table") == "local" and no_ll and ll(dst):
            continue
        rows.append({"route": {k: r.get(k) for k in (
            "type", "dst", "gateway", "table", "protocol", "scope", "metric", "prefsrc",
            "flags", "pref")}})
for line in sorted(json.dumps(x, sort_keys=True) for x in rows):
    print(line)
