/*
 * lambda-cntr-exec: the steps of a lambda-cntr session that a JVM cannot take itself.
 *
 * The Java agent decides everything (which namespaces, cgroups, ids, capabilities, label, working
 * directory, program, environment) and then replaces itself with this program (mount backend) or
 * spawns it (FUSE backend) from the thread that already lives in the target's mount, uts, ipc, net
 * and cgroup namespaces with the CNTR view as its root (the resident node agent always spawns it, with
 * its own pipes or terminal as 0-2). This program only carries the decisions
 * out, in this order:
 *
 *   helper (the agent's PID namespace; relays the terminal, watches the client)
 *     fork -> keeper (the agent's PID namespace; outlives a killed helper just long enough to end
 *             the session and reap the guard, so that no process is ever left to the target's
 *             init)
 *       setns pid, time        so that children start in the target's
 *       fork -> guard (the target's PID namespace; a sub-reaper, so no session process escapes)
 *         join cgroups, setns user, the target's seccomp filter, drop to the target's ids,
 *         capabilities, no_new_privs
 *         fork -> session leader: setsid, controlling terminal, LSM label, cwd, exec
 *         wait for the leader; then end every remaining session process and exit with its status
 *
 * Any failure before the exec is reported on stderr as "lambda-cntr: cannot OPERATION OBJECT:
 * ERRNO" and ends the helper with the agent's exit codes (dev.lambdacntr.protocol.ExitCode):
 * 123 entering failed, 124 the terminal could not be created, 125 internal, 126 not executable,
 * 127 not found. The program's own exit status is passed through; a signal N gives 128+N.
 *
 * The environment of this program is the session's environment, passed on unchanged.
 *
 * Inside a session the same program has a second, unprivileged use (lambda-cntr cp runs it as the
 * session's command, with the target's credentials):
 *
 *   lambda-cntr-exec --in-target DIR -- PROGRAM [ARGS...]
 *
 * resolves DIR inside the target's root (/var/lib/cntr of the session's view) as the kernel would
 * if that root were "/": ".." stops at the root and absolute symbolic links start from it
 * (openat2 RESOLVE_IN_ROOT, no magic links), makes it the working directory and executes PROGRAM
 * (a path in the tools' root). A DIR that cannot be entered ends it with status 83 and
 * "lambda-cntr: cannot enter DIR in the target: ERRNO".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <grp.h>
#include <seccomp.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

enum status {
  ST_ENTER_FAILED = 123,
  ST_TERMINAL_FAILED = 124,
  ST_INTERNAL = 125,
  ST_NOT_EXECUTABLE = 126,
  ST_NOT_FOUND = 127,
  ST_TARGET_PATH = 83,
};

#define MAX_CGROUPS 32
#define MAX_GROUPS 256
#define TEARDOWN_GRACE_MS 300

struct cgroup_join {
  int fd;
  const char *name;
};

struct spec {
  int pidns_fd, timens_fd, userns_fd;
  struct cgroup_join cgroups[MAX_CGROUPS];
  int ncgroups;
  int set_ids;
  uid_t uid;
  gid_t gid;
  gid_t groups[MAX_GROUPS];
  int ngroups;
  int set_caps;
  uint64_t cap_bnd, cap_prm, cap_eff, cap_inh, cap_amb;
  int cap_last;
  int no_new_privs;
  const char *seccomp;
  const char *lsm_attr, *lsm_label;
  const char *cwd;
  int tty;
  int marker_dir_fd;
  int framed_stdin;
  int stdin_fd; /* framed and without a terminal: the read end of the program's stdin pipe */
  const char *marker_name;
  int end_with_parent;
  const char *program;
  char **argv;
};

/* A failure report sent from the keeper, the guard or the leader to the helper over a pipe. */
struct report {
  int status;
  int err;
  char what[480];
};

static int report_fd = -1;

static void die(int status, int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));

static void die(int status, int err, const char *fmt, ...) {
  struct report r;
  memset(&r, 0, sizeof r);
  r.status = status;
  r.err = err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r.what, sizeof r.what, fmt, ap);
  va_end(ap);
  if (report_fd >= 0) {
    ssize_t ignored = write(report_fd, &r, sizeof r);
    (void)ignored;
  } else if (err) {
    dprintf(2, "lambda-cntr: cannot %s: %s\n", r.what, strerrorname_np(err) ? strerrorname_np(err) : "unknown errno");
  } else {
    dprintf(2, "lambda-cntr: %s\n", r.what);
  }
  _exit(status);
}

/* ---------------------------------------------------------------- arguments */

static int parse_fd(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 0 || v > INT_MAX) die(ST_INTERNAL, 0, "helper: bad file descriptor '%s'", s);
  return (int)v;
}

static unsigned long parse_ulong(const char *s, int base) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno || *end || !*s) die(ST_INTERNAL, 0, "helper: bad number '%s'", s);
  return (unsigned long)v;
}

static const char *need(int argc, char **argv, int i) {
  if (i >= argc) die(ST_INTERNAL, 0, "helper: option %s needs a value", argv[i - 1]);
  return argv[i];
}

static void parse_groups(struct spec *s, const char *list) {
  s->ngroups = 0;
  if (!*list) return;
  char *copy = strdup(list);
  for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (s->ngroups == MAX_GROUPS) die(ST_INTERNAL, 0, "helper: more than %d groups", MAX_GROUPS);
    s->groups[s->ngroups++] = (gid_t)parse_ulong(tok, 10);
  }
  free(copy);
}

