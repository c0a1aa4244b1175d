package dev.lambdacntr.agent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The test targets' images, built locally with umoci (no registry): a slim busybox image and a
 * distroless-style image holding one static binary. Neither has strace or gdb.
 */
public final class TargetImages {
  public static final String TAG = "0.1.0";
  public static final String BUSYBOX = "ghcr.io/lambda-cntr/agent-it-busybox";
  public static final String STATIC = "ghcr.io/lambda-cntr/agent-it-static";

  /** Set in the busybox image's config only. */
  public static final String TARGET_ONLY_VARIABLE = "LAMBDA_CNTR_IT_ONLY_IN_TARGET";

  public static final String TARGET_TIME_ZONE = "Asia/Tokyo";

  private static final List<String> BUSYBOX_COMMANDS =
      List.of(
          "sh",
          "sleep",
          "cat",
          "ls",
          "ps",
          "id",
          "hostname",
          "env",
          "echo",
          "touch",
          "date",
          "mkdir",
          "grep",
          "true",
          "rm",
          "stat");

  private TargetImages() {}

  /** Builds the busybox image: user 1000, workdir /app, PATH /bin, a time zone of its own. */
  public static Path busybox(Path work) {
    return build(
        work,
        "busybox",
        rootfs -> {
          Path bin = Files.createDirectories(rootfs.resolve("bin"));
          Files.copy(
              Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
          for (String command : BUSYBOX_COMMANDS) {
            Files.createSymbolicLink(bin.resolve(command), Path.of("busybox"));
          }
          Path etc = Files.createDirectories(rootfs.resolve("etc"));
          Files.writeString(
              etc.resolve("passwd"),
              "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n");
          Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\n");
          Files.writeString(etc.resolve("hostname"), "image-hostname\n");
          Files.copy(Path.of("/usr/share/zoneinfo", TARGET_TIME_ZONE), etc.resolve("localtime"));
          Path app = Files.createDirectories(rootfs.resolve("app"));
          Files.writeString(app.resolve("version.txt"), "target-app 1.0\n");
          for (String dir : List.of("tmp", "proc", "dev", "sys", "data")) {
            Files.createDirectories(rootfs.resolve(dir));
          }
        },
        List.of(
            "--config.user=1000:1000",
            "--config.workingdir=/app",
            "--config.env=PATH=/bin",
            "--config.env=" + TARGET_ONLY_VARIABLE + "=from-the-target",
            "--config.cmd=/bin/sleep",
            "--config.cmd=1000000"));
  }

  public static final String HOSTILE = "ghcr.io/lambda-cntr/agent-it-hostile";

  /** What the hostile image's real /etc/group holds, to recognise it wherever it shows up. */
  public static final String HOSTILE_GROUP_MARKER = "hostile-group-4711";

  /** The hostile image's environment: variables that would run its code in the tools. */
  public static final List<String> HOSTILE_ENVIRONMENT =
      List.of(
          "LD_PRELOAD=/tmp/lambda-cntr-it-evil.so",
          "PROMPT_COMMAND=echo hijacked-by-the-target",
          "BASH_ENV=/var/lib/cntr/tmp/rc",
          "PYTHONSTARTUP=/var/lib/cntr/tmp/startup.py");

  /**
   * Builds the hostile image: busybox with every applet, run as root (the runtime's default
   * capabilities) with a poisoned environment. What else it attacks with, the target plants itself
   * while it runs (see HostileTargetIT).
   */
  public static Path hostile(Path work) {
    return build(
        work,
        "hostile",
        rootfs -> {
          Path bin = Files.createDirectories(rootfs.resolve("bin"));
          Files.copy(
              Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
          for (String applet : Commands.check("/bin/busybox", "--list").split("\\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
              Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
            }
          }
          Path etc = Files.createDirectories(rootfs.resolve("etc"));
          Files.writeString(etc.resolve("passwd"), HOSTILE_PASSWD);
          Files.writeString(
              etc.resolve("group"), "root:x:0:\n" + HOSTILE_GROUP_MARKER + ":x:4711:\n");
          Files.writeString(etc.resolve("resolv-real"), "nameserver 10.251.0.53\n");
          for (String dir : List.of("tmp", "proc", "dev", "sys", "root")) {
            Files.createDirectories(rootfs.resolve(dir));
          }
        },
        hostileConfig());
  }

  /** The hostile image's /etc/passwd. */
  public static final String HOSTILE_PASSWD = "root:x:0:0:root:/root:/bin/sh\n";

  private static List<String> hostileConfig() {
    List<String> config = new ArrayList<>(List.of("--config.env=PATH=/bin"));
    HOSTILE_ENVIRONMENT.forEach(e -> config.add("--config.env=" + e));
    config.addAll(List.of("--config.cmd=/bin/sleep", "--config.cmd=1000000"));
    return config;
  }

  /** Builds the distroless-style image: just /target, a static binary that waits. */
  public static Path staticBinary(Path work) {
    Path binary = compileStaticTarget(work);
    return build(
        work,
        "static",
        rootfs -> Files.copy(binary, rootfs.resolve("target")),
        List.of("--config.cmd=/target"));
  }

  /** The static target program, compiled from the test resources. */
  public static Path compileStaticTarget(Path work) {
    try {
      Path source = work.resolve("static-target.c");
      try (InputStream in = TargetImages.class.getResourceAsStream("/it/static-target.c")) {
        Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
      }
      Path binary = work.resolve("static-target");
      Commands.check("gcc", "-static", "-Os", "-s", "-o", binary.toString(), source.toString());
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  interface RootfsFiller {
    void fill(Path rootfs) throws IOException;
  }

  private static Path build(Path work, String name, RootfsFiller filler, List<String> config) {
    Path layout = work.resolve(name + "-oci");
    Path bundle = work.resolve(name + "-bundle");
    Path archive = work.resolve(name + ".oci.tar");
    ContainerdHarness.deleteTree(layout);
    ContainerdHarness.deleteTree(bundle);
    String image = layout + ":" + TAG;
    Commands.check("umoci", "init", "--layout", layout.toString());
    Commands.check("umoci", "new", "--image", image);
    Commands.check("umoci", "unpack", "--image", image, bundle.toString());
    try {
      filler.fill(bundle.resolve("rootfs"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fill the " + name + " image", e);
    }
    Commands.check("umoci", "repack", "--image", image, bundle.toString());
    List<String> configure = new ArrayList<>(List.of("umoci", "config", "--image", image));
    configure.addAll(config);
    Commands.check(configure);
    Commands.check("tar", "-C", layout.toString(), "-cf", archive.toString(), ".");
    ContainerdHarness.deleteTree(bundle);
    return archive;
  }
}
