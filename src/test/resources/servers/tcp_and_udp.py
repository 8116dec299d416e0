#!/usr/bin/python3
"""A server on TCP and UDP at once, as DNS servers are: tcp_and_udp.py HOST PORT

Binds its own TCP and UDP sockets to HOST:PORT and prints "ready"; answers each TCP connection
with "tcp\n" and each datagram with "echo: " and the datagram.
"""
import selectors
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((host, port))
tcp.listen(16)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((host, port))
print("ready", flush=True)
ready = selectors.DefaultSelector()
ready.register(tcp, selectors.EVENT_READ)
ready.register(udp, selectors.EVENT_READ)
while True:
    for key, _ in ready.select():
        if key.fileobj is tcp:
            conn, _ = tcp.accept()
            conn.sendall(b"tcp\n")
            conn.close()
        else:
            data, peer = udp.recvfrom(65535)
            udp.sendto(b"echo: " + data, peer)
