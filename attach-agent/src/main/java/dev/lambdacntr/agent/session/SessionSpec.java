package dev.lambdacntr.agent.session;

import dev.lambdacntr.agent.target.Capabilities;
import dev.lambdacntr.agent.target.SecurityLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything the native helper carries out, decided by the agent. {@link #helperArguments()} is its
 * command line (see {@code attach-agent/src/main/c/lambda-cntr-exec.c}); the environment is passed
 * as the helper's own.
 *
 * @param pidNamespace fd of the target's PID namespace, if it differs from the agent's
 * @param timeNamespace fd of the target's time namespace, likewise
 * @param userNamespace fd of the target's user namespace, likewise
 * @param cgroups the cgroups to join, as {@code cgroup.procs} fds
 * @param uid the uid to run as, in the target's user namespace
 * @param gid the gid
 * @param groups the supplementary groups
 * @param capabilities the capability sets
 * @param lastCap the highest capability the kernel knows, for dropping the bounding set
 * @param seccomp the seccomp filter to load, encoded for the helper, if any
 * @param noNewPrivs whether to set no_new_privs
 * @param securityLabel the LSM label to apply on exec
 * @param workingDirectory where the program starts
 * @param tty whether to give the session a terminal of its own
 * @param framedStdin whether the helper decodes the session's input from frames
 * @param marker the session marker to remove at the end: directory fd and name
 * @param endWithParent whether the session ends when the agent (the helper's parent) does
 * @param program the program, searched on PATH when it has no slash
 * @param arguments its arguments
 * @param environment the session's environment
 */
public record SessionSpec(
    Optional<Integer> pidNamespace,
    Optional<Integer> timeNamespace,
    Optional<Integer> userNamespace,
    List<CgroupFd> cgroups,
    long uid,
    long gid,
    List<Long> groups,
    Capabilities capabilities,
    int lastCap,
    Optional<String> seccomp,
    boolean noNewPrivs,
    Optional<SecurityLabel> securityLabel,
    String workingDirectory,
    boolean tty,
    boolean framedStdin,
    Optional<Marker> marker,
    boolean endWithParent,
    String program,
    List<String> arguments,
    List<String> environment) {

  /**
   * An open {@code cgroup.procs} and the cgroup's name for messages.
   *
   * @param fd the open file
   * @param name {@code hierarchy:path}
   */
  public record CgroupFd(int fd, String name) {}

  /**
   * A session marker.
   *
   * @param directoryFd the open markers directory
   * @param name the marker's file name
   */
  public record Marker(int directoryFd, String name) {}

  public SessionSpec {
    cgroups = List.copyOf(cgroups);
    groups = List.copyOf(groups);
    arguments = List.copyOf(arguments);
    environment = List.copyOf(environment);
  }

  /** The helper's arguments after its own name. */
  public List<String> helperArguments() {
    List<String> args = new ArrayList<>();
    pidNamespace.ifPresent(fd -> add(args, "--pidns-fd", fd.toString()));
    timeNamespace.ifPresent(fd -> add(args, "--timens-fd", fd.toString()));
    userNamespace.ifPresent(fd -> add(args, "--userns-fd", fd.toString()));
    for (CgroupFd cgroup : cgroups) {
      add(args, "--cgroup", cgroup.fd() + ":" + cgroup.name());
    }
    add(args, "--uid", Long.toString(uid));
    add(args, "--gid", Long.toString(gid));
    add(args, "--groups", groups.stream().map(String::valueOf).collect(Collectors.joining(",")));
    add(args, "--caps", capabilities.helperArgument());
    add(args, "--cap-last", Integer.toString(lastCap));
    seccomp.ifPresent(filter -> add(args, "--seccomp", filter));
    if (noNewPrivs) {
      args.add("--no-new-privs");
    }
    securityLabel.ifPresent(
        label -> {
          add(args, "--lsm-attr", label.attribute());
          add(args, "--lsm-label", label.value());
        });
    add(args, "--cwd", workingDirectory);
    if (tty) {
      args.add("--tty");
    }
    if (framedStdin) {
      args.add("--framed-stdin");
    }
    marker.ifPresent(m -> add(args, "--marker", m.directoryFd() + ":" + m.name()));
    if (endWithParent) {
      args.add("--end-with-parent");
    }
    args.add("--");
    args.add(program);
    args.addAll(arguments);
    return args;
  }

  private static void add(List<String> args, String option, String value) {
    args.add(option);
    args.add(value);
  }
}
