#!/usr/bin/python3
"""Daemonizes the way classic servers do (fork, setsid, fork; the first process exits 0), then
serves HTTP on 127.0.0.1:PORT from the grandchild: daemonize.py PORT PIDFILE"""
import http.server
import os
import sys

port, pidfile = int(sys.argv[1]), sys.argv[2]
if os.fork() > 0:
    sys.exit(0)
os.setsid()
if os.fork() > 0:
    os._exit(0)
with open(pidfile, "w") as f:
    f.write(str(os.getpid()))
http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
