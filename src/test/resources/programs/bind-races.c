/*
 * bind-races HOST PORT MILLIS: races its own binds of HOST:PORT (IPv4) the ways a careless or
 * crashing program does, each for about MILLIS ms, then serves: binds HOST:PORT once more,
 * listens, prints "ready", answers one connection with "hello\n" and exits 0.
 *
 *   closed-fd:  one bind() on an fd number that is not open (prints "closed-fd RC ERRNO")
 *   threads:    one thread binds a fresh socket while another closes that fd, or dup2()s
 *               /dev/null over it, at a random moment
 *   children:   a child binds and is SIGKILLed at a random moment
 *
 * Each race prints "RACE N calls" when done; what each bind answered is the kernel's business.
 */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve-hello.h"

static struct sockaddr_in addr;
static volatile int target = -1;
static pthread_barrier_t go, done;
static volatile int stop;
static int devnull;

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void *closer(void *arg) {
    (void) arg;
    for (unsigned i = 0;; i++) {
        pthread_barrier_wait(&go);
        if (stop) {
            return NULL;
        }
        usleep(rand() % 300);
        if (i % 2 == 0) {
            close(target);
        } else {
            dup2(devnull, target);
        }
        pthread_barrier_wait(&done);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: bind-races HOST PORT MILLIS\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    long millis = atol(argv[3]);
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    srand(getpid());
    setvbuf(stdout, NULL, _IOLBF, 0);

    int rc = bind(900, (struct sockaddr *) &addr, sizeof addr);
    printf("closed-fd %d %d\n", rc, rc < 0 ? errno : 0);

    pthread_t thread;
    pthread_barrier_init(&go, NULL, 2);
    pthread_barrier_init(&done, NULL, 2);
    pthread_create(&thread, NULL, closer, NULL);
    long end = now_ms() + millis;
    int calls = 0;
    for (; now_ms() < end && calls < 5000; calls++) {
        target = socket(AF_INET, SOCK_STREAM, 0);
        pthread_barrier_wait(&go);
        bind(target, (struct sockaddr *) &addr, sizeof addr);
        pthread_barrier_wait(&done);
        close(target);
    }
    stop = 1;
    pthread_barrier_wait(&go);
    pthread_join(thread, NULL);
    printf("threads %d calls\n", calls);

    end = now_ms() + millis;
    calls = 0;
    for (; now_ms() < end && calls < 1000; calls++) {
        pid_t child = fork();
        if (child == 0) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            bind(s, (struct sockaddr *) &addr, sizeof addr);
            _exit(0);
        }
        usleep(rand() % 2000);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    printf("children %d calls\n", calls);

    return serve_hello(&addr);
}
