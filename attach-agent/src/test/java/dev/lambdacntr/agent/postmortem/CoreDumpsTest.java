package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreDumpsTest {
  @TempDir Path tmp;

  /** An ELF header of {@code type} in {@code order}, padded as a real file would be. */
  private static byte[] elf(short type, ByteOrder order) {
    ByteBuffer header = ByteBuffer.allocate(64).order(order);
    header.put(new byte[] {0x7f, 'E', 'L', 'F', 2, (byte) (order == ByteOrder.BIG_ENDIAN ? 2 : 1)});
    header.putShort(16, type);
    return header.array();
  }

  private static Path write(Path file, byte[] bytes, long secondsAgo) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
    return file;
  }

  @Test
  void coresAreFoundByContentNewestFirstAndNothingElse() throws Exception {
    Path written = Files.createDirectory(tmp.resolve("fs"));
    write(written.resolve("app/core"), elf((short) 4, ByteOrder.LITTLE_ENDIAN), 60);
    write(written.resolve("tmp/core.app.7"), elf((short) 4, ByteOrder.BIG_ENDIAN), 5);
    write(written.resolve("tmp/app"), elf((short) 2, ByteOrder.LITTLE_ENDIAN), 1);
    write(written.resolve("tmp/core"), "not a core, only its name".getBytes(), 1);
    write(written.resolve("tmp/short"), new byte[] {0x7f, 'E', 'L', 'F'}, 1);
    Files.createSymbolicLink(written.resolve("tmp/link"), written.resolve("app/core"));
    // a FIFO must not block the search
    Process mkfifo = new ProcessBuilder("mkfifo", written.resolve("tmp/fifo").toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();

    List<CoreDumps.Found> found = CoreDumps.find(written);

    assertThat(found)
        .extracting(f -> f.path().toString())
        .containsExactly("tmp/core.app.7", "app/core");
  }

  @Test
  void aHeldRunGetsTheNewestCoreLinkedAndTheListAndPattern() throws IOException {
    Path written = Files.createDirectory(tmp.resolve("files"));
    write(written.resolve("core"), elf((short) 4, ByteOrder.LITTLE_ENDIAN), 30);
    Path newest =
        write(written.resolve("var/crash/core.9"), elf((short) 4, ByteOrder.LITTLE_ENDIAN), 2);
    Path dir = Files.createDirectories(tmp.resolve("info/.lambda-cntr"));

    assertThat(CoreDumps.collect(dir, written, true, "core")).contains("/var/crash/core.9");

    assertThat(dir.resolve("core")).hasSameBinaryContentAs(newest);
    assertThat(Files.isSymbolicLink(dir.resolve("core"))).isFalse();
    assertThat(dir.resolve("cores")).hasContent("/var/crash/core.9\n/core");
    assertThat(dir.resolve("core-pattern")).hasContent("core");
  }

  @Test
  void anUnheldRunGetsARelativeLinkThatResolvesInTheTargetsRoot() throws IOException {
    Path written = Files.createDirectory(tmp.resolve("upper"));
    write(written.resolve("tmp/core"), elf((short) 4, ByteOrder.LITTLE_ENDIAN), 2);
    Path dir = Files.createDirectories(tmp.resolve("info/.lambda-cntr"));

    CoreDumps.collect(dir, written, false, "core");

    assertThat(Files.readSymbolicLink(dir.resolve("core"))).isEqualTo(Path.of("../tmp/core"));
  }

  @Test
  void aRunWithoutCoresSaysSoAndHasNoCoreFile() throws IOException {
    Path written = Files.createDirectory(tmp.resolve("files"));
    write(written.resolve("tmp/marker"), "crashed".getBytes(), 1);
    Path dir = Files.createDirectories(tmp.resolve("info/.lambda-cntr"));

    assertThat(CoreDumps.collect(dir, written, true, "|/usr/lib/systemd/systemd-coredump %P"))
        .isEmpty();

    assertThat(Files.exists(dir.resolve("core"))).isFalse();
    assertThat(dir.resolve("cores")).hasContent("");
    assertThat(dir.resolve("core-pattern")).hasContent("|/usr/lib/systemd/systemd-coredump %P");
  }
}
