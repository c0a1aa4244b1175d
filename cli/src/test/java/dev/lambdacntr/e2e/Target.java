package dev.lambdacntr.e2e;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * A target pod a test class debugs: created pinned to a node and Ready, its state recorded at once
 * so that {@link #assertUnchanged} can prove at the end that lambda-cntr changed nothing.
 */
final class Target {

  private final TestCluster cluster;
  private final Pod pod;
  private final TargetState.Inside inside;
  private final TargetState before;

  private Target(TestCluster cluster, Pod pod, TargetState.Inside inside) {
    this.cluster = cluster;
    this.pod = pod;
    this.inside = inside;
    this.before =
        TargetState.of(
            cluster, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), inside);
  }

  /** A busybox target, looked into through the API's exec. */
  static Target busybox(TestCluster cluster, String namespace, String name, String node) {
    Pod pod =
        cluster.runReady(
            namespace, E2eNamespace.target(name, node, cluster.settings().busyboxImage()));
    return new Target(cluster, pod, TargetState.apiExec(cluster, namespace, name));
  }

  /** The distroless target (no shell), looked into through lambda-cntr. */
  static Target distroless(TestCluster cluster, LambdaCntr lambdaCntr, String name, String node) {
    Pod pod =
        cluster.runReady(
            lambdaCntr.namespace(),
            E2eNamespace.target(name, node, cluster.settings().staticImage()));
    return new Target(cluster, pod, TargetState.lambdaCntr(lambdaCntr, name));
  }

  /** The pod as it was when it became Ready. */
  Pod pod() {
    return pod;
  }

  String name() {
    return pod.getMetadata().getName();
  }

  String node() {
    return pod.getSpec().getNodeName();
  }

  /** Fails unless container, files, mounts and processes are as they were at the start. */
  void assertUnchanged() {
    before.assertUnchanged(cluster, inside);
  }
}
