package dev.lambdacntr.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodeTest {

  @Test
  void everyCodeIsDistinct() {
    assertThat(Arrays.stream(ExitCode.values()).map(ExitCode::code)).doesNotHaveDuplicates();
  }

  @Test
  void failureCodesStayOutOfTheSignalRange() {
    assertThat(Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code))
        .allSatisfy(code -> assertThat(code).isBetween(0, 127));
  }
}
