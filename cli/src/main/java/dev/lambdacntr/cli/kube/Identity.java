package dev.lambdacntr.cli.kube;

import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Who the user is, for the audit event: the API server's answer if it gives one. */
public final class Identity {

  private Identity() {}

  /**
   * The username from a SelfSubjectReview, else {@code kubeconfig user NAME} (the review needs
   * Kubernetes 1.28+; it may also be disabled).
   */
  public static String of(KubernetesClient client, String kubeconfigUser) {
    try {
      SelfSubjectReview review =
          client
              .authentication()
              .v1()
              .selfSubjectReviews()
              .create(new SelfSubjectReviewBuilder().build());
      Optional<String> name =
          Optional.ofNullable(review)
              .map(SelfSubjectReview::getStatus)
              .map(s -> s.getUserInfo())
              .map(u -> u.getUsername())
              .filter(u -> !u.isBlank());
      if (name.isPresent()) {
        return name.get();
      }
    } catch (RuntimeException e) {
      // fall back to the kubeconfig's name for the user
    }
    return "kubeconfig user " + kubeconfigUser;
  }
}
