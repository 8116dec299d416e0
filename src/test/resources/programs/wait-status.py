#!/usr/bin/python3
"""wait-status.py COMMAND ARGS...: runs COMMAND (with SIGPIPE at its default, as a shell leaves it)
and prints how it ended: "exited N" or "killed by SIGNAME". A shell's $? cannot tell a process
killed by signal N from one that exited 128+N; systemd can, and counts them differently."""
import signal
import subprocess
import sys

code = subprocess.run(sys.argv[1:]).returncode
print("killed by " + signal.Signals(-code).name if code < 0 else "exited %d" % code, flush=True)
