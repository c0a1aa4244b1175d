package dev.lambdacntr.cli.exec;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A server-mode session: one request to the gateway's subresource, {@code
 * /apis/cntr.lambda-cntr.dev/v1alpha1/namespaces/NS/pods/POD/attach|execute}, which the API server
 * authenticates and forwards; the gateway resolves the container, records the session and opens it
 * at the node agent (gateway/README.md).
 *
 * @param namespace the pod's namespace
 * @param pod the pod
 * @param container the container, when named (else the gateway picks as kubectl does)
 * @param command the command; empty for the tools' shell ({@code attach})
 * @param tty whether the session has a terminal
 * @param fs the view's backend: {@code auto}, {@code mount} or {@code fuse}
 * @param image the debug image, when one other than the policy's default is asked for
 * @param protect whether the gateway protects the pod while the session lives, when said (else the
 *     gateway's default: attach protects, execute does not)
 * @param reason why the user opens the session, if they said: the gateway records it
 * @param postMortem whether the session is in what the container's last ended run left
 */
public record GatewayRequest(
    String namespace,
    String pod,
    Optional<String> container,
    List<String> command,
    boolean tty,
    String fs,
    Optional<String> image,
    Optional<Boolean> protect,
    Optional<String> reason,
    boolean postMortem)
    implements SessionEndpoint {

  /** The aggregated API's group and version. */
  public static final String GROUP_VERSION = "cntr.lambda-cntr.dev/v1alpha1";

  /** Its discovery document: 200 when the API server serves it (the APIService is Available). */
  public static final String DISCOVERY = "/apis/" + GROUP_VERSION;

  public GatewayRequest {
    command = List.copyOf(command);
  }

  /** {@code attach} for the shell, {@code execute} for a command. */
  public String subresource() {
    return command.isEmpty() ? "attach" : "exec";
  }

  @Override
  public URI uri(String serverUrl) {
    StringJoiner query = new StringJoiner("&");
    container.ifPresent(c -> query.add("container=" + encode(c)));
    for (String arg : command) {
      query.add("command=" + encode(arg));
    }
    query.add("tty=" + tty);
    query.add("fs=" + encode(fs));
    image.ifPresent(i -> query.add("image=" + encode(i)));
    protect.ifPresent(p -> query.add("protect=" + p));
    reason.ifPresent(r -> query.add("reason=" + encode(r)));
    if (postMortem) {
      query.add("postMortem=true");
    }
    return uri(serverUrl, namespace, pod, subresource(), query.toString());
  }

  /** The same request, the gateway asked to protect the pod or not. */
  public GatewayRequest protecting(boolean protects) {
    return new GatewayRequest(
        namespace,
        pod,
        container,
        command,
        tty,
        fs,
        image,
        Optional.of(protects),
        reason,
        postMortem);
  }

  /** The WebSocket URI of one of the gateway's subresources of a pod. */
  static URI uri(String serverUrl, String namespace, String pod, String subresource, String query) {
    String base =
        serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
    URI http =
        URI.create(
            base
                + DISCOVERY
                + "/namespaces/"
                + encode(namespace)
                + "/pods/"
                + encode(pod)
                + "/"
                + subresource
                + (query.isEmpty() ? "" : "?" + query));
    String scheme = http.getScheme().equals("https") ? "wss" : "ws";
    return URI.create(scheme + http.toString().substring(http.getScheme().length()));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
