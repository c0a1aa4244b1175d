package dev.lambdacntr.cli.install;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What of server mode is not ready yet, in words, from the objects as read. Pure. */
public final class ServerReadiness {

  /**
   * The three objects install waits for, as read (empty: not found; a null APIService: not asked
   * about).
   */
  public record Observed(
      Optional<GenericKubernetesResource> gateway,
      Optional<GenericKubernetesResource> nodeAgents,
      Optional<GenericKubernetesResource> apiService) {}

  private ServerReadiness() {}

  /** Empty when all is ready; else one phrase per object that is not. */
  public static List<String> notReady(String namespace, Observed observed) {
    List<String> problems = new ArrayList<>();
    String deployment = "Deployment " + namespace + "/" + ServerManifests.GATEWAY;
    observed
        .gateway()
        .ifPresentOrElse(
            d -> {
              long want = number(d, "spec", "replicas");
              long updated = number(d, "status", "updatedReplicas");
              long ready = number(d, "status", "readyReplicas");
              long all = number(d, "status", "replicas");
              if (!observedCurrent(d) || updated < want || ready < want || all > want) {
                problems.add(
                    deployment
                        + " has "
                        + ready
                        + " of "
                        + want
                        + " replicas ready ("
                        + updated
                        + " updated, "
                        + all
                        + " in all)");
              }
            },
            () -> problems.add(deployment + " not found"));
    String daemonSet = "DaemonSet " + namespace + "/" + ServerManifests.NODE_AGENT;
    observed
        .nodeAgents()
        .ifPresentOrElse(
            d -> {
              long want = number(d, "status", "desiredNumberScheduled");
              long updated = number(d, "status", "updatedNumberScheduled");
              long ready = number(d, "status", "numberReady");
              if (!observedCurrent(d) || want == 0 || updated < want || ready < want) {
                problems.add(
                    daemonSet
                        + " has "
                        + ready
                        + " of "
                        + want
                        + " node agents ready ("
                        + updated
                        + " updated)");
              }
            },
            () -> problems.add(daemonSet + " not found"));
    if (observed.apiService() == null) {
      return problems; // not applied yet: the workloads only
    }
    String apiService = "APIService " + ServerManifests.API_SERVICE;
    observed
        .apiService()
        .ifPresentOrElse(
            a ->
                available(a)
                    .ifPresent(why -> problems.add(apiService + " is not Available: " + why)),
            () -> problems.add(apiService + " not found"));
    return problems;
  }

  /** Empty when the APIService's Available condition is True, else its reason and message. */
  public static Optional<String> available(GenericKubernetesResource apiService) {
    Object status = apiService.getAdditionalProperties().get("status");
    List<?> conditions =
        status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> l ? l : List.of();
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> condition && "Available".equals(condition.get("type"))) {
        if ("True".equals(condition.get("status"))) {
          return Optional.empty();
        }
        return Optional.of(
            condition.get("reason")
                + Optional.ofNullable(condition.get("message"))
                    .map(m -> " (" + m + ")")
                    .orElse(""));
      }
    }
    return Optional.of("no Available condition yet");
  }

  private static boolean observedCurrent(GenericKubernetesResource o) {
    Long generation = o.getMetadata().getGeneration();
    return generation == null || number(o, "status", "observedGeneration") >= generation;
  }

  private static long number(GenericKubernetesResource o, String section, String field) {
    Object part = o.getAdditionalProperties().get(section);
    return part instanceof Map<?, ?> m && m.get(field) instanceof Number n ? n.longValue() : 0;
  }
}
