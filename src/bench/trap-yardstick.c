/*
 * trap-yardstick PROGRAM ARGS...: the least a seccomp supervisor can do per trapped bind(), the
 * yardstick for bandaid's trap cost (scripts/bench, issue 17). Benchmark only, never part of
 * bandaid.
 *
 * It traps bind() as bandaid does (SECCOMP_RET_USER_NOTIF, a NEW_LISTENER filter, no_new_privs),
 * starts PROGRAM under the filter, and answers each trapped bind() the way bandaid answers one it
 * does not take over: NOTIF_RECV, one process_vm_readv of the address, NOTIF_SEND with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE. The listener asks for synchronous wake-ups
 * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6) when the kernel has them, as bandaid does.
 * Exits with PROGRAM's status (128 + N if a signal ended it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static pid_t child;

/* The program's end is ours: the listener never hangs up while this process, under the same
 * filter, lives, so a second thread waits for the program. */
static void *reap(void *unused) {
    (void)unused;
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: trap-yardstick PROGRAM ARGS...\n"); return 2; }
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_bind, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("trap-yardstick: prctl"); return 77; }
    int listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0) { perror("trap-yardstick: seccomp"); return 77; }
    /* The flags are the argument itself, not a pointer to them (kernel/seccomp.c,
     * seccomp_notify_set_flags): a pointer is refused with EINVAL. Only speed: EINVAL before 6.6. */
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);

    child = fork();
    if (child < 0) { perror("trap-yardstick: fork"); return 77; }
    if (child == 0) {
        close(listener);
        execvp(argv[1], argv + 1);
        perror("trap-yardstick: exec");
        _exit(127);
    }
    pthread_t reaper;
    pthread_create(&reaper, NULL, reap, NULL);

    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) { perror("trap-yardstick: sizes"); return 77; }
    struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
    char address[128];
    for (;;) {
        memset(req, 0, sizes.seccomp_notif);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
            if (errno == EINTR || errno == ENOENT) continue; /* ENOENT: the caller went away */
            perror("trap-yardstick: NOTIF_RECV");
            return 77;
        }
        size_t len = req->data.args[2] < sizeof address ? req->data.args[2] : sizeof address;
        struct iovec local = { address, len }, remote = { (void *)req->data.args[1], len };
        process_vm_readv(req->pid, &local, 1, &remote, 1, 0);
        resp->id = req->id;
        resp->val = 0;
        resp->error = 0;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT) {
            perror("trap-yardstick: NOTIF_SEND");
            return 77;
        }
    }
}
