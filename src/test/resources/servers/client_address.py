#!/usr/bin/python3
"""Tries to reach outside and says how that went ("outbound: ..."), then answers each GET on
127.0.0.1:PORT with the client's address: client_address.py PORT"""
import http.server, socket, sys
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2)
    print("outbound: connected", flush=True)
except OSError as e:
    print("outbound:", e.strerror, flush=True)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
