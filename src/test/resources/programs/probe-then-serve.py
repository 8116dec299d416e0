#!/usr/bin/python3
"""probe-then-serve.py ADDRESS [BIND]: does what mariadbd and pgbouncer do before they serve.
ADDRESS (and BIND, where it binds, ADDRESS by default) is a unix socket path, @NAME (an abstract
unix socket) or HOST:PORT (IPv6 hosts in brackets).

1. connect()s to ADDRESS to see whether another copy of itself runs there, and prints
   "probe: OK" or "probe: ERRNO-NAME";
2. binds and listens on BIND (a unix path unlinked first), and prints "bound: INODE", the inode of
   its listening socket (the same number as /proc/PID/fd's socket:[INODE]);
3. connect()s again as its own health check, and prints "health: OK" or "health: ERRNO-NAME".
"""
import errno
import os
import socket
import sys


def parse(where):
    if where.startswith("/"):
        return socket.AF_UNIX, where
    if where.startswith("@"):
        return socket.AF_UNIX, "\0" + where[1:]
    host, _, port = where.rpartition(":")
    return socket.AF_INET6 if host.startswith("[") else socket.AF_INET, (host.strip("[]"), int(port))


family, address = parse(sys.argv[1])
_, bind = parse(sys.argv[2] if len(sys.argv) > 2 else sys.argv[1])


def attempt(what):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.connect(address)
        print(what + ": OK", flush=True)
    except OSError as e:
        print(what + ": " + errno.errorcode.get(e.errno, str(e.errno)), flush=True)
    finally:
        s.close()


attempt("probe")
if family == socket.AF_UNIX and not bind.startswith("\0"):
    try:
        os.unlink(bind)
    except FileNotFoundError:
        pass
server = socket.socket(family, socket.SOCK_STREAM)
if family != socket.AF_UNIX:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(bind)
server.listen(16)
print("bound: %d" % os.fstat(server.fileno()).st_ino, flush=True)
attempt("health")
