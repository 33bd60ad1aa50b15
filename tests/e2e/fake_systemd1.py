#!/usr/bin/python3
"""A stand-in for systemd (PID 1 cannot be systemd here) on the private bus.

It owns org.freedesktop.systemd1 and implements the subset of
org.freedesktop.systemd1.Manager that orca-cad uses, with the real names
and signatures:

  Subscribe()                            -> ()
  Unsubscribe()                          -> ()
  RestartUnit(s name, s mode)            -> o job
      unknown unit: error org.freedesktop.systemd1.NoSuchUnit
  signal JobNew(u id, o job, s unit)
  signal JobRemoved(u id, o job, s unit, s result)

As real systemd does, JobRemoved comes after the reply to RestartUnit, from
the main loop. Which units exist and how their jobs end is read from
UNITS_FILE at every call ("unit result" per line, result done, failed,
timeout, ...). Every call is appended to CALLS_FILE ("RestartUnit unit mode").

usage: fake_systemd1.py UNITS_FILE CALLS_FILE
"""

import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

MANAGER = "org.freedesktop.systemd1.Manager"
PATH = "/org/freedesktop/systemd1"


class NoSuchUnit(dbus.DBusException):
    _dbus_error_name = "org.freedesktop.systemd1.NoSuchUnit"


class Manager(dbus.service.Object):
    def __init__(self, bus, units_file, calls_file):
        super().__init__(bus, PATH)
        self.units_file = units_file
        self.calls_file = calls_file
        self.next_id = 100

    def units(self):
        units = {}
        with open(self.units_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    units[parts[0]] = parts[1]
        return units

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
            self.JobNew(dbus.UInt32(job_id), job, name)
            self.JobRemoved(dbus.UInt32(job_id), job, name, result)
            return False

        GLib.timeout_add(100, finish)
        return job

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
