/* The distroless-style test target (and the CRI tests' pause program): one static binary, no shell,
 * no libc in its image. It waits until SIGTERM or SIGINT. */
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  while (!stop) pause();
  return 0;
}
