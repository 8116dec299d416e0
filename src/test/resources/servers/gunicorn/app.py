# A WSGI app for GunicornWorkersIT: says which worker process answered.
import os


def app(environ, start_response):
    body = ("gunicorn ok from %d\n" % os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
