# The session command behind `lambda-cntr debug --debugpy` (run as `sh -c SCRIPT NAME LISTEN PID
# REFUSED`). It runs in the target's namespaces with the target's user and capabilities; / is the
# debug image. debugpy attaches by making gdb call functions inside the stopped interpreter
# (dlopen, then debugpy's DoAttach). A gdb that cannot make such a call on this CPU leaves the
# interrupted system call of the process returning a kernel-internal errno (gdb 13 with AMX state:
# "Couldn't write extended state status"), which crashes the program being debugged. So nothing
# touches the target before two checks have passed, and a refusal exits with REFUSED:
#   1. the target is a Python interpreter (its executable, or libpython among its mappings);
#   2. a dry run: gdb calls getpid() in a helper Python process of our own, which must answer
#      with its PID and live on unharmed.
# The target does not see the debug image's files, so paths given to it are ones valid in both
# views: /proc/PID/root/... of this shell, which lives in the target's PID namespace and stays
# alive (sleeping) while the debugger is in use. gdb reads the target's files through
# /proc/TARGET/root (entering its mount namespace needs CAP_SYS_ADMIN, which the session lacks).
set -u
listen=$1 pid=$2 refused=$3

refuse() {
  echo "lambda-cntr: debugpy: $1; process $pid was not touched" >&2
  exit "$refused"
}

gdb=$(command -v gdb) || refuse "the debug image has no gdb"
python=$(command -v python3) || refuse "the debug image has no python3"

# 1. A Python interpreter?
exe=$(readlink "/proc/$pid/exe" 2>/dev/null) ||
  refuse "no process $pid is visible in the container (or its executable cannot be read)"
case ${exe##*/} in
  python*) ;;
  *)
    grep -q '/libpython[0-9.]*[.]so' "/proc/$pid/maps" 2>/dev/null ||
      refuse "process $pid ($exe) is not a Python interpreter (no python executable, no libpython)"
    ;;
esac

# 2. The dry run. The helper allows any process to trace it (PR_SET_PTRACER_ANY), so that only
# gdb's function call is tested here, not the machine's ptrace policy.
"$python" -c 'import ctypes, time
ctypes.CDLL(None).prctl(0x59616d61, -1, 0, 0, 0)
time.sleep(3600)' &
helper=$!
sleep 0.2
dry=$("$gdb" --nx --nh --batch -p "$helper" -ex 'call (int)getpid()' 2>&1)
gdb_status=$?
sleep 0.3
alive=yes
kill -0 "$helper" 2>/dev/null || alive=no
kill "$helper" 2>/dev/null
wait "$helper" 2>/dev/null
if [ "$gdb_status" -ne 0 ] || [ "$alive" != yes ] ||
  ! printf '%s\n' "$dry" | grep -qxF "\$1 = $helper"; then
  why=$(printf '%s\n' "$dry" | grep -iE "couldn't|cannot|error|not permitted|bad address" | head -n 1)
  [ -n "$why" ] || why=$(printf '%s\n' "$dry" | grep . | tail -n 1)
  [ "$alive" = yes ] || why="$why; the helper process died"
  refuse "gdb ($("$gdb" --version | head -n 1)) cannot call a function in a stopped process on this machine (dry run in helper process $helper: ${why:-no output}, gdb exit status $gdb_status)"
fi

# The injection. debugpy's helper library needs libstdc++ and libgcc_s: those the target has not
# loaded are loaded first (RTLD_GLOBAL) from the debug image's copies built for older C libraries
# (glibc 2.36), so that targets on older distributions than the debug image's can load them.
tools=/proc/$$/root
bin=/tmp/lambda-cntr-debugpy
mkdir -p "$bin"
preload=
for lib in libgcc_s.so.1 libstdc++.so.6; do
  grep -qF "/${lib%%.so*}.so" "/proc/$pid/maps" 2>/dev/null ||
    preload="$preload -ex \"call (void*)dlopen(\\\"$tools/usr/local/lib/lambda-cntr/inject/$lib\\\", 258)\""
done
printf '#!/bin/sh\nexec %s -iex "set sysroot /proc/%s/root" %s "$@"\n' "$gdb" "$pid" "$preload" >"$bin/gdb"
chmod 755 "$bin/gdb"
# debugpy cannot be unloaded, but what listens is its adapter, a process of its own that the
# target starts (and daemonizes) from this session's files: it is stopped when the session ends, so
# that nothing of the session stays open to the pod's other containers. The session ends with a
# signal, or with the end of stdin: the CLI keeps stdin open while it runs (sending nothing), and
# the runtime closes it when the CLI's stream goes, however the CLI ended.
adapter="$tools/usr/lib/python3/dist-packages/debugpy/adapter --for-server"
stop_adapter() {
  for d in /proc/[0-9]*; do
    tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "$adapter" && kill "${d#/proc/}" 2>/dev/null
  done
}
trap 'stop_adapter; exit 0' HUP TERM INT
PATH=$bin:$PATH PYTHONPATH=$tools/usr/lib/python3/dist-packages "$python" -m debugpy --listen "$listen" --pid "$pid" ||
  exit
echo "lambda-cntr: debugpy listens on $listen in process $pid"
cat >/dev/null
stop_adapter
