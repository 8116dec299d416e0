#!/usr/bin/python3
"""double-fork.py COUNT: COUNT times forks a child that forks a grandchild and exits at once; the
grandchild (reparented to the nearest subreaper) exits 50 ms later. Prints "forked COUNT" and then
waits for a line on stdin before exiting 0: while it waits, nobody but that subreaper can reap
the grandchildren."""
import os
import sys
import time

count = int(sys.argv[1])
for _ in range(count):
    child = os.fork()
    if child == 0:
        if os.fork() == 0:
            time.sleep(0.05)
            os._exit(0)
        os._exit(0)
    os.waitpid(child, 0)
print("forked", count, flush=True)
sys.stdin.readline()
