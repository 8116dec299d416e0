#!/usr/bin/python3
"""A server that talks to another service before it listens, as many do at start-up (a database,
a config service): outbound_then_listen.py UPSTREAM_PORT LISTEN_PORT.

Connects to 127.0.0.1:UPSTREAM_PORT, sends "hello upstream\n" and reads one line back; then binds
its own listening socket to 127.0.0.1:LISTEN_PORT and answers each connection with
"served; upstream said: LINE\n". Every step is printed, failures included, so a test can tell
which one went wrong.
"""
import socket
import sys

upstream_port, listen_port = int(sys.argv[1]), int(sys.argv[2])

out = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("outbound fd", out.fileno(), flush=True)
try:
    out.settimeout(10)
    out.connect(("127.0.0.1", upstream_port))
    out.sendall(b"hello upstream\n")
    said = out.makefile("rb").readline().decode().strip()
    print("upstream said:", said, flush=True)
except OSError as e:
    print("outbound failed:", repr(e), "errno", e.errno, flush=True)
    said = "nothing (" + type(e).__name__ + ")"
finally:
    out.close()

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)
except OSError as e:
    print("listen failed:", repr(e), "errno", e.errno, flush=True)
    sys.exit(3)
print("listening", flush=True)
while True:
    conn, _ = srv.accept()
    with conn:
        conn.sendall(("served; upstream said: " + said + "\n").encode())
