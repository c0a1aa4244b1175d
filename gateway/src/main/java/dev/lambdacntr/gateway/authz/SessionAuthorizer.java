package dev.lambdacntr.gateway.authz;

import dev.lambdacntr.gateway.KubeCalls;
import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.gateway.authz.AccessReviews.Permission;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Asks the API server, as the gateway's ServiceAccount, whether the user may open the session; a
 * denial is {@link ExitCode#FORBIDDEN} (HTTP 403) naming the user, verb, resource and namespace.
 * Both reviews are sent at once.
 */
public final class SessionAuthorizer {

  private static final Executor ASKING = Executors.newVirtualThreadPerTaskExecutor();

  private final KubernetesClient client;

  public SessionAuthorizer(KubernetesClient client) {
    this.client = client;
  }

  /** Returns when {@code user} may open a {@code subresource} session on the pod; else throws. */
  public void authorize(UserInfo user, String subresource, String namespace, String pod) {
    List<Permission> required = AccessReviews.required(subresource);
    List<CompletableFuture<SubjectAccessReview>> answers =
        required.stream()
            .map(p -> AccessReviews.review(user, p, namespace, pod))
            .map(r -> CompletableFuture.supplyAsync(() -> ask(r), ASKING))
            .toList();
    for (int i = 0; i < required.size(); i++) {
      SubjectAccessReview answer = KubeCalls.join(answers.get(i));
      Optional<SubjectAccessReviewStatus> status = Optional.ofNullable(answer.getStatus());
      if (!status.map(SubjectAccessReviewStatus::getAllowed).orElse(false)) {
        throw denied(user, required.get(i), namespace, status);
      }
    }
  }

  private SubjectAccessReview ask(SubjectAccessReview review) {
    return KubeCalls.call(
        "create a SubjectAccessReview",
        () -> client.authorization().v1().subjectAccessReview().create(review));
  }

  /** The refusal; its message reads as the API server's own denials do. */
  public static CntrException denied(
      UserInfo user,
      Permission permission,
      String namespace,
      Optional<SubjectAccessReviewStatus> status) {
    String why =
        status
            .map(s -> firstNonBlank(s.getReason(), s.getEvaluationError()))
            .map(r -> ": " + r)
            .orElse("");
    return new CntrException(
        ExitCode.FORBIDDEN,
        "user \""
            + user.name()
            + "\" cannot "
            + permission.verb()
            + " "
            + permission.describe()
            + " in namespace \""
            + namespace
            + "\""
            + why);
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    return b == null || b.isBlank() ? null : b;
  }
}
