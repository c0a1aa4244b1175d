package dev.lambdacntr.cli.forward;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the kubelet's port-forward error text into a sentence that says what to do. */
final class PodForwardErrors {

  private static final Pattern PORT = Pattern.compile("localhost:(\\d+)");

  private PodForwardErrors() {}

  /**
   * "error forwarding port 2345 to pod ..., uid : failed to execute portforward in network
   * namespace ...: failed to connect to localhost:2345 inside namespace ..., IPv4: dial tcp4
   * 127.0.0.1:2345: connect: connection refused ..." becomes "nothing listens on port 2345 in the
   * pod (connection refused)".
   */
  static String explain(String serverText) {
    String text = serverText.strip();
    if (text.contains("connection refused")) {
      Matcher port = PORT.matcher(text);
      return "nothing listens on "
          + (port.find() ? "port " + port.group(1) : "that port")
          + " in the pod's network namespace (connection refused)";
    }
    return text.isEmpty() ? "the pod closed the connection" : text;
  }
}
