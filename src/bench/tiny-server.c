/*
 * tiny-server PORT: the small server of scripts/bench's broker figures, many of which run at once
 * (issue 27: 100 services through one broker). Benchmark only, never part of bandaid.
 *
 * Binds a TCP socket to 127.0.0.1:PORT (under bandaid, the passed socket's address: the bind()
 * is trapped and answered with the passed socket), listens, and answers each connection with one
 * HTTP/1.0 response, one connection at a time, for ever. A few hundred KB of memory, so that a
 * hundred of them measure the broker, not the servers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: tiny-server PORT\n"); return 2; }
    signal(SIGPIPE, SIG_IGN); /* a client that leaves early ends its connection, not the server */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("tiny-server: socket"); return 1; }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* Under bandaid the answer is the passed socket's fd number (ADDFD with SEND), not 0. */
    int r = bind(fd, (struct sockaddr *)&a, sizeof a);
    if (r < 0) { perror("tiny-server: bind"); return 1; }
    if (r > 0) fd = r;
    if (listen(fd, 64) != 0) { perror("tiny-server: listen"); return 1; }
    static const char answer[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";
    char request[1024];
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) continue;
        (void)!read(c, request, sizeof request); /* the request line; the rest is not needed */
        (void)!write(c, answer, sizeof answer - 1);
        close(c);
    }
}
