#!/usr/bin/python3
"""Passes listening sockets to a command the way systemd does (sd_listen_fds(3)), without waiting
for a connection: pass-sockets.py [--ipv6-only | --dual-stack] [--socket-user=USER] SPEC... -- COMMAND ARGS...

SPEC is tcp:HOST:PORT, tcp6:HOST:PORT, udp:HOST:PORT, udp6:HOST:PORT, unix:PATH or unixgram:PATH
(a datagram socket; PATH starting with @ is abstract). An optional =NAME suffix sets its LISTEN_FDNAMES entry. --ipv6-only and
--dual-stack set IPV6_V6ONLY on the IPv6 sockets as a .socket unit's BindIPv6Only=ipv6-only and
=both do; without either the kernel's default applies (net.ipv6.bindv6only, BindIPv6Only=default).
--socket-user gives the unix socket files to USER, as SocketUser= does.
Used by end-to-end tests for what systemd-socket-activate cannot do (TCP and UDP on one port,
IPv6-only sockets beside IPv4 ones, UDP with names, unix sockets, bad variables).
"""
import os
import shutil
import socket
import sys

args = sys.argv[1:]
split = args.index("--")
specs, command = args[:split], args[split + 1:]
v6only = None
owner = None
while specs and specs[0].startswith("--"):
    option = specs.pop(0)
    if option in ("--ipv6-only", "--dual-stack"):
        v6only = option == "--ipv6-only"
    elif option.startswith("--socket-user="):
        owner = option.partition("=")[2]
    else:
        sys.exit("pass-sockets.py: unknown option " + option)
socks, names = [], []
for spec in specs:
    spec, _, name = spec.partition("=")
    kind, _, where = spec.partition(":")
    if kind in ("unix", "unixgram"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if kind == "unix" else socket.SOCK_DGRAM)
        s.bind("\0" + where[1:] if where.startswith("@") else where)
        if owner and not where.startswith("@"):
            shutil.chown(where, owner, owner)
    else:
        host, _, port = where.rpartition(":")
        family = socket.AF_INET6 if kind in ("tcp6", "udp6") else socket.AF_INET
        stype = socket.SOCK_DGRAM if kind in ("udp", "udp6") else socket.SOCK_STREAM
        s = socket.socket(family, stype)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and v6only is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
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
