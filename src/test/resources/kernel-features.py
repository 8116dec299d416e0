#!/usr/bin/python3
"""kernel-features.py: asks the running kernel, by trying each one, for the seccomp and pidfd
features bandaid uses or falls back from, and prints one line each: NAME yes|no (what it said).
scripts/kernels runs it in each virtual machine, so README's kernel table is what the kernels
said, not what their version numbers promise. x86-64 only (system call numbers)."""
import ctypes
import os
import signal
import socket
import struct
import threading

SYS_IOCTL, SYS_SECCOMP, SYS_PIDFD_OPEN = 16, 317, 434
SECCOMP_SET_MODE_FILTER = 1
FLAG_NEW_LISTENER, FLAG_WAIT_KILLABLE_RECV = 1 << 3, 1 << 5
SECCOMP_RET_ALLOW = 0x7FFF0000
PR_SET_NO_NEW_PRIVS = 38
PIDFD_THREAD = os.O_EXCL


def ioc(direction, nr, size):  # asm-generic/ioctl.h
    return (direction << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = ioc(3, 0, 80)
NOTIF_ID_VALID = ioc(1, 2, 8)  # _IOW since 5.9 (and 5.8.y; _IOR before)
NOTIF_ADDFD = ioc(1, 3, 24)
NOTIF_SET_FLAGS = ioc(1, 4, 8)
SECCOMP_ADDFD_FLAG_SEND = 2
SYNC_WAKE_UP = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def syscall(nr, *args):
    """The result, or -errno."""
    r = libc.syscall(ctypes.c_long(nr), *(ctypes.c_long(a) for a in args))
    return -ctypes.get_errno() if r == -1 else r


def name(result):
    return "ok" if result >= 0 else os.strerror(-result).split(" (")[0] + " (" + errno_name(-result) + ")"


def errno_name(number):
    import errno
    return errno.errorcode.get(number, str(number))


def listener(flags):
    """In this (child) process: a filter that allows everything, with a listener: fd or -errno."""
    prog = struct.pack("HBBI", 0x06, 0, 0, SECCOMP_RET_ALLOW)  # BPF_RET|BPF_K ALLOW
    buf = ctypes.create_string_buffer(prog)
    fprog = ctypes.create_string_buffer(struct.pack("HxxxxxxQ", 1, ctypes.addressof(buf)))
    return syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, ctypes.addressof(fprog))


def in_child(question):
    """Runs question() in a child that sets no_new_privs and may install filters; returns its
    lines and the fds it sent back."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        parent.close()
        try:
            libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            lines, fds = question()
            # never an empty message: a stream socket drops the fds of one
            socket.send_fds(child, [("\n".join(lines) + "\n").encode()], fds)
        finally:
            os._exit(0)
    child.close()
    data, fds, _, _ = socket.recv_fds(parent, 65536, 4)
    os.waitpid(pid, 0)
    parent.close()
    return data.decode().splitlines(), fds


def filter_questions():
    lines = []
    fd = listener(FLAG_NEW_LISTENER | FLAG_WAIT_KILLABLE_RECV)
    lines.append("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV %s (%s; Linux 5.19)" % ("yes" if fd >= 0 else "no", name(fd)))
    if fd < 0:
        fd = listener(FLAG_NEW_LISTENER)
    lines.append("SECCOMP_FILTER_FLAG_NEW_LISTENER %s (%s; Linux 5.0)" % ("yes" if fd >= 0 else "no", name(fd)))
    if fd < 0:
        return lines, []
    # ADDFD of an fd that cannot exist: EBADF if the kernel knows the request and its flags
    # (checked first), EINVAL if not; nothing happens either way.
    for flags, what, since in ((0, "SECCOMP_IOCTL_NOTIF_ADDFD", "5.9"), (SECCOMP_ADDFD_FLAG_SEND, "SECCOMP_ADDFD_FLAG_SEND", "5.14")):
        addfd = ctypes.create_string_buffer(struct.pack("QIIII", 0, flags, 0xFFFFFFFF, 0, 0))
        r = syscall(SYS_IOCTL, fd, NOTIF_ADDFD, ctypes.addressof(addfd))
        lines.append("%s %s (an fd that cannot exist: %s; Linux %s)" % (what, "yes" if r == -9 else "no", name(r), since))
    r = syscall(SYS_IOCTL, fd, NOTIF_SET_FLAGS, SYNC_WAKE_UP)
    lines.append("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP %s (%s; Linux 6.6)" % ("yes" if r == 0 else "no", name(r)))
    notif_id = ctypes.create_string_buffer(8)
    r = syscall(SYS_IOCTL, fd, NOTIF_ID_VALID, ctypes.addressof(notif_id))
    lines.append("SECCOMP_IOCTL_NOTIF_ID_VALID as _IOW %s (%s; Linux 5.9)" % ("yes" if r == -2 else "no", name(r)))
    return lines, [fd]


def recv_ends():
    """NOTIF_RECV on a listener whose only user has exited: ENOENT at once since Linux 6.11
    ("seccomp: interrupt SECCOMP_IOCTL_NOTIF_RECV when all users have exited"), before that it
    waits (cut off here by an alarm)."""
    _, fds = in_child(lambda: ([], [fd] if (fd := listener(FLAG_NEW_LISTENER)) >= 0 else []))
    if not fds:
        return "NOTIF_RECV ends when no process is left under the filter: no listener"
    signal.signal(signal.SIGALRM, lambda *_: None)
    signal.setitimer(signal.ITIMER_REAL, 3)
    notif = ctypes.create_string_buffer(80)
    r = syscall(SYS_IOCTL, fds[0], NOTIF_RECV, ctypes.addressof(notif))
    signal.setitimer(signal.ITIMER_REAL, 0)
    os.close(fds[0])
    return "NOTIF_RECV ends when no process is left under the filter %s (%s; Linux 6.11)" % (
        "yes" if r == -2 else "no", "waited 3 s" if r == -4 else name(r))


def thread_pidfd():
    """pidfd_open(2) of a thread that is not the leader: refused before 6.9, with PIDFD_THREAD since."""
    results = {}
    ready, done = threading.Event(), threading.Event()

    def thread():
        results["tid"] = threading.get_native_id()
        ready.set()
        done.wait()

    t = threading.Thread(target=thread)
    t.start()
    ready.wait()
    plain = syscall(SYS_PIDFD_OPEN, results["tid"], 0)
    flagged = syscall(SYS_PIDFD_OPEN, results["tid"], PIDFD_THREAD)
    done.set()
    t.join()
    for fd in (plain, flagged):
        if fd >= 0:
            os.close(fd)
    return ["pidfd_open of a thread %s (%s)" % ("yes" if plain >= 0 else "no", name(plain)),
            "PIDFD_THREAD %s (%s; Linux 6.9)" % ("yes" if flagged >= 0 else "no", name(flagged))]


def main():
    print("kernel", os.uname().release)
    with open("/proc/sys/kernel/seccomp/actions_avail") as f:
        print("user_notif in actions_avail", "yes" if "user_notif" in f.read().split() else "no")
    lines, fds = in_child(filter_questions)
    for fd in fds:
        os.close(fd)
    print("\n".join(lines))
    print(recv_ends())
    print("\n".join(thread_pidfd()))
    with open("/proc/self/status") as f:
        print("Seccomp_filters in /proc/PID/status", "yes" if "Seccomp_filters:" in f.read() else "no", "(Linux 5.9)")


main()
