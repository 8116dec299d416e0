/*
 * bind-abis HOST PORT CALL...: makes each CALL in turn and prints one line for it.
 *
 *   x86-64           bind() of HOST:PORT (IPv4) on a fresh TCP socket, as any 64-bit program
 *   x32              the same bind() with __X32_SYSCALL_BIT set, as an x32 program makes it
 *   i386             the i386 bind() (int 0x80, number 361), as a 32-bit program makes it
 *   i386-socketcall  the i386 socketcall(SYS_BIND, args), as older 32-bit C libraries make it
 *   io_uring         io_uring_setup(1, params), the 64-bit call
 *
 * A bind prints "CALL RC ERRNO listening" or "... not-listening": a socket that listens after
 * bind() returned is a passed one (the program's own has not called listen()). io_uring prints
 * "io_uring ok" or "io_uring -1 ERRNO". A 64-bit program can make i386 calls (int 0x80) where
 * the kernel runs 32-bit code at all; where it does not ("i386 unavailable": int 0x80 faults,
 * as under some hypervisors or with ia32_emulation=0), the i386 calls are not made. Their
 * memory must lie below 4 GiB, which MAP_32BIT gives. Prints "done" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000
#define I386_GETPID 20
#define I386_SOCKETCALL 102
#define I386_BIND 361
#define SYS_BIND_CALL 2

/* An i386 system call from 64-bit code: eax, ebx, ecx, edx; r8-r11 are not kept. */
static long int80(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

/* Whether the kernel runs i386 calls: a child tries one; a fault kills it. */
static int i386_available(void) {
    pid_t child = fork();
    if (child == 0) {
        _exit(int80(I386_GETPID, 0, 0, 0) > 0 ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bind-abis HOST PORT CALL...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Below 4 GiB, for the i386 calls: the address, then socketcall's three arguments. */
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct sockaddr_in *addr = (struct sockaddr_in *) low;
    addr->sin_family = AF_INET;
    addr->sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr->sin_addr);
    unsigned int *args = (unsigned int *) (low + 64);
    int i386 = i386_available();

    for (int i = 3; i < argc; i++) {
        const char *call = argv[i];
        if (strcmp(call, "io_uring") == 0) {
            char params[120];
            memset(params, 0, sizeof params);
            long fd = syscall(__NR_io_uring_setup, 1, params);
            if (fd >= 0) {
                printf("io_uring ok\n");
                close(fd);
            } else {
                printf("io_uring -1 %d\n", errno);
            }
            continue;
        }
        if (strncmp(call, "i386", 4) == 0 && !i386) {
            printf("%s unavailable\n", call);
            continue;
        }
        int s = socket(AF_INET, SOCK_STREAM, 0);
        long rc;
        int err = 0;
        if (strcmp(call, "x86-64") == 0) {
            rc = syscall(__NR_bind, s, addr, sizeof *addr);
            err = rc < 0 ? errno : 0;
        } else if (strcmp(call, "x32") == 0) {
            rc = syscall(X32_SYSCALL_BIT | __NR_bind, s, addr, sizeof *addr);
            err = rc < 0 ? errno : 0;
        } else if (strcmp(call, "i386") == 0) {
            rc = int80(I386_BIND, s, (long) addr, sizeof *addr);
        } else if (strcmp(call, "i386-socketcall") == 0) {
            args[0] = s;
            args[1] = (unsigned int) (unsigned long) addr;
            args[2] = sizeof *addr;
            rc = int80(I386_SOCKETCALL, SYS_BIND_CALL, (long) args, 0);
        } else {
            fprintf(stderr, "bind-abis: unknown call %s\n", call);
            return 2;
        }
        if (strncmp(call, "i386", 4) == 0 && rc < 0) {
            err = (int) -rc; /* the raw call returns -errno */
            rc = -1;
        }
        int listening = 0;
        socklen_t length = sizeof listening;
        getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length);
        printf("%s %ld %d %s\n", call, rc, err, listening ? "listening" : "not-listening");
        close(s);
    }
    printf("done\n");
    return 0;
}