static void parse_args(struct spec *s, int argc, char **argv) {
  memset(s, 0, sizeof *s);
  s->pidns_fd = s->timens_fd = s->userns_fd = s->marker_dir_fd = s->stdin_fd = -1;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    } else if (!strcmp(a, "--pidns-fd")) {
      s->pidns_fd = parse_fd(need(argc, argv, ++i));
    } else if (!strcmp(a, "--timens-fd")) {
      s->timens_fd = parse_fd(need(argc, argv, ++i));
    } else if (!strcmp(a, "--userns-fd")) {
      s->userns_fd = parse_fd(need(argc, argv, ++i));
    } else if (!strcmp(a, "--cgroup")) {
      /* FD:NAME, the NAME only for messages */
      const char *v = need(argc, argv, ++i);
      const char *colon = strchr(v, ':');
      if (!colon || s->ncgroups == MAX_CGROUPS) die(ST_INTERNAL, 0, "helper: bad --cgroup '%s'", v);
      char fd[16];
      snprintf(fd, sizeof fd, "%.*s", (int)(colon - v), v);
      s->cgroups[s->ncgroups].fd = parse_fd(fd);
      s->cgroups[s->ncgroups].name = colon + 1;
      s->ncgroups++;
    } else if (!strcmp(a, "--uid")) {
      s->set_ids = 1;
      s->uid = (uid_t)parse_ulong(need(argc, argv, ++i), 10);
    } else if (!strcmp(a, "--gid")) {
      s->set_ids = 1;
      s->gid = (gid_t)parse_ulong(need(argc, argv, ++i), 10);
    } else if (!strcmp(a, "--groups")) {
      parse_groups(s, need(argc, argv, ++i));
    } else if (!strcmp(a, "--caps")) {
      /* BND,PRM,EFF,INH,AMB as hexadecimal masks */
      const char *v = need(argc, argv, ++i);
      unsigned long long m[5];
      if (sscanf(v, "%llx,%llx,%llx,%llx,%llx", &m[0], &m[1], &m[2], &m[3], &m[4]) != 5)
        die(ST_INTERNAL, 0, "helper: bad --caps '%s'", v);
      s->set_caps = 1;
      s->cap_bnd = m[0], s->cap_prm = m[1], s->cap_eff = m[2], s->cap_inh = m[3], s->cap_amb = m[4];
    } else if (!strcmp(a, "--cap-last")) {
      /* read by the agent in its own procfs: the view's /proc is the target's */
      unsigned long last = parse_ulong(need(argc, argv, ++i), 10);
      if (last > 63) die(ST_INTERNAL, 0, "helper: bad --cap-last %lu", last);
      s->cap_last = (int)last;
    } else if (!strcmp(a, "--no-new-privs")) {
      s->no_new_privs = 1;
    } else if (!strcmp(a, "--lsm-attr")) {
      s->lsm_attr = need(argc, argv, ++i);
    } else if (!strcmp(a, "--lsm-label")) {
      s->lsm_label = need(argc, argv, ++i);
    } else if (!strcmp(a, "--cwd")) {
      s->cwd = need(argc, argv, ++i);
    } else if (!strcmp(a, "--tty")) {
      s->tty = 1;
    } else if (!strcmp(a, "--marker")) {
      /* DIRFD:NAME, unlinked when the session ends */
      const char *v = need(argc, argv, ++i);
      const char *colon = strchr(v, ':');
      if (!colon) die(ST_INTERNAL, 0, "helper: bad --marker '%s'", v);
      char fd[16];
      snprintf(fd, sizeof fd, "%.*s", (int)(colon - v), v);
      s->marker_dir_fd = parse_fd(fd);
      s->marker_name = colon + 1;
    } else if (!strcmp(a, "--seccomp")) {
      s->seccomp = need(argc, argv, ++i);
    } else if (!strcmp(a, "--framed-stdin")) {
      s->framed_stdin = 1;
    } else if (!strcmp(a, "--end-with-parent")) {
      s->end_with_parent = 1;
    } else {
      die(ST_INTERNAL, 0, "helper: unknown option '%s'", a);
    }
  }
  if (i >= argc) die(ST_INTERNAL, 0, "helper: no program after '--'");
  if ((s->lsm_attr == NULL) != (s->lsm_label == NULL)) die(ST_INTERNAL, 0, "helper: --lsm-attr and --lsm-label go together");
  if (s->set_caps && s->cap_last == 0) die(ST_INTERNAL, 0, "helper: --caps needs --cap-last");
  s->program = argv[i];
  s->argv = &argv[i + 1];
}

/* ---------------------------------------------------------------- small utilities */

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void reset_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
}

static int exit_status_of(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return ST_INTERNAL;
}

/* Closes every descriptor above 2 but those in KEEP (-1 entries ignored). The guard and the leader
   live in the target's PID namespace; whatever they hold open (the agent's files, directories,
   sockets, namespaces) must not be there for the target to find. */
static void keep_only(int *keep, int n) {
  for (int i = 1; i < n; i++) /* insertion sort: a handful of entries */
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  unsigned int from = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] < (int)from) continue;
    if ((unsigned int)keep[i] > from) syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0U);
    from = (unsigned int)keep[i] + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0U);
}

