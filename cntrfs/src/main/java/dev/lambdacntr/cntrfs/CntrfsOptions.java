package dev.lambdacntr.cntrfs;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.time.Duration;
import java.util.Locale;

/**
 * How cntrfs serves a mount.
 *
 * @param threads serving threads (each blocks in a read of the FUSE device)
 * @param timeout how long the kernel may cache names, negative lookups and attributes
 * @param passthrough whether file data bypasses the server (FUSE_PASSTHROUGH, Linux 6.9+)
 * @param writebackCache let the kernel cache writes when passthrough is not in use
 * @param maxInodes how many inodes the server keeps open before it asks the kernel to forget the
 *     least recently used ones (each known inode holds one O_PATH descriptor); 0 derives it from
 *     RLIMIT_NOFILE
 * @param cloneDevice give each serving thread its own cloned FUSE device descriptor
 * @param debug log every request and its result to standard error
 */
public record CntrfsOptions(
    int threads,
    Duration timeout,
    Passthrough passthrough,
    boolean writebackCache,
    int maxInodes,
    boolean cloneDevice,
    boolean debug) {

  /** When file reads and writes go straight from the kernel to the source file. */
  public enum Passthrough {
    /** When the kernel offers it and the server may use it (CAP_SYS_ADMIN). */
    AUTO,
    /** Always; the mount fails to serve files when the kernel refuses. */
    ON,
    /** Never: every read and write is a request to the server. */
    OFF
  }

  public CntrfsOptions {
    if (threads < 1 || threads > 256) {
      throw usage("threads must be between 1 and 256, not " + threads);
    }
    if (timeout.isNegative()) {
      throw usage("timeout must not be negative, not " + timeout);
    }
    if (maxInodes < 0) {
      throw usage("max_inodes must not be negative, not " + maxInodes);
    }
  }

  /**
   * The defaults: several threads, passthrough where possible, names and attributes cached for 60 s
   * (the source is a tools image that does not change under the mount; changes made through the
   * mount are seen at once; use {@code timeout=1} for a directory others modify).
   */
  public static CntrfsOptions defaults() {
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    return new CntrfsOptions(
        threads, Duration.ofSeconds(60), Passthrough.AUTO, true, 0, true, false);
  }

  /**
   * Applies a comma-separated option string such as {@code threads=8,timeout=5,passthrough=off}.
   * Unknown options are usage errors that name the option.
   */
  public CntrfsOptions with(String options) {
    CntrfsOptions o = this;
    for (String item : options.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      String key = eq < 0 ? item : item.substring(0, eq);
      String value = eq < 0 ? "" : item.substring(eq + 1);
      o =
          switch (key) {
            case "threads" ->
                new CntrfsOptions(
                    integer(key, value),
                    o.timeout,
                    o.passthrough,
                    o.writebackCache,
                    o.maxInodes,
                    o.cloneDevice,
                    o.debug);
            case "timeout" ->
                new CntrfsOptions(
                    o.threads,
                    seconds(key, value),
                    o.passthrough,
                    o.writebackCache,
                    o.maxInodes,
                    o.cloneDevice,
                    o.debug);
            case "passthrough" ->
                new CntrfsOptions(
                    o.threads,
                    o.timeout,
                    passthrough(value),
                    o.writebackCache,
                    o.maxInodes,
                    o.cloneDevice,
                    o.debug);
            case "writeback" ->
                new CntrfsOptions(
                    o.threads,
                    o.timeout,
                    o.passthrough,
                    bool(key, value),
                    o.maxInodes,
                    o.cloneDevice,
                    o.debug);
            case "max_inodes" ->
                new CntrfsOptions(
                    o.threads,
                    o.timeout,
                    o.passthrough,
                    o.writebackCache,
                    integer(key, value),
                    o.cloneDevice,
                    o.debug);
            case "clone_fd" ->
                new CntrfsOptions(
                    o.threads,
                    o.timeout,
                    o.passthrough,
                    o.writebackCache,
                    o.maxInodes,
                    bool(key, value),
                    o.debug);
            case "debug" ->
                new CntrfsOptions(
                    o.threads,
                    o.timeout,
                    o.passthrough,
                    o.writebackCache,
                    o.maxInodes,
                    o.cloneDevice,
                    value.isEmpty() || bool(key, value));
            default -> throw usage("unknown cntrfs option '" + key + "'");
          };
    }
    return o;
  }

  private static int integer(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw usage("option " + key + " needs a whole number, not '" + value + "'");
    }
  }

  private static Duration seconds(String key, String value) {
    try {
      return Duration.ofNanos(Math.round(Double.parseDouble(value) * 1e9));
    } catch (NumberFormatException e) {
      throw usage("option " + key + " needs seconds, not '" + value + "'");
    }
  }

  private static boolean bool(String key, String value) {
    return switch (value) {
      case "1", "true", "on", "yes" -> true;
      case "0", "false", "off", "no" -> false;
      default -> throw usage("option " + key + " needs on or off, not '" + value + "'");
    };
  }

  private static Passthrough passthrough(String value) {
    try {
      return Passthrough.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage("option passthrough needs auto, on or off, not '" + value + "'");
    }
  }

  private static CntrException usage(String message) {
    return new CntrException(ExitCode.USAGE, message);
  }
}
