package dev.lambdacntr.gateway;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The gateway's settings: {@code --name value} options, else the environment variable {@code
 * LAMBDA_CNTR_GATEWAY_NAME} (upper case, dashes as underscores), else the default.
 *
 * @param port the HTTPS port the API server connects to
 * @param servingCert the serving certificate (PEM), the one the APIService's caBundle verifies
 * @param servingKey its key (PEM, PKCS#8 or PKCS#1)
 * @param agentClientCert the client certificate the node agents accept (PEM)
 * @param agentClientKey its key
 * @param agentCa the CA the node agents' serving certificates chain to
 * @param agentPort the node agents' port
 * @param namespace the gateway's namespace: its policy and the node agents live there
 * @param protectionLease how long a session's hold on its pod's protection marks lasts unrenewed
 *     ({@code --protection-lease-seconds}; renewed three times within it)
 * @param sweepInterval how often the expired holds in the cluster are removed ({@code
 *     --protection-sweep-seconds})
 */
public record GatewayConfig(
    int port,
    Path servingCert,
    Path servingKey,
    Path agentClientCert,
    Path agentClientKey,
    Path agentCa,
    int agentPort,
    String namespace,
    Duration protectionLease,
    Duration sweepInterval) {

  private static final Map<String, String> DEFAULTS =
      Map.of(
          "port", "8443",
          "serving-cert", "/var/run/lambda-cntr/serving/tls.crt",
          "serving-key", "/var/run/lambda-cntr/serving/tls.key",
          "agent-client-cert", "/var/run/lambda-cntr/agent-client/tls.crt",
          "agent-client-key", "/var/run/lambda-cntr/agent-client/tls.key",
          "agent-ca", "/var/run/lambda-cntr/agent-client/ca.crt",
          "agent-port", "10251",
          "namespace", "lambda-cntr-system",
          "protection-lease-seconds", "60",
          "protection-sweep-seconds", "30");

  /** Reads the options, then the environment. */
  public static GatewayConfig parse(List<String> args, Function<String, String> env) {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (!name.startsWith("--")
          || !DEFAULTS.containsKey(name.substring(2))
          || i + 1 == args.size()) {
        throw new CntrException(
            ExitCode.USAGE,
            "lambda-cntr-gateway: unknown option or missing value: "
                + name
                + " (options: --"
                + String.join(", --", DEFAULTS.keySet().stream().sorted().toList())
                + ")");
      }
      given.put(name.substring(2), args.get(++i));
    }
    Function<String, String> value =
        name -> {
          String v = given.get(name);
          if (v == null) {
            v = env.apply("LAMBDA_CNTR_GATEWAY_" + name.toUpperCase().replace('-', '_'));
          }
          return v == null || v.isEmpty() ? DEFAULTS.get(name) : v;
        };
    return new GatewayConfig(
        number(value.apply("port"), "port"),
        Path.of(value.apply("serving-cert")),
        Path.of(value.apply("serving-key")),
        Path.of(value.apply("agent-client-cert")),
        Path.of(value.apply("agent-client-key")),
        Path.of(value.apply("agent-ca")),
        number(value.apply("agent-port"), "agent-port"),
        value.apply("namespace"),
        seconds(value.apply("protection-lease-seconds"), "protection-lease-seconds"),
        seconds(value.apply("protection-sweep-seconds"), "protection-sweep-seconds"));
  }

  private static Duration seconds(String value, String name) {
    int n = number(value, name);
    if (n < 3) {
      throw new CntrException(
          ExitCode.USAGE, "lambda-cntr-gateway: --" + name + " must be at least 3, not " + n);
    }
    return Duration.ofSeconds(n);
  }

  private static int number(String value, String name) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new CntrException(
          ExitCode.USAGE, "lambda-cntr-gateway: --" + name + " must be a number, not " + value);
    }
  }
}
