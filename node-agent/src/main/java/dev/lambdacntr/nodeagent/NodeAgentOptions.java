package dev.lambdacntr.nodeagent;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The node agent's command line.
 *
 * @param host the address to listen on
 * @param port the port to listen on
 * @param cert the server's certificate chain (PEM)
 * @param key the server's private key (PEM: PKCS#8, or PKCS#1 RSA, or SEC1 EC)
 * @param clientCa the certificate authority a client's certificate must chain to (PEM)
 * @param toolsRoot the sessions' tools root, or empty for the agent's own root
 * @param fuseIdle how long the fuse sessions' shared cntrfs mount stays after its last session
 */
record NodeAgentOptions(
    String host,
    int port,
    Path cert,
    Path key,
    Path clientCa,
    Optional<String> toolsRoot,
    Duration fuseIdle) {

  static final String DEFAULT_LISTEN = "0.0.0.0:10251";
  static final Duration DEFAULT_FUSE_IDLE = Duration.ofMinutes(10);

  static final String USAGE =
      """
      usage: lambda-cntr-node-agent --cert FILE --key FILE --client-ca FILE
                                    [--listen HOST:PORT] [--tools-root DIR] [--fuse-idle SECONDS]
      Serves lambda-cntr sessions to the gateway over mutual TLS: a client must present a
      certificate of the CA in --client-ca. --listen defaults to 0.0.0.0:10251. Sessions with
      fs=fuse share one cntrfs mount of the tools root, kept --fuse-idle seconds (default 600)
      after its last session ends.
        GET /v1/sessions?containerId=ID&podUid=UID[&tty=true][&fs=auto|mount|fuse][&command=ARG...]
            WebSocket, subprotocol v5.channel.k8s.io (the kubelet's pods/exec channels)
        GET /healthz, GET /version
      """;

  static NodeAgentOptions parse(List<String> args) {
    String listen = DEFAULT_LISTEN;
    Optional<Path> cert = Optional.empty();
    Optional<Path> key = Optional.empty();
    Optional<Path> clientCa = Optional.empty();
    Optional<String> toolsRoot = Optional.empty();
    Duration fuseIdle = DEFAULT_FUSE_IDLE;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--listen" -> listen = value(args, ++i, arg);
        case "--cert" -> cert = Optional.of(Path.of(value(args, ++i, arg)));
        case "--key" -> key = Optional.of(Path.of(value(args, ++i, arg)));
        case "--client-ca" -> clientCa = Optional.of(Path.of(value(args, ++i, arg)));
        case "--tools-root" -> toolsRoot = Optional.of(value(args, ++i, arg));
        case "--fuse-idle" -> fuseIdle = seconds(value(args, ++i, arg), arg);
        default -> throw usage("unknown option '" + arg + "'");
      }
    }
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw usage("--listen needs HOST:PORT, not '" + listen + "'");
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw usage("--listen needs a port number, not '" + listen.substring(colon + 1) + "'");
    }
    if (port < 0 || port > 65535) { // 0: any free port, which the log names
      throw usage("--listen: port " + port + " is out of range 0-65535");
    }
    return new NodeAgentOptions(
        host,
        port,
        cert.orElseThrow(() -> usage("--cert FILE is required")),
        key.orElseThrow(() -> usage("--key FILE is required")),
        clientCa.orElseThrow(() -> usage("--client-ca FILE is required (mutual TLS only)")),
        toolsRoot,
        fuseIdle);
  }

  private static Duration seconds(String value, String option) {
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= 0) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw usage(option + " needs a number of seconds (0 or more), not '" + value + "'");
  }

  /** Fails naming the first of the TLS files that cannot be read. */
  void requireReadableFiles() {
    for (Path file : List.of(cert, key, clientCa)) {
      if (!Files.isReadable(file)) {
        throw new CntrException(ExitCode.AGENT_USAGE, "cannot read " + file);
      }
    }
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw usage("option " + option + " needs a value");
    }
    return args.get(index);
  }

  private static CntrException usage(String message) {
    return new CntrException(ExitCode.AGENT_USAGE, message + "\n" + USAGE.strip());
  }
}
