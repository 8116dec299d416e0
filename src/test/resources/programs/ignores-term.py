#!/usr/bin/python3
"""ignores-term.py HOST PORT: ignores SIGTERM, binds and listens on HOST:PORT, prints "ready" and
sleeps for ten minutes: only SIGKILL ends it early."""
import signal
import socket
import sys
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("ready", flush=True)
time.sleep(600)
