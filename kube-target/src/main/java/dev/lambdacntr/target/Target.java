package dev.lambdacntr.target;

/**
 * The container a session enters, resolved from the pod.
 *
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param podUid the pod's UID (for the audit event)
 * @param container the container's name
 * @param node the node the pod runs on
 * @param containerId the runtime's container ID, without the scheme
 * @param runtime the scheme of {@code containerStatuses[].containerID}, such as {@code cri-o}
 * @param hostNetwork whether the pod uses the node's network namespace
 * @param run which run of the container: the current one, or for a post-mortem session the last
 *     ended one (then {@code containerId} is that run's)
 */
public record Target(
    String namespace,
    String pod,
    String podUid,
    String container,
    String node,
    String containerId,
    String runtime,
    boolean hostNetwork,
    TargetResolver.Run run) {}
