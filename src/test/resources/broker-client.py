#!/usr/bin/python3
"""A client of the bandaid broker that does what a wrapper never would: broker-client.py SOCKET CASE [N].

Prints "pid P" first, then the broker's answer to each handoff ("answer: ..."; "closed" when it
closed the connection without one, "no answer" when none came within 20 s), one line each, then
"done". The broker's protocol (src/main/java/bandaid/broker/Handoff.java): one SOCK_SEQPACKET
message, "bandaid-handoff 1" and "key value" lines, with the seccomp listener, stderr and the
passed sockets as SCM_RIGHTS, in that order.

CASE is one of:
  garbage            random bytes, no fds
  other-version      a handoff of protocol 2
  oversized          a handoff of 64 KiB (the broker reads at most 16 KiB)
  truncated          a handoff whose last line is cut
  pipe-listener      a pipe where the seccomp listener goes
  udp-listener       a UDP socket where the seccomp listener goes
  file-socket        a regular file where a passed socket goes
  connected-socket   a connected TCP socket (not listening) where a passed socket goes
  too-many-fds       one socket named, 253 fds sent (SCM_MAX_FD, the most one message carries)
  foreign-listener   the listener of a child's filter (another process), with a socket of this
                     client's own; once the broker took it, the child binds N's address
                     (127.0.0.1:N), another service's, and prints what it got
  silent             connects ("connected") and says nothing
  silent-many N      N connections at once that say nothing ("connected N" once they are made,
                     then the answers to all)
  exit-early         a valid handoff of its own listener, then exits before the answer
  services N         N valid handoffs, each of a listener of its own (a thread each) and one
                     socket; they stay until stdin closes
  fds N              N valid handoffs of 251 sockets each (the most one message carries besides
                     the listener and stderr); they stay until stdin closes
"""
import ctypes
import itertools
import os
import socket
import struct
import sys
import tempfile
import threading

PROTOCOL = "bandaid-handoff 1"
SCM_MAX_FD = 253

libc = ctypes.CDLL(None, use_errno=True)
names = itertools.count()


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_filter():
    """A seccomp filter on the calling thread that hands bind() to a listener: returns the listener."""
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    # ld [nr]; jeq __NR_bind (x86_64: 49) ? USER_NOTIF : ALLOW (struct sock_filter: u16, u8, u8, u32)
    program = [(0x20, 0, 0, 0), (0x15, 0, 1, 49), (0x06, 0, 0, 0x7fc00000), (0x06, 0, 0, 0x7fff0000)]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in program))
    fprog = SockFprog(len(program), ctypes.addressof(code))
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog); x86_64 __NR_seccomp 317
    fd = libc.syscall(317, 1, 8, ctypes.byref(fprog))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)")
    return fd


def handoff_text(names, program="hostile"):
    lines = [PROTOCOL, "version 0.1.0", "program " + program, "match address", "strict 0", "verbose 0", "journal 0"]
    lines += ["name " + n for n in names]
    return ("\n".join(lines) + "\n").encode()


def listening(kind="tcp"):
    if kind == "tcp":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0bandaid-hostile-%d-%d" % (os.getpid(), next(names)))
        s.listen()
    return s


def connect(path):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(path)
    return c


def answer(c, timeout=20):
    c.settimeout(timeout)
    try:
        data = c.recv(4096)
    except socket.timeout:
        return "no answer"
    except OSError as e:
        return "closed (%s)" % e.strerror
    return "answer: " + data.decode(errors="replace") if data else "closed"


def exchange(path, data, fds):
    with connect(path) as c:
        socket.send_fds(c, [data], fds)
        return answer(c)


def say(line):
    print(line, flush=True)


def main():
    path, case = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    say("pid %d" % os.getpid())
    if case == "garbage":
        say(exchange(path, os.urandom(200), []))
    elif case == "other-version":
        say(exchange(path, handoff_text(["web"]).replace(b"bandaid-handoff 1", b"bandaid-handoff 2"), []))
    elif case == "oversized":
        text = handoff_text(["web"])
        say(exchange(path, text + b"name x\n" * (65536 // 7), []))
    elif case == "truncated":
        say(exchange(path, handoff_text(["web"])[:-3], []))
    elif case == "pipe-listener":
        r, w = os.pipe()
        s = listening()
        say(exchange(path, handoff_text(["web"]), [r, 2, s.fileno()]))
    elif case == "udp-listener":
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        s = listening()
        say(exchange(path, handoff_text(["web"]), [u.fileno(), 2, s.fileno()]))
    elif case == "file-socket":
        with tempfile.TemporaryFile() as f:
            listener = own_listener()
            say(exchange(path, handoff_text(["web"]), [listener, 2, f.fileno()]))
    elif case == "connected-socket":
        server = listening()
        client = socket.create_connection(server.getsockname())
        listener = own_listener()
        say(exchange(path, handoff_text(["web"]), [listener, 2, client.fileno()]))
    elif case == "too-many-fds":
        s = listening()
        say(exchange(path, handoff_text(["web"]), [s.fileno()] * SCM_MAX_FD))
    elif case == "foreign-listener":
        foreign_listener(path, n)
    elif case == "silent":
        with connect(path) as c:
            say("connected")
            say(answer(c))
    elif case == "silent-many":
        conns = []
        for _ in range(n):
            try:
                conns.append(connect(path))
            except OSError as e:
                say("connect: " + e.strerror)
        say("connected %d" % len(conns))
        for c in conns:
            say(answer(c))
            c.close()
    elif case == "exit-early":
        listener = own_listener()
        s = listening()
        c = connect(path)
        socket.send_fds(c, [handoff_text(["web"])], [listener, 2, s.fileno()])
        say("sent")
        os._exit(0)
    elif case in ("services", "fds"):
        many(path, case, n)
    else:
        sys.exit("broker-client.py: unknown case " + case)
    say("done")


def own_listener():
    """The listener of a filter on a thread of this process that then waits for ever (the process's end ends it)."""
    got = []
    ready = threading.Event()

    def run():
        got.append(install_filter())
        ready.set()
        threading.Event().wait()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return got[0]


def foreign_listener(path, port):
    """A child installs the filter and sends its listener here; this process hands it over as its own."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        parent.close()
        socket.send_fds(child, [b"listener"], [install_filter()])
        child.recv(16)  # the go-ahead: the broker has answered
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            result = "bound, inode %d" % os.fstat(s.fileno()).st_ino
        except OSError as e:
            result = "errno %d" % e.errno
        child.send(result.encode())
        os._exit(0)
    child.close()
    _, fds, _, _ = socket.recv_fds(parent, 16, 1)
    s = listening()
    say(exchange(path, handoff_text(["mine"]), [fds[0], 2, s.fileno()]))
    os.close(fds[0])
    parent.send(b"go")
    say("child's bind: " + parent.recv(64).decode())
    os.waitpid(pid, 0)


def many(path, case, n):
    """N handoffs of listeners of its own, one thread each; they live until stdin closes."""
    sockets = 1 if case == "services" else SCM_MAX_FD - 2
    keep = []
    for i in range(n):
        listener = own_listener()
        fds = [listening("unix") for _ in range(sockets)]
        say(exchange(path, handoff_text(["s%d" % j for j in range(sockets)]), [listener, 2] + [s.fileno() for s in fds]))
        for s in fds:
            s.close()
        keep.append(listener)
    say("held")
    sys.stdin.read()


if __name__ == "__main__":
    main()
