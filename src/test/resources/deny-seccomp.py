#!/usr/bin/python3
"""Runs a command under a seccomp filter that makes seccomp(2) fail with EPERM, the way a unit
with SystemCallFilter=@system-service and SystemCallErrorNumber=EPERM does:
deny-seccomp.py COMMAND ARGS..."""
import ctypes
import os
import struct
import sys

AUDIT_ARCH_X86_64 = 0xC000003E
NR_SECCOMP = 317
EPERM = 1
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


program = b"".join([
    insn(BPF_LD_W_ABS, 0, 0, 4),                     # arch
    insn(BPF_JEQ_K, 0, 3, AUDIT_ARCH_X86_64),
    insn(BPF_LD_W_ABS, 0, 0, 0),                     # nr
    insn(BPF_JEQ_K, 0, 1, NR_SECCOMP),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
])
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(program)
fprog = struct.pack("HxxxxxxQ", len(program) // 8, ctypes.addressof(buf))
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
ul = ctypes.c_ulong
libc.prctl.argtypes = [ctypes.c_int, ul, ul, ul, ul]
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_NO_NEW_PRIVS) failed")
fprog_buf = ctypes.create_string_buffer(fprog)
if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buf), 0, 0) != 0:
    sys.exit("prctl(PR_SET_SECCOMP) failed: errno %d" % ctypes.get_errno())
os.execvp(sys.argv[1], sys.argv[1:])
