package dev.lambdacntr.cli.status;

import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.install.ServerReadiness;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code lambda-cntr status} prints, and how it ends: lines for stdout, then nothing (all
 * ready), or the failure naming what is not installed or not ready. Pure.
 */
public final class StatusReport {

  private StatusReport() {}

  /** The report's lines. */
  public static List<String> lines(ServerStatus status) {
    List<String> out = new ArrayList<>();
    String apiService = "APIService " + ServerManifests.API_SERVICE;
    if (!status.installed()) {
      out.add("server mode: not installed (no " + apiService + ")");
    } else {
      out.add(
          "server mode: installed, "
              + apiService
              + ServerReadiness.available(status.observed().apiService().orElseThrow())
                  .map(why -> " is not Available: " + why)
                  .orElse(" is Available"));
    }
    String ns = status.namespace() + "/";
    status
        .observed()
        .gateway()
        .ifPresentOrElse(
            d ->
                out.add(
                    "gateway: "
                        + number(d, "status", "readyReplicas")
                        + " of "
                        + number(d, "spec", "replicas")
                        + " replicas ready (Deployment "
                        + ns
                        + ServerManifests.GATEWAY
                        + ")"),
            () -> out.add("gateway: no Deployment " + ns + ServerManifests.GATEWAY));
    table(out, status.gatewayPods(), false);
    status
        .observed()
        .nodeAgents()
        .ifPresentOrElse(
            d ->
                out.add(
                    "node agents: "
                        + number(d, "status", "numberReady")
                        + " of "
                        + number(d, "status", "desiredNumberScheduled")
                        + " nodes ready (DaemonSet "
                        + ns
                        + ServerManifests.NODE_AGENT
                        + ")"),
            () -> out.add("node agents: no DaemonSet " + ns + ServerManifests.NODE_AGENT));
    table(out, status.nodeAgentPods(), true);
    if (status.directAgents().isEmpty()) {
      out.add("direct-mode agents (namespace " + status.agentNamespace() + "): none");
    } else {
      out.add(
          "direct-mode agents (namespace "
              + status.agentNamespace()
              + "): "
              + status.directAgents().size());
      table(out, status.directAgents(), true);
    }
    return out;
  }

  /**
   * Empty when server mode is installed and ready; else the failure: {@link ExitCode#NOT_INSTALLED}
   * without the APIService, {@link ExitCode#AGENT_FAILED} naming what is not ready.
   */
  public static Optional<CntrException> failure(ServerStatus status) {
    if (!status.installed()) {
      return Optional.of(
          new CntrException(
              ExitCode.NOT_INSTALLED,
              "server mode is not installed: no APIService "
                  + ServerManifests.API_SERVICE
                  + " (`lambda-cntr install` sets it up); sessions use direct mode"));
    }
    List<String> notReady = ServerReadiness.notReady(status.namespace(), status.observed());
    if (notReady.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new CntrException(
            ExitCode.AGENT_FAILED,
            "server mode is installed but not ready: " + String.join("; ", notReady)));
  }

  /**
   * {@code 0.1.0} from {@code ghcr.io/lambda-cntr/debug:0.1.0}; the digest when there is no tag.
   */
  static String version(String image) {
    int at = image.indexOf('@');
    String name = at < 0 ? image : image.substring(0, at);
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    if (colon > slash) {
      return name.substring(colon + 1);
    }
    if (at >= 0) {
      String digest = image.substring(at + 1);
      return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }
    return "latest";
  }

  /** An indented table of pods, by node when {@code byNode}, else by name. */
  private static void table(List<String> out, List<ServerStatus.PodState> pods, boolean byNode) {
    if (pods.isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(
        byNode
            ? new String[] {"NODE", "POD", "READY", "VERSION", "IMAGE"}
            : new String[] {"POD", "NODE", "READY", "VERSION", "IMAGE"});
    pods.stream()
        .sorted(
            byNode
                ? Comparator.comparing(ServerStatus.PodState::node)
                    .thenComparing(ServerStatus.PodState::name)
                : Comparator.comparing(ServerStatus.PodState::name))
        .forEach(
            p -> {
              String node = p.node().isEmpty() ? "-" : p.node();
              String ready = p.ready() ? "yes" : "no";
              rows.add(
                  byNode
                      ? new String[] {node, p.name(), ready, version(p.image()), p.image()}
                      : new String[] {p.name(), node, ready, version(p.image()), p.image()});
            });
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.add(line.toString().stripTrailing());
    }
  }

  private static long number(GenericKubernetesResource o, String section, String field) {
    Object part = o.getAdditionalProperties().get(section);
    return part instanceof Map<?, ?> m && m.get(field) instanceof Number n ? n.longValue() : 0;
  }
}
