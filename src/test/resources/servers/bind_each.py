#!/usr/bin/python3
"""Listens on each PORT it can: bind_each.py HOST PORT...

For every PORT, in order, makes its own TCP socket, binds HOST:PORT and listens, and prints
"PORT ok" or "PORT failed errno N (STRERROR)". Then answers each connection on the sockets that
listen with "port PORT\n" and closes it. Exits 3 if no socket listens.
"""
import selectors
import socket
import sys

host, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
listening = selectors.DefaultSelector()
for port in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        s.listen(16)
    except OSError as e:
        print(port, "failed errno", e.errno, "(" + e.strerror + ")", flush=True)
        s.close()
        continue
    print(port, "ok", flush=True)
    listening.register(s, selectors.EVENT_READ, port)
if not listening.get_map():
    sys.exit(3)
while True:
    for key, _ in listening.select():
        conn, _ = key.fileobj.accept()
        with conn:
            conn.sendall(("port %d\n" % key.data).encode())
