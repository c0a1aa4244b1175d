package dev.lambdacntr.gateway.policy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * An administrator's rules for sessions, from ConfigMap {@code lambda-cntr-policy} in the gateway's
 * namespace. Keys (all optional): {@code allowedImages} (a JSON list, or one image per line; an
 * entry ending in {@code *} allows every image starting with the rest), {@code defaultImage},
 * {@code allowFuse}, {@code allowPortForward}, {@code requireReason} ({@code true}/{@code false})
 * and {@code maxSessionSeconds}. Without the ConfigMap: {@link #defaults()}. Every refusal names
 * the policy. Pure.
 *
 * @param ref the ConfigMap, as {@code namespace/name}, for messages
 * @param allowedImages the allowed images or image prefixes ({@code ...*})
 * @param defaultImage the image of a session that names none
 * @param allowFuse whether {@code fs=fuse} is allowed
 * @param allowPortForward whether port forwarding is allowed
 * @param maxSession the longest a session may last
 * @param requireReason whether every attach and execute must say why ({@code --reason})
 */
public record SessionPolicy(
    String ref,
    List<String> allowedImages,
    String defaultImage,
    boolean allowFuse,
    boolean allowPortForward,
    Duration maxSession,
    boolean requireReason) {

  public static final String NAME = "lambda-cntr-policy";
  public static final Duration DEFAULT_MAX_SESSION = Duration.ofHours(12);

  private static final ObjectMapper JSON = new ObjectMapper();

  public SessionPolicy {
    allowedImages = List.copyOf(allowedImages);
  }

  /**
   * No ConfigMap: the project's debug image only, FUSE and port forwards allowed, 12 hours, no
   * reason required.
   */
  public static SessionPolicy defaults(String namespace) {
    return new SessionPolicy(
        namespace + "/" + NAME,
        List.of(Version.defaultImage()),
        Version.defaultImage(),
        true,
        true,
        DEFAULT_MAX_SESSION,
        false);
  }

  /** The policy of {@code configMap}; {@code null} means the defaults. Malformed keys fail. */
  public static SessionPolicy fromConfigMap(String namespace, ConfigMap configMap) {
    SessionPolicy defaults = defaults(namespace);
    if (configMap == null) {
      return defaults;
    }
    Map<String, String> data = configMap.getData() == null ? Map.of() : configMap.getData();
    String ref = defaults.ref();
    String defaultImage =
        Optional.ofNullable(data.get("defaultImage"))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .orElse(defaults.defaultImage());
    List<String> allowed =
        Optional.ofNullable(data.get("allowedImages"))
            .map(v -> images(ref, v))
            .orElse(List.of(defaultImage));
    return new SessionPolicy(
        ref,
        allowed,
        defaultImage,
        bool(ref, data, "allowFuse", defaults.allowFuse()),
        bool(ref, data, "allowPortForward", defaults.allowPortForward()),
        seconds(ref, data, "maxSessionSeconds", defaults.maxSession()),
        bool(ref, data, "requireReason", defaults.requireReason()));
  }

  /** The image a session runs: the requested one if allowed, else the default; or a refusal. */
  public String image(Optional<String> requested) {
    String image = requested.filter(s -> !s.isBlank()).orElse(defaultImage);
    if (!allows(image)) {
      throw refused(
          "image "
              + image
              + " is not allowed by policy "
              + ref
              + " (allowedImages: "
              + String.join(", ", allowedImages)
              + ")");
    }
    return image;
  }

  /** Refuses {@code fs=fuse} when the policy does. */
  public void checkFilesystem(String fs) {
    if (fs.equals("fuse") && !allowFuse) {
      throw refused("--fs fuse is not allowed by policy " + ref + " (allowFuse: false)");
    }
  }

  /** Refuses port forwarding when the policy does. */
  public void checkPortForward() {
    if (!allowPortForward) {
      throw refused(
          "port forwarding is not allowed by policy " + ref + " (allowPortForward: false)");
    }
  }

  /** Refuses a session without a reason when the policy requires one. */
  public void checkReason(Optional<String> reason) {
    if (requireReason && reason.isEmpty()) {
      throw new CntrException(
          ExitCode.REASON_REQUIRED,
          "a reason is required by policy "
              + ref
              + " (requireReason: true): say why with --reason TEXT (or LAMBDA_CNTR_REASON);"
              + " it is recorded in the session's Event");
    }
  }

  boolean allows(String image) {
    return allowedImages.stream()
        .anyMatch(
            a ->
                a.endsWith("*")
                    ? image.startsWith(a.substring(0, a.length() - 1))
                    : image.equals(a));
  }

  private static CntrException refused(String message) {
    return new CntrException(ExitCode.FORBIDDEN, message);
  }

  private static List<String> images(String ref, String value) {
    String v = value.strip();
    if (v.startsWith("[")) {
      try {
        return JSON.readValue(v, new TypeReference<List<String>>() {}).stream()
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
      } catch (JacksonException e) {
        throw invalid(ref, "allowedImages", "a JSON list of strings or one image per line", value);
      }
    }
    return Arrays.stream(v.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static boolean bool(String ref, Map<String, String> data, String key, boolean fallback) {
    String value = data.get(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(ref, key, "true or false", value);
    };
  }

  private static Duration seconds(
      String ref, Map<String, String> data, String key, Duration fallback) {
    String value = data.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds <= 0) {
        throw invalid(ref, key, "a positive number of seconds", value);
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw invalid(ref, key, "a positive number of seconds", value);
    }
  }

  private static CntrException invalid(String ref, String key, String expected, String value) {
    return new CntrException(
        ExitCode.INTERNAL,
        "policy " + ref + " is invalid: " + key + " must be " + expected + ", not '" + value + "'");
  }
}
