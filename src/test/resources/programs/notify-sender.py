#!/usr/bin/python3
"""notify-sender.py: a program that speaks sd_notify(3) by hand, one command per line on stdin:

  env                     prints NOTIFY_SOCKET
  send HEX [FD...]        sends the bytes HEX to NOTIFY_SOCKET with fds (SCM_RIGHTS), each FD
                          "pidfd" (a pidfd of this process) or "pipe" (a new pipe's write end);
                          prints "sent" and the pipes' inodes
  child HEX               forks a child that sends HEX and exits at once; reaps it, prints "child sent"
  run COMMAND...          runs COMMAND (e.g. systemd-notify), prints "ran" and its exit status
  exit                    exits 0
"""
import array
import os
import socket
import subprocess
import sys


def address():
    name = os.environ["NOTIFY_SOCKET"]
    return "\0" + name[1:] if name.startswith("@") else name


def send(message, fds=()):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())] if fds else []
        s.sendmsg([message], ancillary, 0, address())


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "env":
        print(os.environ.get("NOTIFY_SOCKET"), flush=True)
    elif words[0] == "send":
        fds, inodes = [], []
        for kind in words[2:]:
            if kind == "pidfd":
                fds.append(os.pidfd_open(os.getpid()))
            elif kind == "pipe":
                read, write = os.pipe()
                inodes.append(str(os.fstat(write).st_ino))
                os.close(read)
                fds.append(write)
        send(bytes.fromhex(words[1]) if words[1] != "-" else b"", fds)
        for fd in fds:
            os.close(fd)
        print("sent", *inodes, flush=True)
    elif words[0] == "child":
        child = os.fork()
        if child == 0:
            send(bytes.fromhex(words[1]))
            os._exit(0)
        os.waitpid(child, 0)
        print("child sent", flush=True)
    elif words[0] == "run":
        status = subprocess.run(words[1:]).returncode
        print("ran", status, flush=True)
    elif words[0] == "exit":
        break
