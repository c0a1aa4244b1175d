package dev.lambdacntr.cli.standby;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a standby process for this invocation listens: {@code DIR/KEY.sock}, where DIR is the
 * user's own directory ({@code $XDG_RUNTIME_DIR/lambda-cntr}, else {@code /tmp/lambda-cntr-UID}),
 * mode 0700 and owned by the user, and KEY names everything a CLI run depends on besides its
 * arguments: the CLI's jar (path, size, time), the launcher's name, the working directory and the
 * environment. A standby serves only an invocation with the same key, so a session it serves is the
 * one a fresh process would have run.
 *
 * @param directory the user's directory of standby sockets
 * @param key the invocation's key
 */
record StandbyPlace(Path directory, String key) {

  /** {@code sizeof(sockaddr_un.sun_path)} on Linux: a socket's path and its terminating NUL. */
  static final int SUN_PATH_BYTES = 108;

  /** Variables that differ between otherwise equal invocations and that the CLI never reads. */
  private static final String IGNORED_VARIABLE = "_";

  /** The socket a standby for this key listens on. */
  Path socket() {
    return directory.resolve(key + ".sock");
  }

  /**
   * The place for this process's invocation: its jar, name, working directory and environment.
   * Empty when the directory is unsafe (another owner, group or world access, a link) or the path
   * does not fit a Unix socket address.
   */
  static Optional<StandbyPlace> of(Map<String, String> env, int uid) {
    String jar = System.getProperty("java.class.path", "");
    String name = System.getProperty("lambda-cntr.name", "lambda-cntr");
    String cwd = System.getProperty("user.dir", "");
    Path directory = directory(env, uid);
    long size;
    long modified;
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(Path.of(jar), BasicFileAttributes.class);
      size = attributes.size();
      modified = attributes.lastModifiedTime().toMillis();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    StandbyPlace place =
        new StandbyPlace(directory, key(jar + "\0" + size + "\0" + modified, name, cwd, env));
    return place.socket().toString().getBytes(StandardCharsets.UTF_8).length < SUN_PATH_BYTES
        ? Optional.of(place)
        : Optional.empty();
  }

  /**
   * The user's directory: {@code $XDG_RUNTIME_DIR/lambda-cntr}, else {@code /tmp/lambda-cntr-UID}.
   */
  static Path directory(Map<String, String> env, int uid) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && runtime.startsWith("/") && Files.isDirectory(Path.of(runtime))) {
      return Path.of(runtime, "lambda-cntr");
    }
    return Path.of("/tmp", "lambda-cntr-" + uid);
  }

  /**
   * Whether the directory exists, is no link, belongs to {@code uid} and only to it (mode 0700):
   * nobody else can put a socket there or connect to one.
   */
  boolean isPrivate(int uid) {
    try {
      Map<String, Object> attributes =
          Files.readAttributes(directory, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) attributes.get("mode");
      return (Integer) attributes.get("uid") == uid
          && (mode & 0170000) == 0040000 // a directory
          && (mode & 077) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Creates the directory, mode 0700, when it does not exist; whether it is private after. */
  boolean makePrivate(int uid) {
    try {
      Files.createDirectories(
          directory.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Files.createDirectory(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // made before, by this user or another: checked below
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return isPrivate(uid);
  }

  /**
   * FNV-1a, 64 bits, over the invocation's parts, in hex. Not a secret and not a defence: the
   * directory's mode and the peer's user ID are the boundary, and a standby compares the whole
   * environment and directory before it serves. A digest from the JDK's security providers costs a
   * fresh JVM more than the rest of the hand-over.
   */
  static String key(String jar, String name, String cwd, Map<String, String> env) {
    StringBuilder text = new StringBuilder(jar).append('\0').append(name).append('\0').append(cwd);
    new TreeMap<>(relevant(env))
        .forEach((k, v) -> text.append('\0').append(k).append('=').append(v));
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      hash = (hash ^ (c & 0xff)) * 0x100000001b3L;
      hash = (hash ^ (c >>> 8)) * 0x100000001b3L;
    }
    return String.format("%016x", hash);
  }

  /** The environment without the variables that never change what the CLI does. */
  static Map<String, String> relevant(Map<String, String> env) {
    Map<String, String> relevant = new TreeMap<>(env);
    relevant.remove(IGNORED_VARIABLE);
    return relevant;
  }
}
