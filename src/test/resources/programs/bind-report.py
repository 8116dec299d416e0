#!/usr/bin/python3
r"""bind-report.py SPEC...: for each SPEC, makes a socket of its kind, binds it and prints
"SPEC ino INODE" (the socket it then holds, as /proc/PID/fd names it) or "SPEC errno N"; then prints
"done" and waits for a line on stdin before exiting (its sockets stay open until then).

SPEC is tcp:HOST:PORT, udp:HOST:PORT, tcp6:[HOST]:PORT or unix:PATH (PATH starting with @ is
abstract; taken as the bytes it was given, any locale; \xNN in it stands for the byte NN, so
that a test can name any bytes without passing them through bandaid's arguments). For a unix PATH the program first
unlink()s it, as servers do, and prints "SPEC unlink 0" or "SPEC unlink errno N"."""
import os
import re
import socket
import sys


def report(spec, what):
    sys.stdout.buffer.write(os.fsencode(spec) + b" " + what.encode() + b"\n")
    sys.stdout.flush()


held = []
for spec in sys.argv[1:]:
    kind, _, where = spec.partition(":")
    try:
        if kind == "unix":
            path = re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]), os.fsencode(where))
            if path.startswith(b"@"):
                address = b"\0" + path[1:]
            else:
                address = path
                try:
                    os.unlink(path)
                    report(spec, "unlink 0")
                except OSError as e:
                    report(spec, "unlink errno %d" % e.errno)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            host, _, port = where.rpartition(":")
            family = socket.AF_INET6 if kind == "tcp6" else socket.AF_INET
            s = socket.socket(family, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
            address = (host.strip("[]"), int(port))
        held.append(s)
        s.bind(address)
        report(spec, "ino %d" % os.stat("/proc/self/fd/%d" % s.fileno()).st_ino)
    except OSError as e:
        report(spec, "errno %d" % e.errno)
print("done", flush=True)
sys.stdin.readline()
