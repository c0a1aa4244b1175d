package dev.lambdacntr.cli;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;

/**
 * Start-up work done on the second core while the first parses the command line: the JSON mapper
 * and the model classes a session deserializes, and the TLS machinery. Only class and static
 * initialization, whose results the JVM shares with the main thread; nothing talks to the cluster.
 * Measured in benchmarks (LAMBDA_CNTR_NO_PREWARM=1 turns it off).
 */
final class Prewarm {

  private Prewarm() {}

  /** Starts the warm-up on a daemon thread unless the environment disables it. */
  static void start() {
    if (System.getenv("LAMBDA_CNTR_NO_PREWARM") != null) {
      return;
    }
    Thread.ofPlatform().daemon().name("lambda-cntr-prewarm").start(Prewarm::run);
  }

  private static void run() {
    try {
      KubernetesSerialization json = new KubernetesSerialization();
      json.unmarshal(
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
              + "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\","
              + "\"containerStatuses\":[{\"name\":\"c\",\"state\":{\"running\":{}}}]}}",
          Pod.class);
      json.unmarshal("{\"kind\":\"Status\",\"status\":\"Success\"}", Status.class);
      SSLContext.getDefault();
    } catch (NoSuchAlgorithmException | RuntimeException e) {
      // only a warm-up: the real work reports its own failures
    }
  }
}
