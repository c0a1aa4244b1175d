package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotHoldTest {
  @TempDir Path tmp;

  @Test
  void theHoldKeepsEveryFileWhenTheSnapshotGoes() throws IOException {
    Path upper = Files.createDirectories(tmp.resolve("snapshots/41/fs"));
    Files.writeString(upper.resolve("marker"), "crashed at 3\n");
    Path etc = Files.createDirectory(upper.resolve("etc"));
    Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwx--x---"));
    Files.writeString(etc.resolve("app.yaml"), "port: 80\n");
    Files.createSymbolicLink(upper.resolve("out"), Path.of("/etc/shadow"));

    Path base = tmp.resolve("holds");
    SnapshotHold hold = SnapshotHold.create(base);
    assertThat(hold.hold(upper)).isTrue();
    Path files = hold.files().orElseThrow();

    // containerd removes the snapshot: the hold's names stay
    deleteTree(tmp.resolve("snapshots"));
    assertThat(files.resolve("marker")).hasContent("crashed at 3");
    assertThat(files.resolve("etc/app.yaml")).hasContent("port: 80");
    assertThat(Files.getPosixFilePermissions(files.resolve("etc")))
        .isEqualTo(PosixFilePermissions.fromString("rwx--x---"));
    assertThat(Files.readSymbolicLink(files.resolve("out"))).isEqualTo(Path.of("/etc/shadow"));
    assertThat(Files.isDirectory(hold.info())).isTrue();

    hold.close();
    try (var left = Files.list(base)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aSweepRemovesTheHoldsOfProcessesThatAreGone() throws IOException {
    Path base = tmp.resolve("holds");
    SnapshotHold mine = SnapshotHold.create(base);
    Path orphan = Files.createDirectories(base.resolve("999999999-1-1/files/x"));
    Path stranger = Files.createDirectories(base.resolve("not-a-hold"));

    SnapshotHold.sweep(base);

    assertThat(Files.exists(orphan.getParent().getParent(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.exists(stranger)).isFalse();
    assertThat(Files.isDirectory(mine.info())).isTrue();
    mine.close();
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
