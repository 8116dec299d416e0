#!/usr/bin/python3
"""bind-loop.py HOST PORT COUNT: COUNT times socket()+bind(HOST, PORT)+close(), then prints its own
open fds as "fds N" and waits for a line on stdin (so the test can count bandaid's fds)."""
import os
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
before = len(os.listdir("/proc/self/fd"))
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, port))
    s.close()
print("fds before %d after %d" % (before, len(os.listdir("/proc/self/fd"))), flush=True)
sys.stdin.readline()