/* The session's terminal: a new pty of the target's own devpts instance. Never by the path
   /dev/ptmx, which the target controls (a root target can put any device node, FIFO or link
   there): /dev/pts is opened without following links and must be a devpts mount, and ptmx is
   opened on that very mount and must be the ptmx device (5, 2). */
static int open_terminal_master(void) {
  struct open_how dir_how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                             .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
  int pts = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/pts", &dir_how, sizeof dir_how);
  if (pts < 0) die(ST_TERMINAL_FAILED, errno, "open the target's /dev/pts (as a directory, no links followed)");
  struct statfs fs;
  if (fstatfs(pts, &fs)) die(ST_TERMINAL_FAILED, errno, "inspect the target's /dev/pts");
  if (fs.f_type != DEVPTS_SUPER_MAGIC)
    die(ST_TERMINAL_FAILED, 0, "cannot open a terminal: the target's /dev/pts is not a devpts file system (type 0x%lx)",
        (unsigned long)fs.f_type);
  struct open_how how = {.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                         .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
  int master = (int)syscall(SYS_openat2, pts, "ptmx", &how, sizeof how);
  int err = errno;
  close(pts);
  if (master < 0) die(ST_TERMINAL_FAILED, err, "open a terminal in the target's /dev/pts/ptmx");
  struct stat st;
  if (fstat(master, &st) || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
    die(ST_TERMINAL_FAILED, 0, "cannot open a terminal: the target's /dev/pts/ptmx is not the ptmx device");
  return master;
}

/* ---------------------------------------------------------------- the guard's cleanup */

/* Signals every process whose chain of parents leads to us; returns how many there were. */
static int signal_descendants(pid_t self, int sig) {
  enum { MAX_PROCS = 65536 };
  static pid_t pids[MAX_PROCS], parents[MAX_PROCS];
  int n = 0;
  DIR *proc = opendir("/proc");
  if (!proc) return 0;
  struct dirent *e;
  while ((e = readdir(proc)) && n < MAX_PROCS) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 0) continue;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0) continue;
    buf[len] = 0;
    char *rparen = strrchr(buf, ')');
    char state;
    long ppid;
    if (!rparen || sscanf(rparen + 1, " %c %ld", &state, &ppid) != 2) continue;
    if (state == 'Z') continue;
    pids[n] = (pid_t)pid;
    parents[n] = (pid_t)ppid;
    n++;
  }
  closedir(proc);
  int found = 0;
  for (int i = 0; i < n; i++) {
    /* walk up at most n steps: parent links form a tree */
    pid_t p = parents[i];
    for (int steps = 0; p > 1 && p != self && steps < n; steps++) {
      int j = 0;
      while (j < n && pids[j] != p) j++;
      if (j == n) break;
      p = parents[j];
    }
    if (p == self && pids[i] != self) {
      kill(pids[i], sig);
      found++;
    }
  }
  return found;
}

/* Ends every process left in the session: a hang-up first, then SIGKILL; reaps them all. */
static void end_session(pid_t self) {
  long deadline = now_ms() + TEARDOWN_GRACE_MS;
  if (signal_descendants(self, SIGHUP) > 0) {
    signal_descendants(self, SIGCONT);
    while (now_ms() < deadline) {
      while (waitpid(-1, NULL, WNOHANG) > 0) {
      }
      if (signal_descendants(self, 0) == 0) break;
      usleep(10000);
    }
  }
  for (int round = 0; round < 100; round++) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    if (signal_descendants(self, SIGKILL) == 0) break;
    usleep(5000);
  }
  /* children that are already gone but not reaped; a process stuck in the kernel is left to the
     target's init rather than holding the session open */
  for (int round = 0; round < 100 && waitpid(-1, NULL, WNOHANG) >= 0; round++) usleep(2000);
}

/* ---------------------------------------------------------------- the guard's setup */

static void join_cgroups(const struct spec *s) {
  for (int i = 0; i < s->ncgroups; i++) {
    if (write(s->cgroups[i].fd, "0", 1) != 1) die(ST_ENTER_FAILED, errno, "join cgroup %s", s->cgroups[i].name);
    close(s->cgroups[i].fd);
  }
}

static int capset_v3(uint64_t eff, uint64_t prm, uint64_t inh) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
      {(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)},
  };
  return (int)syscall(SYS_capset, &header, data);
}

static void adopt_credentials(const struct spec *s) {
  if (s->set_caps) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) die(ST_ENTER_FAILED, errno, "keep capabilities across the uid change");
    for (int cap = 0; cap <= s->cap_last; cap++) {
      if (s->cap_bnd & (1ULL << cap)) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
        die(ST_ENTER_FAILED, errno, "drop capability %d from the bounding set", cap);
    }
  }
  if (s->set_ids) {
    if (setgroups((size_t)s->ngroups, s->groups)) die(ST_ENTER_FAILED, errno, "set supplementary groups");
    if (setresgid(s->gid, s->gid, s->gid)) die(ST_ENTER_FAILED, errno, "set gid %u", (unsigned)s->gid);
    if (setresuid(s->uid, s->uid, s->uid)) die(ST_ENTER_FAILED, errno, "set uid %u", (unsigned)s->uid);
  }
  if (s->set_caps) {
    if (capset_v3(s->cap_eff, s->cap_prm, s->cap_inh))
      die(ST_ENTER_FAILED, errno, "set capabilities (effective %llx, permitted %llx)", (unsigned long long)s->cap_eff,
          (unsigned long long)s->cap_prm);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int cap = 0; cap < 64; cap++) {
      if (!(s->cap_amb & (1ULL << cap))) continue;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
        die(ST_ENTER_FAILED, errno, "raise ambient capability %d", cap);
    }
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  }
  if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die(ST_ENTER_FAILED, errno, "set no_new_privs");
}

