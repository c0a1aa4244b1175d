/*
 * A tiny static HTTP server for the slim test images (target-static, demo-function): answers every
 * request with one line of JSON naming the service, the host name and the request count, logs each
 * request to stdout, and exits 0 on SIGTERM so that a pod stops at once. No shell, no libc at run
 * time: the image holds this binary alone.
 *
 *   tiny-http --name NAME [--port PORT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static int listen_on(int port) {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int family = AF_INET6;
  if (fd < 0) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    family = AF_INET;
  }
  if (fd < 0) {
    fprintf(stderr, "tiny-http: socket: %s\n", strerror(errno));
    exit(1);
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == AF_INET6) {
    int zero = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    struct sockaddr_in6 addr = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
    rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  } else {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  }
  if (rc != 0 || listen(fd, 64) != 0) {
    fprintf(stderr, "tiny-http: listen on port %d: %s\n", port, strerror(errno));
    exit(1);
  }
  return fd;
}

static void answer(int conn, const char *name, const char *host, unsigned long count) {
  char request[4096];
  ssize_t n = recv(conn, request, sizeof request - 1, 0);
  if (n <= 0) {
    return;
  }
  request[n] = '\0';
  char *line_end = strpbrk(request, "\r\n");
  if (line_end != NULL) {
    *line_end = '\0';
  }
  char body[512];
  int body_len = snprintf(body, sizeof body, "{\"name\":\"%s\",\"host\":\"%s\",\"pid\":%d,\"requests\":%lu}\n",
                          name, host, (int)getpid(), count);
  char response[1024];
  int len = snprintf(response, sizeof response,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s",
                     body_len, body);
  if (send(conn, response, (size_t)len, MSG_NOSIGNAL) < 0) {
    fprintf(stderr, "tiny-http: send: %s\n", strerror(errno));
  }
  printf("%s: request %lu: %.200s\n", name, count, request);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const char *name = NULL;
  int port = 8080;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
      name = argv[++i];
    } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = atoi(argv[++i]);
    } else {
      fprintf(stderr, "tiny-http: unknown argument '%s'; usage: tiny-http --name NAME [--port PORT]\n", argv[i]);
      return 2;
    }
  }
  if (name == NULL || port <= 0 || port > 65535) {
    fputs("tiny-http: usage: tiny-http --name NAME [--port PORT]\n", stderr);
    return 2;
  }
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  int fd = listen_on(port);
  printf("%s: listening on port %d as uid %d\n", name, port, (int)getuid());
  fflush(stdout);
  for (unsigned long count = 1;; count++) {
    int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno != EINTR) {
        fprintf(stderr, "tiny-http: accept: %s\n", strerror(errno));
      }
      count--;
      continue;
    }
    answer(conn, name, host, count);
    close(conn);
  }
}
