#!/usr/bin/python3
"""A UDP echo server that knows nothing of socket activation: udp_echo.py HOST PORT.

Binds its own SOCK_DGRAM socket to HOST:PORT and sends every datagram back to its sender,
prefixed with "echo: ". Prints "bound" once bind() returned, so a test can see it got that far.
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, port))
print("bound", flush=True)
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(b"echo: " + data, peer)
