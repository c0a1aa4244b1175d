package dev.lambdacntr.cli.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local halves of cp against each other and against GNU tar (the program the session runs):
 * what is packed arrives with names, content, modes and links, and a hostile archive writes nothing
 * outside the destination.
 */
class ArchiveRoundTripTest {

  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();
  private final TransferMeter meter =
      TransferMeter.start(new PrintStream(OutputStream.nullOutputStream()), true);

  private Path tree() throws IOException {
    Path source = Files.createDirectories(dir.resolve("src/a.b&c"));
    Files.writeString(source.resolve("text"), "hello\n");
    byte[] binary = new byte[300_000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 31 + 7);
    }
    Files.write(source.resolve("binary"), binary);
    Files.setPosixFilePermissions(
        source.resolve("binary"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createDirectories(source.resolve("sub/deeper"));
    Files.writeString(source.resolve("sub/deeper/" + "n".repeat(120)), "long name\n");
    Files.createSymbolicLink(source.resolve("outside"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(source.resolve("inside"), Path.of("sub"));
    return source;
  }

  private byte[] pack(Path source, String top) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ArchivePacker(warnings::add, meter).pack(source, top, out);
    return out.toByteArray();
  }

  private ArchiveExtractor extractor(Path destination, String top) {
    return new ArchiveExtractor(destination, top, warnings::add, meter);
  }

  @Test
  void aTreeArrivesAsItWas() throws IOException {
    Path source = tree();
    byte[] archive = pack(source, "a.b&c");
    Path copy = dir.resolve("copy");
    extractor(copy, "a.b&c").extract(new ByteArrayInputStream(archive));

    assertSameTree(source, copy);
    assertThat(Files.readSymbolicLink(copy.resolve("outside"))).isEqualTo(Path.of("/etc/passwd"));
    assertThat(Files.getPosixFilePermissions(copy.resolve("binary")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(warnings).isEmpty();
  }

  @Test
  void gnuTarRenamesTheTopEntryAsTheSessionAsksAndKeepsLinks() throws Exception {
    Path source = tree();
    byte[] archive = pack(source, "a.b&c");
    Path into = Files.createDirectories(dir.resolve("target"));
    String expression = RemoteTar.write(TargetPath.of("/x/new.name&1"), "a.b&c").getLast();
    Process tar =
        new ProcessBuilder(
                "tar", "-x", "-p", "--no-same-owner", "--transform", expression, "-f", "-")
            .directory(into.toFile())
            .redirectErrorStream(true)
            .start();
    try (var in = tar.getOutputStream()) {
      in.write(archive);
    }
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as(output).isZero();

    assertSameTree(source, into.resolve("new.name&1"));
    assertThat(Files.readSymbolicLink(into.resolve("new.name&1/inside"))).isEqualTo(Path.of("sub"));
  }

  @Test
  void gnuTarsArchiveOfTheRootIsWrittenIntoTheDestination() throws Exception {
    Path source = tree();
    Process tar =
        new ProcessBuilder("tar", "-c", "-f", "-", "--", ".").directory(source.toFile()).start();
    byte[] archive = tar.getInputStream().readAllBytes();
    assertThat(tar.waitFor()).isZero();
    Path copy = dir.resolve("root-copy");
    extractor(copy, ".").extract(new ByteArrayInputStream(archive));
    assertSameTree(source, copy);
  }

  @Test
  void entriesThatClimbOutAreRefused() throws IOException {
    Path copy = dir.resolve("copy");
    for (String name : List.of("top/../../escaped", "/etc/escaped", "other/escaped")) {
      byte[] archive = archive(List.of(file(name, "x")));
      assertThatThrownBy(() -> extractor(copy, "top").extract(new ByteArrayInputStream(archive)))
          .as(name)
          .isInstanceOfSatisfying(
              CntrException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.LOCAL_PATH);
                assertThat(e.getMessage()).contains("refused entry");
              });
    }
    assertThat(dir.resolve("escaped")).doesNotExist();
    assertThat(dir.getParent().resolve("escaped")).doesNotExist();
  }

  @Test
  void nothingIsWrittenThroughALinkTheArchiveMade() throws IOException {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    TarArchiveEntry link = new TarArchiveEntry("top/link", TarConstants.LF_SYMLINK);
    link.setLinkName(outside.toString());
    TarArchiveEntry hard = new TarArchiveEntry("top/hard", TarConstants.LF_LINK);
    hard.setLinkName("/etc/passwd");
    Path copy = dir.resolve("copy");

    byte[] through = archive(List.of(directory("top/"), link, file("top/link/planted", "x")));
    assertThatThrownBy(() -> extractor(copy, "top").extract(new ByteArrayInputStream(through)))
        .hasMessageContaining("symbolic link");
    byte[] hardLink = archive(List.of(directory("top/"), hard));
    assertThatThrownBy(() -> extractor(copy, "top").extract(new ByteArrayInputStream(hardLink)))
        .hasMessageContaining("refused entry /etc/passwd");
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void devicesAreSkippedAndSetuidDropped() throws IOException {
    TarArchiveEntry device = new TarArchiveEntry("top/null", TarConstants.LF_CHR);
    TarArchiveEntry setuid = file("top/tool", "#!/bin/sh\n");
    setuid.setMode(0104755);
    Path copy = dir.resolve("copy");
    extractor(copy, "top")
        .extract(new ByteArrayInputStream(archive(List.of(directory("top/"), device, setuid))));

    assertThat(copy.resolve("null")).doesNotExist();
    assertThat(warnings).singleElement().asString().contains("top/null");
    assertThat(Files.getPosixFilePermissions(copy.resolve("tool")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Files.getAttribute(copy.resolve("tool"), "unix:mode")).isEqualTo(0100755);
  }

  private static TarArchiveEntry file(String name, String content) {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length());
    entry.setMode(0100644);
    return entry;
  }

  private static TarArchiveEntry directory(String name) {
    return new TarArchiveEntry(name);
  }

  private static byte[] archive(List<TarArchiveEntry> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (TarArchiveEntry entry : entries) {
        tar.putArchiveEntry(entry);
        if (entry.isFile() && entry.getSize() > 0) {
          tar.write(new byte[(int) entry.getSize()]);
        }
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  private static void assertSameTree(Path expected, Path actual) throws IOException {
    List<String> want = describe(expected);
    assertThat(describe(actual)).isEqualTo(want);
  }

  private static List<String> describe(Path root) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted().toList()) {
        String relative = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          lines.add(relative + " -> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          lines.add(
              relative + "/ " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        } else {
          lines.add(
              relative
                  + " "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                  + " "
                  + java.util.HexFormat.of()
                      .formatHex(
                          java.security.MessageDigest.getInstance("SHA-256")
                              .digest(Files.readAllBytes(p)))
                  + " "
                  + Files.getLastModifiedTime(p).toMillis() / 1000);
        }
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return lines;
  }
}
