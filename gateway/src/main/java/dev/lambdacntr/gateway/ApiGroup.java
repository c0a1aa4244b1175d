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
  public static final String EXECUTE = "execute";
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
