package dev.lambdacntr.gateway.http;

import dev.lambdacntr.gateway.ApiGroup;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents the aggregator reads: {@code /apis}, {@code /apis/GROUP} and {@code
 * /apis/GROUP/VERSION} (the subresources of pods, namespaced, verbs create and get). Pure.
 */
public final class Discovery {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static final Map<String, String> KINDS =
      Map.of(
          ApiGroup.ATTACH, "PodAttachOptions",
          ApiGroup.EXECUTE, "PodExecOptions",
          ApiGroup.PORTFORWARD, "PodPortForwardOptions",
          ApiGroup.PROTECT, "PodProtectOptions");

  private Discovery() {}

  /** The document at {@code path}, as JSON, if it is one. */
  public static Optional<String> at(String path) {
    String p =
        path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    if (p.equals("/apis")) {
      return Optional.of(JSON.asJson(new APIGroupListBuilder().withGroups(group()).build()));
    }
    if (p.equals("/apis/" + ApiGroup.GROUP)) {
      return Optional.of(JSON.asJson(group()));
    }
    if (p.equals(ApiGroup.PREFIX)) {
      return Optional.of(
          JSON.asJson(
              new APIResourceListBuilder()
                  .withGroupVersion(ApiGroup.GROUP_VERSION)
                  .withResources(resources())
                  .build()));
    }
    return Optional.empty();
  }

  static APIGroup group() {
    GroupVersionForDiscovery version =
        new GroupVersionForDiscovery(ApiGroup.GROUP_VERSION, ApiGroup.VERSION);
    return new APIGroupBuilder()
        .withName(ApiGroup.GROUP)
        .withVersions(version)
        .withPreferredVersion(version)
        .build();
  }

  static List<APIResource> resources() {
    return ApiGroup.SUBRESOURCES.stream()
        .map(
            sub ->
                new APIResourceBuilder()
                    .withName("pods/" + sub)
                    .withSingularName("")
                    .withNamespaced(true)
                    .withKind(KINDS.get(sub))
                    .withVerbs("create", "get")
                    .build())
        .toList();
  }
}
