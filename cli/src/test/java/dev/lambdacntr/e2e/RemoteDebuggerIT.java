package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code lambda-cntr debug}: a remote debugger from the debug image attached to a slim target that
 * has none, reached from this machine through the forwarded port. The machine's own gdb reads a
 * backtrace and variables of the C target through gdbserver; a DAP client (as VS Code speaks it)
 * stops the Python target at a breakpoint through debugpy. The targets keep running.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class RemoteDebuggerIT {

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("debug");
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("debug"));
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Pod target(String name, String image) {
    return cluster.runReady(
        namespace.name(), E2eNamespace.target(name, cluster.firstNode(), image));
  }

  /**
   * The target is unharmed: the same container (no restart), still ready, and its own output shows
   * no error (a debugger that fails mid-call leaves the interrupted system call returning a
   * kernel-internal errno, which the target reports and dies of).
   */
  private void assertStillRunning(String name, Pod before) {
    Pod now = cluster.client().pods().inNamespace(namespace.name()).withName(name).get();
    assertThat(TestCluster.isReady(now)).as("target %s still ready", name).isTrue();
    assertThat(now.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
    assertThat(now.getStatus().getContainerStatuses().get(0).getContainerID())
        .isEqualTo(before.getStatus().getContainerStatuses().get(0).getContainerID());
    String log = cluster.client().pods().inNamespace(namespace.name()).withName(name).getLog();
    assertThat(log)
        .as("the output of target %s", name)
        .doesNotContainIgnoringCase("error")
        .doesNotContain("Traceback")
        .doesNotContain("Unknown error 514");
  }

  @Test
  void machineGdbReadsABacktraceAndVariablesThroughGdbserver() throws Exception {
    Pod before = target("native", UseCaseImages.gdbTarget());
    int port = freePort();
    try (RunningCli debug =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "debug",
                List.of("--gdbserver", "--local-port", Integer.toString(port)),
                List.of("native"),
                List.of()))) {
      String hint =
          debug.awaitLine(
              "with the connect command", l -> l.contains("connect with:"), Duration.ofMinutes(3));
      // the target's files are read through /proc/1/root in the session (see DebugCommand)
      assertThat(hint)
          .isEqualTo(
              "lambda-cntr: connect with: gdb -ex 'set remote hostio-setfs-packet off'"
                  + " -ex 'set sysroot target:/proc/1/root' -ex 'target remote localhost:"
                  + port
                  + "'");
      debug.awaitLine(
          "from gdbserver saying it listens",
          l -> l.contains("Listening on port 2345"),
          Duration.ofMinutes(1));

      Process gdb =
          new ProcessBuilder(
                  "gdb",
                  "-batch",
                  "-nx",
                  "-ex",
                  "set pagination off",
                  "-ex",
                  "set remote hostio-setfs-packet off",
                  "-ex",
                  "set sysroot target:/proc/1/root",
                  "-ex",
                  "target remote localhost:" + port,
                  "-ex",
                  "bt",
                  "-ex",
                  "print tick_count",
                  "-ex",
                  "frame function run_loop",
                  "-ex",
                  "print label",
                  "-ex",
                  "print round == tick_count",
                  "-ex",
                  "detach")
              .redirectErrorStream(true)
              .start();
      gdb.getOutputStream().close();
      assertThat(gdb.waitFor(120, TimeUnit.SECONDS)).as("gdb finished").isTrue();
      String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out)
          .as("gdb's output")
          .contains("in wait_for_tick (")
          .contains("in run_loop (")
          .contains("in main (")
          .containsPattern("\\$1 = [1-9][0-9]*")
          .contains("$2 = 0x")
          .contains("\"target-gdb\"")
          .contains("$3 = 1");
      // the debugger detached: gdbserver ends, and with it the session
      assertThat(debug.awaitExit(Duration.ofSeconds(60))).as(debug.toString()).isZero();
    }
    assertStillRunning("native", before);
  }

  @Test
  void dapClientStopsThePythonTargetAtABreakpointThroughDebugpy() throws Exception {
    Pod before = target("python", UseCaseImages.pythonTarget());
    int line = breakpointLine();
    int port = freePort();
    try (RunningCli debug =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "debug",
                List.of("--debugpy", "--local-port", Integer.toString(port)),
                List.of("python"),
                List.of()))) {
      String hint =
          debug.awaitLine(
              "with the connect command", l -> l.contains("connect with"), Duration.ofMinutes(3));
      assertThat(hint)
          .contains("localhost:" + port)
          .contains("\"type\": \"debugpy\", \"request\": \"attach\"")
          .contains("\"port\": " + port);
      debug.awaitLine(
          "saying debugpy listens",
          l -> l.contains("debugpy listens on 127.0.0.1:5678 in process 1"),
          Duration.ofMinutes(2));

      try (DapClient dap = new DapClient("localhost", port)) {
        Duration t = Duration.ofSeconds(60);
        dap.response(
            dap.request(
                "initialize",
                Map.of(
                    "clientID",
                    "lambda-cntr-e2e",
                    "adapterID",
                    "debugpy",
                    "linesStartAt1",
                    true,
                    "columnsStartAt1",
                    true,
                    "pathFormat",
                    "path")),
            t);
        int attach = dap.request("attach", Map.of("justMyCode", false));
        dap.event("initialized", t);
        Map<String, Object> set =
            dap.response(
                dap.request(
                    "setBreakpoints",
                    Map.of(
                        "source",
                        Map.of("path", "/app/app.py"),
                        "breakpoints",
                        List.of(Map.of("line", line)))),
                t);
        assertThat(set.toString()).as(dap.conversation()).contains("verified=true");
        dap.response(dap.request("configurationDone", Map.of()), t);
        dap.response(attach, t);

        Map<String, Object> stopped = dap.event("stopped", t);
        Map<?, ?> body = (Map<?, ?>) stopped.get("body");
        assertThat(body.get("reason")).as(dap.conversation()).isEqualTo("breakpoint");
        Object thread = body.get("threadId");
        Map<String, Object> trace =
            dap.response(dap.request("stackTrace", Map.of("threadId", thread)), t);
        Map<?, ?> top =
            (Map<?, ?>) ((List<?>) ((Map<?, ?>) trace.get("body")).get("stackFrames")).get(0);
        assertThat(top.get("name")).isEqualTo("handle");
        assertThat(((Number) top.get("line")).intValue()).isEqualTo(line);
        assertThat(((Map<?, ?>) top.get("source")).get("path")).isEqualTo("/app/app.py");
        Map<String, Object> value =
            dap.response(
                dap.request(
                    "evaluate",
                    Map.of("expression", "greeting", "frameId", top.get("id"), "context", "watch")),
                t);
        assertThat(((Map<?, ?>) value.get("body")).get("result"))
            .isEqualTo("'hello from target-python'");
        dap.response(dap.request("disconnect", Map.of("terminateDebuggee", false)), t);
      }
      debug.terminate();
      debug.awaitExit(Duration.ofSeconds(60));
    }
    // debugpy's listener (its adapter process) ends with the session
    String listening = "";
    for (int i = 0; i < 50; i++) {
      listening = lambdaCntr.execute("python", "ss", "-ltnH").stdout();
      if (!listening.contains(":5678")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(listening)
        .as("listening sockets in the pod after the session")
        .doesNotContain(":5678");
    assertStillRunning("python", before);
  }

  @Test
  void debugpyRefusesAProcessThatIsNotPythonAndLeavesItAlone() {
    Pod before = target("not-python", UseCaseImages.gdbTarget());
    LambdaCntr.Result r =
        lambdaCntr.run(
            new byte[0],
            lambdaCntr.session("debug", List.of("--debugpy"), List.of("not-python"), List.of()));
    assertThat(r.exit()).as(r.toString()).isEqualTo(80);
    assertThat(r.stderr())
        .as(r.toString())
        .contains("lambda-cntr: debugpy: process 1 (/target-gdb) is not a Python interpreter")
        .contains("process 1 was not touched");
    assertStillRunning("not-python", before);
  }

  /** The line of the target's source marked "# breakpoint here". */
  private static int breakpointLine() throws IOException {
    Path source = Path.of("..", "images", "src", "target-python.py");
    if (!Files.exists(source)) {
      source = Path.of("images", "src", "target-python.py");
    }
    List<String> lines = Files.readAllLines(source);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("# breakpoint here") && !lines.get(i).contains("\"")) {
        return i + 1;
      }
    }
    throw new AssertionError("no '# breakpoint here' line in " + source);
  }
}
