package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The set-ID bits a write by a caller without CAP_FSETID clears. */
class SetIdBitsTest {
  @Test
  void setUidAlwaysSetGidOnlyWhenGroupExecutable() {
    assertThat(SetIdBits.clearedByWrite(0106755)).isEqualTo(06000);
    assertThat(SetIdBits.clearedByWrite(04700)).isEqualTo(04000);
    assertThat(SetIdBits.clearedByWrite(02775)).isEqualTo(02000);
    assertThat(SetIdBits.clearedByWrite(02765)).as("set-group-ID without group execute").isZero();
    assertThat(SetIdBits.clearedByWrite(01777)).isZero();
  }
}
