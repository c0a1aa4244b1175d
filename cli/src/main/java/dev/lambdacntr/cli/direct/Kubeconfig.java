package dev.lambdacntr.cli.direct;

import dev.lambdacntr.cli.Environment;
import dev.lambdacntr.protocol.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads the kubeconfig as kubectl does (the {@code --kubeconfig} file, else every file in {@code
 * KUBECONFIG} merged with the first definition of a name winning, else {@code ~/.kube/config};
 * paths relative to the file that names them) and says how to reach the API server directly: the
 * server, its CA, and a client certificate or bearer token.
 *
 * <p>It answers only what direct requests can do alone. Anything else (no file, an unknown context,
 * exec or auth-provider plugins, basic auth, impersonation, proxies, {@code KUBERNETES_*} variables
 * the client library would honour, in-cluster configuration) is {@link Result#unsupported}, and the
 * caller uses the client library, which does all of that and reports every error. Pure apart from
 * reading the files.
 */
public final class Kubeconfig {

  private static final Set<String> USER_FIELDS_SUPPORTED =
      Set.of(
          "client-certificate",
          "client-certificate-data",
          "client-key",
          "client-key-data",
          "token",
          "tokenFile");
  private static final Set<String> CLUSTER_FIELDS_SUPPORTED =
      Set.of(
          "server",
          "certificate-authority",
          "certificate-authority-data",
          "insecure-skip-tls-verify",
          "extensions",
          "disable-compression");
  private static final Set<String> PROXY_VARIABLES =
      Set.of("http_proxy", "https_proxy", "all_proxy", "no_proxy");

  private Kubeconfig() {}

  /**
   * What the kubeconfig gives direct requests: the connection, or why it cannot use it.
   *
   * @param connection the direct connection, when direct requests can use it
   * @param unsupported why not, otherwise
   */
  public record Result(Optional<DirectConfig> connection, String unsupported) {
    static Result ok(DirectConfig config) {
      return new Result(Optional.of(config), "");
    }

    static Result no(String why) {
      return new Result(Optional.empty(), why);
    }
  }

  /** Reads the kubeconfig for {@code context} (else the current context). */
  public static Result read(Optional<Path> kubeconfig, Optional<String> context, Environment env) {
    for (String name : env.variables().keySet()) {
      if (name.startsWith("KUBERNETES_")
          || PROXY_VARIABLES.contains(name.toLowerCase(Locale.ROOT))) {
        return Result.no("environment variable " + name + " is set");
      }
    }
    List<Path> files = files(kubeconfig, env);
    Merged merged = new Merged();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        if (kubeconfig.isPresent()) {
          return Result.no("kubeconfig " + file + " does not exist");
        }
        continue;
      }
      try {
        merged.add(file, Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        return Result.no("cannot read kubeconfig " + file + ": " + e.getMessage());
      }
    }
    if (merged.files.isEmpty()) {
      return Result.no("no kubeconfig file");
    }
    Optional<String> contextName = context.or(() -> merged.currentContext);
    if (contextName.isEmpty()) {
      return Result.no("no current context");
    }
    Entry ctx = merged.contexts.get(contextName.get());
    if (ctx == null) {
      return Result.no("context " + contextName.get() + " not found");
    }
    Optional<String> clusterName = str(ctx.body, "cluster");
    Optional<String> userName = str(ctx.body, "user");
    Entry cluster = clusterName.map(merged.clusters::get).orElse(null);
    Entry user = userName.map(merged.users::get).orElse(null);
    if (cluster == null || user == null) {
      return Result.no("context " + contextName.get() + " names no known cluster or user");
    }
    for (String key : ctx.body.keySet()) {
      if (!Set.of("cluster", "user", "namespace", "extensions").contains(key)) {
        return Result.no("context field " + key);
      }
    }
    for (String key : cluster.body.keySet()) {
      if (!CLUSTER_FIELDS_SUPPORTED.contains(key)) {
        return Result.no("cluster field " + key);
      }
    }
    for (Map.Entry<String, Object> e : user.body.entrySet()) {
      if (!USER_FIELDS_SUPPORTED.contains(e.getKey()) && e.getValue() != null) {
        return Result.no("user field " + e.getKey());
      }
    }
    Optional<String> server = str(cluster.body, "server");
    if (server.isEmpty() || !server.get().startsWith("https://")) {
      return Result.no("server is not an https:// URL");
    }
    try {
      Optional<byte[]> ca = bytes(cluster, "certificate-authority-data", "certificate-authority");
      Optional<byte[]> cert = bytes(user, "client-certificate-data", "client-certificate");
      Optional<byte[]> key = bytes(user, "client-key-data", "client-key");
      if (cert.isPresent() != key.isPresent()) {
        return Result.no("a client certificate without its key, or a key without certificate");
      }
      Optional<String> token =
          str(user.body, "token")
              .or(
                  () ->
                      str(user.body, "tokenFile")
                          .map(f -> read(user.resolve(f)))
                          .map(t -> new String(t, StandardCharsets.UTF_8).trim()))
              .filter(t -> !t.isEmpty());
      boolean insecure = Boolean.TRUE.equals(cluster.body.get("insecure-skip-tls-verify"));
      return Result.ok(
          new DirectConfig(
              server.get(),
              contextName.get(),
              userName.get(),
              str(ctx.body, "namespace").filter(n -> !n.isBlank()),
              ca,
              insecure,
              cert,
              key,
              source(user, "client-key-data", "client-key", userName.get()),
              token));
    } catch (IllegalArgumentException | UncheckedRead e) {
      return Result.no(e.getMessage());
    }
  }

  /**
   * The kubeconfig files to read, in kubectl's order: {@code --kubeconfig}, else {@code
   * KUBECONFIG}'s list, else {@code ~/.kube/config}.
   */
  public static List<Path> files(Optional<Path> kubeconfig, Environment env) {
    if (kubeconfig.isPresent()) {
      return List.of(kubeconfig.get());
    }
    Optional<String> variable = env.get("KUBECONFIG");
    if (variable.isPresent()) {
      List<Path> files = new ArrayList<>();
      for (String part : variable.get().split(File.pathSeparator, -1)) {
        if (!part.isBlank()) {
          files.add(Path.of(part));
        }
      }
      return files;
    }
    return List.of(
        Path.of(env.get("HOME").orElse(System.getProperty("user.home")), ".kube", "config"));
  }

  private static Optional<byte[]> bytes(Entry entry, String dataKey, String fileKey) {
    Optional<String> data = str(entry.body, dataKey).filter(s -> !s.isBlank());
    if (data.isPresent()) {
      try {
        return Optional.of(Base64.getMimeDecoder().decode(data.get().trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(dataKey + " is not base64", e);
      }
    }
    return str(entry.body, fileKey).filter(s -> !s.isBlank()).map(f -> read(entry.resolve(f)));
  }

  /** Where {@link #bytes} found its data: the file, or the data field and its kubeconfig. */
  private static String source(Entry entry, String dataKey, String fileKey, String name) {
    if (str(entry.body, dataKey).filter(s -> !s.isBlank()).isPresent()) {
      return dataKey + " of " + name + " in " + entry.file;
    }
    return str(entry.body, fileKey)
        .filter(s -> !s.isBlank())
        .map(f -> entry.resolve(f).toString())
        .orElse("");
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedRead("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Optional<String> str(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** A named cluster, user or context, and the file that defined it. */
  private record Entry(Path file, Map<String, Object> body) {
    Path resolve(String path) {
      Path p = Path.of(path);
      return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
    }
  }

  /** The files merged: the first definition of each name, and the first current context. */
  private static final class Merged {
    final List<Path> files = new ArrayList<>();
    final Map<String, Entry> clusters = new LinkedHashMap<>();
    final Map<String, Entry> users = new LinkedHashMap<>();
    final Map<String, Entry> contexts = new LinkedHashMap<>();
    Optional<String> currentContext = Optional.empty();

    void add(Path file, String yaml) {
      files.add(file);
      Object doc = new Load(LoadSettings.builder().build()).loadFromString(yaml);
      if (doc == null) {
        return; // an empty file, as kubectl allows
      }
      if (!(doc instanceof Map<?, ?>)) {
        throw new IllegalArgumentException("not a kubeconfig mapping");
      }
      Map<String, Object> root = Json.asMap(doc);
      if (currentContext.isEmpty()) {
        currentContext = str(root, "current-context").filter(s -> !s.isBlank());
      }
      named(file, root, "clusters", "cluster", clusters);
      named(file, root, "users", "user", users);
      named(file, root, "contexts", "context", contexts);
    }

    private static void named(
        Path file, Map<String, Object> root, String list, String field, Map<String, Entry> into) {
      for (Object item : Json.array(root, list)) {
        Optional<String> name = Json.string(item, "name");
        Map<String, Object> body = Json.object(item, field).orElse(Map.of());
        if (name.isPresent()) {
          into.putIfAbsent(name.get(), new Entry(file, body));
        }
      }
    }
  }

  /** A file the kubeconfig names could not be read. */
  private static final class UncheckedRead extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedRead(String message) {
      super(message);
    }
  }
}
