#!/usr/bin/python3
"""first-request.py PORT [ANSWER_PORT]: the start-up figure of scripts/bench. Benchmark only.

Connects to 127.0.0.1:PORT (a socket systemd-socket-activate holds: this first connection makes it
start the server) and prints the milliseconds until the first HTTP answer has been read in full.
The answer is read on that same connection, or, with ANSWER_PORT, from the first connection
127.0.0.1:ANSWER_PORT accepts (for a server that binds a port of its own), tried every 1 ms.
"""
import socket
import sys
import time

port = int(sys.argv[1])
answer_port = int(sys.argv[2]) if len(sys.argv) > 2 else None
deadline = time.monotonic() + 30
request = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


def read_answer(conn):
    conn.sendall(request)
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    if not data.startswith(b"HTTP/1.0 200") and not data.startswith(b"HTTP/1.1 200"):
        sys.exit("first-request: unexpected answer %r" % data[:80])


start = time.monotonic()
trigger = socket.create_connection(("127.0.0.1", port), timeout=30)
if answer_port is None:
    read_answer(trigger)
else:
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", answer_port), timeout=30)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                sys.exit("first-request: nothing answered on %d within 30 s" % answer_port)
            time.sleep(0.001)
    read_answer(conn)
    conn.close()
print("%.1f" % ((time.monotonic() - start) * 1000))
trigger.close()
