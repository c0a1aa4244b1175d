/*
 * The metadata workload of the file-system benchmark, run the same way natively and inside every
 * attached session: FILES small files (1 KiB) in directories of 100 below DIR/tree, created, stat'ed
 * or deleted with straight system calls. Prints the phase's wall-clock seconds, measured here, so
 * that the time to start a session is not counted.
 *
 *   metadata-tree create|stat|delete DIR FILES
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PER_DIR 100

static void fail(const char *what, const char *path) {
  perror(path);
  fprintf(stderr, "metadata-tree: %s failed\n", what);
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: metadata-tree create|stat|delete DIR FILES\n");
    return 64;
  }
  const char *phase = argv[1];
  const char *dir = argv[2];
  int files = atoi(argv[3]);
  int dirs = (files + PER_DIR - 1) / PER_DIR;
  char path[4096], data[1024];
  memset(data, 'x', sizeof data);
  struct stat st;
  double start = now();
  if (strcmp(phase, "create") == 0) {
    snprintf(path, sizeof path, "%s/tree", dir);
    if (mkdir(path, 0755) != 0) fail("mkdir", path);
    for (int d = 0; d < dirs; d++) {
      snprintf(path, sizeof path, "%s/tree/d%d", dir, d);
      if (mkdir(path, 0755) != 0) fail("mkdir", path);
      for (int f = 0; f < PER_DIR && d * PER_DIR + f < files; f++) {
        snprintf(path, sizeof path, "%s/tree/d%d/f%d", dir, d, f);
        /* Not O_EXCL: cntr 1.5.4 answers EIO to it (after creating the file). */
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) fail("create", path);
        if (write(fd, data, sizeof data) != (ssize_t)sizeof data) fail("write", path);
        if (close(fd) != 0) fail("close", path);
      }
    }
  } else if (strcmp(phase, "stat") == 0) {
    for (int d = 0; d < dirs; d++) {
      for (int f = 0; f < PER_DIR && d * PER_DIR + f < files; f++) {
        snprintf(path, sizeof path, "%s/tree/d%d/f%d", dir, d, f);
        if (stat(path, &st) != 0) fail("stat", path);
        if (st.st_size != sizeof data) fail("size check", path);
      }
    }
  } else if (strcmp(phase, "delete") == 0) {
    for (int d = 0; d < dirs; d++) {
      for (int f = 0; f < PER_DIR && d * PER_DIR + f < files; f++) {
        snprintf(path, sizeof path, "%s/tree/d%d/f%d", dir, d, f);
        if (unlink(path) != 0) fail("unlink", path);
      }
      snprintf(path, sizeof path, "%s/tree/d%d", dir, d);
      if (rmdir(path) != 0) fail("rmdir", path);
    }
    snprintf(path, sizeof path, "%s/tree", dir);
    if (rmdir(path) != 0) fail("rmdir", path);
  } else {
    fprintf(stderr, "metadata-tree: unknown phase %s\n", phase);
    return 64;
  }
  printf("%.6f\n", now() - start);
  return 0;
}
