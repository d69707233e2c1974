#!/usr/bin/python3
"""Read NetworkManager keyfiles with NetworkManager's own parser (libnm's
nm_keyfile_read, the code the daemon's keyfile plugin loads them with),
then normalize the profile as the daemon does before it keeps one
(nm_connection_normalize: verify, defaults filled in). Print each profile
as one JSON object per file: {"file": …, "setting.property": value, …}
with every property (defaults too: NM's are not kvmprep's); MACs as text,
addresses as "A/P", routes as "DEST/P via GW metric M".

  nm-keyfile.py FILE...

Exit 1 with "FILE: message" on stderr when the parser warns about any key
(a value it cannot interpret, a bad address or MAC) or the profile does not
verify: a keyfile the daemon would load with a warning is a wrong keyfile
here. One check is ours, not libnm's: a key that no property of its
setting has (libnm skips it silently, so a misspelt key would be lost
without a word) is an error too. Needs python3-gi and gir1.2-nm-1.0 (scripts/deps): /usr/bin/python3
on purpose, Debian's, whose gi module they install."""
import json
import os
import sys

import gi

gi.require_version("NM", "1.0")
from gi.repository import GLib, GObject, NM  # noqa: E402

SKIP = {("connection", "uuid")}  # generated from the file name: not ours
# keyfile's short names for settings (libnm's nm-keyfile-utils.c)
ALIAS = {"ethernet": "802-3-ethernet", "wifi": "802-11-wireless",
         "wifi-security": "802-11-wireless-security", "802-1x": "802-1x"}


def text(v):
    if isinstance(v, GLib.Bytes):
        v = v.get_data()
    if isinstance(v, (bytes, bytearray)):
        return ":".join("%02X" % b for b in v)
    if isinstance(v, NM.IPAddress):
        return "%s/%d" % (v.get_address(), v.get_prefix())
    if isinstance(v, NM.IPRoute):
        s = "%s/%d" % (v.get_dest(), v.get_prefix())
        if v.get_next_hop():
            s += " via " + v.get_next_hop()
        if v.get_metric() >= 0:
            s += " metric %d" % v.get_metric()
        return s
    if isinstance(v, (list, tuple)):
        return [text(x) for x in v]
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if hasattr(v, "value_nick"):  # GEnum / GFlags
        return int(v)
    return str(v)


def read(path):
    warnings = []

    def handler(keyfile, connection, handler_type, data, user_data):
        if handler_type == NM.KeyfileHandlerType.WARN:
            msg = data.warn_get()
            # (message, severity) in libnm 1.42
            warnings.append(msg[0] if isinstance(msg, tuple) else str(msg))
        return True

    kf = GLib.KeyFile()
    kf.load_from_file(path, GLib.KeyFileFlags.NONE)
    conn = NM.keyfile_read(kf, os.path.dirname(os.path.abspath(path)),
                           NM.KeyfileHandlerFlags.NONE, handler, None)
    if warnings:
        raise ValueError("; ".join(warnings))
    for group in kf.get_groups()[0]:
        gtype = NM.Setting.lookup_type(ALIAS.get(group, group))
        if not gtype:
            raise ValueError("[%s]: no such setting" % group)
        props = {q.name for q in GObject.new(gtype).list_properties()}
        for key in kf.get_keys(group)[0]:
            # addressN, routeN, routeN_options: libnm's keyfile spellings
            base = key.rstrip("0123456789").split("_")[0] if key[:5] in ("addre", "route") else key
            if base in ("address", "route", "routing-rule"):
                continue
            if key not in props:
                raise ValueError("[%s] %s: no such property (NetworkManager ignores it)"
                                 % (group, key))
    conn.normalize(None)  # raises GLib.Error when it does not verify
    conn.verify()
    out = {"file": os.path.basename(path)}
    for s in conn.get_settings():
        sname = s.get_name()
        for p in s.list_properties():
            if p.name == "name" or (sname, p.name) in SKIP:
                continue
            if not p.flags & GObject.ParamFlags.READABLE:
                continue
            v = s.get_property(p.name)
            if v is None:
                continue
            if isinstance(v, (list, tuple, dict)) and not v:
                continue
            if isinstance(v, NM.SettingIPConfig):
                continue
            out["%s.%s" % (sname, p.name)] = text(v)
        if isinstance(s, NM.SettingIPConfig):
            out["%s.addresses" % sname] = [text(a) for a in
                                           (s.get_address(i) for i in range(s.get_num_addresses()))]
            out["%s.routes" % sname] = [text(r) for r in
                                        (s.get_route(i) for i in range(s.get_num_routes()))]
            out["%s.dns" % sname] = [s.get_dns(i) for i in range(s.get_num_dns())]
    return out


rc = 0
for f in sys.argv[1:]:
    try:
        print(json.dumps(read(f), sort_keys=True))
    except (GLib.Error, ValueError) as e:
        print("%s: %s" % (f, getattr(e, "message", None) or e), file=sys.stderr)
        rc = 1
sys.exit(rc)
