package dev.lambdacntr.gateway;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The gateway's own API calls. Their failure is the gateway's problem, never the user's: a refusal
 * of the gateway's ServiceAccount is an internal error naming the call, not a 403 that would read
 * as the user's.
 */
public final class KubeCalls {

  private KubeCalls() {}

  /** Runs {@code body}, describing a failure as "the gateway cannot {@code what}". */
  public static <T> T call(String what, Supplier<T> body) {
    try {
      return body.get();
    } catch (KubernetesClientException e) {
      ExitCode code = e.getCode() == 0 ? ExitCode.CLUSTER_UNREACHABLE : ExitCode.INTERNAL;
      String server =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : String.valueOf(e.getMessage());
      throw new CntrException(
          code,
          "the gateway cannot "
              + what
              + (e.getCode() == 0 ? "" : " (HTTP " + e.getCode() + ")")
              + ": "
              + server,
          e);
    }
  }

  /** The result of a future of {@link #call}, its failure unwrapped. */
  public static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
