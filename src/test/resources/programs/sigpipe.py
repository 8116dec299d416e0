#!/usr/bin/python3
"""sigpipe.py: dies of SIGPIPE the way a server does, writing to a pipe nobody reads (python
ignores SIGPIPE unless told otherwise)."""
import os
import signal

signal.signal(signal.SIGPIPE, signal.SIG_DFL)
r, w = os.pipe()
os.close(r)
os.write(w, b"x")
