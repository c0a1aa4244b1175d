package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecurityLabelTest {
  @Test
  void anAppArmorProfileIsAppliedOnExecWithoutItsMode() {
    assertThat(
            SecurityLabel.fromAppArmor(
                "cri-containerd.apparmor.d (enforce)\n", "attr/apparmor/exec"))
        .contains(new SecurityLabel("attr/apparmor/exec", "exec cri-containerd.apparmor.d"));
  }

  @Test
  void unconfinedTargetsNeedNoLabel() {
    assertThat(SecurityLabel.fromAppArmor("unconfined\n", "attr/exec")).isEmpty();
    assertThat(SecurityLabel.fromSelinux("")).isEmpty();
  }

  @Test
  void anSelinuxContextIsAppliedAsIs() {
    assertThat(SecurityLabel.fromSelinux("system_u:system_r:container_t:s0:c1,c2\0"))
        .contains(new SecurityLabel("attr/exec", "system_u:system_r:container_t:s0:c1,c2"));
  }
}
