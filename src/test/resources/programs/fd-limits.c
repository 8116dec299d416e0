/*
 * fd-limits MODE HOST PORT: a bind() or socket() bandaid must answer where the program's fd table
 * leaves no room, then serving: binds HOST:PORT (IPv4) on a fresh socket, listens, prints "ready",
 * answers one connection with "hello\n" and exits 0.
 *
 *   rlimit: a socket on fd 500, RLIMIT_NOFILE lowered to 100, bind(500, HOST:PORT): prints
 *           "rlimit-bind RC ERRNO", and "rlimit-dup2 RC ERRNO" for dup2(socket, 600) under the
 *           same limit (the kernel's answer for putting an fd there); then the limit goes back.
 *   full:   RLIMIT_NOFILE 64 and the table filled with /dev/null, then socket(AF_INET,
 *           SOCK_STREAM): prints "full-socket RC ERRNO"; then two fds are freed for the
 *           serving socket and its connection (under --match=socket, that socket() gets the passed one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve-hello.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: fd-limits rlimit|full HOST PORT\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
    inet_pton(AF_INET, argv[2], &addr.sin_addr);
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct rlimit saved;
    getrlimit(RLIMIT_NOFILE, &saved);
    int last = -1;

    if (strcmp(argv[1], "rlimit") == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        dup2(s, 500);
        close(s);
        struct rlimit low = {100, saved.rlim_max};
        setrlimit(RLIMIT_NOFILE, &low);
        int rc = bind(500, (struct sockaddr *) &addr, sizeof addr);
        printf("rlimit-bind %d %d\n", rc, rc < 0 ? errno : 0);
        rc = dup2(0, 600);
        printf("rlimit-dup2 %d %d\n", rc < 0 ? -1 : 0, rc < 0 ? errno : 0);
        setrlimit(RLIMIT_NOFILE, &saved);
        close(500);
    } else {
        struct rlimit low = {64, saved.rlim_max};
        setrlimit(RLIMIT_NOFILE, &low);
        for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) {
            last = fd;
        }
        int rc = socket(AF_INET, SOCK_STREAM, 0);
        printf("full-socket %d %d\n", rc < 0 ? -1 : 0, rc < 0 ? errno : 0);
        if (rc >= 0) {
            close(rc);
        }
        close(last);  /* room for the serving socket and the connection it accepts */
        close(last - 1);
    }

    return serve_hello(&addr);
}
