/*
 * bind-pause PORT [INTERVAL_US]: the program of scripts/bench's broker restart figure (issue 27).
 * Benchmark only, never part of bandaid.
 *
 * Until SIGTERM it makes a round of socket() + bind(127.0.0.1:0) + close() every INTERVAL_US
 * (default 2000), timing each bind(): under bandaid each one is trapped and answered (continued)
 * by whoever holds the seccomp listener, so a bind() made while the broker restarts waits for the
 * next broker, and its time is the pause the program saw. On SIGTERM it binds 127.0.0.1:PORT, the
 * passed socket's address, which must be answered with the passed (listening) socket, and prints
 *   calls N failed F p50_us X max_us X passed 1|0 first_error E
 *   slow T0_US DURATION_US          (one line per bind() that took more than 5 ms)
 * failed counts binds that did not return 0 (a lost call: ENOSYS once nobody holds the listener),
 * first_error is the errno of the first (0 for none), T0_US the wall-clock time (µs since the
 * epoch, comparable with bash's $EPOCHREALTIME) when that bind() was called. Exits 0 only when no
 * call failed and the passed socket came.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static double now_us(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bind-pause PORT [INTERVAL_US]\n"); return 2; }
    int port = atoi(argv[1]);
    long interval = argc > 2 ? atol(argv[2]) : 2000;
    /* SA_RESTART: a trapped bind() that SIGTERM interrupts before the broker has received it is
     * restarted, not failed with EINTR (seccomp_unotify(2), NOTES). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);

    long calls = 0, room = 4096, failed = 0, nslow = 0, slow_room = 64;
    int first_error = 0;
    double *latency = malloc(room * sizeof *latency);
    double (*slow)[2] = malloc(slow_room * sizeof *slow);
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = 0 };
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!stop) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) { perror("bind-pause: socket"); return 1; }
        double wall = now_us(CLOCK_REALTIME), t0 = now_us(CLOCK_MONOTONIC);
        int r = bind(fd, (struct sockaddr *)&any, sizeof any);
        int e = errno;
        double took = now_us(CLOCK_MONOTONIC) - t0;
        close(fd);
        if (calls == room) latency = realloc(latency, (room *= 2) * sizeof *latency);
        latency[calls++] = took;
        if (r != 0) { failed++; if (!first_error) first_error = e; }
        if (took > 5000) {
            if (nslow == slow_room) slow = realloc(slow, (slow_room *= 2) * sizeof *slow);
            slow[nslow][0] = wall;
            slow[nslow++][1] = took;
        }
        if (interval > 0) usleep(interval);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = bind(fd, (struct sockaddr *)&a, sizeof a);
    int listening = 0;
    socklen_t len = sizeof listening;
    if (r > 0) fd = r; /* an ADDFD with SEND answers with the fd number */
    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
    int passed = r >= 0 && listening;
    qsort(latency, calls, sizeof *latency, by_value);
    printf("calls %ld failed %ld p50_us %.1f max_us %.1f passed %d first_error %d\n", calls, failed,
           calls ? latency[calls / 2] : 0, calls ? latency[calls - 1] : 0, passed, first_error);
    for (long i = 0; i < nslow; i++) printf("slow %.0f %.0f\n", slow[i][0], slow[i][1]);
    fflush(stdout);
    return failed == 0 && passed ? 0 : 1;
}
