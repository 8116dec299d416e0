#!/usr/bin/python3
"""Prints the name of each signal it gets; exits 3 on SIGTERM. Says "ready" once its handlers are set."""
import signal
import sys

names = ["HUP", "INT", "QUIT", "USR1", "USR2", "WINCH", "TERM"]


def handler(number, frame):
    name = signal.Signals(number).name[3:]
    print("got " + name, flush=True)
    if name == "TERM":
        sys.exit(3)


for n in names:
    signal.signal(getattr(signal, "SIG" + n), handler)
print("ready", flush=True)
while True:
    signal.pause()
