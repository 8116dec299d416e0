/*
 * bind-threads THREADS CALLS [WARMUP]: after WARMUP untimed rounds, THREADS threads start
 * together and each makes CALLS rounds of socket() + bind(127.0.0.1:0) + close(), timing each
 * bind(). Prints "calls_per_s X p50_us X p99_us X max_us X" over all binds. Benchmark only
 * (scripts/bench): under bandaid each bind() is trapped and continued, so this loads bandaid's
 * notification reader from several callers at once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long calls;
static double *latency; /* ns, THREADS * CALLS */
static pthread_barrier_t start;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double round_trip(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    double t0 = now_ns();
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); exit(1); }
    double t1 = now_ns();
    close(fd);
    return t1 - t0;
}

static void *worker(void *arg) {
    double *mine = latency + (long)arg * calls;
    pthread_barrier_wait(&start);
    for (long i = 0; i < calls; i++) mine[i] = round_trip();
    return NULL;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: bind-threads THREADS CALLS [WARMUP]\n"); return 2; }
    long threads = atol(argv[1]), warmup = argc > 3 ? atol(argv[3]) : 0;
    calls = atol(argv[2]);
    for (long i = 0; i < warmup; i++) round_trip();
    latency = calloc(threads * calls, sizeof *latency);
    pthread_t *ids = calloc(threads, sizeof *ids);
    pthread_barrier_init(&start, NULL, threads + 1);
    for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, worker, (void *)t);
    pthread_barrier_wait(&start);
    double t0 = now_ns();
    for (long t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double wall = now_ns() - t0;
    long total = threads * calls;
    qsort(latency, total, sizeof *latency, by_value);
    printf("calls_per_s %.0f p50_us %.1f p99_us %.1f max_us %.1f\n", total / (wall / 1e9),
           latency[total / 2] / 1e3, latency[(long)(total * 0.99)] / 1e3, latency[total - 1] / 1e3);
    return 0;
}
