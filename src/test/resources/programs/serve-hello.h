/*
 * What bind-races.c and fd-limits.c do once their own calls are done: bind ADDR on a fresh
 * socket, listen, print "ready", answer one connection with "hello\n". Returns main's status.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int serve_hello(const struct sockaddr_in *addr) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (const struct sockaddr *) addr, sizeof *addr) != 0 || listen(s, 16) != 0) {
        printf("serve socket/bind/listen errno %d\n", errno);
        return 1;
    }
    printf("ready\n");
    int c = accept(s, NULL, NULL);
    if (c < 0 || write(c, "hello\n", 6) != 6) {
        printf("accept/write errno %d\n", errno);
        return 1;
    }
    close(c);
    return 0;
}
