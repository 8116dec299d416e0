#!/usr/bin/python3
"""bind-threads.py BASEPORT N CALLS THREADS: N threads at once each bind 127.0.0.1:BASEPORT+i and print
"i inode" of the socket they got; then THREADS threads each make CALLS binds to port 0 (trapped,
then continued by bandaid) and "calls N" is printed with the total that succeeded."""
import os
import socket
import sys
import threading

base, n, calls, threads = (int(a) for a in sys.argv[1:5])
results, lock, barrier = {}, threading.Lock(), threading.Barrier(n)


def bind_passed(i):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    barrier.wait()
    s.bind(("127.0.0.1", base + i))
    with lock:
        results[i] = os.stat("/proc/self/fd/%d" % s.fileno()).st_ino
    s.detach()


workers = [threading.Thread(target=bind_passed, args=(i,)) for i in range(n)]
for w in workers:
    w.start()
for w in workers:
    w.join()
for i in range(n):
    print(i, results[i], flush=True)

done = [0]


def bind_ephemeral():
    ok = 0
    for _ in range(calls):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.close()
        ok += 1
    with lock:
        done[0] += ok


workers = [threading.Thread(target=bind_ephemeral) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("calls", done[0], flush=True)
