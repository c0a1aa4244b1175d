package dev.lambdacntr.agent;

import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lambda-cntr-agent}: the agent's entry point. Prints a failure once, as {@code lambda-cntr:
 * MESSAGE} (the stack trace too with {@code LAMBDA_CNTR_TRACE=1}), and ends with the failure's exit
 * code.
 */
public final class AgentMain {
  private static final String USAGE =
      """
      usage: lambda-cntr-agent attach (--pid PID | CONTAINER_ID) [--pod-uid UID]
                                      [--fs auto|mount|fuse] [--tools-root DIR]
                                      [--tty] [-- CMD [ARGS...]]
      Opens a shell (or runs CMD) inside a running container, with the tools root's programs.
      CONTAINER_ID is found in the cgroup tree (below pod UID's cgroup, with --pod-uid); without
      --pod-uid its first 12 or more digits (as docker ps prints it) do when no other ID starts so.
      --runtime and --socket-path are accepted for one release and ignored.
      --fs: mount (a read-only clone of the tools root) or fuse (cntrfs, served by the agent); both
      need the kernel's mount API (Linux 5.12), so auto (the default) is mount, and fails with exit
      code 124, naming the missing call, where the mount API is not usable.
      """;

  private AgentMain() {}

  public static void main(String[] args) {
    Trace.step("main");
    int status = run(Arrays.asList(args));
    Trace.flush();
    System.out.flush();
    System.exit(status);
  }

  static int run(List<String> args) {
    try {
      if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
        System.out.print(USAGE);
        return args.isEmpty() ? ExitCode.AGENT_USAGE.code() : ExitCode.OK.code();
      }
      return switch (args.get(0)) {
        case AgentInvocation.ATTACH ->
            new Attach(home()).run(AgentInvocation.parse(args.subList(1, args.size())));
        case "aot-training" -> AotTraining.run(home());
        default ->
            throw new CntrException(
                ExitCode.AGENT_USAGE, "unknown command '" + args.get(0) + "'\n" + USAGE.strip());
      };
    } catch (CntrException e) {
      report(e);
      return e.exitCode().code();
    } catch (RuntimeException | LinkageError e) {
      System.err.println("lambda-cntr: internal error in the agent: " + e);
      if ("1".equals(System.getenv("LAMBDA_CNTR_TRACE"))) {
        e.printStackTrace();
      }
      return ExitCode.AGENT_INTERNAL.code();
    }
  }

  private static void report(CntrException e) {
    System.err.println("lambda-cntr: " + e.getMessage());
    if ("1".equals(System.getenv("LAMBDA_CNTR_TRACE"))) {
      e.printStackTrace();
    }
  }

  /** The agent distribution's directory, set by the launcher. */
  static Path home() {
    String home = System.getProperty("lambda.cntr.home");
    if (home == null) {
      throw new CntrException(
          ExitCode.AGENT_INTERNAL,
          "the agent was started without -Dlambda.cntr.home: use bin/lambda-cntr-agent");
    }
    return Path.of(home);
  }
}
