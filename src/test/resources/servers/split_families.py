#!/usr/bin/python3
"""A server that splits the families, as dnsmasq and unbound do: split_families.py PORT [UNIX-PATH].

Listens on TCP and UDP PORT twice each: 0.0.0.0 and [::] with IPV6_V6ONLY=1 (so each family has
a socket of its own), and on the unix stream socket UNIX-PATH (relative paths from its working
directory) if given. Makes the binds that are no listener too, which bandaid unit --learn must
leave out: a client's port 0, a bind that fails (EADDRINUSE), a TCP socket bound but never
listening. Answers each TCP connection with "FAMILY tcp\n" and each datagram with "FAMILY udp\n"
(FAMILY: ipv4, ipv6 or unix).
"""
import os
import selectors
import socket
import sys

port = int(sys.argv[1])
sel = selectors.DefaultSelector()


def listener(family, kind, host, v6only=None):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((host, port))
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    sel.register(s, selectors.EVENT_READ, ("ipv4" if family == socket.AF_INET else "ipv6", kind))
    return s


listener(socket.AF_INET, socket.SOCK_STREAM, "0.0.0.0")
listener(socket.AF_INET6, socket.SOCK_STREAM, "::", 1)
listener(socket.AF_INET, socket.SOCK_DGRAM, "0.0.0.0")
listener(socket.AF_INET6, socket.SOCK_DGRAM, "::", 1)
if len(sys.argv) > 2:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(sys.argv[2])
    except FileNotFoundError:
        pass
    u.bind(sys.argv[2])
    u.listen(16)
    sel.register(u, selectors.EVENT_READ, ("unix", socket.SOCK_STREAM))

# Not listeners: a client's port 0, a bind that fails, a TCP socket that never listens.
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.bind(("127.0.0.1", 0))
taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    taken.bind(("0.0.0.0", port))
except OSError:
    pass
idle = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
idle.bind(("127.0.0.1", port + 1))
print("ready", flush=True)

while True:
    for key, _ in sel.select():
        family, kind = key.data
        if kind == socket.SOCK_STREAM:
            conn, _ = key.fileobj.accept()
            conn.sendall((family + " tcp\n").encode())
            conn.close()
        else:
            _, peer = key.fileobj.recvfrom(65535)
            key.fileobj.sendto((family + " udp\n").encode(), peer)
