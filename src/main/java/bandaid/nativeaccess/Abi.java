package bandaid.nativeaccess;

/**
 * The Linux x86-64 ABI numbers bandaid uses at run time (system call numbers, flags, option
 * names), each beside the C definition it comes from. They are the generated bindings' own
 * values written down, so that no start of bandaid initializes {@code bindings.Linux}: its static
 * initializer makes a SymbolLookup, an Arena and the canonical layouts, several milliseconds on
 * the way to the program's first answer (ARCHITECTURE.md). These numbers are ABI and never change;
 * {@code AbiNumbersTest} holds every one of them to the bindings by name. Numbers the socket layer
 * already writes down (address families, socket types, AT_FDCWD) are used from there, not
 * repeated here.
 */
final class Abi {
    public static final int AT_REMOVEDIR = 512; // #define AT_REMOVEDIR 512
    public static final int AT_SYMLINK_NOFOLLOW = 256; // #define AT_SYMLINK_NOFOLLOW 256
    public static final int AUDIT_ARCH_I386 = 1073741827; // #define AUDIT_ARCH_I386 1073741827
    public static final int AUDIT_ARCH_X86_64 = -1073741762; // #define AUDIT_ARCH_X86_64 3221225534
    public static final int BPF_ABS = 32; // #define BPF_ABS 32
    public static final int BPF_ALU = 4; // #define BPF_ALU 4
    public static final int BPF_AND = 80; // #define BPF_AND 80
    public static final int BPF_JEQ = 16; // #define BPF_JEQ 16
    public static final int BPF_JGE = 48; // #define BPF_JGE 48
    public static final int BPF_JMP = 5; // #define BPF_JMP 5
    public static final int BPF_K = 0; // #define BPF_K 0
    public static final int BPF_LD = 0; // #define BPF_LD 0
    public static final int BPF_RET = 6; // #define BPF_RET 6
    public static final int BPF_W = 0; // #define BPF_W 0
    public static final int CAP_DAC_READ_SEARCH = 2; // #define CAP_DAC_READ_SEARCH 2
    public static final int CAP_SYS_PTRACE = 19; // #define CAP_SYS_PTRACE 19
    public static final int CLOSE_RANGE_CLOEXEC = 4; // #define CLOSE_RANGE_CLOEXEC 4
    public static final int FD_CLOEXEC = 1; // #define FD_CLOEXEC 1
    public static final int F_GETFD = 1; // #define F_GETFD 1
    public static final int F_GETFL = 3; // #define F_GETFL 3
    public static final int F_SETFD = 2; // #define F_SETFD 2
    public static final int F_SETFL = 4; // #define F_SETFL 4
    public static final int IPPROTO_IPV6 = 41; // enum <anonymous>.IPPROTO_IPV6 = 41
    public static final int IPV6_V6ONLY = 26; // #define IPV6_V6ONLY 26
    public static final int MAP_SHARED = 1; // #define MAP_SHARED 1
    public static final int MFD_CLOEXEC = 1; // #define MFD_CLOEXEC 1
    public static final int MSG_CMSG_CLOEXEC = 1073741824; // enum <anonymous>.MSG_CMSG_CLOEXEC = 1073741824
    public static final int MSG_CTRUNC = 8; // enum <anonymous>.MSG_CTRUNC = 8
    public static final int MSG_DONTWAIT = 64; // enum <anonymous>.MSG_DONTWAIT = 64
    public static final int MSG_NOSIGNAL = 16384; // enum <anonymous>.MSG_NOSIGNAL = 16384
    public static final int MSG_TRUNC = 32; // enum <anonymous>.MSG_TRUNC = 32
    public static final int O_CLOEXEC = 524288; // #define O_CLOEXEC 524288
    public static final int O_NONBLOCK = 2048; // #define O_NONBLOCK 2048
    public static final int O_PATH = 2097152; // #define O_PATH 2097152
    public static final int O_WRONLY = 1; // #define O_WRONLY 1
    public static final int PATH_MAX = 4096; // #define PATH_MAX 4096
    public static final int POLLERR = 8; // #define POLLERR 8
    public static final int POLLHUP = 16; // #define POLLHUP 16
    public static final int POLLIN = 1; // #define POLLIN 1
    public static final int POLLNVAL = 32; // #define POLLNVAL 32
    public static final int POLLRDHUP = 8192; // #define POLLRDHUP 8192
    public static final int POSIX_SPAWN_SETSIGMASK = 8; // #define POSIX_SPAWN_SETSIGMASK 8
    public static final int PROT_READ = 1; // #define PROT_READ 1
    public static final int PROT_WRITE = 2; // #define PROT_WRITE 2
    public static final int PR_CAP_AMBIENT = 47; // #define PR_CAP_AMBIENT 47
    public static final int PR_CAP_AMBIENT_IS_SET = 1; // #define PR_CAP_AMBIENT_IS_SET 1
    public static final int PR_CAP_AMBIENT_LOWER = 3; // #define PR_CAP_AMBIENT_LOWER 3
    public static final int PR_SET_CHILD_SUBREAPER = 36; // #define PR_SET_CHILD_SUBREAPER 36
    public static final int PR_SET_NO_NEW_PRIVS = 38; // #define PR_SET_NO_NEW_PRIVS 38
    public static final int RLIMIT_NOFILE = 7; // enum __rlimit_resource.RLIMIT_NOFILE = 7
    public static final int SCM_CREDENTIALS = 2; // enum <anonymous>.SCM_CREDENTIALS = 2
    public static final int SCM_RIGHTS = 1; // enum <anonymous>.SCM_RIGHTS = 1
    public static final long SECCOMP_ADDFD_FLAG_SEND = 2L; // #define SECCOMP_ADDFD_FLAG_SEND 2
    public static final long SECCOMP_ADDFD_FLAG_SETFD = 1L; // #define SECCOMP_ADDFD_FLAG_SETFD 1
    public static final long SECCOMP_FILTER_FLAG_NEW_LISTENER = 8L; // #define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
    public static final long SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32L; // #define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32
    public static final int SECCOMP_GET_NOTIF_SIZES = 3; // #define SECCOMP_GET_NOTIF_SIZES 3
    public static final int SECCOMP_RET_ALLOW = 2147418112; // #define SECCOMP_RET_ALLOW 2147418112
    public static final int SECCOMP_RET_USER_NOTIF = 2143289344; // #define SECCOMP_RET_USER_NOTIF 2143289344
    public static final int SECCOMP_SET_MODE_FILTER = 1; // #define SECCOMP_SET_MODE_FILTER 1
    public static final long SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1L; // #define SECCOMP_USER_NOTIF_FLAG_CONTINUE 1
    public static final int SFD_CLOEXEC = 524288; // enum <anonymous>.SFD_CLOEXEC = 524288
    public static final int SIGALRM = 14; // #define SIGALRM 14
    public static final int SIGHUP = 1; // #define SIGHUP 1
    public static final int SIGINT = 2; // #define SIGINT 2
    public static final int SIGKILL = 9; // #define SIGKILL 9
    public static final int SIGPIPE = 13; // #define SIGPIPE 13
    public static final int SIGQUIT = 3; // #define SIGQUIT 3
    public static final int SIGTERM = 15; // #define SIGTERM 15
    public static final int SIGUSR1 = 10; // #define SIGUSR1 10
    public static final int SIGUSR2 = 12; // #define SIGUSR2 12
    public static final int SIGWINCH = 28; // #define SIGWINCH 28
    public static final int SIG_BLOCK = 0; // #define SIG_BLOCK 0
    public static final int SIG_UNBLOCK = 1; // #define SIG_UNBLOCK 1
    public static final int SIOCGSTAMPNS = 35079; // #define SIOCGSTAMPNS 35079
    public static final int SIOCINQ = 21531; // #define SIOCINQ 21531
    public static final int SIOCOUTQ = 21521; // #define SIOCOUTQ 21521
    public static final int SI_KERNEL = 128; // enum <anonymous>.SI_KERNEL = 128
    public static final int SOCK_CLOEXEC = 524288; // enum __socket_type.SOCK_CLOEXEC = 524288
    public static final int SOCK_NONBLOCK = 2048; // enum __socket_type.SOCK_NONBLOCK = 2048
    public static final int SOL_SOCKET = 1; // #define SOL_SOCKET 1
    public static final int SO_ACCEPTCONN = 30; // #define SO_ACCEPTCONN 30
    public static final int SO_DOMAIN = 39; // #define SO_DOMAIN 39
    public static final int SO_PASSCRED = 16; // #define SO_PASSCRED 16
    public static final int SO_PEERCRED = 17; // #define SO_PEERCRED 17
    public static final int SO_PROTOCOL = 38; // #define SO_PROTOCOL 38
    public static final int SO_RCVTIMEO = 20; // #define SO_RCVTIMEO 20
    public static final int SO_SNDTIMEO = 21; // #define SO_SNDTIMEO 21
    public static final int SO_TIMESTAMPING_NEW = 65; // #define SO_TIMESTAMPING_NEW 65
    public static final int SO_TIMESTAMPING_OLD = 37; // #define SO_TIMESTAMPING_OLD 37
    public static final int SO_TIMESTAMPNS_NEW = 64; // #define SO_TIMESTAMPNS_NEW 64
    public static final int SO_TIMESTAMPNS_OLD = 35; // #define SO_TIMESTAMPNS_OLD 35
    public static final int SO_TIMESTAMP_NEW = 63; // #define SO_TIMESTAMP_NEW 63
    public static final int SO_TIMESTAMP_OLD = 29; // #define SO_TIMESTAMP_OLD 29
    public static final int SO_TYPE = 3; // #define SO_TYPE 3
    public static final int SYS_BIND = 2; // #define SYS_BIND 2
    public static final int SYS_CONNECT = 3; // #define SYS_CONNECT 3
    public static final int SYS_LISTEN = 4; // #define SYS_LISTEN 4
    public static final int SYS_SOCKET = 1; // #define SYS_SOCKET 1
    public static final int S_IFCHR = 8192; // #define S_IFCHR 8192
    public static final int S_IFIFO = 4096; // #define S_IFIFO 4096
    public static final int S_IFMT = 61440; // #define S_IFMT 61440
    public static final int __NR_accept4 = 288; // #define __NR_accept4 288
    public static final int __NR_bind = 49; // #define __NR_bind 49
    public static final int __NR_close = 3; // #define __NR_close 3
    public static final int __NR_close_range = 436; // #define __NR_close_range 436
    public static final int __NR_connect = 42; // #define __NR_connect 42
    public static final int __NR_execve = 59; // #define __NR_execve 59
    public static final int __NR_fcntl = 72; // #define __NR_fcntl 72
    public static final int __NR_ftruncate = 77; // #define __NR_ftruncate 77
    public static final int __NR_getpeername = 52; // #define __NR_getpeername 52
    public static final int __NR_getpid = 39; // #define __NR_getpid 39
    public static final int __NR_getsockname = 51; // #define __NR_getsockname 51
    public static final int __NR_getsockopt = 55; // #define __NR_getsockopt 55
    public static final int __NR_gettid = 186; // #define __NR_gettid 186
    public static final int __NR_getxattr = 191; // #define __NR_getxattr 191
    public static final int __NR_io_uring_setup = 425; // #define __NR_io_uring_setup 425
    public static final int __NR_ioctl = 16; // #define __NR_ioctl 16
    public static final int __NR_kill = 62; // #define __NR_kill 62
    public static final int __NR_listen = 50; // #define __NR_listen 50
    public static final int __NR_memfd_create = 319; // #define __NR_memfd_create 319
    public static final int __NR_mmap = 9; // #define __NR_mmap 9
    public static final int __NR_munmap = 11; // #define __NR_munmap 11
    public static final int __NR_newfstatat = 262; // #define __NR_newfstatat 262
    public static final int __NR_openat = 257; // #define __NR_openat 257
    public static final int __NR_pidfd_getfd = 438; // #define __NR_pidfd_getfd 438
    public static final int __NR_pidfd_open = 434; // #define __NR_pidfd_open 434
    public static final int __NR_pidfd_send_signal = 424; // #define __NR_pidfd_send_signal 424
    public static final int __NR_poll = 7; // #define __NR_poll 7
    public static final int __NR_prctl = 157; // #define __NR_prctl 157
    public static final int __NR_prlimit64 = 302; // #define __NR_prlimit64 302
    public static final int __NR_process_vm_readv = 310; // #define __NR_process_vm_readv 310
    public static final int __NR_read = 0; // #define __NR_read 0
    public static final int __NR_recvmsg = 47; // #define __NR_recvmsg 47
    public static final int __NR_rt_sigaction = 13; // #define __NR_rt_sigaction 13
    public static final int __NR_rt_sigprocmask = 14; // #define __NR_rt_sigprocmask 14
    public static final int __NR_seccomp = 317; // #define __NR_seccomp 317
    public static final int __NR_sendmsg = 46; // #define __NR_sendmsg 46
    public static final int __NR_sendto = 44; // #define __NR_sendto 44
    public static final int __NR_setsockopt = 54; // #define __NR_setsockopt 54
    public static final int __NR_signalfd4 = 289; // #define __NR_signalfd4 289
    public static final int __NR_socket = 41; // #define __NR_socket 41
    public static final int __NR_tgkill = 234; // #define __NR_tgkill 234
    public static final int __NR_unlink = 87; // #define __NR_unlink 87
    public static final int __NR_unlinkat = 263; // #define __NR_unlinkat 263
    public static final int __NR_wait4 = 61; // #define __NR_wait4 61
    public static final int __NR_write = 1; // #define __NR_write 1

    private Abi() {
    }
}
