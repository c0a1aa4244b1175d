package dev.lambdacntr.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.agent.view.MountApi;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.sys.Errno;
import org.junit.jupiter.api.Test;

/** {@code --fs auto}'s choice from the probed facts, without a kernel. */
class BackendsTest {

  /** What a kernel with the whole mount API answers: open_tree works, mount_setattr EINVAL. */
  static final MountApi PRESENT = new MountApi(0, Errno.EINVAL);

  @Test
  void autoIsTheMountBackendWhereTheMountApiIsUsable() {
    assertThat(Backends.auto(PRESENT)).isEqualTo(FsBackend.MOUNT);
  }

  @Test
  void autoFailsWithoutOpenTreeForBothBackendsNeedIt() {
    assertThatThrownBy(() -> Backends.auto(new MountApi(Errno.ENOSYS, Errno.ENOSYS)))
        .isInstanceOfSatisfying(
            CntrException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_FILESYSTEM_FAILED))
        .hasMessage(
            "cannot build the view with either backend (--fs auto): the kernel's mount API is"
                + " missing or refused (open_tree: ENOSYS), and mount and fuse both need it"
                + " (open_tree and mount_setattr, Linux 5.12 or later)");
  }

  @Test
  void autoFailsWithoutMountSetattr() {
    assertThatThrownBy(() -> Backends.auto(new MountApi(0, Errno.ENOSYS)))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("(mount_setattr: ENOSYS)");
  }

  @Test
  void aCallRefusedByAFilterCountsAsMissing() {
    assertThatThrownBy(() -> Backends.auto(new MountApi(Errno.EPERM, Errno.EINVAL)))
        .hasMessageContaining("(open_tree: EPERM)");
    assertThatThrownBy(() -> Backends.auto(new MountApi(0, Errno.EPERM)))
        .hasMessageContaining("(mount_setattr: EPERM)");
  }

  @Test
  void anyOtherAnswerOfTheSizeProbeMeansMountSetattrIsThere() {
    assertThat(new MountApi(0, Errno.EINVAL).unusable()).isEmpty();
    assertThat(new MountApi(0, 7).unusable()).isEmpty(); // E2BIG: the kernel looked at the size
  }
}
