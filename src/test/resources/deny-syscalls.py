#!/usr/bin/python3
"""Runs a command under a seccomp filter that makes the named system calls fail, the way a
container's seccomp profile or a unit's SystemCallFilter= with SystemCallErrorNumber=EPERM does,
or the way an older kernel refuses what it does not know yet:

    deny-syscalls.py RULE[,RULE...] COMMAND ARGS...

RULE is NAME[/ARG&MASK | /ARG=VALUE][:ERRNO] (x86-64 names: see NUMBERS): the call fails with
ERRNO (EPERM unless given); with /ARG&MASK only when its argument ARG (0-5) has a bit of MASK set,
with /ARG=VALUE only when that argument is VALUE (both compare the argument's low 32 bits).
  seccomp:EINVAL                  a kernel without seccomp filters at all
  seccomp/1&0x20:EINVAL           one without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (before 5.19)
  ioctl/1=0x40182103:EINVAL       one whose listener has no SECCOMP_IOCTL_NOTIF_ADDFD (5.9) or no
                                  SECCOMP_ADDFD_FLAG_SEND (5.14): both answer EINVAL"""
import ctypes
import errno
import os
import re
import struct
import sys

NUMBERS = {"ioctl": 16, "process_vm_readv": 310, "seccomp": 317, "pidfd_open": 434, "close_range": 436, "pidfd_getfd": 438}
AUDIT_ARCH_X86_64 = 0xC000003E
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x45, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
NR_OFFSET, ARCH_OFFSET, ARGS_OFFSET = 0, 4, 16
RULE = re.compile(r"^([a-z_0-9]+)(?:/([0-5])([&=])(0x[0-9a-fA-F]+|[0-9]+))?(?::(E[A-Z0-9]+))?$")


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def rule_code(spec):
    """The instructions for one rule, entered with the call's number loaded: they fall through
    to the next rule when it does not apply, and leave the number loaded."""
    m = RULE.match(spec)
    if not m or m.group(1) not in NUMBERS:
        sys.exit("deny-syscalls.py: bad rule %r (NAME[/ARG&MASK|/ARG=VALUE][:ERRNO], NAME one of %s)" % (spec, ", ".join(NUMBERS)))
    name, arg, op, value, err = m.groups()
    ret = insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | getattr(errno, err or "EPERM"))
    if arg is None:
        return [insn(BPF_JEQ_K, 0, 1, NUMBERS[name]), ret]
    test = BPF_JSET_K if op == "&" else BPF_JEQ_K
    # nr != NAME: skip the rest; the argument does not match: reload nr for the next rule.
    return [insn(BPF_JEQ_K, 0, 4, NUMBERS[name]), insn(BPF_LD_W_ABS, 0, 0, ARGS_OFFSET + 8 * int(arg)),
            insn(test, 0, 1, int(value, 0)), ret, insn(BPF_LD_W_ABS, 0, 0, NR_OFFSET)]


program = [insn(BPF_LD_W_ABS, 0, 0, ARCH_OFFSET), insn(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64), insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
           insn(BPF_LD_W_ABS, 0, 0, NR_OFFSET)]
for spec in sys.argv[1].split(","):
    program += rule_code(spec)
program.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
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
