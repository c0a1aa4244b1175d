package dev.lambdacntr.cli.protect;

import dev.lambdacntr.target.protect.ReleaseGuard;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process that removes a session's protection marks if the CLI dies without doing it (killed
 * with SIGKILL, crashed, out of memory): a shell, detached from the terminal's signals, that waits
 * on a pipe from the CLI. The CLI writes {@code released} when it has released the marks itself; if
 * the pipe closes without that word, whatever killed the CLI, the shell runs {@code lambda-cntr
 * release-protection} for the session. It costs a shell while it waits (no second JVM), and it
 * needs no credentials of its own: it runs as the user, with the user's kubeconfig.
 */
public final class ProtectionGuardian implements ReleaseGuard {

  /** The hidden subcommand the guardian runs. */
  public static final String RELEASE_COMMAND = "release-protection";

  private static final String SCRIPT =
      "trap '' HUP INT TERM QUIT; IFS= read -r done; [ \"$done\" = released ] && exit 0;"
          + " exec \"$@\" >/dev/null 2>&1 </dev/null";

  /**
   * How to run the release.
   *
   * @param cli the command that starts lambda-cntr's main class in a new JVM
   * @param clusterArgs {@code --kubeconfig}/{@code --context} as the user gave them
   * @param namespace the pod's namespace
   * @param pod the pod
   * @param podUid the pod's UID
   */
  public record Spec(
      List<String> cli, List<String> clusterArgs, String namespace, String pod, String podUid) {

    public Spec {
      cli = List.copyOf(cli);
      clusterArgs = List.copyOf(clusterArgs);
    }

    /** The release, run by this JVM's {@code java} with this JVM's class path. */
    public static List<String> thisJvm() {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      return List.of(
          java,
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-Xmx64m",
          "--enable-native-access=ALL-UNNAMED",
          "-cp",
          System.getProperty("java.class.path"),
          "dev.lambdacntr.cli.Main");
    }

    List<String> releaseCommand(String session) {
      List<String> command = new ArrayList<>(cli);
      command.add(RELEASE_COMMAND);
      command.addAll(clusterArgs);
      command.addAll(List.of("-n", namespace, "--uid", podUid, "--session", session, pod));
      return command;
    }
  }

  private final Process shell;

  private ProtectionGuardian(Process shell) {
    this.shell = shell;
  }

  /** Starts the guardian for {@code session}; throws {@link IllegalStateException} if it cannot. */
  public static ProtectionGuardian start(Spec spec, String session) {
    String sh = Files.isExecutable(Path.of("/bin/sh")) ? "/bin/sh" : "sh";
    List<String> command = new ArrayList<>();
    Optional<Path> setsid = setsid();
    setsid.ifPresent(p -> command.add(p.toString()));
    command.addAll(List.of(sh, "-c", SCRIPT, "lambda-cntr-guardian"));
    command.addAll(spec.releaseCommand(session));
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      return new ProtectionGuardian(process);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the guardian process (" + sh + "): " + e, e);
    }
  }

  /** {@code setsid}, where the machine has it: the guardian leaves the terminal's session. */
  private static Optional<Path> setsid() {
    for (String dir : List.of("/usr/bin", "/bin")) {
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The guardian's process ID (for tests). */
  public long pid() {
    return shell.pid();
  }

  /** Tells the guardian the marks are released; it exits. */
  @Override
  public void released() {
    try (OutputStream in = shell.getOutputStream()) {
      in.write("released\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // it is gone already
    }
  }
}
