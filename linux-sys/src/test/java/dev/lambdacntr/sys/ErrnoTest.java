package dev.lambdacntr.sys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void namesTheErrnosBothCntrfsAndTheAgentReport() {
    assertThat(Errno.name(Errno.EPERM)).isEqualTo("EPERM");
    assertThat(Errno.name(Errno.ENOENT)).isEqualTo("ENOENT");
    assertThat(Errno.name(Errno.ESRCH)).isEqualTo("ESRCH");
    assertThat(Errno.name(Errno.ENOSYS)).isEqualTo("ENOSYS");
    assertThat(Errno.name(Errno.ESTALE)).isEqualTo("ESTALE");
    assertThat(Errno.name(Errno.ENOTCONN)).isEqualTo("ENOTCONN");
    assertThat(Errno.name(15)).isEqualTo("ENOTBLK");
    assertThat(Errno.name(35)).isEqualTo("EDEADLOCK");
    assertThat(Errno.name(122)).isEqualTo("EDQUOT");
    assertThat(Errno.name(132)).isEqualTo("ERFKILL");
  }

  @Test
  void namesNumber95ByTheKernelsName() {
    assertThat(Errno.EOPNOTSUPP).isEqualTo(95);
    assertThat(Errno.name(95)).isEqualTo("EOPNOTSUPP");
  }

  @Test
  void aNegatedErrnoHasTheSameName() {
    assertThat(Errno.name(-Errno.EACCES)).isEqualTo("EACCES");
    assertThat(Errno.name(-Errno.EOPNOTSUPP)).isEqualTo("EOPNOTSUPP");
  }

  @Test
  void numbersWithoutANameAreShownAsNumbers() {
    assertThat(Errno.name(0)).isEqualTo("errno 0");
    assertThat(Errno.name(41)).isEqualTo("errno 41");
    assertThat(Errno.name(133)).isEqualTo("errno 133");
    assertThat(Errno.name(100000)).isEqualTo("errno 100000");
    assertThat(Errno.name(Integer.MIN_VALUE + 1)).isEqualTo("errno " + Integer.MAX_VALUE);
  }

  @Test
  void everyConstantIsNamedAfterItself() throws IllegalAccessException {
    for (var field : Errno.class.getFields()) {
      if (field.getType() == int.class) {
        assertThat(Errno.name(field.getInt(null))).as(field.getName()).isEqualTo(field.getName());
      }
    }
  }
}
