#!/usr/bin/python3
"""Passes listening sockets to a command the way systemd does (sd_listen_fds(3)), without waiting
for a connection: pass-sockets.py SPEC... -- COMMAND ARGS...

SPEC is tcp:HOST:PORT, tcp6:HOST:PORT, udp:HOST:PORT or unix:PATH (PATH starting with @ is
abstract). An optional =NAME suffix sets its LISTEN_FDNAMES entry. Used by end-to-end tests
for what systemd-socket-activate cannot do (UDP with names, unix sockets, bad variables).
"""
import os
import socket
import sys

args = sys.argv[1:]
split = args.index("--")
specs, command = args[:split], args[split + 1:]
socks, names = [], []
for spec in specs:
    spec, _, name = spec.partition("=")
    kind, _, where = spec.partition(":")
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0" + where[1:] if where.startswith("@") else where)
    else:
        host, _, port = where.rpartition(":")
        family = socket.AF_INET6 if kind == "tcp6" else socket.AF_INET
        stype = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
        s = socket.socket(family, stype)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host.strip("[]"), int(port)))
    if s.type == socket.SOCK_STREAM:
        s.listen(16)
    socks.append(s)
    names.append(name or "unknown")

for i, s in enumerate(socks):
    os.dup2(s.fileno(), 3 + i)
    os.set_inheritable(3 + i, True)
os.environ["LISTEN_FDS"] = str(len(socks))
os.environ["LISTEN_PID"] = str(os.getpid())
if any(n != "unknown" for n in names):
    os.environ["LISTEN_FDNAMES"] = ":".join(names)
os.execvp(command[0], command)
