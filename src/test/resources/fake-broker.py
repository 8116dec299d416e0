#!/usr/bin/python3
"""A broker that takes nothing: fake-broker.py PATH MODE [MODE_ARG] listens (SOCK_SEQPACKET) at
PATH, prints "listening", and answers one handoff, closing the fds that came with it, then exits:

  refuse TEXT   answers "refused: TEXT", as a broker of another version refuses a handoff
  answer TEXT   answers TEXT, which is not a broker's answer
  close         closes the connection without an answer
  silent        never answers (it waits until killed)
  refuse-unread TEXT
                answers "refused: TEXT" as soon as it accepts, and closes without reading the
                handoff, as the broker refuses a connection over its limits
  busy TEXT     refuse-unread for every connection until killed (a broker that stays busy),
                each one written down as a line in PATH.connections
"""
import os
import socket
import sys
import time

path, mode = sys.argv[1], sys.argv[2]
text = sys.argv[3] if len(sys.argv) > 3 else ""
server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
server.bind(path)
server.listen()
print("listening", flush=True)
if mode in ("refuse-unread", "busy"):
    while True:
        connection, _ = server.accept()
        connection.send(("refused: " + text).encode())
        connection.close()
        if mode == "refuse-unread":
            sys.exit(0)
        with open(path + ".connections", "a") as log:
            log.write("connection\n")
connection, _ = server.accept()
_, fds, _, _ = socket.recv_fds(connection, 65536, 253)
for fd in fds:
    os.close(fd)
if mode == "refuse":
    connection.send(("refused: " + text).encode())
elif mode == "answer":
    connection.send(text.encode())
elif mode == "silent":
    while True:
        time.sleep(60)
connection.close()
