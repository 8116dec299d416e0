#!/usr/bin/python3
"""connect-loop.py HOST PORT COUNT: binds and listens on HOST:PORT once, then COUNT times connects to
it, accepts, sends a byte each way and closes; prints "done COUNT". Every call after the one bind
(socket, connect, accept, send, recv, setsockopt, close) is one a server's clients and workers
make all day, and none of them may reach bandaid."""
import socket
import struct
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind((host, port))
server.listen(64)
done = 0
for _ in range(count):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    conn, _ = server.accept()
    client.sendall(b"?")
    assert conn.recv(1) == b"?"
    conn.sendall(b"!")
    assert client.recv(1) == b"!"
    # Reset instead of FIN: no TIME_WAIT left behind for 10,000 ports.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    conn.close()
    done += 1
print("done", done, flush=True)
