/*
 * bind-loop N [WARMUP]: WARMUP untimed, then N timed rounds of socket() + bind(127.0.0.1:0) +
 * close(), and prints "ns_per_iter X". Benchmark only (scripts/bench), never part of bandaid.
 *
 * Under bandaid every bind() is trapped (SECCOMP_RET_USER_NOTIF) and continued, since port 0
 * is never a passed socket's address; run bare and wrapped, the difference per round is what
 * one trapped call costs. The warm-up lets bandaid's JIT compile the answering path first.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void round_trip(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); exit(1); }
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bind-loop N [WARMUP]\n"); return 2; }
    long n = atol(argv[1]), warmup = argc > 2 ? atol(argv[2]) : 0;
    for (long i = 0; i < warmup; i++) round_trip();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) round_trip();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("ns_per_iter %.0f\n", ns / n);
    return 0;
}
