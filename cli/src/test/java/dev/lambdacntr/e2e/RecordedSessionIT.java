package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.agent.AgentTemplate;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.AuditEvents;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded, explained sessions (issue 15, part 3): an attach through a real terminal (tmux) is
 * recorded with {@code --record}, {@code lambda-cntr replay} shows the same screen in a second
 * terminal of the same size; {@code --reason} reaches the session's Event (written by the CLI in
 * direct mode, by the gateway in the suite's server pass); in direct mode a labelled agent
 * namespace refuses a session without a reason (82). The target is unchanged afterwards.
 */
class RecordedSessionIT {

  private static final String TARGET = "busybox";
  private static final Duration SCREEN = Duration.ofSeconds(60);
  private static final Pattern PROMPT =
      Pattern.compile("@" + TARGET + ":[^\\n]*[#$] ?$", Pattern.MULTILINE);

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Target target;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("record");
    target = Target.busybox(cluster, namespace.name(), TARGET, cluster.firstNode());
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("record"));
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
   * A terminal program that runs {@code args} with the CLI's environment, writes its status to the
   * file {@code status} and then waits, printing nothing of its own: the screen is the command's
   * alone.
   */
  private Path silentScript(String name, List<String> args) {
    StringBuilder script = new StringBuilder("#!/bin/bash\n");
    for (Map.Entry<String, String> e : lambdaCntr.environment().entrySet()) {
      script.append("export ").append(e.getKey()).append('=').append(quote(e.getValue()));
      script.append('\n');
    }
    script.append("cd ").append(quote(dir.toString())).append('\n');
    List<String> quoted = new ArrayList<>();
    lambdaCntr.command(args).forEach(arg -> quoted.add(quote(arg)));
    script.append(String.join(" ", quoted)).append('\n');
    script.append("echo $? > ").append(name).append(".status\n");
    script.append("exec sleep 600\n");
    Path file = dir.resolve(name + ".sh");
    TmuxTerminal.write(file, script.toString());
    return file;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Waits for the status file a {@link #silentScript} writes; returns the status. */
  private String awaitStatus(String name, TmuxTerminal terminal) throws IOException {
    Path status = dir.resolve(name + ".status");
    long deadline = System.nanoTime() + SCREEN.toNanos();
    while (!Files.exists(status) || Files.readString(status).isBlank()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name
                + " did not end within "
                + SCREEN.toSeconds()
                + "s; screen:\n"
                + terminal.screen());
      }
      TestCluster.sleep(Duration.ofMillis(100));
    }
    return Files.readString(status).strip();
  }

  @Test
  void aRecordedAttachReplaysToTheSameScreen() throws IOException {
    Path cast = dir.resolve("attach.cast");
    // -q and --no-protect: nothing of lambda-cntr's own on the terminal, only the session
    List<String> attach =
        lambdaCntr.session(
            "attach",
            List.of("-q", "--no-protect", "--record", cast.toString(), "--reason", "e2e: record"),
            List.of(TARGET),
            List.of());
    String recorded;
    try (TmuxTerminal terminal = TmuxTerminal.start(dir, 80, 24, silentScript("attach", attach))) {
      terminal.awaitScreen(PROMPT, SCREEN);
      terminal.typeLine("echo recorded-$((6 * 7)); printf '\\033[1mbold\\033[0m plain\\n'");
      terminal.awaitScreen(Pattern.compile("(?m)^bold plain\\s*$"), SCREEN);
      terminal.typeLine("for i in 1 2 3; do echo tick-$i; sleep 0.3; done; stty size");
      terminal.awaitScreen(Pattern.compile("(?m)^24 80\\s*$"), SCREEN);
      terminal.typeLine("exit");
      assertThat(awaitStatus("attach", terminal)).isEqualTo("0");
      recorded = terminal.visibleScreen();
    }
    assertThat(recorded).contains("recorded-42", "tick-3");

    List<String> lines = Files.readAllLines(cast);
    assertThat(lines.get(0))
        .as("the asciicast v2 header")
        .startsWith("{\"version\":2,\"width\":80,\"height\":24,\"timestamp\":");
    assertThat(lines.subList(1, lines.size()))
        .as("output events only: no --record-input")
        .allSatisfy(l -> assertThat(l).matches("\\[\\d+\\.\\d{6},\"o\",.*\\]"));

    List<String> replay = List.of("replay", "--speed", "4", "--max-wait", "500ms", cast.toString());
    try (TmuxTerminal terminal = TmuxTerminal.start(dir, 80, 24, silentScript("replay", replay))) {
      assertThat(awaitStatus("replay", terminal)).isEqualTo("0");
      assertThat(terminal.visibleScreen()).as("the replayed screen").isEqualTo(recorded);
    }
  }

  @Test
  void theReasonIsRecordedInTheSessionsEvent() {
    String reason = "INC-" + Long.toHexString(new Random().nextLong()) + ": checkout returns 502";
    LambdaCntr.Result r =
        lambdaCntr.execute(List.of("--reason", reason), List.of(TARGET), "echo", "explained");
    assertThat(r.exit()).as(r.toString()).isZero();

    List<Event> events =
        cluster.client().v1().events().inNamespace(namespace.name()).list().getItems().stream()
            .filter(e -> AuditEvents.EXECUTE_REASON.equals(e.getReason()))
            .filter(e -> e.getMetadata().getAnnotations() != null)
            .filter(
                e ->
                    reason.equals(
                        e.getMetadata().getAnnotations().get(AuditEvents.REASON_ANNOTATION)))
            .toList();
    assertThat(events).as("LambdaCntrExecute events with the reason %s", reason).hasSize(1);
    assertThat(events.get(0).getMessage())
        .contains("executed 'echo explained' in container main")
        .endsWith(", reason: \"" + reason + "\"");
  }

  @Test
  @Tag("direct-only") // server mode requires a reason by the gateway's policy (unit-tested)
  void aLabelledAgentNamespaceRequiresAReason() {
    String agents = namespace.agentNamespace("reason");
    // as the CLI would create it (PodSecurity privileged), and labelled by the administrator
    Namespace labelled =
        new NamespaceBuilder(AgentTemplate.namespace(agents))
            .editMetadata()
            .addToLabels("lambda-cntr.dev/require-reason", "true")
            .endMetadata()
            .build();
    cluster.client().namespaces().resource(labelled).create();
    LambdaCntr required = new LambdaCntr(cluster.settings(), namespace.name(), agents);

    LambdaCntr.Result refused = required.execute(TARGET, "true");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCode.REASON_REQUIRED.code());
    assertThat(refused.stderr())
        .contains("namespace " + agents + " is labelled lambda-cntr.dev/require-reason=true");
    assertThat(cluster.client().batch().v1().jobs().inNamespace(agents).list().getItems())
        .as("no agent started for a refused session")
        .isEmpty();

    LambdaCntr.Result given =
        required
            .withEnvironment(Map.of("LAMBDA_CNTR_REASON", "e2e: required"))
            .execute(TARGET, "true");
    assertThat(given.exit()).as(given.toString()).isZero();
  }
}
