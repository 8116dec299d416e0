#!/usr/bin/python3
"""A server that hides its memory: nondumpable.py HOST PORT [hold]

Makes itself non-dumpable first (prctl(PR_SET_DUMPABLE, 0), as daemons that hold secrets do),
then binds HOST:PORT (TCP), prints "PORT ok" or "PORT failed errno N", and answers each
connection with its own capability sets, the CapEff and CapAmb lines of /proc/self/status; with
"hold" it keeps each connection open after answering, as a server with a slow client does.
"""
import ctypes
import socket
import sys

PR_SET_DUMPABLE = 4
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_DUMPABLE): errno %d" % ctypes.get_errno())
host, port = sys.argv[1], int(sys.argv[2])
hold = sys.argv[3:] == ["hold"]
kept = []
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((host, port))
    s.listen(16)
except OSError as e:
    print(port, "failed errno", e.errno, flush=True)
    sys.exit(1)
print(port, "ok", flush=True)
with open("/proc/self/status") as status:
    caps = "".join(line for line in status if line.startswith(("CapEff:", "CapAmb:")))
while True:
    conn, _ = s.accept()
    conn.sendall(caps.encode())
    if hold:
        kept.append(conn)
    else:
        conn.close()
