/*
 * sleepers N: N idle processes for the PID-lookup benchmark. Forks N children that wait until they
 * are killed, prints each child's PID on a line and then "ready", and when its standard input ends
 * kills and reaps them all. The benchmark kills each child by PID itself as well; a child also dies
 * with this process (PR_SET_PDEATHSIG), so that none outlives a benchmark killed half-way.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void end_all(pid_t *children, long n) {
  for (long i = 0; i < n; i++) {
    kill(children[i], SIGKILL);
  }
  while (wait(NULL) > 0) {
  }
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
  pid_t parent = getpid();
  pid_t *children = calloc(n > 0 ? (size_t)n : 1, sizeof *children);
  if (children == NULL) {
    perror("sleepers: calloc");
    return 1;
  }
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("sleepers: fork");
      end_all(children, i);
      return 1;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) {
        _exit(0);
      }
      for (;;) {
        pause();
      }
    }
    children[i] = pid;
    printf("%d\n", (int)pid);
  }
  printf("ready\n");
  fflush(stdout);
  char buffer[256];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  end_all(children, n);
  return 0;
}
