package dev.lambdacntr.cli.standby;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Starts a {@link StandbyProcess} for the next session: the same Java, JVM flags (the launcher's,
 * with its AOT cache), jar, working directory and environment as this process, so the standby's key
 * is this invocation's. Its descriptors 0-2 are {@code /dev/null}: it holds none of this
 * invocation's pipes or terminal, and a shell waiting for their end does not wait for it.
 */
public final class StandbySpawn {

  private StandbySpawn() {}

  /** Starts a standby unless one is listening for this invocation already; errors are ignored. */
  public static void start() {
    int uid = StandbyHandOver.currentUid();
    Optional<StandbyPlace> place = StandbyPlace.of(System.getenv(), uid);
    if (place.isEmpty() || java.nio.file.Files.exists(place.get().socket())) {
      return;
    }
    command()
        .ifPresent(
            command -> {
              try {
                new ProcessBuilder(command)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
              } catch (IOException e) {
                // no standby: the next invocation starts its own JVM, as without one
              }
            });
  }

  /**
   * This JVM's command line with its main class and arguments replaced by the standby's: the JVM
   * options are those before {@code -jar} or {@code -cp}.
   */
  static Optional<List<String>> command() {
    ProcessHandle.Info info = ProcessHandle.current().info();
    Optional<String> java = info.command();
    Optional<String[]> arguments = info.arguments();
    if (java.isEmpty() || arguments.isEmpty()) {
      return Optional.empty();
    }
    return command(
        java.get(), Arrays.asList(arguments.get()), System.getProperty("java.class.path"));
  }

  /** The standby's command line from this JVM's {@code java} and {@code arguments}. */
  static Optional<List<String>> command(String java, List<String> arguments, String classPath) {
    int end = 0;
    while (end < arguments.size()
        && !List.of("-jar", "-cp", "-classpath", "--class-path").contains(arguments.get(end))) {
      end++;
    }
    if (end == arguments.size() || classPath == null || classPath.isEmpty()) {
      return Optional.empty();
    }
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(arguments.subList(0, end));
    command.add("-cp");
    command.add(classPath);
    command.add(StandbyProcess.class.getName());
    return Optional.of(command);
  }
}
