package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lambda-cntr attach} through a real terminal (a tmux pane): the user types commands into a
 * shell in the target, Ctrl-C reaches the remote shell, a window resize is seen inside, one {@code
 * exit} ends the session with its status, and the terminal is exactly as before ({@code stty -a})
 * with echo on. The target is unchanged afterwards.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class AttachTerminalIT {

  private static final String TARGET = "busybox";
  private static final Duration SCREEN = Duration.ofSeconds(60);

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Target target;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("attach");
    target = Target.busybox(cluster, namespace.name(), TARGET, cluster.firstNode());
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("attach"));
  }

  @AfterAll
  static void targetUnchangedThenCleanUp() {
    try {
      if (target != null) {
        target.assertUnchanged();
      }
    } finally {
      if (namespace != null) {
        namespace.close();
      }
    }
  }

  /**
   * The terminal's program: an outer script (no line editing of its own, so the terminal modes it
   * records are the ones lambda-cntr leaves) that runs attach, then reads a line the test types.
   */
  private Path outerScript(List<String> attachOptions) {
    List<String> command =
        lambdaCntr.command(lambdaCntr.session("attach", attachOptions, List.of(TARGET), List.of()));
    StringBuilder script = new StringBuilder("#!/bin/bash\n");
    for (Map.Entry<String, String> e : lambdaCntr.environment().entrySet()) {
      script.append("export ").append(e.getKey()).append('=').append(quote(e.getValue()));
      script.append('\n');
    }
    script.append("cd ").append(quote(dir.toString())).append('\n');
    script.append("stty -a > stty.before\n");
    List<String> quoted = new ArrayList<>();
    command.forEach(arg -> quoted.add(quote(arg)));
    script.append(String.join(" ", quoted)).append('\n');
    script.append("echo $? > status\n");
    script.append("stty -a > stty.after\n");
    script.append("echo \"attach ended with status $(cat status)\"\n");
    script.append("printf 'outer shell reads: '\n");
    script.append("IFS= read -r line\n");
    script.append("printf '%s\\n' \"$line\" > typed\n");
    script.append("echo 'outer shell done'\n");
    Path file = dir.resolve("outer.sh");
    TmuxTerminal.write(file, script.toString());
    return file;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The remote shell's prompt names the target's host name (the pod's name). */
  private static final Pattern PROMPT =
      Pattern.compile("@" + TARGET + ":[^\\n]*[#$] ?$", Pattern.MULTILINE);

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aShellInTheTargetThroughARealTerminal(String fs) throws IOException {
    try (TmuxTerminal terminal =
        TmuxTerminal.start(dir, 80, 24, outerScript(List.of("--fs", fs)))) {
      terminal.awaitScreen(PROMPT, SCREEN);

      // Typed commands run in the target's shell; the session starts with the terminal's size.
      terminal.typeLine("echo typed-$((6 * 7)) $(hostname); stty size");
      terminal.awaitScreen(
          Pattern.compile("(?m)^typed-42 " + TARGET + "\\s*\\n24 80\\s*$"), SCREEN);

      // A resize reaches the remote terminal (asked again until the window change has arrived).
      terminal.resize(132, 43);
      Pattern resized = Pattern.compile("(?m)^43 132\\s*$");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      do {
        terminal.typeLine("stty size");
        TestCluster.sleep(Duration.ofMillis(500));
      } while (!resized.matcher(terminal.screen()).find() && System.nanoTime() < deadline);
      terminal.awaitScreen(resized, Duration.ofSeconds(1));

      // Ctrl-C goes to the remote shell's foreground job, not to lambda-cntr.
      terminal.typeLine("echo sleeping-$((1 + 1)); sleep 300");
      terminal.awaitScreen(Pattern.compile("(?m)^sleeping-2\\s*$"), SCREEN);
      TestCluster.sleep(Duration.ofMillis(500));
      terminal.keys("C-c");
      terminal.typeLine("echo interrupted-$?");
      terminal.awaitScreen(Pattern.compile("(?m)^interrupted-130\\s*$"), Duration.ofSeconds(20));
      assertThat(terminal.screen()).doesNotContain("attach ended");

      // One exit ends the session; the outer shell is back, its terminal echoes again.
      terminal.typeLine("exit");
      terminal.awaitScreen(Pattern.compile("attach ended with status 0\\s*\\n"), SCREEN);
      terminal.typeLine("echoed-by-the-terminal");
      // the outer shell's file, not its last line, says it read the line: tmux may mark the pane
      // dead before it shows the output of a shell that ends at once (seen once, server pass)
      TestCluster.eventually(
          Duration.ofSeconds(10),
          "the outer shell read the typed line",
          () -> Files.exists(dir.resolve("typed")),
          terminal::screen);
      assertThat(terminal.screen()).contains("outer shell reads: echoed-by-the-terminal\n");
    }
    assertThat(Files.readString(dir.resolve("typed"))).isEqualTo("echoed-by-the-terminal\n");
    assertThat(withoutSize(Files.readString(dir.resolve("stty.after"))))
        .as("the terminal's modes after attach (stty -a, apart from the new size)")
        .isEqualTo(withoutSize(Files.readString(dir.resolve("stty.before"))));
  }

  /** {@code stty -a} without the window size, which the test changed on purpose. */
  private static String withoutSize(String stty) {
    return stty.replaceAll("rows \\d+; columns \\d+;", "");
  }

  @Test
  void theShellsExitStatusIsAttachs() {
    try (TmuxTerminal terminal = TmuxTerminal.start(dir, 100, 30, outerScript(List.of()))) {
      terminal.awaitScreen(PROMPT, SCREEN);
      terminal.typeLine("exit 7");
      terminal.awaitScreen(Pattern.compile("attach ended with status 7\\s*\\n"), SCREEN);
    }
  }

  @Test
  void everyAttachIsRecordedAsAnEventOnTheTarget() {
    LambdaCntr.Result r = lambdaCntr.attachPiped(List.of(), TARGET, "exit 0\n");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<Event> events =
        cluster.client().v1().events().inNamespace(namespace.name()).list().getItems().stream()
            .filter(e -> "LambdaCntrAttach".equals(e.getReason()))
            .toList();
    assertThat(events).as("LambdaCntrAttach events").isNotEmpty();
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.getInvolvedObject().getName()).isEqualTo(TARGET);
              assertThat(e.getMessage()).contains("attached a debug shell to container main");
            });
  }
}
