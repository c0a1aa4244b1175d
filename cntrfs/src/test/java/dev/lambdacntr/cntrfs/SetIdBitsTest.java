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

  @Test
  void chownToMinusOneClearsSetIdOnlyForTheOwnerRootOrAPossibleWriter() {
    assertThat(SetIdBits.chownMayClear(4000, 4000, 0106755)).as("owner").isTrue();
    assertThat(SetIdBits.chownMayClear(0, 4000, 0106755)).as("root").isTrue();
    assertThat(SetIdBits.chownMayClear(65534, 4000, 0106755)).as("another user").isFalse();
    assertThat(SetIdBits.chownMayClear(65534, 4000, 0106757))
        .as("another user who may write")
        .isTrue();
    assertThat(SetIdBits.chownMayClear(65534, 4000, 0100755)).as("nothing to clear").isTrue();
    assertThat(SetIdBits.chownMayClear(65534, 4000, 042755))
        .as("a directory keeps its bits")
        .isTrue();
  }
}