/* ---------------------------------------------------------------- the target's seccomp filter */

/* The filter the runtime gave the target (its OCI config's linux.seccomp), as the agent encodes it
   (dev.lambdacntr.agent.target.SeccompProfile), one directive a line:
     default ACTION ERRNO | arch NAME | flag NAME | rule SYSCALL ACTION ERRNO [INDEX:OP:VALUE:VALUE2]...
   compiled with libseccomp and loaded into the guard, whose children (the whole session) inherit
   it. A syscall this kernel's libseccomp does not know is skipped, as the runtimes do. */
static uint32_t seccomp_action(const char *name, const char *err) {
  uint32_t e = (uint32_t)parse_ulong(err, 10);
  if (!strcmp(name, "ALLOW")) return SCMP_ACT_ALLOW;
  if (!strcmp(name, "ERRNO")) return SCMP_ACT_ERRNO(e);
  if (!strcmp(name, "KILL") || !strcmp(name, "KILL_THREAD")) return SCMP_ACT_KILL_THREAD;
  if (!strcmp(name, "KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(name, "TRAP")) return SCMP_ACT_TRAP;
  if (!strcmp(name, "TRACE")) return SCMP_ACT_TRACE(e);
  if (!strcmp(name, "LOG")) return SCMP_ACT_LOG;
  die(ST_INTERNAL, 0, "helper: unknown seccomp action '%s'", name);
}

static enum scmp_compare seccomp_op(const char *name) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
      {"NE", SCMP_CMP_NE}, {"LT", SCMP_CMP_LT}, {"LE", SCMP_CMP_LE}, {"EQ", SCMP_CMP_EQ},
      {"GE", SCMP_CMP_GE}, {"GT", SCMP_CMP_GT}, {"MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
    if (!strcmp(name, ops[i].name)) return ops[i].op;
  die(ST_INTERNAL, 0, "helper: unknown seccomp comparison '%s'", name);
}

static void seccomp_rule(scmp_filter_ctx ctx, uint32_t default_action, char *line) {
  char *save, *name = strtok_r(line, " ", &save), *action = strtok_r(NULL, " ", &save);
  char *err = strtok_r(NULL, " ", &save);
  if (!name || !action || !err) die(ST_INTERNAL, 0, "helper: bad seccomp rule");
  uint32_t act = seccomp_action(action, err);
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR || act == default_action) return;
  /* CRI-O's RuntimeDefault has 7 conditions on clone's flags (one per namespace flag) */
  struct scmp_arg_cmp args[64];
  int n = 0, same_index = 0;
  for (char *cond; (cond = strtok_r(NULL, " ", &save));) {
    if (n == 64) die(ST_INTERNAL, 0, "helper: more than 64 conditions on %s", name);
    char *csave, *index = strtok_r(cond, ":", &csave), *op = strtok_r(NULL, ":", &csave);
    char *v1 = strtok_r(NULL, ":", &csave), *v2 = strtok_r(NULL, ":", &csave);
    if (!index || !op || !v1 || !v2) die(ST_INTERNAL, 0, "helper: bad seccomp condition on %s", name);
    args[n] = (struct scmp_arg_cmp){(unsigned int)parse_ulong(index, 10), seccomp_op(op),
                                    (scmp_datum_t)strtoull(v1, NULL, 10), (scmp_datum_t)strtoull(v2, NULL, 10)};
    for (int j = 0; j < n; j++) same_index |= args[j].arg == args[n].arg;
    n++;
  }
  int rc;
  if (same_index) { /* several conditions on one argument: each its own rule (either matches) */
    for (int j = 0; j < n; j++)
      if ((rc = seccomp_rule_add_array(ctx, act, nr, 1, &args[j])) < 0)
        die(ST_ENTER_FAILED, -rc, "add the target's seccomp rule for %s", name);
  } else if (n > 6) {
    die(ST_ENTER_FAILED, 0, "the target's seccomp rule for %s has %d conditions on different arguments", name, n);
  } else if ((rc = seccomp_rule_add_array(ctx, act, nr, (unsigned int)n, args)) < 0) {
    die(ST_ENTER_FAILED, -rc, "add the target's seccomp rule for %s", name);
  }
}

static void load_seccomp(const char *encoded) {
  char *copy = strdup(encoded), *save;
  scmp_filter_ctx ctx = NULL;
  uint32_t default_action = 0;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (!strncmp(line, "default ", 8)) {
      char *dsave, *action = strtok_r(line + 8, " ", &dsave), *err = strtok_r(NULL, " ", &dsave);
      if (!action || !err) die(ST_INTERNAL, 0, "helper: bad seccomp default");
      default_action = seccomp_action(action, err);
      ctx = seccomp_init(default_action);
      if (!ctx) die(ST_ENTER_FAILED, 0, "cannot start the target's seccomp filter (seccomp_init)");
      /* the guard has CAP_SYS_ADMIN here: no need to force no_new_privs on the session */
      seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    } else if (!ctx) {
      die(ST_INTERNAL, 0, "helper: the seccomp filter must start with its default");
    } else if (!strncmp(line, "arch ", 5)) {
      uint32_t arch = seccomp_arch_resolve_name(line + 5);
      if (!arch) die(ST_ENTER_FAILED, 0, "cannot use seccomp architecture %s", line + 5);
      int rc = seccomp_arch_add(ctx, arch);
      if (rc < 0 && rc != -EEXIST) die(ST_ENTER_FAILED, -rc, "add seccomp architecture %s", line + 5);
    } else if (!strcmp(line, "flag LOG")) {
      seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
    } else if (!strcmp(line, "flag SPEC_ALLOW")) {
      seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
    } else if (!strncmp(line, "rule ", 5)) {
      seccomp_rule(ctx, default_action, line + 5);
    } else {
      die(ST_INTERNAL, 0, "helper: bad seccomp directive '%.40s'", line);
    }
  }
  if (!ctx) die(ST_INTERNAL, 0, "helper: empty seccomp filter");
  int rc = seccomp_load(ctx);
  if (rc < 0) die(ST_ENTER_FAILED, -rc, "load the target's seccomp filter");
  seccomp_release(ctx);
  free(copy);
}

