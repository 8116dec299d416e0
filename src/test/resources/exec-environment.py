#!/usr/bin/python3
"""exec-environment.py HEX... -- COMMAND ARGS...: execve(2)s COMMAND with exactly the environment
entries given, each as the hex of its bytes (so an entry may be anything exec can pass: two of one
name, one without "=", an empty one, bytes that are not UTF-8), after the LISTEN_* variables of
its own environment (pass-sockets.py's, which this keeps the pid of). No shell, no libc setenv:
the entries reach the kernel as they are."""
import ctypes
import os
import sys

args = sys.argv[1:]
split = args.index("--")
entries = [k + b"=" + os.environb[k] for k in (b"LISTEN_FDS", b"LISTEN_PID", b"LISTEN_FDNAMES") if k in os.environb]
entries += [bytes.fromhex(h) for h in args[:split]]
command = [os.fsencode(a) for a in args[split + 1:]]
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * (len(command) + 1))(*command, None)
envp = (ctypes.c_char_p * (len(entries) + 1))(*entries, None)
libc.execve(command[0], argv, envp)
sys.exit("exec-environment.py: execve %s: %s" % (args[split + 1], os.strerror(ctypes.get_errno())))
