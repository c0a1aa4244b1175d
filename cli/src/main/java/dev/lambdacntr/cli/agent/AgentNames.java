package dev.lambdacntr.cli.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Names and labels of agent Jobs and pods: how an agent is found again on its node. */
public final class AgentNames {

  /** The namespace agents live in unless {@code --agent-namespace} says otherwise. */
  public static final String DEFAULT_NAMESPACE = "lambda-cntr";

  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String NAME_VALUE = "lambda-cntr-agent";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "lambda-cntr";
  public static final String NODE_LABEL = "lambda-cntr.dev/node";
  public static final String POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce";

  /** The agent container's name in every agent pod. */
  public static final String CONTAINER = "agent";

  private static final String PREFIX = "lambda-cntr-agent-";
  private static final int MAX_LABEL = 63;

  private AgentNames() {}

  /** The Job's name: {@code lambda-cntr-agent-NODE}, shortened with a hash past 63 characters. */
  public static String jobName(String node) {
    return fit(PREFIX + node, node);
  }

  /** The node as a label value (63 characters at most). */
  public static String nodeLabelValue(String node) {
    return fit(node, node);
  }

  /** The labels every agent pod carries (the DaemonSet's pods carry the first two). */
  public static Map<String, String> labels(String node) {
    return Map.of(
        NAME_LABEL,
        NAME_VALUE,
        MANAGED_BY_LABEL,
        MANAGED_BY_VALUE,
        NODE_LABEL,
        nodeLabelValue(node));
  }

  /** The label selector that finds every agent in the agent namespace. */
  public static Map<String, String> selector() {
    return Map.of(NAME_LABEL, NAME_VALUE);
  }

  private static String fit(String name, String node) {
    if (name.length() <= MAX_LABEL) {
      return name;
    }
    String hash = sha256(node).substring(0, 8);
    String head = name.substring(0, MAX_LABEL - hash.length() - 1).replaceAll("[-.]+$", "");
    return head + "-" + hash;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
