#!/usr/bin/python3
"""marker-serve.py MARKER HOST PORT: creates the file MARKER (the program ran), binds and listens
on HOST:PORT, prints "ready", answers one connection with "hello\\n" and exits 0."""
import socket
import sys

open(sys.argv[1], "w").close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((sys.argv[2], int(sys.argv[3])))
s.listen(16)
print("ready", flush=True)
connection, _ = s.accept()
connection.sendall(b"hello\n")
connection.close()
