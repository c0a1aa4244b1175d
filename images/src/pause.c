/*
 * The pod sandbox's process (registry.k8s.io/pause:3.10, built by images/build): holds the pod's
 * namespaces open, reaps orphans when it is PID 1, exits 0 on SIGTERM or SIGINT. Static, no libc
 * needed at run time.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

static void handle(int sig, void (*handler)(int)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, NULL) != 0) {
    perror("pause: sigaction");
    _exit(1);
  }
}

int main(void) {
  if (getpid() != 1) {
    fputs("pause: warning: not running as PID 1, orphans are not reaped here\n", stderr);
  }
  handle(SIGTERM, on_stop);
  handle(SIGINT, on_stop);
  handle(SIGCHLD, on_child);
  for (;;) {
    pause();
  }
}
