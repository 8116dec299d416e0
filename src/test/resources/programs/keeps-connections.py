#!/usr/bin/python3
"""A server that never lets go of a connection: keeps-connections.py HOST PORT

Binds HOST:PORT (TCP), listens, prints "ready", then accepts connections and keeps each one
open for good, reading nothing and closing nothing, printing "accepted" for each: once its
client has gone, such a connection sits in CLOSE_WAIT for as long as the program runs.
"""
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("ready", flush=True)
kept = []
while True:
    conn, _ = s.accept()
    kept.append(conn)
    print("accepted", flush=True)
