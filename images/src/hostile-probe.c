/*
 * hostile-probe: the main process of target-hostile, the hostile target of lambda-cntr's tests.
 *
 * It runs as the container's root with the runtime's default capabilities and does to a session
 * opened on it what a compromised container would:
 *
 *   at start   replaces /dev/ptmx with a device of its own (/dev/null's numbers), turns
 *              /etc/passwd into a directory, /etc/group into a link to /proc/self/environ,
 *              /etc/localtime into a magic link (/proc/1/root/...) and /etc/timezone into a FIFO,
 *              and tries to replace /etc/hosts (in a pod, the kubelet's bind mount: EBUSY) with a
 *              magic link; prints one PLANT line for each, then "hostile: ready"
 *   every 50 ms treats each process of its PID namespace that it did not start as a session
 *              process and tries to reach the agent through it: opens /proc/N/{exe,root,cwd,environ,
 *              mem}, each /proc/N/fd/M and the parent directory of each descriptor that is a
 *              directory, and PTRACE_SEIZEs it; when that works it stops the tracee
 *              (PTRACE_INTERRUPT), waits for the stop and detaches, handing back a signal that
 *              arrived meanwhile: a seized tracee that is running cannot be detached (ESRCH), and
 *              one left traced stops at its next signal and its exit waits for this tracer's wait
 *
 * Each attempt is printed once per process, on stdout (the pod's log), as
 *   ATTEMPT pid=N comm=NAME what=WHAT result=OPEN|ERRNO [target=LINK]
 * (for ptrace NAME is read just before and after the seize; BEFORE->AFTER when it changed)
 * and every zombie left to it (its parent PID 1) once, as "ZOMBIE pid=N comm=NAME": like many a container's main
 * process, the probe never reaps what the kernel hands to its PID 1. SIGTERM ends it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 4096

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

static void plant(const char *what, int result) {
  printf("PLANT %s result=%s\n", what, result == 0 ? "DONE" : strerrorname_np(errno));
}

static void plant_all(void) {
  plant("/dev/ptmx=char(1,3)", unlink("/dev/ptmx") || mknod("/dev/ptmx", S_IFCHR | 0666, makedev(1, 3)));
  plant("/etc/passwd=directory", rename("/etc/passwd", "/etc/passwd.orig") || mkdir("/etc/passwd", 0755));
  plant("/etc/group=>/proc/self/environ", unlink("/etc/group") || symlink("/proc/self/environ", "/etc/group"));
  plant("/etc/localtime=>/proc/1/root/etc/passwd.orig", symlink("/proc/1/root/etc/passwd.orig", "/etc/localtime"));
  plant("/etc/timezone=fifo", mkfifo("/etc/timezone", 0644));
  plant("/etc/hosts=>/proc/self/fd/0",
        rename("/etc/hosts", "/etc/hosts.orig") || symlink("/proc/self/fd/0", "/etc/hosts"));
  fflush(stdout);
}

/* The process's name, or "" when it is gone. */
static void comm_of(const char *pid, char *out, size_t size) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "/proc/%s/comm", pid);
  out[0] = 0;
  FILE *f = fopen(path, "re");
  if (!f) return;
  if (fgets(out, (int)size, f)) out[strcspn(out, "\n")] = 0;
  fclose(f);
}

/* Whether the process is one of the probe's own (its parent is the probe). */
static int is_own(const char *pid) {
  char path[PATH_MAX], line[256];
  snprintf(path, sizeof path, "/proc/%s/status", pid);
  FILE *f = fopen(path, "re");
  if (!f) return 1;
  int own = 0;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "PPid:", 5)) own = atoi(line + 5) == getpid();
  fclose(f);
  return own;
}

/* Whether the process has ended and waits for its parent to reap it. */
/* A zombie left to this PID 1, which never reaps: one whose parent is still alive (a session's
   helper between killing its program and waiting for it) is not left behind. */
static int is_zombie(const char *pid) {
  char path[PATH_MAX], line[512];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  int zombie = 0;
  if (fgets(line, sizeof line, f)) {
    char *rparen = strrchr(line, ')');
    char state = 0;
    int ppid = 0;
    zombie = rparen && sscanf(rparen + 1, " %c %d", &state, &ppid) == 2 && state == 'Z' && ppid == 1;
  }
  fclose(f);
  return zombie;
}

