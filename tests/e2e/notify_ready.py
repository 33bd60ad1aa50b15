#!/usr/bin/python3
"""Start a daemon with NOTIFY_SOCKET and check that READY=1 arrives only
once the bus name is owned.

usage: notify_ready.py TIMEOUT CMD...
Prints the datagrams and "READY name_owned=<bool>"; exit 0 when READY=1
came with the name owned, 1 when it came too early, 2 on timeout or when
the command exited first. The daemon is left running (its pid is printed).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import dbus

BUS_NAME = "jp.or.med.orca.CaTool1"


def main(argv):
    timeout = float(argv[0])
    cmd = argv[1:]
    d = tempfile.mkdtemp(prefix="notify.")
    path = os.path.join(d, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    # The daemon's stdout must not be ours: a caller reading our output
    # through a pipe would wait for the daemon to exit.
    proc = subprocess.Popen(cmd, env=env, stdout=sys.stderr.fileno())
    print(f"PID {proc.pid}", flush=True)
    bus = dbus.SystemBus()
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            if proc.poll() is not None:
                print(f"EXITED {proc.returncode}")
                return 2
            continue
        # Ask the bus at once: the name must already be ours.
        owned = bool(bus.name_has_owner(BUS_NAME))
        print("DATAGRAM", data.replace("\n", " "), flush=True)
        if "READY=1" in data.split("\n"):
            print(f"READY name_owned={owned}")
            return 0 if owned else 1
    print("TIMEOUT")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
