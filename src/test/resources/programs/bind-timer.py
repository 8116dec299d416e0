#!/usr/bin/python3
"""bind-timer.py HOST PORT: binds and listens on HOST:PORT, prints "ready"; for each connection
binds one more socket to HOST:PORT (a trapped call: under bandaid it gets the passed socket again)
and answers "bind N us" with how long that bind took ("bind errno E" if it failed)."""
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.bind((host, port))
s.listen(64)
print("ready", flush=True)
while True:
    connection, _ = s.accept()
    again = socket.socket()
    start = time.monotonic_ns()
    try:
        again.bind((host, port))
        result = "bind %d us" % ((time.monotonic_ns() - start) // 1000)
    except OSError as e:
        result = "bind errno %d" % e.errno
    again.close()
    connection.sendall((result + "\n").encode())
    connection.close()
