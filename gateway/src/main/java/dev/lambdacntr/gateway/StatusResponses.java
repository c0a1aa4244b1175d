package dev.lambdacntr.gateway;

import dev.lambdacntr.protocol.CntrException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * A refusal as the v1 {@code Status} the API server passes on to the client: HTTP code and reason
 * from {@link GatewayError}, the message as the CLI would print it, and lambda-cntr's exit code as
 * the cause {@value #EXIT_CODE_CAUSE} (its message is the number). Pure.
 */
public final class StatusResponses {

  /** The cause type that carries lambda-cntr's exit code. */
  public static final String EXIT_CODE_CAUSE = "lambda-cntr.dev/exit-code";

  /** The serialization of every answer. */
  public static final KubernetesSerialization JSON = new KubernetesSerialization();

  private StatusResponses() {}

  /** The Status for {@code refusal}. */
  public static Status of(CntrException refusal) {
    GatewayError error = GatewayError.of(refusal.exitCode());
    return new StatusBuilder()
        .withNewMetadata()
        .endMetadata()
        .withStatus("Failure")
        .withCode(error.httpCode())
        .withReason(error.reason())
        .withMessage(refusal.getMessage())
        .withNewDetails()
        .withGroup(ApiGroup.GROUP)
        .withKind("pods")
        .withCauses(
            new StatusCauseBuilder()
                .withReason(EXIT_CODE_CAUSE)
                .withMessage(String.valueOf(refusal.exitCode().code()))
                .build())
        .endDetails()
        .build();
  }

  /** {@link #of} as JSON. */
  public static String json(CntrException refusal) {
    return JSON.asJson(of(refusal));
  }
}
