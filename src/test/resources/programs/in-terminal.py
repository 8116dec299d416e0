#!/usr/bin/python3
"""in-terminal.py COMMAND ARGS...: runs COMMAND on a new pseudo-terminal, as the foreground process
group of a session of its own, waits for it to print "ready", types Ctrl-C once, then prints what
COMMAND wrote in the next two seconds and ends it (SIGKILL to its process group)."""
import os
import pty
import select
import signal
import sys
import time

pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

out = b""
deadline = time.time() + 30
while b"ready" not in out and time.time() < deadline:
    if select.select([master], [], [], 0.5)[0]:
        try:
            out += os.read(master, 4096)
        except OSError:
            break
if b"ready" not in out:
    sys.exit("no ready: " + out.decode(errors="replace"))
os.write(master, b"\x03")  # the terminal sends SIGINT to its foreground process group
after = b""
deadline = time.time() + 2
while time.time() < deadline:
    if select.select([master], [], [], 0.2)[0]:
        try:
            after += os.read(master, 4096)
        except OSError:
            break
sys.stdout.write(after.decode(errors="replace").replace("\r", ""))
os.killpg(pid, signal.SIGKILL)
