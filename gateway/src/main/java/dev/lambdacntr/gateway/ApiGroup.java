package dev.lambdacntr.gateway;

import java.util.List;

/** The aggregated API the gateway serves: its group, version and per-pod subresources. */
public final class ApiGroup {

  public static final String GROUP = "cntr.lambda-cntr.dev";
  public static final String VERSION = "v1alpha1";
  public static final String GROUP_VERSION = GROUP + "/" + VERSION;
  public static final String PREFIX = "/apis/" + GROUP_VERSION;

  /** The WebSocket subprotocol of every session (the kubelet's exec framing). */
  public static final String SUBPROTOCOL = "v5.channel.k8s.io";

  public static final String ATTACH = "attach";

  /**
   * A command's session. Named {@code exec}, as the core subresource, because the API server treats
   * only attach, exec, proxy, log and portforward subresources as long-running: under the first
   * name, {@code execute}, it applied its request timeout (60 s by default) to every command's
   * session, and a 1 GiB {@code lambda-cntr cp} lost its connection after a minute.
   */
  public static final String EXECUTE = "exec";

  public static final String PORTFORWARD = "portforward";

  /**
   * Holds the pod's protection marks while its WebSocket is open: what server mode's standalone
   * port-forward asks for (the forward itself is the core {@code pods/portforward}).
   */
  public static final String PROTECT = "protect";

  /** The subresources of {@code pods}, in discovery order. */
  public static final List<String> SUBRESOURCES = List.of(ATTACH, EXECUTE, PORTFORWARD, PROTECT);

  private ApiGroup() {}
}
