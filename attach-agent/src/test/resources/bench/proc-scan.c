/*
 * proc-scan ID RUNS: the cgroup scan's floor, for the PID-lookup benchmark: what CgroupScan does
 * (list /proc, read every /proc/PID/cgroup, keep those naming ID), in C with one buffer and no
 * parsing beyond strstr. Prints, per run, the milliseconds and the matching processes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: proc-scan ID RUNS\n");
    return 2;
  }
  const char *id = argv[1];
  int runs = atoi(argv[2]);
  static char buffer[65536];
  for (int run = 0; run < runs; run++) {
    double start = now_ms();
    int matches = 0;
    int proc = open("/proc", O_RDONLY | O_DIRECTORY);
    DIR *dir = fdopendir(proc);
    if (dir == NULL) {
      perror("proc-scan: /proc");
      return 1;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') {
        continue;
      }
      char path[300];
      snprintf(path, sizeof path, "%s/cgroup", entry->d_name);
      int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        continue;
      }
      ssize_t n = read(fd, buffer, sizeof buffer - 1);
      close(fd);
      if (n > 0) {
        buffer[n] = '\0';
        if (strstr(buffer, id) != NULL) {
          matches++;
        }
      }
    }
    closedir(dir);
    printf("%.3f %d\n", now_ms() - start, matches);
  }
  return 0;
}