/* ---------------------------------------------------------------- the session leader */

static void exec_program(const struct spec *s) {
  const char *prog = s->program;
  char **argv = s->argv - 1; /* argv[-1] is the program itself: its name is argv[0] */
  argv[0] = (char *)prog;
  if (strchr(prog, '/')) {
    execv(prog, argv);
    int err = errno;
    die(err == ENOENT ? ST_NOT_FOUND : ST_NOT_EXECUTABLE, err, "execute %s", prog);
  }
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  int saw_eacces = 0;
  char *copy = strdup(path);
  for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    char full[PATH_MAX];
    if (snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", prog) >= (int)sizeof full) continue;
    execv(full, argv);
    if (errno == EACCES) saw_eacces = 1;
    else if (errno != ENOENT && errno != ENOTDIR) die(ST_NOT_EXECUTABLE, errno, "execute %s", full);
  }
  if (saw_eacces) die(ST_NOT_EXECUTABLE, EACCES, "execute %s", prog);
  die(ST_NOT_FOUND, ENOENT, "find %s on PATH %s", prog, path);
}

static void run_leader(const struct spec *s, int master) {
  if (setsid() < 0) die(ST_INTERNAL, errno, "start a new session");
  /* if the target kills the guard, the session's program goes with it (kept across its exec) */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) die(ST_INTERNAL, errno, "watch the guard");
  if (s->tty) {
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) die(ST_TERMINAL_FAILED, errno, "open the session's terminal");
    if (ioctl(slave, TIOCSCTTY, 0)) die(ST_TERMINAL_FAILED, errno, "make the session's terminal controlling");
    for (int fd = 0; fd <= 2; fd++)
      if (dup2(slave, fd) < 0) die(ST_TERMINAL_FAILED, errno, "attach the session's terminal");
    if (slave > 2) close(slave);
    close(master);
  } else if (s->stdin_fd >= 0) {
    if (dup2(s->stdin_fd, 0) < 0) die(ST_INTERNAL, errno, "attach the session's input");
    close(s->stdin_fd);
  }
  reset_signals();
  if (s->lsm_attr) {
    char path[128];
    snprintf(path, sizeof path, "/proc/thread-self/%s", s->lsm_attr);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, s->lsm_label, strlen(s->lsm_label)) < 0)
      die(ST_ENTER_FAILED, errno, "set security label '%s' through %s", s->lsm_label, path);
    close(fd);
  }
  if (s->cwd && chdir(s->cwd)) {
    dprintf(2, "lambda-cntr: cannot enter working directory %s: %s; starting in /var/lib/cntr\n", s->cwd,
            strerrorname_np(errno));
    if (chdir("/var/lib/cntr") && chdir("/")) die(ST_ENTER_FAILED, errno, "enter any working directory");
  }
  exec_program(s);
}

/* ---------------------------------------------------------------- the guard */

static void run_guard(const struct spec *s, int master, pid_t keeper_as_seen) {
  join_cgroups(s);
  if (s->userns_fd >= 0 && setns(s->userns_fd, CLONE_NEWUSER))
    die(ST_ENTER_FAILED, errno, "enter the target's user namespace");
  if (s->userns_fd >= 0) close(s->userns_fd);
  /* while the guard still has CAP_SYS_ADMIN, so that loading needs no no_new_privs */
  if (s->seccomp) load_seccomp(s->seccomp);
  adopt_credentials(s);
  /* after the credential change, which clears both */
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) die(ST_INTERNAL, errno, "become the session's sub-reaper");
  if (prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0)) die(ST_INTERNAL, errno, "watch the keeper");
  if (getppid() != keeper_as_seen) die(ST_INTERNAL, 0, "the keeper ended before the session started");

  sigset_t handled;
  sigemptyset(&handled);
  int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaddset(&handled, sigs[i]);
  sigprocmask(SIG_BLOCK, &handled, NULL);

  pid_t leader = fork();
  if (leader < 0) die(ST_INTERNAL, errno, "fork the session leader");
  if (leader == 0) run_leader(s, master);
  if (master >= 0) close(master);
  if (s->stdin_fd >= 0) close(s->stdin_fd);
  /* the leader reports its own exec failure; from here on nothing more to report */
  close(report_fd);
  report_fd = -1;

  int status = ST_INTERNAL;
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&handled, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      int wstatus;
      pid_t pid;
      int leader_done = 0;
      while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        if (pid == leader) {
          status = exit_status_of(wstatus);
          leader_done = 1;
        }
      }
      if (leader_done) break;
    } else if (sig == SIGHUP) {
      status = 128 + SIGHUP;
      break;
    } else if (sig != SIGWINCH) {
      kill(-leader, sig);
    }
  }
  end_session(getpid());
  _exit(status);
}

