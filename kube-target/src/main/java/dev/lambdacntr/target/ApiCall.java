package dev.lambdacntr.target;

/**
 * One Kubernetes API operation, named the way RBAC names it, so an error can say exactly which
 * permission is missing.
 *
 * @param verb the RBAC verb ({@code get}, {@code list}, {@code create}, {@code delete}, ...)
 * @param resource the resource, with its subresource ({@code pods}, {@code pods/exec}, {@code
 *     jobs.batch})
 * @param namespace the namespace, or empty for a cluster-scoped resource
 */
public record ApiCall(String verb, String resource, String namespace) {

  /** A cluster-scoped operation. */
  public static ApiCall cluster(String verb, String resource) {
    return new ApiCall(verb, resource, "");
  }

  /** "get pods in namespace default", "get nodes". */
  public String describe() {
    return verb + " " + resource + (namespace.isEmpty() ? "" : " in namespace " + namespace);
  }
}
