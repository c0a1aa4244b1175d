/*
 * LD_PRELOAD shim for cntr 1.5.4 in the file-system benchmark: cntr raises RLIMIT_NOFILE to a fixed
 * 1048576, which fails with EPERM on machines where root lacks CAP_SYS_RESOURCE and the hard limit
 * is lower. This clamps that one request to the current hard limit; everything else is passed on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/resource.h>

typedef int (*setrlimit_fn)(__rlimit_resource_t, const struct rlimit *);

static int clamped(__rlimit_resource_t resource, const struct rlimit *limit, const char *name) {
  setrlimit_fn next = (setrlimit_fn)dlsym(RTLD_NEXT, name);
  if (resource == RLIMIT_NOFILE) {
    struct rlimit current;
    if (getrlimit(RLIMIT_NOFILE, &current) == 0 && limit->rlim_max > current.rlim_max) {
      struct rlimit lower = {current.rlim_max, current.rlim_max};
      return next(resource, &lower);
    }
  }
  return next(resource, limit);
}

int setrlimit(__rlimit_resource_t resource, const struct rlimit *limit) {
  return clamped(resource, limit, "setrlimit");
}

int setrlimit64(__rlimit_resource_t resource, const struct rlimit64 *limit) {
  return clamped(resource, (const struct rlimit *)limit, "setrlimit64");
}
