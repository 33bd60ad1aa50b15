#!/usr/bin/python3
"""Run a command on a new pseudo-terminal, as a person at an SSH login would,
and answer one prompt.

usage: pty_answer.py TIMEOUT PROMPT_REGEX ANSWER CMD...
Waits for PROMPT_REGEX in what the command writes to the terminal, types
ANSWER and Enter, then reads to the end. Prints the whole transcript, then
"EXIT <status>" (or "PROMPT-NOT-SEEN" and status 124 when the prompt did not
come within TIMEOUT seconds; "TIMEOUT" and 124 when the command then hangs).
"""
import os
import pty
import re
import select
import signal
import sys
import termios
import time


def wait_for_echo_off(fd, limit=5.0):
    """A password reader prints its prompt, then turns echo off, and may
    flush what was typed before (TCSAFLUSH): type only once echo is off,
    as a person would after seeing the prompt."""
    end = time.time() + limit
    while time.time() < end:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.05)


def main(argv):
    timeout = float(argv[0])
    prompt = re.compile(argv[1].encode())
    answer = argv[2].encode() + b"\n"
    cmd = argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    transcript = b""
    answered = False
    deadline = time.time() + timeout
    status = None
    while True:
        left = deadline - time.time()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(transcript.decode(errors="replace"))
            print("TIMEOUT" if answered else "PROMPT-NOT-SEEN")
            return 124
        r, _, _ = select.select([fd], [], [], min(left, 0.2))
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                data = b""
            if not data:
                break
            transcript += data
            if not answered and prompt.search(transcript):
                wait_for_echo_off(fd)
                os.write(fd, answer)
                answered = True
        else:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                break
    if status is None:
        _, status = os.waitpid(pid, 0)
    sys.stdout.write(transcript.decode(errors="replace"))
    code = os.waitstatus_to_exitcode(status)
    print(f"\nEXIT {code}")
    if not answered:
        print("PROMPT-NOT-SEEN")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
