#!/usr/bin/python3
"""A stand-in for systemd's manager on a private D-Bus bus, for the calls
kvmprep-bridge's commit-confirm makes through systemd's own clients: the
real systemd-run (StartTransientUnit) and the real systemctl (StopUnit,
ResetFailedUnit) talk to it as to PID 1 (org.freedesktop.systemd1,
/org/freedesktop/systemd1, org.freedesktop.systemd1.Manager). It records
exactly what was asked and keeps the units' life as systemd does for
kvmprep's transient units (CollectMode=inactive-or-failed):
  - StartTransientUnit of a name (timer or aux service) that is loaded:
    org.freedesktop.systemd1.UnitExists, as systemd (the unit is not
    "pristine"); else both are loaded and active, a job is answered and
    JobRemoved is sent (systemd-run waits for it);
  - the timer elapses at its OnActiveSec (RemainAfterElapse=false): it is
    unloaded, its service becomes active (the case itself runs the
    service's ExecStart, as systemd would);
  - StopUnit of a loaded unit: a job, JobRemoved "done", the unit unloaded
    (stopped, then collected); of a name not loaded:
    org.freedesktop.systemd1.NoSuchUnit "Unit NAME not loaded.", as systemd;
  - ResetFailedUnit: NoSuchUnit for a name not loaded, else nothing (no
    unit of this fake ever fails).
Nothing is started or killed.

  fake-systemd1.py LOG ADDRESS [--fail ERROR] [--loaded UNIT]...

LOG gets "READY" once the name is owned, "ELAPSED TIMER" when one elapses,
then one JSON line per call:
{"method": "StartTransientUnit", "name": …, "mode": …,
 "properties": {NAME: value}, "aux": {UNIT: {NAME: value}}, "answer": …},
{"method": "StopUnit", "name": …, "mode": …, "answer": …},
{"method": "ResetFailedUnit", "name": …, "answer": …};
answer: "job" / "ok", or the D-Bus error's name.
--fail ERROR: every StartTransientUnit is answered with that D-Bus error
(a systemd that refuses). --loaded UNIT: UNIT is loaded from the start (a
stale unit of an earlier move)."""
import json
import sys

from gi.repository import Gio, GLib

LOG, ADDRESS = sys.argv[1], sys.argv[2]
FAIL = None
units = set()
args = sys.argv[3:]
while args:
    if args[0] == "--fail":
        FAIL = args[1]
    elif args[0] == "--loaded":
        units.add(args[1])
    else:
        sys.exit("fake-systemd1.py: %s: unknown option" % args[0])
    args = args[2:]
XML = """<node><interface name="org.freedesktop.systemd1.Manager">
<method name="StartTransientUnit"><arg type="s" direction="in"/><arg type="s" direction="in"/>
<arg type="a(sv)" direction="in"/><arg type="a(sa(sv))" direction="in"/>
<arg type="o" direction="out"/></method>
<method name="StopUnit"><arg type="s" direction="in"/><arg type="s" direction="in"/>
<arg type="o" direction="out"/></method>
<method name="ResetFailedUnit"><arg type="s" direction="in"/></method>
<signal name="JobRemoved"><arg type="u"/><arg type="o"/><arg type="s"/><arg type="s"/></signal>
</interface></node>"""
PATH = "/org/freedesktop/systemd1"
IFACE = "org.freedesktop.systemd1.Manager"
jobs = [0]


def log(d):
    with open(LOG, "a") as f:
        f.write((d if isinstance(d, str) else json.dumps(d, sort_keys=True)) + "\n")


def job(conn, inv, name):
    jobs[0] += 1
    n = jobs[0]
    path = "%s/job/%d" % (PATH, n)
    inv.return_value(GLib.Variant("(o)", (path,)))

    def done():
        conn.emit_signal(None, PATH, IFACE, "JobRemoved",
                         GLib.Variant("(uoss)", (n, path, name, "done")))
        return False
    GLib.idle_add(done)


def no_such(inv, rec, name):
    rec["answer"] = "org.freedesktop.systemd1.NoSuchUnit"
    log(rec)
    inv.return_dbus_error(rec["answer"], "Unit %s not loaded." % name)


def call(conn, sender, path, iface, method, params, inv):
    if method == "StartTransientUnit":
        name, mode, props, aux = params.unpack()
        props = dict(props)
        rec = {"method": method, "name": name, "mode": mode, "properties": props,
               "aux": {u: dict(p) for u, p in aux}}
        err = FAIL
        if not err and ({name} | set(rec["aux"])) & units:
            err = "org.freedesktop.systemd1.UnitExists"
        if err:
            rec["answer"] = err
            log(rec)
            inv.return_dbus_error(err, "refused by the test" if FAIL else
                                  "Unit %s was already loaded or has a fragment file." % name)
            return
        rec["answer"] = "job"
        log(rec)
        units.add(name)
        units.update(rec["aux"])
        for kind, usec in props.get("TimersMonotonic", []):
            if kind == "OnActiveSec":
                def elapse(timer=name):
                    units.discard(timer)
                    log("ELAPSED " + timer)
                    return False
                GLib.timeout_add(max(1, usec // 1000), elapse)
        job(conn, inv, name)
    elif method == "StopUnit":
        name, mode = params.unpack()
        rec = {"method": method, "name": name, "mode": mode}
        if name not in units:
            no_such(inv, rec, name)
            return
        rec["answer"] = "job"
        log(rec)
        units.discard(name)
        job(conn, inv, name)
    elif method == "ResetFailedUnit":
        (name,) = params.unpack()
        rec = {"method": method, "name": name}
        if name not in units:
            no_such(inv, rec, name)
            return
        rec["answer"] = "ok"
        log(rec)
        inv.return_value(None)
    else:
        inv.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)


conn = Gio.DBusConnection.new_for_address_sync(
    ADDRESS, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
    Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
conn.register_object(PATH, Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0], call, None, None)
Gio.bus_own_name_on_connection(conn, "org.freedesktop.systemd1", Gio.BusNameOwnerFlags.NONE,
                               lambda c, n: log("READY"), lambda c, n: sys.exit(1))
GLib.MainLoop().run()
