package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.target.SessionReason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** What attach and execute need beyond the cluster: target namespace, image, backend. */
public final class SessionOptions {

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "the pod's namespace (default: the kubeconfig context's, else default)")
  Optional<String> namespace = Optional.empty();

  @Option(
      names = {"-i", "--image"},
      paramLabel = "IMAGE",
      description =
          "debug image: the tools the shell sees as / (env CNTR_IMAGE, else"
              + " ghcr.io/lambda-cntr/debug:VERSION)")
  String image;

  @Option(
      names = {"-s", "--socket-path"},
      paramLabel = "PATH",
      hidden = true,
      description = "deprecated and ignored: the agent finds the target by its cgroup")
  String socketPath;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "server: through the installed gateway (lambda-cntr install), with the API server"
              + " checking your rights; direct: agents this CLI starts (cluster administrators);"
              + " auto: server when the API server serves it, else direct (env LAMBDA_CNTR_MODE,"
              + " else auto)")
  String mode = "auto";

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "15m",
      description =
          "a new agent exits after this long without a session (default: ${DEFAULT-VALUE})")
  Duration idleTimeout = Duration.ofMinutes(15);

  @Option(
      names = "--fs",
      paramLabel = "BACKEND",
      converter = FsConverter.class,
      defaultValue = "auto",
      description =
          "how the agent builds the shell's filesystem: mount (a clone of the tools with the"
              + " kernel's mount API) or fuse (cntrfs, served by the agent; it needs the mount API"
              + " too); auto is mount, and fails naming the missing call where the kernel has no"
              + " usable mount API (default: ${DEFAULT-VALUE})")
  FsBackend fs = FsBackend.AUTO;

  @Option(
      names = "--keep-env",
      description =
          "keep the target's variables that make the tools run the target's code (LD_PRELOAD,"
              + " BASH_ENV, PROMPT_COMMAND, PYTHONPATH, ...) as they are; by default they are"
              + " renamed TARGET_NAME")
  boolean keepEnv;

  @Option(
      names = "--tmp-size",
      paramLabel = "SIZE",
      defaultValue = AgentInvocation.DEFAULT_TMP_SIZE,
      description =
          "the size of the session's private /tmp and /run (default: ${DEFAULT-VALUE}; bytes with"
              + " k, m or g, or a percentage of memory): a runaway tool gets ENOSPC, not the"
              + " target's memory")
  String tmpSize = AgentInvocation.DEFAULT_TMP_SIZE;

  @Option(
      names = "--no-seccomp",
      description =
          "open the session without the target's seccomp filter when the agent cannot give it"
              + " that filter (by default such a session is refused)")
  boolean noSeccomp;

  /** {@code --tmp-size}, checked. */
  String tmpSize() {
    if (!AgentInvocation.isTmpSize(tmpSize)) {
      throw new CntrException(
          ExitCode.USAGE,
          "--tmp-size: not a size: '" + tmpSize + "' (bytes with k, m or g, or a percentage)");
    }
    return tmpSize;
  }

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description =
          "why you open this session (a ticket, an incident): recorded in the session's Event on"
              + " the pod; an administrator may require it (env LAMBDA_CNTR_REASON; at most"
              + " 1024 characters)")
  String reason;

  /** {@code --reason} (or {@code LAMBDA_CNTR_REASON}), checked; empty when not given. */
  Optional<String> reason() {
    return SessionReason.check(
        Optional.ofNullable(reason), "--reason (or " + EnvDefaults.REASON + ")");
  }

  @Option(
      names = "--post-mortem",
      description =
          "a session in what the container's last ended run left (it crashed, or it is in"
              + " CrashLoopBackOff): its files read-only at /var/lib/cntr, its log and exit code in"
              + " /var/lib/cntr/.lambda-cntr/, in its pod's network with its environment and user"
              + " (offered at a terminal when the container is not running)")
  boolean postMortem;

  @Option(
      names = {"-t", "--tty"},
      description = "allocate a terminal even when stdin is not one")
  boolean tty;

  void validate() {
    if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new CntrException(
          ExitCode.USAGE,
          "--idle-timeout must be at least 1s, not " + DurationConverter.format(idleTimeout));
    }
    if (!List.of("auto", "server", "direct").contains(mode)) {
      throw new CntrException(
          ExitCode.USAGE,
          "--mode (or "
              + EnvDefaults.MODE
              + ") must be auto, server or direct, not '"
              + mode
              + "'");
    }
    reason();
    if (image == null || image.isBlank()) {
      throw new CntrException(ExitCode.USAGE, "--image must not be empty");
    }
  }

  /** Parses {@code --fs}. */
  public static final class FsConverter implements ITypeConverter<FsBackend> {
    @Override
    public FsBackend convert(String value) {
      try {
        return FsBackend.parse(value);
      } catch (CntrException e) {
        throw new TypeConversionException("'" + value + "': expected auto, mount or fuse");
      }
    }
  }
}
