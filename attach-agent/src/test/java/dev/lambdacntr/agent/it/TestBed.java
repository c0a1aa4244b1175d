package dev.lambdacntr.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The runtime the integration tests share, made once per test run and torn down at its end (also
 * when a test fails): the harness's containerd, the target images, and three running targets.
 *
 * <ul>
 *   <li>{@code app}: busybox as uid 1000 with every capability dropped, a read-only root, a volume
 *       at /data, the node's /etc/hosts bound in, its own network namespace (interface {@value
 *       #TARGET_INTERFACE}) and UTS namespace (hostname {@value #TARGET_HOSTNAME});
 *   <li>{@code static}: the distroless-style target, root, writable root;
 *   <li>{@code userns}: busybox as root in a user namespace of its own (uids 0-65535 are
 *       100000-165535 outside).
 * </ul>
 */
public final class TestBed implements AutoCloseable {
  public static final String TARGET_HOSTNAME = "agent-it-target";
  public static final String TARGET_INTERFACE = "lcit0";
  public static final String HOSTS_ENTRY = "10.251.0.9 agent-it-peer";
  public static final String VOLUME_MARKER = "volume-marker-4711";
  static final String NETNS = "lambda-cntr-agent-it";

  public final ContainerdHarness containerd;
  public final int app;
  public final int staticTarget;
  public final int userns;
  public final Path volume;

  private final List<Runnable> cleanups = new ArrayList<>();

  private TestBed() {
    this.containerd = ContainerdHarness.start();
    cleanups.add(containerd::close);
    try {
      Path work = Files.createDirectories(ContainerdHarness.STATE.resolve("images"));
      containerd.importImage(
          TargetImages.busybox(work), ContainerdHarness.NAMESPACE, TargetImages.BUSYBOX);
      containerd.importImage(
          TargetImages.staticBinary(work), ContainerdHarness.NAMESPACE, TargetImages.STATIC);

      volume = Files.createDirectories(ContainerdHarness.STATE.resolve("volume"));
      Files.writeString(volume.resolve("marker"), VOLUME_MARKER + "\n");
      Commands.check("chown", "-R", "1000:1000", volume.toString());
      Path hosts = ContainerdHarness.STATE.resolve("hosts");
      Files.writeString(hosts, "127.0.0.1 localhost\n" + HOSTS_ENTRY + "\n");
      Path utsns = utsNamespace();
      String netns = networkNamespace();

      app =
          containerd.run(
              "app",
              TargetImages.BUSYBOX + ":" + TargetImages.TAG,
              withAllCapabilitiesDropped(
                  List.of(
                      "--read-only",
                      "--mount",
                      "type=bind,src=" + volume + ",dst=/data,options=rbind:rw",
                      "--mount",
                      "type=bind,src=" + hosts + ",dst=/etc/hosts,options=rbind:ro",
                      "--with-ns",
                      "network:" + netns,
                      "--with-ns",
                      "uts:" + utsns)));
      staticTarget =
          containerd.run("static", TargetImages.STATIC + ":" + TargetImages.TAG, List.of());
      userns =
          containerd.run(
              "userns",
              TargetImages.BUSYBOX + ":" + TargetImages.TAG,
              List.of("--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** The test bed of this test run, made on first use. */
  public static TestBed get(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(TestBed.class, key -> new TestBed(), TestBed.class);
  }

  private static List<String> withAllCapabilitiesDropped(List<String> options) {
    List<String> all = new ArrayList<>(options);
    for (String cap :
        List.of(
            "CHOWN",
            "DAC_OVERRIDE",
            "FSETID",
            "FOWNER",
            "MKNOD",
            "NET_RAW",
            "SETGID",
            "SETUID",
            "SETFCAP",
            "SETPCAP",
            "NET_BIND_SERVICE",
            "SYS_CHROOT",
            "KILL",
            "AUDIT_WRITE")) {
      all.add("--cap-drop");
      all.add("CAP_" + cap);
    }
    return all;
  }

  private Path utsNamespace() throws IOException {
    Path file = ContainerdHarness.RUN.resolve("uts");
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    Files.createFile(file);
    Commands.check("unshare", "--uts=" + file, "hostname", TARGET_HOSTNAME);
    cleanups.add(() -> Commands.run(List.of("umount", "-l", file.toString())));
    return file;
  }

  private String networkNamespace() {
    Commands.run(List.of("ip", "netns", "del", NETNS));
    Commands.check("ip", "netns", "add", NETNS);
    cleanups.add(() -> Commands.run(List.of("ip", "netns", "del", NETNS)));
    Commands.check(
        "ip",
        "-n",
        NETNS,
        "link",
        "add",
        TARGET_INTERFACE,
        "type",
        "veth",
        "peer",
        "name",
        "lcit1");
    Commands.check("ip", "-n", NETNS, "link", "set", TARGET_INTERFACE, "up");
    return "/run/netns/" + NETNS;
  }

  @Override
  public void close() {
    for (Runnable cleanup : cleanups.reversed()) {
      try {
        cleanup.run();
      } catch (RuntimeException e) {
        System.err.println("test bed cleanup: " + e);
      }
    }
    cleanups.clear();
  }
}
