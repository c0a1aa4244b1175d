/* target-gdb: a slim native target for remote debugging with gdbserver (lambda-cntr debug
 * --gdbserver). A static binary with its debug information: a loop that counts ticks, so that a
 * debugger attached to it finds a known backtrace (main -> run_loop -> wait_for_tick) and known
 * variables (the global tick_count, run_loop's local `round` and `label`).
 *
 *   target-gdb [--interval-ms N]      default 200; exits 0 on SIGTERM or SIGINT (as PID 1 too)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile unsigned long tick_count;
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* Sleeps one interval; the frame a debugger sees the program waiting in. */
static __attribute__((noinline)) void wait_for_tick(long interval_ms) {
  struct timespec t = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR && !stop_requested) {
  }
}

static __attribute__((noinline)) int run_loop(long interval_ms) {
  const char *label = "target-gdb";
  unsigned long round = 0;
  while (!stop_requested) {
    round++;
    tick_count = round;
    wait_for_tick(interval_ms);
  }
  printf("%s: stopped after %lu rounds\n", label, round);
  return 0;
}

int main(int argc, char **argv) {
  long interval_ms = 200;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc) {
      interval_ms = strtol(argv[++i], NULL, 10);
    } else {
      fprintf(stderr, "usage: target-gdb [--interval-ms N]\n");
      return 2;
    }
  }
  if (interval_ms <= 0) interval_ms = 200;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("target-gdb: running, a tick every %ld ms\n", interval_ms);
  return run_loop(interval_ms);
}
