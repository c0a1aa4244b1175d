package dev.lambdacntr.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Turns the client library's exceptions into lambda-cntr's one exception type, naming the
 * operation: RBAC denials name the verb and resource, an unreachable server names its URL.
 */
public final class KubeErrors {

  private final String serverUrl;

  public KubeErrors(String serverUrl) {
    this.serverUrl = serverUrl;
  }

  /** Runs one API call, translating its failure. */
  public <T> T call(ApiCall call, Supplier<T> body) {
    try {
      return body.get();
    } catch (KubernetesClientException e) {
      throw translate(call, e);
    }
  }

  /** Runs one API call whose result is not needed. */
  public void run(ApiCall call, Runnable body) {
    call(
        call,
        () -> {
          body.run();
          return null;
        });
  }

  /** The HTTP status of a client exception, or 0 when the request never got an answer. */
  public static int status(Throwable e) {
    return unwrap(e) instanceof KubernetesClientException k ? k.getCode() : 0;
  }

  /** Translates any failure of {@code call}; {@link CntrException}s pass through. */
  public CntrException translate(ApiCall call, Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof CntrException c) {
      return c;
    }
    if (!(e instanceof KubernetesClientException k)) {
      return new CntrException(
          ExitCode.INTERNAL, "cannot " + call.describe() + ": " + describe(e), failure);
    }
    String server = serverMessage(k);
    if (k.getCode() <= 0) {
      return unreachable(call, k);
    }
    return switch (k.getCode()) {
      case 403 ->
          new CntrException(
              ExitCode.FORBIDDEN,
              "forbidden: cannot "
                  + call.describe()
                  + " (RBAC denies verb '"
                  + call.verb()
                  + "' on resource '"
                  + call.resource()
                  + "'; the API server says: "
                  + server
                  + ")",
              k);
      case 401 ->
          new CntrException(
              ExitCode.UNAUTHENTICATED,
              "the API server at "
                  + serverUrl
                  + " rejected the kubeconfig's credentials (401 Unauthorized) for "
                  + call.describe()
                  + ": "
                  + server,
              k);
      case 422 ->
          new CntrException(
              ExitCode.USAGE, "cannot " + call.describe() + ": rejected as invalid: " + server, k);
      default ->
          new CntrException(
              ExitCode.INTERNAL,
              "cannot " + call.describe() + ": HTTP " + k.getCode() + ": " + server,
              k);
    };
  }

  private CntrException unreachable(ApiCall call, KubernetesClientException k) {
    Throwable cause = rootCause(k);
    if (cause instanceof HttpTimeoutException || cause instanceof IOException) {
      return new CntrException(
          ExitCode.CLUSTER_UNREACHABLE,
          "cannot reach the Kubernetes API server at "
              + serverUrl
              + " ("
              + call.describe()
              + "): "
              + describe(cause),
          k);
    }
    return new CntrException(
        ExitCode.INTERNAL, "cannot " + call.describe() + ": " + describe(cause), k);
  }

  private static String serverMessage(KubernetesClientException k) {
    return Optional.ofNullable(k.getStatus())
        .map(Status::getMessage)
        .filter(m -> !m.isBlank())
        .orElseGet(() -> Optional.ofNullable(k.getMessage()).orElse("no message"));
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t.getCause() != null && depth < 20; depth++) {
      t = t.getCause();
    }
    return t;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
