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

  /**
   * The hash of the pod template an agent Job was made from ({@link AgentTemplate#templateHash}),
   * on the Job and, through its template, on its pod: part of the proof that a pod is an agent this
   * CLI made for this image, node and idle timeout.
   */
  public static final String TEMPLATE_LABEL = "lambda-cntr.dev/template";

  public static final String POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce";

  /** The DaemonSet of {@code manifests/daemonset.yaml}, whose pods serve their image too. */
  public static final String DAEMONSET = "lambda-cntr-agent";

  /** The agent container's name in every agent pod. */
  public static final String CONTAINER = "agent";

  private static final String PREFIX = "lambda-cntr-agent-";
  private static final int MAX_LABEL = 63;

  /** How many hex digits of the template hash go into names and labels. */
  public static final int HASH_LENGTH = 12;

  private AgentNames() {}

  /**
   * The Job's name: {@code lambda-cntr-agent-NODE-HASH}, the node shortened to keep it within 63
   * characters. One name per node and template (image, idle timeout): an agent for another image is
   * another Job beside it, never a replacement of an agent that may carry sessions. The hash covers
   * the node, so shortened names of two nodes still differ.
   */
  public static String jobName(String node, String templateHash) {
    String head = PREFIX + node;
    int room = MAX_LABEL - templateHash.length() - 1;
    if (head.length() > room) {
      head = head.substring(0, room).replaceAll("[-.]+$", "");
    }
    return head + "-" + templateHash;
  }

  /** The node as a label value (63 characters at most). */
  public static String nodeLabelValue(String node) {
    return fit(node, node);
  }

  /** The first {@value #HASH_LENGTH} hex digits of the SHA-256 of {@code text}. */
  static String hash(String text) {
    return sha256(text).substring(0, HASH_LENGTH);
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
