package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CgroupMembershipTest {
  private static final String ID = "3f4e5d6c7b8a";

  private static boolean matches(String procCgroup) {
    return CgroupMembership.mentions(procCgroup, CgroupMembership.containerPattern(ID));
  }

  @Test
  void recognisesTheRuntimesCgroupNames() {
    assertThat(matches("4:memory:/kubepods/besteffort/pod1234/" + ID + "\n")).isTrue();
    assertThat(matches("1:name=systemd:/kubepods.slice/x.slice/cri-containerd-" + ID + ".scope\n"))
        .isTrue();
    assertThat(matches("0::/system.slice/docker-" + ID + ".scope\n")).isTrue();
    assertThat(matches("0::/kubepods.slice/crio-" + ID + ".scope/container\n")).isTrue();
    assertThat(matches("0::/default/" + ID + "\n")).isTrue();
  }

  @Test
  void doesNotTakeAnotherContainerWhoseIdMerelyContainsIt() {
    assertThat(matches("0::/default/" + ID + "ff\n")).isFalse();
    assertThat(matches("0::/default/aa" + ID + "\n")).isFalse();
    assertThat(matches("0::/" + ID.substring(1) + "\n")).isFalse();
  }

  @Test
  void looksAtPathsNotControllerNames() {
    Pattern memory = CgroupMembership.containerPattern("memory");
    assertThat(CgroupMembership.mentions("4:memory:/kubepods/x\n", memory)).isFalse();
  }

  static final String CID = "5d1e0f8c2b7a9e4f1c3d6b8a0e2f4c6d8b0a2e4f6c8d0b2a4e6f8c0d2b4a6e8f";
  static final String UID = "9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8";
  static final String OTHER_UID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

  /**
   * Real paths of each runtime and driver, as the test bed's nodes and kubelet's docs show them.
   */
  static final java.util.List<String> PATHS =
      java.util.List.of(
          "0::/kubepods/besteffort/pod" + UID + "/" + CID + "\n",
          "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
              + UID.replace('-', '_')
              + ".slice/cri-containerd-"
              + CID
              + ".scope\n",
          "0::/kubepods.slice/kubepods-pod"
              + UID.replace('-', '_')
              + ".slice/docker-"
              + CID
              + ".scope\n",
          "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
              + UID.replace('-', '_')
              + ".slice/crio-"
              + CID
              + ".scope/container\n",
          "12:memory:/kubepods/pod"
              + UID
              + "/"
              + CID
              + "\n1:name=systemd:/kubepods/pod"
              + UID
              + "/"
              + CID
              + "\n");

  @Test
  void aProcessOfTheContainerOfThePodBelongs() {
    for (String path : PATHS) {
      assertThat(CgroupMembership.mismatch(path, CID, Optional.of(UID))).as(path).isEmpty();
      assertThat(CgroupMembership.mismatch(path, CID, Optional.empty())).as(path).isEmpty();
    }
  }

  @Test
  void anotherPodOrContainerIsNotAMatch() {
    for (String path : PATHS) {
      assertThat(CgroupMembership.mismatch(path, CID, Optional.of(OTHER_UID)))
          .as(path)
          .hasValueSatisfying(why -> assertThat(why).contains("not below pod " + OTHER_UID));
      assertThat(CgroupMembership.mismatch(path, CID.substring(0, 12), Optional.of(UID)))
          .as("a prefix of the ID: %s", path)
          .hasValueSatisfying(why -> assertThat(why).contains("no cgroup path"));
    }
  }

  @Test
  void thePodMustBeAboveTheContainerAndAWholeComponent() {
    // the pod UID only in the container's own name, or as a part of another component
    assertThat(
            CgroupMembership.mismatch(
                "0::/kubepods/besteffort/x" + CID + "/pod" + UID + "\n", CID, Optional.of(UID)))
        .isPresent();
    assertThat(
            CgroupMembership.mismatch(
                "0::/kubepods/besteffort/notpod" + UID + "/" + CID + "\n", CID, Optional.of(UID)))
        .isPresent();
    assertThat(
            CgroupMembership.mismatch(
                "0::/kubepods/besteffort/pod" + UID + "x/" + CID + "\n", CID, Optional.of(UID)))
        .isPresent();
  }
}
