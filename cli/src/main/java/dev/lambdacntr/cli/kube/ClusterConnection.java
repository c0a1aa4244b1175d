package dev.lambdacntr.cli.kube;

import dev.lambdacntr.cli.Environment;
import dev.lambdacntr.cli.direct.Kubeconfig;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The client for the cluster the kubeconfig names, plus what the kubeconfig says about the user and
 * the default namespace. Opening it makes no API request.
 */
public final class ClusterConnection implements AutoCloseable {

  private final KubernetesClient client;
  private final String defaultNamespace;
  private final String kubeconfigUser;
  private final KubeErrors errors;

  private ClusterConnection(KubernetesClient client, String defaultNamespace, String user) {
    this.client = client;
    this.defaultNamespace = defaultNamespace;
    this.kubeconfigUser = user;
    this.errors = new KubeErrors(client.getConfiguration().getMasterUrl());
  }

  /**
   * Reads the kubeconfig ({@code --kubeconfig}, else {@code KUBECONFIG}, else {@code
   * ~/.kube/config}; the in-cluster service account when none exists but {@code
   * KUBERNETES_SERVICE_HOST} is set) and selects the context.
   */
  public static ClusterConnection open(
      Optional<Path> kubeconfig, Optional<String> context, Environment env) {
    List<Path> files = Kubeconfig.files(kubeconfig, env);
    boolean inCluster = env.get("KUBERNETES_SERVICE_HOST").isPresent();
    List<Path> existing = files.stream().filter(Files::isRegularFile).toList();
    if (kubeconfig.isPresent() && existing.isEmpty()) {
      throw new CntrException(
          ExitCode.NO_CLUSTER_CONFIG, "kubeconfig " + kubeconfig.get() + ": no such file");
    }
    if (existing.isEmpty() && !inCluster) {
      throw new CntrException(
          ExitCode.NO_CLUSTER_CONFIG,
          "no kubeconfig: "
              + files.stream().map(Path::toString).collect(Collectors.joining(", "))
              + " does not exist (set KUBECONFIG or pass --kubeconfig)");
    }
    Config config = load(existing, context);
    String namespace = Optional.ofNullable(config.getNamespace()).orElse("default");
    String user =
        Optional.ofNullable(config.getCurrentContext())
            .map(NamedContext::getContext)
            .map(c -> c.getUser())
            .orElse("in-cluster service account");
    ClientKeys.fixAlgorithm(config);
    // Fail fast: the CLI is interactive, a dead server should not be retried for seconds.
    config.setRequestRetryBackoffLimit(1);
    config.setRequestRetryBackoffInterval(100);
    config.setConnectionTimeout(5_000);
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new ClosingHttpClientFactory())
            .build();
    return new ClusterConnection(client, namespace, user);
  }

  private static Config load(List<Path> existing, Optional<String> context) {
    String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    try {
      if (!existing.isEmpty()) {
        System.setProperty(
            Config.KUBERNETES_KUBECONFIG_FILE,
            existing.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
      }
      Config config = Config.autoConfigure(context.orElse(null));
      if (context.isPresent()
          && (config.getCurrentContext() == null
              || !context.get().equals(config.getCurrentContext().getName()))) {
        throw new CntrException(
            ExitCode.NO_CLUSTER_CONFIG,
            "context '"
                + context.get()
                + "' not found in kubeconfig "
                + existing.stream().map(Path::toString).collect(Collectors.joining(", "))
                + " (contexts: "
                + Optional.ofNullable(config.getContexts()).orElse(List.of()).stream()
                    .map(NamedContext::getName)
                    .sorted()
                    .collect(Collectors.joining(", "))
                + ")");
      }
      if (!existing.isEmpty() && config.getCurrentContext() == null) {
        throw new CntrException(
            ExitCode.NO_CLUSTER_CONFIG,
            "kubeconfig "
                + existing.stream().map(Path::toString).collect(Collectors.joining(", "))
                + " has no current context (pass --context)");
      }
      return config;
    } catch (KubernetesClientException e) {
      throw new CntrException(
          ExitCode.NO_CLUSTER_CONFIG, "cannot read kubeconfig: " + e.getMessage(), e);
    } finally {
      if (previous == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
      }
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The kubeconfig context's namespace, else {@code default}. */
  public String defaultNamespace() {
    return defaultNamespace;
  }

  /** The kubeconfig context's user entry (a local name, not an authenticated identity). */
  public String kubeconfigUser() {
    return kubeconfigUser;
  }

  public KubeErrors errors() {
    return errors;
  }

  @Override
  public void close() {
    client.close();
  }
}
