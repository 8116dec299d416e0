#!/usr/bin/python3
"""Runs a command under a seccomp filter that makes the named system calls fail with EPERM, the
way a container's seccomp profile or a unit's SystemCallFilter= with SystemCallErrorNumber=EPERM
does: deny-syscalls.py NAME[,NAME...] COMMAND ARGS... (x86-64 names: see NUMBERS)."""
import ctypes
import os
import struct
import sys

NUMBERS = {"process_vm_readv": 310, "seccomp": 317, "pidfd_open": 434, "pidfd_getfd": 438}
AUDIT_ARCH_X86_64 = 0xC000003E
EPERM = 1
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


denied = [NUMBERS[name] for name in sys.argv[1].split(",")]
# arch check, load nr, one JEQ per denied call (to the ERRNO return), ALLOW, ERRNO
program = [insn(BPF_LD_W_ABS, 0, 0, 4), insn(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64), insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
           insn(BPF_LD_W_ABS, 0, 0, 0)]
for i, nr in enumerate(denied):
    program.append(insn(BPF_JEQ_K, len(denied) - i, 0, nr))
program += [insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM)]
code = b"".join(program)
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(code)
fprog = ctypes.create_string_buffer(struct.pack("HxxxxxxQ", len(program), ctypes.addressof(buf)))
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
ul = ctypes.c_ulong
libc.prctl.argtypes = [ctypes.c_int, ul, ul, ul, ul]
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_NO_NEW_PRIVS) failed")
if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
    sys.exit("prctl(PR_SET_SECCOMP) failed: errno %d" % ctypes.get_errno())
os.execvp(sys.argv[2], sys.argv[2:])
