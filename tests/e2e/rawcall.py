#!/usr/bin/python3
"""Raw D-Bus calls to orca-cad, for tests of what orca-cactl would never send.

usage: rawcall.py [--interactive] [--fd PATH:MODE]... METHOD SIGNATURE JSON_ARGS

JSON_ARGS is a JSON list, or @FILE holding one; the string "@fdN" stands for the N-th --fd
(MODE: r = read-only, w = write-only, pipe = the write end of a pipe,
dir = a directory). Prints one line: "OK <reply>" or "ERROR <name> <message>".
Exit status 0 either way; 2 on a local problem (bad usage, bus unreachable).
"""
import json
import os
import sys

import dbus
import dbus.lowlevel

BUS_NAME = "jp.or.med.orca.CaTool1"
PATH = "/jp/or/med/orca/CaTool1"
IFACE = "jp.or.med.orca.CaTool1"


def open_fd(spec):
    path, _, mode = spec.rpartition(":")
    if mode == "r":
        return os.open(path, os.O_RDONLY)
    if mode == "w":
        return os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    if mode == "pipe":
        _, w = os.pipe()
        return w
    if mode == "dir":
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    raise SystemExit(f"unknown fd mode {mode}")


def main(argv):
    interactive = False
    fds = []
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--interactive":
            interactive = True
        elif opt == "--fd":
            fds.append(open_fd(argv.pop(0)))
        else:
            raise SystemExit(f"unknown option {opt}")
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    method, signature, args = argv[0], argv[1], argv[2]
    if args.startswith("@"):
        # Arguments too long for a command line (Linux caps one at 128 kB).
        with open(args[1:]) as f:
            args = f.read()
    args = json.loads(args)
    args = [dbus.types.UnixFd(fds[int(a[3:])]) if isinstance(a, str) and a.startswith("@fd") else a
            for a in args]
    bus = dbus.SystemBus()
    msg = dbus.lowlevel.MethodCallMessage(BUS_NAME, PATH, IFACE, method)
    msg.set_allow_interactive_authorization(interactive)
    if signature:
        msg.append(signature=signature, *args)
    try:
        reply = bus.send_message_with_reply_and_block(msg, 120000)
        print("OK", json.dumps([str(x)[:200] for x in reply.get_args_list()]))
    except dbus.exceptions.DBusException as e:
        print("ERROR", e.get_dbus_name(), (e.get_dbus_message() or "").replace("\n", " ")[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
