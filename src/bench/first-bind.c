/*
 * first-bind PORT: the program of scripts/bench's start and exit figures (issue 17). Benchmark
 * only, never part of bandaid.
 *
 * Binds a TCP socket to 127.0.0.1:PORT, the address of the socket passed to its supervisor
 * (bandaid or FloorProgram), and exits at once. It prints two wall-clock times, in µs since the
 * epoch (comparable with bash's $EPOCHREALTIME): when its bind() returned, i.e. was answered,
 * and when it exits; and whether it was given the passed socket (a listening one: its own would
 * not be) rather than binding a port of its own.
 *   bound_us T passed 1|0
 *   exit_us T
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static long long now_us(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: first-bind PORT\n"); return 2; }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = bind(fd, (struct sockaddr *)&a, sizeof a);
    long long bound = now_us();
    int listening = 0;
    socklen_t len = sizeof listening;
    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
    printf("bound_us %lld passed %d\n", bound, r >= 0 && listening);
    printf("exit_us %lld\n", now_us());
    fflush(stdout);
    return r >= 0 ? 0 : 1; /* >= 0: FloorProgram's ADDFD with SEND returns the fd number */
}
