package dev.lambdacntr.nodeagent;

import dev.lambdacntr.agent.Attach;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code lambda-cntr-node-agent}: the resident agent of server mode (issue 14), one per node. It
 * runs each session in its own JVM with the agent's {@link Attach}, which spawns the native helper
 * per session: no JVM is started per session.
 */
public final class NodeAgentMain {
  private NodeAgentMain() {}

  public static void main(String[] args) {
    List<String> arguments = Arrays.asList(args);
    if (arguments.contains("--help") || arguments.contains("-h")) {
      System.out.print(NodeAgentOptions.USAGE);
      return;
    }
    if (arguments.equals(List.of("aot-training"))) {
      try {
        NodeAgentAotTraining.run(home());
        return;
      } catch (Exception e) {
        System.err.println("lambda-cntr-node-agent: AOT training failed: " + e);
        System.exit(ExitCode.AGENT_INTERNAL.code());
      }
    }
    try {
      NodeAgentOptions options = NodeAgentOptions.parse(arguments);
      options.requireReadableFiles();
      Attach attach =
          Attach.resident(home(), Path.of(options.toolsRoot().orElse("/")), options.fuseIdle());
      Vertx vertx = vertx();
      new NodeAgentServer(vertx, options, attach)
          .listen()
          .onSuccess(
              server ->
                  log(
                      "listening on "
                          + options.host()
                          + ":"
                          + server.actualPort()
                          + " (mutual TLS: clients of "
                          + options.clientCa()
                          + "; TLS engine: "
                          + NodeAgentServer.tlsEngineName()
                          + ")"))
          .onFailure(
              e -> {
                System.err.println(
                    "lambda-cntr: cannot listen on "
                        + options.host()
                        + ":"
                        + options.port()
                        + ": "
                        + e.getMessage());
                System.exit(ExitCode.AGENT_INTERNAL.code());
              });
    } catch (CntrException e) {
      System.err.println("lambda-cntr: " + e.getMessage());
      System.exit(e.exitCode().code());
    }
  }

  /** One event loop and one worker: sessions run on threads of their own. */
  static Vertx vertx() {
    return Vertx.vertx(
        new VertxOptions()
            .setEventLoopPoolSize(1)
            .setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1)
            .setPreferNativeTransport(false));
  }

  static void log(String line) {
    System.err.println("lambda-cntr-node-agent: " + line);
  }

  static String version() {
    return Optional.ofNullable(NodeAgentMain.class.getPackage().getImplementationVersion())
        .orElse("unknown");
  }

  /** The agent distribution's directory, set by the launcher. */
  private static Path home() {
    String home = System.getProperty("lambda.cntr.home");
    if (home == null) {
      throw new CntrException(
          ExitCode.AGENT_INTERNAL,
          "the node agent was started without -Dlambda.cntr.home: use bin/lambda-cntr-node-agent");
    }
    return Path.of(home);
  }
}