/* ---------------------------------------------------------------- the keeper */

/* After the guard was killed (the target can: it has the target's uid), its orphans belong to the
   target's init. Every process whose root is the view's root is one of this session's (the
   target's own processes have the target's root, another session's its own view): the keeper,
   outside the target's PID namespace, kills them through /proc/N directory descriptors, which
   pidfd_send_signal takes, as the view's /proc is the target's procfs. */
static void sweep_orphans(void) {
  struct stat view;
  if (stat("/", &view)) return;
  for (int round = 0; round < 50; round++) {
    int found = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return;
    struct dirent *e;
    while ((e = readdir(proc))) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      int dir = openat(dirfd(proc), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0) continue;
      struct stat root;
      char state = 0;
      char stat_buf[256];
      int sfd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
      if (sfd >= 0) {
        ssize_t n = read(sfd, stat_buf, sizeof stat_buf - 1);
        close(sfd);
        if (n > 0) {
          stat_buf[n] = 0;
          char *rparen = strrchr(stat_buf, ')');
          if (rparen && rparen[1]) state = rparen[2];
        }
      }
      if (state && state != 'Z' && !fstatat(dir, "root", &root, 0) && root.st_dev == view.st_dev &&
          root.st_ino == view.st_ino) {
        syscall(SYS_pidfd_send_signal, dir, SIGKILL, NULL, 0);
        found++;
      }
      close(dir);
    }
    closedir(proc);
    if (!found) return;
    usleep(10000);
  }
}

static void run_keeper(const struct spec *s, int master, pid_t helper_as_seen) {
  if (prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0)) die(ST_INTERNAL, errno, "watch the helper");
  if (getppid() != helper_as_seen) die(ST_INTERNAL, 0, "the helper ended before the session started");
  if (s->pidns_fd >= 0 && setns(s->pidns_fd, CLONE_NEWPID)) die(ST_ENTER_FAILED, errno, "enter the target's PID namespace");
  if (s->timens_fd >= 0 && setns(s->timens_fd, CLONE_NEWTIME))
    die(ST_ENTER_FAILED, errno, "enter the target's time namespace");
  /* From here on, children are in the target's PID namespace, where the target can see them: the
     guard is given only what it uses (see keep_only). */
  {
    int keep[MAX_CGROUPS + 4];
    int n = 0;
    keep[n++] = master;
    keep[n++] = report_fd;
    keep[n++] = s->userns_fd;
    keep[n++] = s->stdin_fd;
    for (int i = 0; i < s->ncgroups; i++) keep[n++] = s->cgroups[i].fd;
    keep_only(keep, n);
  }

  sigset_t handled;
  sigemptyset(&handled);
  int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaddset(&handled, sigs[i]);
  sigprocmask(SIG_BLOCK, &handled, NULL);

  pid_t guard = fork();
  if (guard < 0) die(ST_INTERNAL, errno, "fork into the target's PID namespace");
  if (guard == 0) run_guard(s, master, getppid());
  if (master >= 0) close(master);
  if (s->stdin_fd >= 0) close(s->stdin_fd);
  close(report_fd); /* the guard and the leader report from here on */
  report_fd = -1;

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&handled, &info);
    if (sig == SIGCHLD) {
      int wstatus;
      if (waitpid(guard, &wstatus, WNOHANG) == guard) {
        if (WIFSIGNALED(wstatus)) sweep_orphans();
        _exit(exit_status_of(wstatus));
      }
    } else if (sig == SIGTERM) {
      kill(guard, SIGHUP);
    } else if (sig > 0 && sig != SIGWINCH) {
      kill(guard, sig); /* SIGHUP (also the helper's death): the guard ends the session */
    }
  }
}

/* ---------------------------------------------------------------- the helper: terminal relay */

static struct termios saved_termios;
static int termios_saved;

static void restore_terminal(void) {
  if (termios_saved) tcsetattr(0, TCSADRAIN, &saved_termios);
}

