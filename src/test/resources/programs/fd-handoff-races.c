/*
 * fd-handoff-races HOST PORT MILLIS: prints "start" and waits for a line on stdin; then, for
 * about MILLIS ms, rounds chosen at random, each racing
 * one bind() of HOST:PORT (IPv4) on a fresh socket, fd N, against what another thread or a
 * process does meanwhile, at a random moment (0-400 us after the bind starts):
 *
 *   dup2:   dup2(pipe, N)                  afterwards N must be the pipe
 *   reopen: close(N), then dup(pipe)       the new fd must be N (the lowest free) and the pipe
 *   close:  close(N)                       afterwards N must not be open
 *   exit:   a child binds and is SIGKILLed (nothing to check in the program: the one that binds is gone)
 *
 * Without bandaid each check holds in every round: a bind() never changes the fd table. Under
 * bandaid, a passed socket put on N after the other thread changed it breaks one (a "wrong"
 * round). Prints
 * "KIND R rounds W wrong" per kind, then serves: binds HOST:PORT once more, listens, prints
 * "ready", answers one connection with "hello\n" and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve-hello.h"

enum kind { DUP2, REOPEN, CLOSE, EXIT, KINDS };
static const char *names[KINDS] = {"dup2", "reopen", "close", "exit"};

static struct sockaddr_in addr;
static pthread_barrier_t go, done;
static volatile int target = -1, kind = DUP2, reopened = -1, stop;
static volatile long delay_ns;
static int pipe_fds[2];
static struct stat pipe_stat;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Spins rather than sleeps: a sleep in this VM lasts 50 us at least, longer than the moments raced. */
static void spin(long ns) {
    long until = now_ns() + ns;
    while (now_ns() < until) {
    }
}

static int is_pipe(int fd) {
    struct stat s;
    return fstat(fd, &s) == 0 && s.st_dev == pipe_stat.st_dev && s.st_ino == pipe_stat.st_ino;
}

static void *racer(void *arg) {
    (void) arg;
    for (;;) {
        pthread_barrier_wait(&go);
        if (stop) {
            return NULL;
        }
        spin(delay_ns);
        if (kind == DUP2) {
            dup2(pipe_fds[0], target);
        } else if (kind == REOPEN) {
            close(target);
            reopened = dup(pipe_fds[0]);
        } else {
            close(target);
        }
        pthread_barrier_wait(&done);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: fd-handoff-races HOST PORT MILLIS\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    setvbuf(stdout, NULL, _IOLBF, 0);
    srand(getpid());
    if (pipe2(pipe_fds, O_CLOEXEC) != 0 || fstat(pipe_fds[0], &pipe_stat) != 0) {
        perror("pipe");
        return 1;
    }
    printf("start\n");
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) {
        return 1;
    }
    long end = now_ns() + atol(argv[3]) * 1000000L;
    pthread_t thread;
    pthread_barrier_init(&go, NULL, 2);
    pthread_barrier_init(&done, NULL, 2);
    pthread_create(&thread, NULL, racer, NULL);

    int rounds[KINDS] = {0}, wrong[KINDS] = {0};
    while (now_ns() < end) {
        int k = rand() % KINDS;
        rounds[k]++;
        if (k == EXIT) {
            pid_t child = fork();
            if (child == 0) {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                bind(s, (struct sockaddr *) &addr, sizeof addr);
                _exit(0);
            }
            spin(rand() % 2000000);
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            continue;
        }
        kind = k;
        delay_ns = rand() % 400000;
        target = socket(AF_INET, SOCK_STREAM, 0);
        pthread_barrier_wait(&go);
        bind(target, (struct sockaddr *) &addr, sizeof addr);
        pthread_barrier_wait(&done);
        if (k == DUP2) {
            wrong[k] += !is_pipe(target);
            close(target);
        } else if (k == REOPEN) {
            /* reopened != N: something was put on the closed N before dup() could take it */
            wrong[k] += !is_pipe(reopened) || reopened != target;
            close(reopened);
            if (reopened != target) {
                close(target);
            }
        } else {
            if (fcntl(target, F_GETFD) != -1) {
                wrong[k]++;
                close(target);
            }
        }
    }
    stop = 1;
    pthread_barrier_wait(&go);
    pthread_join(thread, NULL);
    for (int k = 0; k < KINDS; k++) {
        printf("%s %d rounds %d wrong\n", names[k], rounds[k], wrong[k]);
    }
    return serve_hello(&addr);
}
