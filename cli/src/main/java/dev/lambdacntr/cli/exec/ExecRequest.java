package dev.lambdacntr.cli.exec;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

/**
 * A {@code pods/exec} call: which container runs which argv, with or without a TTY.
 *
 * @param namespace the pod's namespace
 * @param pod the pod
 * @param container the container
 * @param argv the program and its arguments
 * @param tty whether the remote side allocates a terminal (then stderr is merged into stdout)
 */
public record ExecRequest(
    String namespace, String pod, String container, List<String> argv, boolean tty)
    implements SessionEndpoint {

  public ExecRequest {
    argv = List.copyOf(argv);
  }

  @Override
  public URI uri(String serverUrl) {
    StringJoiner query = new StringJoiner("&");
    for (String arg : argv) {
      query.add("command=" + encode(arg));
    }
    query.add("container=" + encode(container));
    query.add("stdin=true");
    query.add("stdout=true");
    query.add("stderr=" + !tty);
    query.add("tty=" + tty);
    String base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    URI http =
        URI.create(
            base
                + "api/v1/namespaces/"
                + encode(namespace)
                + "/pods/"
                + encode(pod)
                + "/exec?"
                + query);
    String scheme = http.getScheme().equals("https") ? "wss" : "ws";
    return URI.create(scheme + http.toString().substring(http.getScheme().length()));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
