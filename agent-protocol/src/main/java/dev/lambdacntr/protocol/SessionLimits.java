package dev.lambdacntr.protocol;

/** Sizes both ends of a session request agree on. */
public final class SessionLimits {

  /**
   * The longest request line (method, URI with the command in its query, version) the gateway and
   * the node agent accept: the command travels in the URI, and a debugger's helper script alone
   * takes about 6 KiB encoded, past the 4 KiB an HTTP server takes by default.
   */
  public static final int MAX_REQUEST_LINE = 64 * 1024;

  private SessionLimits() {}
}
