#!/usr/bin/python3
"""shared-nonblock.py HOST PORT: serves HOST:PORT with a blocking accept() after a child bound the
same address with SOCK_NONBLOCK (a worker, a re-exec): prints "child bound", then
"parent O_NONBLOCK 0|1" (the file status of its own listening fd), then "ready"; answers one
connection with "hello\\n" and exits 0. If its accept() does not block, prints "accept errno N"
and exits 1."""
import fcntl
import os
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind((host, port))
server.listen(16)
child = os.fork()
if child == 0:
    worker = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    worker.bind((host, port))
    worker.listen(16)
    print("child bound", flush=True)
    os._exit(0)
os.waitpid(child, 0)
print("parent O_NONBLOCK", 1 if fcntl.fcntl(server.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK else 0, flush=True)
print("ready", flush=True)
try:
    # socket.accept() of a socket without a timeout is one accept(2): it blocks only if the file
    # description is blocking.
    connection, _ = server.accept()
except OSError as e:
    print("accept errno", e.errno, flush=True)
    sys.exit(1)
connection.sendall(b"hello\n")
connection.close()
