/*
 * bind-wrong-fd HOST PORT: bind()s the IPv4 address HOST:PORT where the kernel refuses it, and
 * prints "CASE RC ERRNO same|replaced" for each (whether the fd is still the file it was):
 *
 *   stdin        fd 0, not a socket
 *   pipe         a pipe's read end
 *   unix         an AF_UNIX stream socket
 *   inet-inet6   an AF_INET socket, the address as an AF_INET6 ::ffff:HOST
 *   inet6-inet   an AF_INET6 socket, the AF_INET address (16 bytes)
 *
 * then "tcp RC ERRNO INODE" for an AF_INET stream socket binding HOST:PORT, the one right call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sockaddr_in in4;
static struct sockaddr_in6 in6;

static void attempt(const char *name, int fd, const struct sockaddr *address, socklen_t length) {
    struct stat before, after;
    fstat(fd, &before);
    int rc = bind(fd, address, length);
    int error = rc < 0 ? errno : 0;
    fstat(fd, &after);
    printf("%s %d %d %s\n", name, rc, error,
           before.st_dev == after.st_dev && before.st_ino == after.st_ino ? "same" : "replaced");
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bind-wrong-fd HOST PORT\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &in4.sin_addr);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = in4.sin_port;
    in6.sin6_addr.s6_addr[10] = 0xff;
    in6.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&in6.sin6_addr.s6_addr[12], &in4.sin_addr, 4);

    attempt("stdin", 0, (struct sockaddr *) &in4, sizeof in4);
    int p[2];
    pipe(p);
    attempt("pipe", p[0], (struct sockaddr *) &in4, sizeof in4);
    attempt("unix", socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *) &in4, sizeof in4);
    attempt("inet-inet6", socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *) &in6, sizeof in6);
    attempt("inet6-inet", socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr *) &in4, sizeof in4);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    int rc = bind(s, (struct sockaddr *) &in4, sizeof in4);
    int error = rc < 0 ? errno : 0;
    struct stat st;
    fstat(s, &st);
    printf("tcp %d %d %lu\n", rc, error, (unsigned long) st.st_ino);
    return 0;
}