static void copy_window_size(int master) {
  struct winsize ws;
  if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

enum pumped { PUMPED, SOURCE_EOF, SOURCE_FAILED, SINK_FAILED };

/* Copies what is readable from one fd to another. */
static enum pumped pump(int from, int to) {
  char buf[16384];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return PUMPED;
  if (n == 0) return SOURCE_EOF;
  if (n < 0) return SOURCE_FAILED;
  return write_all(to, buf, (size_t)n) ? SINK_FAILED : PUMPED;
}

enum outcome { SESSION_ENDED, CLIENT_GONE };

/* Runs until the keeper exits (the session ended) or the client disappears. */
/* The session's input when the CLI frames it (--framed-stdin, dev.lambdacntr.protocol.StdinFrames):
   frames of a 4-byte big-endian length and that many bytes, a length of 0 marking the end of the
   input. The stream itself stays open while the CLI runs, so its end, with or without that mark
   before, means the client is gone: the one sign of it a session that prints nothing gets. */
struct frames {
  int sink; /* the terminal's master, or the write end of the program's stdin pipe; -1 once ended */
  int pipe_sink;
  unsigned char header[4];
  int header_got;
  uint32_t remaining;
};

static void frames_end_input(struct frames *f) {
  if (f->pipe_sink && f->sink >= 0) close(f->sink);
  f->sink = -1;
}

static void frames_feed(struct frames *f, const unsigned char *data, size_t len) {
  while (len > 0) {
    if (f->remaining == 0) {
      f->header[f->header_got++] = *data++;
      len--;
      if (f->header_got < 4) continue;
      f->header_got = 0;
      f->remaining = (uint32_t)f->header[0] << 24 | (uint32_t)f->header[1] << 16 | (uint32_t)f->header[2] << 8 |
                     f->header[3];
      if (f->remaining == 0) frames_end_input(f);
      continue;
    }
    size_t take = len < f->remaining ? len : f->remaining;
    /* a program that closed its input loses what is left of it, as with a plain pipe */
    if (f->sink >= 0 && write_all(f->sink, (const char *)data, take)) frames_end_input(f);
    data += take;
    len -= take;
    f->remaining -= (uint32_t)take;
  }
}

static enum outcome supervise(const struct spec *s, int sfd, int master, pid_t keeper, int *status,
                              int stdin_sink) {
  struct frames frames = {s->tty ? master : stdin_sink, !s->tty, {0}, 0, 0};
  int stdin_open = s->tty || s->framed_stdin;
  int master_open = master >= 0;
  int watch_out = !s->tty && fcntl(1, F_GETFD) != -1;
  int watch_err = !s->tty && fcntl(2, F_GETFD) != -1;
  for (;;) {
    struct pollfd p[5];
    int n = 0;
    p[n++] = (struct pollfd){sfd, POLLIN, 0};
    int i_stdin = -1, i_master = -1, i_out = -1, i_err = -1;
    if (stdin_open) i_stdin = n, p[n++] = (struct pollfd){0, POLLIN, 0};
    if (master_open) i_master = n, p[n++] = (struct pollfd){master, POLLIN, 0};
    /* the session writes to these directly: an error or hang-up means the reader is gone */
    if (watch_out) i_out = n, p[n++] = (struct pollfd){1, 0, 0};
    if (watch_err) i_err = n, p[n++] = (struct pollfd){2, 0, 0};
    if (poll(p, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      return CLIENT_GONE;
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          int wstatus;
          if (waitpid(keeper, &wstatus, WNOHANG) == keeper) {
            *status = exit_status_of(wstatus);
            return SESSION_ENDED;
          }
        } else if (si.ssi_signo == SIGWINCH) {
          if (master >= 0) copy_window_size(master);
        } else if (si.ssi_signo == SIGHUP || si.ssi_signo == SIGTERM) {
          return CLIENT_GONE;
        } else {
          kill(keeper, (int)si.ssi_signo); /* INT, QUIT, USR1, USR2: passed on to the session */
        }
      }
    }
    if (i_master >= 0 && p[i_master].revents) {
      enum pumped r = pump(master, 1);
      if (r == SINK_FAILED) return CLIENT_GONE;
      if (r != PUMPED) master_open = 0; /* every slave closed: the output is over */
    }
    if (i_stdin >= 0 && p[i_stdin].revents && s->framed_stdin) {
      unsigned char buf[16384];
      ssize_t got = read(0, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) return CLIENT_GONE;
      frames_feed(&frames, buf, (size_t)got);
    } else if (i_stdin >= 0 && p[i_stdin].revents) {
      enum pumped r = pump(0, master);
      /* a read error is the hang-up of our terminal: the client is gone; end of file on a pipe
         only ends the input */
      if (r == SOURCE_FAILED || (p[i_stdin].revents & (POLLERR | POLLNVAL))) return CLIENT_GONE;
      if (r == SOURCE_EOF) stdin_open = 0;
      if (r == PUMPED && (p[i_stdin].revents & POLLHUP) && !(p[i_stdin].revents & POLLIN)) return CLIENT_GONE;
    }
    if (i_out >= 0 && p[i_out].revents) {
      if (p[i_out].revents & (POLLERR | POLLHUP)) return CLIENT_GONE;
      watch_out = 0;
    }
    if (i_err >= 0 && p[i_err].revents) {
      if (p[i_err].revents & (POLLERR | POLLHUP)) return CLIENT_GONE;
      watch_err = 0;
    }
  }
}

static void drain(int master) {
  if (master < 0) return;
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  while (pump(master, 1) == PUMPED) {
    struct pollfd p = {master, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) break;
  }
}

static int wait_keeper(pid_t keeper, int timeout_ms) {
  long deadline = now_ms() + timeout_ms;
  int wstatus;
  while (now_ms() < deadline) {
    pid_t r = waitpid(keeper, &wstatus, WNOHANG);
    if (r == keeper) return exit_status_of(wstatus);
    if (r < 0) return ST_INTERNAL;
    usleep(5000);
  }
  kill(keeper, SIGKILL);
  waitpid(keeper, &wstatus, 0);
  return 128 + SIGHUP;
}

