package dev.lambdacntr.gateway.session;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The node agent's session request: {@code /v1/sessions?containerId=ID&podUid=UID&tty=..&fs=..},
 * {@code postMortem=true&containerName=NAME} for a post-mortem session, and one {@code command} per
 * argument. Pure.
 */
public final class AgentSessionUri {

  /** The node agents' port (mTLS; only the gateway's client certificate is accepted). */
  public static final int PORT = 10251;

  private AgentSessionUri() {}

  /** The request URI, path and query. */
  public static String of(
      String containerId,
      String podUid,
      boolean tty,
      String fs,
      boolean postMortem,
      String containerName,
      List<String> command) {
    List<String> params = new ArrayList<>();
    params.add("containerId=" + encode(containerId));
    params.add("podUid=" + encode(podUid));
    params.add("tty=" + tty);
    params.add("fs=" + encode(fs));
    if (postMortem) {
      params.add("postMortem=true");
      params.add("containerName=" + encode(containerName));
    }
    command.forEach(arg -> params.add("command=" + encode(arg)));
    return "/v1/sessions?" + String.join("&", params);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
