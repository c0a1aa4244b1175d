package dev.lambdacntr.cli.forward;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;

/**
 * One {@code --port-forward}: a local port and the port in the target pod's network namespace.
 * {@code LOCAL:REMOTE}, {@code PORT} (the same number on both sides) or {@code :REMOTE} (any free
 * local port, reported once listening).
 *
 * @param local the local port, 0 for any free one
 * @param remote the port in the pod
 */
public record PortMapping(int local, int remote) {

  public PortMapping {
    if (local < 0 || local > 65535) {
      throw new IllegalArgumentException("local port " + local);
    }
    if (remote < 1 || remote > 65535) {
      throw new IllegalArgumentException("remote port " + remote);
    }
  }

  /** Parses {@code LOCAL:REMOTE}, {@code PORT} or {@code :REMOTE}. */
  public static PortMapping parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      int port = port(text, text);
      return new PortMapping(port, port);
    }
    String local = text.substring(0, colon);
    String remote = text.substring(colon + 1);
    return new PortMapping(local.isEmpty() ? 0 : port(local, text), port(remote, text));
  }

  private static int port(String number, String whole) {
    int port;
    try {
      port = Integer.parseInt(number);
    } catch (NumberFormatException e) {
      throw invalid(whole, "'" + number + "' is not a port number");
    }
    if (port < 1 || port > 65535) {
      throw invalid(whole, "ports are 1 to 65535, not " + port);
    }
    return port;
  }

  private static CntrException invalid(String whole, String why) {
    return new CntrException(
        ExitCode.USAGE,
        "port mapping '" + whole + "': " + why + " (expected LOCAL:REMOTE, PORT or :REMOTE)");
  }

  /** {@code 8080:80}, or {@code :80} for any local port. */
  @Override
  public String toString() {
    return (local == 0 ? "" : Integer.toString(local)) + ":" + remote;
  }
}