/* ---------------------------------------------------------------- --in-target */

static int run_in_target(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--")) die(ST_INTERNAL, 0, "usage: lambda-cntr-exec --in-target DIR -- PROGRAM [ARGS...]");
  const char *dir = argv[2];
  int root = open("/var/lib/cntr", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die(ST_INTERNAL, errno, "open the target's root /var/lib/cntr");
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, root, dir, &how, sizeof how);
  if (fd < 0 || fchdir(fd)) die(ST_TARGET_PATH, errno, "enter %s in the target", dir);
  close(fd);
  close(root);
  execv(argv[4], argv + 4);
  int err = errno;
  die(err == ENOENT ? ST_NOT_FOUND : ST_NOT_EXECUTABLE, err, "execute %s", argv[4]);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--in-target")) return run_in_target(argc, argv);
  /* Nothing the agent had open goes further than this process: every descriptor we were given is
     used here, in the keeper or in the guard, none by the session's program. */
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  /* Not dumpable, and so not inherited: neither this process nor the keeper, the guard or the
     leader before its exec can be ptraced, nor their /proc files (fd, root, cwd, exe, environ,
     mem) opened, by the target, whose uid and capabilities the guard and the leader take. The
     session's program is dumpable again after its exec, as any program of the target. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) die(ST_INTERNAL, errno, "make the session helper non-dumpable");
  reset_signals();
  struct spec s;
  parse_args(&s, argc, argv);
  /* A resident agent spawns helpers for many sessions at once: whatever else it had open without
     close-on-exec (another session's namespaces or cgroups, its sockets) is closed here, so that no
     helper keeps another session's descriptors (or a client's connection) alive. */
  {
    int keep[MAX_CGROUPS + 4];
    int n = 0;
    keep[n++] = s.pidns_fd;
    keep[n++] = s.timens_fd;
    keep[n++] = s.userns_fd;
    keep[n++] = s.marker_dir_fd;
    for (int i = 0; i < s.ncgroups; i++) keep[n++] = s.cgroups[i].fd;
    keep_only(keep, n);
  }
  /* spawned with the agent's libexec directory as its working directory: leave it at once */
  if (chdir("/")) die(ST_INTERNAL, errno, "change to the session's root");
  if (s.end_with_parent) prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0);

  int master = -1;
  if (s.tty) {
    master = open_terminal_master();
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock)) die(ST_TERMINAL_FAILED, errno, "unlock the session's terminal");
    if (isatty(0)) copy_window_size(master);
  }
  sigset_t handled;
  sigemptyset(&handled);
  int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaddset(&handled, sigs[i]);
  sigprocmask(SIG_BLOCK, &handled, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die(ST_INTERNAL, errno, "watch signals");

  int stdin_pipe[2] = {-1, -1};
  if (s.framed_stdin && !s.tty) {
    if (pipe2(stdin_pipe, O_CLOEXEC)) die(ST_INTERNAL, errno, "create the session's input pipe");
    s.stdin_fd = stdin_pipe[0];
  }
  int reports[2];
  if (pipe2(reports, O_CLOEXEC)) die(ST_INTERNAL, errno, "create the report pipe");
  pid_t helper = getpid();
  pid_t keeper = fork();
  if (keeper < 0) die(ST_INTERNAL, errno, "fork the session's keeper");
  if (keeper == 0) {
    close(reports[0]);
    close(sfd);
    report_fd = reports[1];
    if (stdin_pipe[1] >= 0) close(stdin_pipe[1]);
    run_keeper(&s, master, helper);
  }
  close(reports[1]);
  if (stdin_pipe[0] >= 0) close(stdin_pipe[0]);

  /* Either a failure report, or end of file once the program was executed. */
  struct report r;
  ssize_t got;
  do got = read(reports[0], &r, sizeof r);
  while (got < 0 && errno == EINTR);
  close(reports[0]);
  if (got == (ssize_t)sizeof r) {
    r.what[sizeof r.what - 1] = 0;
    if (r.err) dprintf(2, "lambda-cntr: cannot %s: %s\n", r.what, strerrorname_np(r.err) ? strerrorname_np(r.err) : "unknown errno");
    else dprintf(2, "lambda-cntr: %s\n", r.what);
    int wstatus;
    waitpid(keeper, &wstatus, 0);
    if (s.marker_dir_fd >= 0) unlinkat(s.marker_dir_fd, s.marker_name, 0);
    return r.status;
  }

  if (s.tty && isatty(0) && tcgetattr(0, &saved_termios) == 0) {
    struct termios raw = saved_termios;
    cfmakeraw(&raw);
    termios_saved = tcsetattr(0, TCSANOW, &raw) == 0;
  }
  int status = ST_INTERNAL;
  if (supervise(&s, sfd, master, keeper, &status, stdin_pipe[1]) == SESSION_ENDED) {
    drain(master);
  } else {
    kill(keeper, SIGHUP);
    if (master >= 0) close(master);
    master = -1;
    status = wait_keeper(keeper, 2 * TEARDOWN_GRACE_MS + 500);
  }
  restore_terminal();
  if (s.marker_dir_fd >= 0) unlinkat(s.marker_dir_fd, s.marker_name, 0);
  return status;
}