static void attempt(const char *pid, const char *comm, const char *what, int fd, const char *link) {
  printf("ATTEMPT pid=%s comm=%s what=%s result=%s%s%s\n", pid, comm, what,
         fd >= 0 ? "OPEN" : strerrorname_np(errno), link ? " target=" : "", link ? link : "");
  if (fd >= 0) close(fd);
}

/* Detaches from a seized tracee: stop it, wait for the stop (or its end), detach. */
static void release(pid_t p) {
  int status;
  if (ptrace(PTRACE_INTERRUPT, p, 0, 0) != 0) return;
  if (waitpid(p, &status, __WALL) != p || !WIFSTOPPED(status)) return;
  int signal_stop = (status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP;
  ptrace(PTRACE_DETACH, p, 0, signal_stop ? WSTOPSIG(status) : 0);
}

static void probe(const char *pid) {
  char comm[64], path[PATH_MAX], link[PATH_MAX];
  comm_of(pid, comm, sizeof comm);
  const char *files[] = {"exe", "root", "cwd", "environ", "mem"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "/proc/%s/%s", pid, files[i]);
    attempt(pid, comm, files[i], open(path, O_RDONLY | O_CLOEXEC), NULL);
  }
  snprintf(path, sizeof path, "/proc/%s/fd", pid);
  DIR *fds = opendir(path);
  if (!fds) {
    attempt(pid, comm, "fd", -1, NULL);
  } else {
    struct dirent *e;
    while ((e = readdir(fds))) {
      if (e->d_name[0] == '.') continue;
      char what[PATH_MAX];
      snprintf(path, sizeof path, "/proc/%s/fd/%s", pid, e->d_name);
      ssize_t n = readlink(path, link, sizeof link - 1);
      link[n > 0 ? n : 0] = 0;
      snprintf(what, sizeof what, "fd/%s", e->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      struct stat st;
      int is_dir = fd >= 0 && !fstat(fd, &st) && S_ISDIR(st.st_mode);
      attempt(pid, comm, what, fd, n > 0 ? link : "?");
      if (is_dir) {
        snprintf(path, sizeof path, "/proc/%s/fd/%s/..", pid, e->d_name);
        snprintf(what, sizeof what, "fd/%s/..", e->d_name);
        attempt(pid, comm, what, open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n > 0 ? link : "?");
      }
    }
    closedir(fds);
  }
  /* the name is read again around the seize: a session's helper that exec'd the program since
     the first look is the program by now, which the target may trace as any kubectl exec process;
     a name that changed across the seize is printed as BEFORE->AFTER */
  pid_t p = atoi(pid);
  char before[64], after[64], who[160];
  comm_of(pid, before, sizeof before);
  long traced = ptrace(PTRACE_SEIZE, p, 0, 0);
  int seize_errno = errno;
  comm_of(pid, after, sizeof after);
  if (strcmp(before, after) == 0) {
    snprintf(who, sizeof who, "%s", before);
  } else {
    snprintf(who, sizeof who, "%s->%s", before, after);
  }
  errno = seize_errno;
  attempt(pid, who, "ptrace", traced == 0 ? 0 : -1, NULL);
  if (traced == 0) release(p);
  fflush(stdout);
}

int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  setvbuf(stdout, NULL, _IOLBF, 0);
  plant_all();
  puts("hostile: ready");
  static int seen[MAX_SEEN], zombies[MAX_SEEN];
  int nseen = 0, nzombies = 0;
  while (!stopping) {
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
      int p = atoi(e->d_name);
      if (p <= 1 || p == getpid() || is_own(e->d_name)) continue;
      if (is_zombie(e->d_name)) {
        int reported = 0;
        for (int i = 0; i < nzombies && !reported; i++) reported = zombies[i] == p;
        if (!reported && nzombies < MAX_SEEN) {
          zombies[nzombies++] = p;
          char comm[64];
          comm_of(e->d_name, comm, sizeof comm);
          printf("ZOMBIE pid=%d comm=%s\n", p, comm);
        }
        continue;
      }
      int known = 0;
      for (int i = 0; i < nseen && !known; i++) known = seen[i] == p;
      if (known || nseen == MAX_SEEN) continue;
      seen[nseen++] = p;
      probe(e->d_name);
    }
    if (proc) closedir(proc);
    nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
  }
  puts("hostile: stopped");
  return 0;
}
