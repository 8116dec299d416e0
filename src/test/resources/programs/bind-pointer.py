#!/usr/bin/python3
"""Calls bind() with a pointer that points nowhere, and prints the errno the kernel answered."""
import ctypes
import socket

libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket()
libc.bind.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint]
r = libc.bind(s.fileno(), 0x10, 16)
print("bind", r, "errno", ctypes.get_errno(), flush=True)
