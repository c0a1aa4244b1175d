package dev.lambdacntr.gateway.authz;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.gateway.authn.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import java.util.List;

/**
 * The questions the gateway asks the API server before a session, as SubjectAccessReviews for the
 * authenticated user. A session on a pod needs both: what {@code kubectl exec} into it needs, and
 * the gateway's own subresource, so that lambda-cntr can be granted or denied on its own. Pure.
 */
public final class AccessReviews {

  private AccessReviews() {}

  /** One permission a session needs. */
  public record Permission(String verb, String group, String resource, String subresource) {

    /** {@code pods/exec}, or {@code pods/attach.cntr.lambda-cntr.dev} for our own group. */
    public String describe() {
      return resource + "/" + subresource + (group.isEmpty() ? "" : "." + group);
    }
  }

  /**
   * What a session of {@code subresource} ({@code attach}, {@code execute}, ...) needs: {@code
   * pods/exec}; and what holding a pod's protection marks for a port forward ({@code protect})
   * needs: {@code pods/portforward}, the right to the forward it protects.
   */
  public static List<Permission> required(String subresource) {
    String core = subresource.equals(ApiGroup.PROTECT) ? "portforward" : "exec";
    return List.of(
        new Permission("create", "", "pods", core),
        new Permission("create", ApiGroup.GROUP, "pods", subresource));
  }

  /** The review asking whether {@code user} holds {@code permission} on the pod. */
  public static SubjectAccessReview review(
      UserInfo user, Permission permission, String namespace, String pod) {
    ResourceAttributes attributes =
        new ResourceAttributesBuilder()
            .withVerb(permission.verb())
            .withGroup(permission.group())
            .withResource(permission.resource())
            .withSubresource(permission.subresource())
            .withNamespace(namespace)
            .withName(pod)
            .build();
    return new SubjectAccessReviewBuilder()
        .withNewSpec()
        .withUser(user.name())
        .withGroups(user.groups())
        .withExtra(user.extra())
        .withResourceAttributes(attributes)
        .endSpec()
        .build();
  }
}
