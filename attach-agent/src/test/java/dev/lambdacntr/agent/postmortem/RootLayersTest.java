package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootLayersTest {
  private static final String SNAPSHOTS =
      "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots";

  @Test
  void anOverlaySnapshotHasItsUpperAndLowersTopFirst() {
    RootLayers layers =
        RootLayers.of(
            List.of(
                new RuntimeApi.Mount(
                    "overlay",
                    "overlay",
                    List.of(
                        "index=off",
                        "workdir=" + SNAPSHOTS + "/41/work",
                        "upperdir=" + SNAPSHOTS + "/41/fs",
                        "lowerdir=" + SNAPSHOTS + "/7/fs:" + SNAPSHOTS + "/6/fs"))),
            "key");
    assertThat(layers.upper()).isEqualTo(SNAPSHOTS + "/41/fs");
    assertThat(layers.lowers()).containsExactly(SNAPSHOTS + "/7/fs", SNAPSHOTS + "/6/fs");
  }

  @Test
  void aSnapshotWithoutParentsIsABind() {
    RootLayers layers =
        RootLayers.of(
            List.of(new RuntimeApi.Mount("bind", SNAPSHOTS + "/3/fs", List.of("rbind", "rw"))),
            "key");
    assertThat(layers.upper()).isEqualTo(SNAPSHOTS + "/3/fs");
    assertThat(layers.lowers()).isEmpty();
  }

  @Test
  void otherSnapshottersAreNamedInTheRefusal() {
    assertThatThrownBy(
            () ->
                RootLayers.of(
                    List.of(new RuntimeApi.Mount("btrfs", "/dev/sda2", List.of())), "abc"))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("snapshot abc) is a mount of type btrfs");
    assertThatThrownBy(() -> RootLayers.of(List.of(), "abc")).hasMessageContaining("is 0 mounts");
  }
}
