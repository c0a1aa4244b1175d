package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lambda-cntr cp} against real targets: a tree in and out unchanged (links as links), a 1
 * GiB file both ways with equal checksums, container paths resolved inside the target's root
 * (absolute links and {@code ..} never lead to the debug image's files), a non-root target with a
 * read-only root (the write fails with its own error, reading works), the distroless target (no
 * tar, no shell: files come out, and go in as its user), and the errors with their exit codes. The
 * target's side is checked through the API's exec, independent of lambda-cntr.
 */
class CopyIT {

  private static final String WRITABLE = "cp-writable";
  private static final String READ_ONLY = "cp-read-only";
  private static final String DISTROLESS = "cp-distroless";
  private static final long ONE_GIB = 1L << 30;

  /**
   * How long 1 GiB may take one way: through the gateway with the JDK's TLS it moved at 4 MiB/s on
   * a 2-core AMD EPYC test machine (about 260 s, CI 2026-12-07); with BoringSSL the whole class
   * took 61 s in server mode there. The limit is kept for machines slower than that.
   */
  private static final Duration BULK_LIMIT = Duration.ofMinutes(8);

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static String agentNamespace;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("copy");
    agentNamespace = namespace.agentNamespace("copy");
    lambdaCntr = new LambdaCntr(cluster.settings(), namespace.name(), agentNamespace);
    String node = cluster.firstNode();
    String busybox = cluster.settings().busyboxImage();
    // a marker only the target's /etc has, reached through an absolute link in a volume
    Pod writable =
        new PodBuilder(E2eNamespace.target(WRITABLE, node, busybox))
            .editSpec()
            .editFirstContainer()
            .withCommand(
                "sh",
                "-c",
                "echo in-the-target > /etc/cp-marker && mkdir -p /data/real"
                    + " && ln -s /data/real /data/abs && ln -s /etc /data/etclink"
                    + " && exec sleep 100000")
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/data")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("data")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    Pod readOnly =
        new PodBuilder(E2eNamespace.target(READ_ONLY, node, busybox))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsUser(1000L)
            .withRunAsGroup(1000L)
            .endSecurityContext()
            .editFirstContainer()
            .withCommand("sleep", "100000")
            .withNewSecurityContext()
            .withReadOnlyRootFilesystem(true)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    cluster.runReady(namespace.name(), writable);
    cluster.runReady(namespace.name(), readOnly);
    cluster.runReady(
        namespace.name(),
        E2eNamespace.target(DISTROLESS, cluster.secondNode(), cluster.settings().staticImage()));
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  private LambdaCntr.Result cp(String source, String destination) {
    return cp(new byte[0], source, destination);
  }

  private LambdaCntr.Result cp(byte[] stdin, String source, String destination) {
    return cp(stdin, source, destination, LambdaCntr.RUN_LIMIT);
  }

  private LambdaCntr.Result cp(byte[] stdin, String source, String destination, Duration limit) {
    return lambdaCntr.run(
        stdin,
        List.of(
            "cp",
            "-q",
            "-n",
            namespace.name(),
            "--agent-namespace",
            agentNamespace,
            source,
            destination),
        limit);
  }

  private String inTarget(String pod, String script) {
    return cluster.exec(namespace.name(), pod, "main", "sh", "-c", script);
  }

  @Test
  void aTreeGoesInAndComesBackUnchangedWithItsLinksAsLinks() throws IOException {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("sub"));
    Files.writeString(tree.resolve("text"), "hello\n");
    byte[] binary = new byte[1 << 20];
    new Random(7).nextBytes(binary);
    Files.write(tree.resolve("sub/binary"), binary);
    Files.setPosixFilePermissions(
        tree.resolve("sub"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(
        tree.resolve("sub/binary"), PosixFilePermissions.fromString("rwxr-----"));
    Files.createSymbolicLink(tree.resolve("outside"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(tree.resolve("inside"), Path.of("sub/binary"));

    LambdaCntr.Result in = cp(dir.resolve("tree").toString(), WRITABLE + ":/data/");
    assertThat(in.exit()).as(in.toString()).isZero();
    assertThat(
            inTarget(
                WRITABLE, "cd /data/tree && ls -l outside inside sub/binary && md5sum sub/binary"))
        .contains("outside -> /etc/passwd")
        .contains("inside -> sub/binary")
        .contains("-rwxr-----")
        .contains(md5(binary));

    Path back = dir.resolve("back");
    LambdaCntr.Result out = cp(WRITABLE + ":/data/tree", back.toString());
    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(describe(back)).isEqualTo(describe(tree));
  }

  @Test
  void oneGibibyteBothWaysWithEqualChecksums() throws IOException {
    Path big = dir.resolve("big");
    String digest;
    try (OutputStream out = Files.newOutputStream(big)) {
      MessageDigest md5 = md5();
      byte[] block = new byte[1 << 20];
      Random random = new Random(11);
      for (long written = 0; written < ONE_GIB; written += block.length) {
        random.nextBytes(block);
        md5.update(block);
        out.write(block);
      }
      digest = HexFormat.of().formatHex(md5.digest());
    }
    LambdaCntr.Result in = cp(new byte[0], big.toString(), WRITABLE + ":/data/big", BULK_LIMIT);
    assertThat(in.exit()).as(in.toString()).isZero();
    assertThat(inTarget(WRITABLE, "md5sum /data/big")).startsWith(digest);
    Files.delete(big);

    Path back = dir.resolve("back");
    LambdaCntr.Result out = cp(new byte[0], WRITABLE + ":/data/big", back.toString(), BULK_LIMIT);
    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(Files.size(back)).isEqualTo(ONE_GIB);
    assertThat(md5(back)).isEqualTo(digest);
    inTarget(WRITABLE, "rm /data/big");
  }

  @Test
  void containerPathsResolveInsideTheTargetsRoot() throws IOException {
    // an absolute link in the target leads to the target's /etc, not the debug image's
    for (String path : List.of("/data/etclink/cp-marker", "/../../data/../etc/cp-marker")) {
      Path copy = dir.resolve("marker" + path.length());
      LambdaCntr.Result r = cp(WRITABLE + ":" + path, copy.toString());
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(Files.readString(copy)).isEqualTo("in-the-target\n");
    }
    // into a link to a directory: below the directory it names in the target
    Path file = Files.writeString(dir.resolve("through-link"), "x\n");
    LambdaCntr.Result in = cp(file.toString(), WRITABLE + ":/data/abs");
    assertThat(in.exit()).as(in.toString()).isZero();
    assertThat(inTarget(WRITABLE, "cat /data/real/through-link; ls -l /data/abs"))
        .startsWith("x\n")
        .contains("/data/abs -> /data/real");
  }

  @Test
  void aReadOnlyNonRootTargetRefusesWritesWithItsOwnErrorAndCanBeRead() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x\n");
    LambdaCntr.Result in = cp(file.toString(), READ_ONLY + ":/tmp/file");
    assertThat(in.exit()).as(in.toString()).isNotZero();
    assertThat(in.stderr()).as(in.toString()).contains("Read-only file system");
    assertThat(inTarget(READ_ONLY, "ls /tmp")).doesNotContain("file");

    Path hostname = dir.resolve("hostname");
    LambdaCntr.Result out = cp(READ_ONLY + ":/etc/hostname", hostname.toString());
    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(Files.readString(hostname)).isEqualTo(inTarget(READ_ONLY, "cat /etc/hostname"));
  }

  @Test
  void theDistrolessTargetGivesItsBinaryAndTakesFilesAsItsUser() throws IOException {
    Path binary = dir.resolve("target-static");
    LambdaCntr.Result out = cp(DISTROLESS + ":/target-static", binary.toString());
    assertThat(out.exit()).as(out.toString()).isZero();
    LambdaCntr.Result sum = lambdaCntr.execute(DISTROLESS, "md5sum", "/var/lib/cntr/target-static");
    assertThat(sum.stdout()).as(sum.toString()).startsWith(md5(binary));
    assertThat(Files.isExecutable(binary)).isTrue();

    Path file = Files.writeString(dir.resolve("note"), "for the target\n");
    LambdaCntr.Result in = cp(file.toString(), DISTROLESS + ":/tmp/");
    assertThat(in.exit()).as(in.toString()).isZero();
    LambdaCntr.Result owner =
        lambdaCntr.execute(DISTROLESS, "stat", "-c", "%u:%g %s", "/var/lib/cntr/tmp/note");
    assertThat(owner.stdout()).as(owner.toString()).isEqualTo("65532:65532 15\n");

    LambdaCntr.Result denied = cp(file.toString(), DISTROLESS + ":/");
    assertThat(denied.exit()).as(denied.toString()).isNotZero();
    assertThat(denied.stderr()).as(denied.toString()).contains("Permission denied");
  }

  @Test
  void aTarStreamOnStdoutAndStdin() throws IOException {
    LambdaCntr.Result out = cp(DISTROLESS + ":/etc", "-");
    assertThat(out.exit()).as(out.toString()).isZero();
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new ByteArrayInputStream(out.stdoutBytes()))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("etc/lambda-cntr-target");

    LambdaCntr.Result in = cp(out.stdoutBytes(), "-", WRITABLE + ":/data");
    assertThat(in.exit()).as(in.toString()).isZero();
    assertThat(inTarget(WRITABLE, "cat /data/etc/lambda-cntr-target")).isEqualTo("target-static\n");
  }

  @Test
  void errorsNameThePathAndHaveTheirOwnExitCodes() {
    LambdaCntr.Result missing = cp(WRITABLE + ":/data/none/such", dir.resolve("x").toString());
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCode.TARGET_PATH.code());
    assertThat(missing.stderr()).contains("/data/none").contains("ENOENT");

    LambdaCntr.Result file = cp(WRITABLE + ":/data/no-file", dir.resolve("x").toString());
    assertThat(file.exit()).as(file.toString()).isEqualTo(ExitCode.TARGET_PATH.code());
    assertThat(file.stderr()).contains("/data/no-file").contains("ENOENT");

    LambdaCntr.Result local = cp(dir.resolve("absent").toString(), WRITABLE + ":/data/");
    assertThat(local.exit()).as(local.toString()).isEqualTo(ExitCode.LOCAL_PATH.code());
    assertThat(local.stderr()).contains("absent").contains("ENOENT");

    LambdaCntr.Result twoPods = cp(WRITABLE + ":/data", READ_ONLY + ":/tmp");
    assertThat(twoPods.exit()).as(twoPods.toString()).isEqualTo(ExitCode.USAGE.code());
    assertThat(dir.resolve("x")).doesNotExist();
  }

  private static List<String> describe(Path root) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted().toList()) {
        String name = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          lines.add(name + " -> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          lines.add(name + "/ " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        } else {
          lines.add(
              name
                  + " "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                  + " "
                  + md5(p));
        }
      }
    }
    return lines;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String md5(byte[] bytes) {
    return HexFormat.of().formatHex(md5().digest(bytes));
  }

  private static String md5(Path file) throws IOException {
    MessageDigest md5 = md5();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md5.digest());
  }
}
