package dev.lambdacntr.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class KubeErrorsTest {

  static final KubeErrors ERRORS = new KubeErrors("https://10.0.0.1:6443/");
  static final ApiCall GET_PODS = new ApiCall("get", "pods", "shop");

  static KubernetesClientException http(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void forbiddenNamesVerbResourceAndNamespace() {
    CntrException e =
        ERRORS.translate(
            GET_PODS,
            http(403, "pods \"x\" is forbidden: User \"bob\" cannot get resource \"pods\""));
    assertThat(e.exitCode()).isEqualTo(ExitCode.FORBIDDEN);
    assertThat(e.getMessage())
        .isEqualTo(
            "forbidden: cannot get pods in namespace shop (RBAC denies verb 'get' on resource 'pods';"
                + " the API server says: pods \"x\" is forbidden: User \"bob\" cannot get resource \"pods\")");
  }

  @Test
  void clusterScopedCallsHaveNoNamespace() {
    CntrException e = ERRORS.translate(ApiCall.cluster("create", "namespaces"), http(403, "no"));
    assertThat(e.getMessage())
        .startsWith(
            "forbidden: cannot create namespaces (RBAC denies verb 'create' on resource 'namespaces'");
  }

  @Test
  void rejectedCredentialsAreTheirOwnFailure() {
    CntrException e = ERRORS.translate(GET_PODS, http(401, "Unauthorized"));
    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(e.getMessage())
        .isEqualTo(
            "the API server at https://10.0.0.1:6443/ rejected the kubeconfig's credentials (401 Unauthorized) for get pods in namespace shop: Unauthorized");
  }

  @Test
  void noAnswerMeansUnreachable() {
    KubernetesClientException k =
        new KubernetesClientException(
            "Operation failed", new ConnectException("Connection refused"));
    CntrException e = ERRORS.translate(GET_PODS, k);
    assertThat(e.exitCode()).isEqualTo(ExitCode.CLUSTER_UNREACHABLE);
    assertThat(e.getMessage())
        .isEqualTo(
            "cannot reach the Kubernetes API server at https://10.0.0.1:6443/ (get pods in namespace shop): ConnectException: Connection refused");
  }

  @Test
  void invalidObjectsAreUsageErrorsAndOthersInternal() {
    assertThat(ERRORS.translate(GET_PODS, http(422, "spec.image: Invalid value")).exitCode())
        .isEqualTo(ExitCode.USAGE);
    CntrException e = ERRORS.translate(GET_PODS, http(500, "etcd down"));
    assertThat(e.exitCode()).isEqualTo(ExitCode.INTERNAL);
    assertThat(e.getMessage()).isEqualTo("cannot get pods in namespace shop: HTTP 500: etcd down");
  }

  @Test
  void ownFailuresPassThrough() {
    CntrException mine = new CntrException(ExitCode.TIMEOUT, "late");
    assertThat(ERRORS.translate(GET_PODS, mine)).isSameAs(mine);
  }
}
