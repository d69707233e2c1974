#!/usr/bin/python3
"""A stand-in for systemd's manager on a private D-Bus bus, for the one
call systemd-run makes to start a transient timer: the real systemd-run
talks to it as to PID 1 (org.freedesktop.systemd1, /org/freedesktop/systemd1,
org.freedesktop.systemd1.Manager.StartTransientUnit), and this records
exactly what was asked, answers with a job, and sends the JobRemoved
signal systemd-run waits for. Nothing is started: the case itself runs the
service's ExecStart at the deadline, as systemd would.

  fake-systemd1.py LOG ADDRESS [FAIL]

LOG gets "READY" once the name is owned, then one JSON line per call:
{"method": "StartTransientUnit", "name": …, "mode": …,
 "properties": {NAME: value}, "aux": {UNIT: {NAME: value}}}.
FAIL: the call is answered with that D-Bus error instead (a systemd that
refuses, e.g. org.freedesktop.systemd1.UnitExists)."""
import json
import sys

from gi.repository import Gio, GLib

LOG, ADDRESS = sys.argv[1], sys.argv[2]
FAIL = sys.argv[3] if len(sys.argv) > 3 else None
XML = """<node><interface name="org.freedesktop.systemd1.Manager">
<method name="StartTransientUnit"><arg type="s" direction="in"/><arg type="s" direction="in"/>
<arg type="a(sv)" direction="in"/><arg type="a(sa(sv))" direction="in"/>
<arg type="o" direction="out"/></method>
<signal name="JobRemoved"><arg type="u"/><arg type="o"/><arg type="s"/><arg type="s"/></signal>
</interface></node>"""
PATH = "/org/freedesktop/systemd1"
IFACE = "org.freedesktop.systemd1.Manager"
jobs = [0]


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


def call(conn, sender, path, iface, method, params, inv):
    if method != "StartTransientUnit":
        inv.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)
        return
    name, mode, props, aux = params.unpack()
    log(json.dumps({"method": method, "name": name, "mode": mode,
                    "properties": dict(props),
                    "aux": {u: dict(p) for u, p in aux}}, sort_keys=True))
    if FAIL:
        inv.return_dbus_error(FAIL, "refused by the test")
        return
    jobs[0] += 1
    job = "%s/job/%d" % (PATH, jobs[0])
    inv.return_value(GLib.Variant("(o)", (job,)))

    def done():
        conn.emit_signal(None, PATH, IFACE, "JobRemoved",
                         GLib.Variant("(uoss)", (jobs[0], job, name, "done")))
        return False
    GLib.idle_add(done)


conn = Gio.DBusConnection.new_for_address_sync(
    ADDRESS, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
    Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
conn.register_object(PATH, Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0], call, None, None)
Gio.bus_own_name_on_connection(conn, "org.freedesktop.systemd1", Gio.BusNameOwnerFlags.NONE,
                               lambda c, n: log("READY"), lambda c, n: sys.exit(1))
GLib.MainLoop().run()
