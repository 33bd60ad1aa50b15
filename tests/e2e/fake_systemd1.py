#!/usr/bin/python3
"""A stand-in for systemd (PID 1 cannot be systemd here) on the private bus.

It owns org.freedesktop.systemd1 and implements the subset of
org.freedesktop.systemd1.Manager that orca-cad uses, with the real names
and signatures:

  Subscribe()                            -> ()
  Unsubscribe()                          -> ()
  RestartUnit(s name, s mode)            -> o job
      unknown unit: error org.freedesktop.systemd1.NoSuchUnit
  LoadUnit(s name)                       -> o unit
  signal JobNew(u id, o job, s unit)
  signal JobRemoved(u id, o job, s unit, s result)

and, on unit objects (path escaped as systemd does), the properties
LoadState, ActiveState and SubState of org.freedesktop.systemd1.Unit
(not-found for units the file does not list).

As real systemd does, JobRemoved comes after the reply to RestartUnit, from
the main loop. Which units exist and how their jobs end is read from
UNITS_FILE at every call ("unit result" per line, result done, failed,
timeout, ...), optionally followed by the unit's ActiveState before any
restart (default active). Every call is appended to CALLS_FILE
("RestartUnit unit mode").

usage: fake_systemd1.py UNITS_FILE CALLS_FILE
"""

import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

MANAGER = "org.freedesktop.systemd1.Manager"
UNIT = "org.freedesktop.systemd1.Unit"
PROPERTIES = "org.freedesktop.DBus.Properties"
PATH = "/org/freedesktop/systemd1"


def unit_path(name):
    """systemd's escaping: every byte but letters and digits as _xx."""
    return PATH + "/unit/" + "".join(
        c if c.isalnum() else "_%02x" % ord(c) for c in name)


class Unit(dbus.service.Object):
    def __init__(self, bus, manager, name):
        super().__init__(bus, unit_path(name))
        self.manager = manager
        self.name = name

    def props(self):
        load, active, sub = self.manager.state(self.name)
        return {"Id": self.name, "LoadState": load, "ActiveState": active, "SubState": sub}

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        props = self.props()
        if interface != UNIT or prop not in props:
            raise dbus.DBusException("Unknown property %s.%s" % (interface, prop),
                                     name="org.freedesktop.DBus.Error.UnknownProperty")
        return props[prop]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.props() if interface == UNIT else {}


class NoSuchUnit(dbus.DBusException):
    _dbus_error_name = "org.freedesktop.systemd1.NoSuchUnit"


class Manager(dbus.service.Object):
    def __init__(self, bus, units_file, calls_file):
        super().__init__(bus, PATH)
        self.units_file = units_file
        self.calls_file = calls_file
        self.next_id = 100
        self.bus = bus
        self.unit_objects = {}
        # ActiveState after a restart job: what systemd would show.
        self.after_restart = {}

    def units(self):
        units = {}
        with open(self.units_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    units[parts[0]] = parts[1]
        return units

    def columns(self):
        units = {}
        with open(self.units_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    units[parts[0]] = parts[1:]
        return units

    def state(self, name):
        units = self.columns()
        if name not in units:
            return ("not-found", "inactive", "dead")
        active = self.after_restart.get(name) or (units[name][1] if len(units[name]) > 1 else "active")
        sub = {"active": "running", "failed": "failed"}.get(active, "dead")
        return ("loaded", active, sub)

    def record(self, line):
        with open(self.calls_file, "a") as f:
            f.write(line + "\n")

    @dbus.service.method(MANAGER, in_signature="", out_signature="")
    def Subscribe(self):
        self.record("Subscribe")

    @dbus.service.method(MANAGER, in_signature="", out_signature="")
    def Unsubscribe(self):
        pass

    @dbus.service.method(MANAGER, in_signature="ss", out_signature="o")
    def RestartUnit(self, name, mode):
        self.record("RestartUnit %s %s" % (name, mode))
        units = self.units()
        if name not in units:
            raise NoSuchUnit("Unit %s not found." % name)
        self.next_id += 1
        job_id = self.next_id
        job = dbus.ObjectPath("%s/job/%d" % (PATH, job_id))
        result = units[name]

        def finish():
            self.after_restart[name] = "active" if result == "done" else "failed"
            self.JobNew(dbus.UInt32(job_id), job, name)
            self.JobRemoved(dbus.UInt32(job_id), job, name, result)
            return False

        GLib.timeout_add(100, finish)
        return job

    @dbus.service.method(MANAGER, in_signature="s", out_signature="o")
    def LoadUnit(self, name):
        # Like systemd, any name loads: one without a unit file is "not-found".
        if name not in self.unit_objects:
            self.unit_objects[name] = Unit(self.bus, self, name)
        return dbus.ObjectPath(unit_path(name))

    @dbus.service.signal(MANAGER, signature="uos")
    def JobNew(self, job_id, job, unit):
        pass

    @dbus.service.signal(MANAGER, signature="uoss")
    def JobRemoved(self, job_id, job, unit, result):
        pass


def main():
    units_file, calls_file = sys.argv[1], sys.argv[2]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    manager = Manager(bus, units_file, calls_file)
    name = dbus.service.BusName("org.freedesktop.systemd1", bus, do_not_queue=True)
    loop = GLib.MainLoop()
    print("ready", flush=True)
    try:
        loop.run()
    finally:
        del name, manager


if __name__ == "__main__":
    main()
