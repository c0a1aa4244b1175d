package dev.lambdacntr.cli.kube;

import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentProvisioner;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.SessionEndpoint;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The session's cluster through the client library: every step, cold starts included. */
public final class LibraryCluster implements SessionCluster {

  private final ClusterConnection connection;
  private final KubernetesClient client;
  private final KubeErrors errors;
  private final AgentProvisioner provisioner;

  public LibraryCluster(ClusterConnection connection, Progress progress) {
    this.connection = connection;
    this.client = connection.client();
    this.errors = connection.errors();
    this.provisioner = new AgentProvisioner(client, errors, progress);
  }

  @Override
  public String describe() {
    return "client library";
  }

  @Override
  public String defaultNamespace() {
    return connection.defaultNamespace();
  }

  @Override
  public Target target(
      String namespace, String pod, Optional<String> container, TargetResolver.Run run) {
    return new TargetResolver(client, errors).resolve(namespace, pod, container, run);
  }

  @Override
  public String identity() {
    return Identity.of(client, connection.kubeconfigUser());
  }

  @Override
  public List<Pod> agents(String namespace, String node) {
    return provisioner.agentsOn(namespace, node);
  }

  @Override
  public AgentPod agent(AgentSpec spec, List<Pod> existing, long deadline) {
    return provisioner.ensure(spec, existing, deadline);
  }

  @Override
  public Optional<Map<String, String>> namespaceLabels(String namespace) {
    Namespace found =
        errors.call(
            ApiCall.cluster("get", "namespaces"),
            () -> client.namespaces().withName(namespace).get());
    return Optional.ofNullable(found)
        .map(n -> n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
  }

  @Override
  public void record(Event event) {
    String namespace = event.getMetadata().getNamespace();
    errors.run(
        new ApiCall("create", "events", namespace),
        () -> client.v1().events().inNamespace(namespace).resource(event).create());
  }

  @Override
  public int probe(String path) {
    try {
      String base = client.getConfiguration().getMasterUrl();
      URI uri =
          URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
      return client
          .getHttpClient()
          .sendAsync(client.getHttpClient().newHttpRequestBuilder().uri(uri).build(), String.class)
          .get(10, TimeUnit.SECONDS)
          .code();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public ExecStream exec(
      SessionEndpoint exec,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what) {
    return ExecStream.open(
        client.getHttpClient(),
        client.getKubernetesSerialization(),
        exec.uri(client.getConfiguration().getMasterUrl()),
        stdout,
        stderr,
        timeout,
        what);
  }

  @Override
  public ClusterConnection library() {
    return connection;
  }

  @Override
  public void close() {
    connection.close();
  }
}
