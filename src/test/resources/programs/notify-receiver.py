#!/usr/bin/python3
"""notify-receiver.py NAME: plays systemd's part of NOTIFY_SOCKET=@NAME for end-to-end tests of the
notify relay. Binds the abstract datagram socket NAME with SO_PASSCRED, prints "listening", then
one line per datagram: the sender's pid, its uid, the message as hex ("-" when empty) and what each
fd that came with it is (readlink of /proc/self/fd/N, comma-separated, "-" when none). Each fd is
closed once printed, as systemd closes them, which is what ends a BARRIER=1 wait."""
import array
import os
import socket
import struct
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("listening", flush=True)
while True:
    data, ancillary, flags, _ = s.recvmsg(4097, 4096)
    pid, uid, fds = 0, -1, []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid, uid, _gid = struct.unpack("iII", payload)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(payload[:len(payload) - len(payload) % 4])
            fds.extend(received)
    targets = []
    for fd in fds:
        targets.append(os.readlink("/proc/self/fd/%d" % fd))
        os.close(fd)
    print(pid, uid, data.hex() or "-", ",".join(targets) or "-", flush=True)
