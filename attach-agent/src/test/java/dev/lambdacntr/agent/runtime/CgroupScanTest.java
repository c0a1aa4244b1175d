package dev.lambdacntr.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CgroupScanTest {
  private static final String ID = "3f4e5d6c7b8a";

  private static boolean matches(String procCgroup) {
    return CgroupScan.mentions(procCgroup, CgroupScan.namePattern(ID));
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
    Pattern memory = CgroupScan.namePattern("memory");
    assertThat(CgroupScan.mentions("4:memory:/kubepods/x\n", memory)).isFalse();
  }
}
