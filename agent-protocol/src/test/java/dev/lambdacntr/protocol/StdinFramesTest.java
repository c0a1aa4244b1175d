package dev.lambdacntr.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StdinFramesTest {
  @Test
  void aFrameIsItsBigEndianLengthThenItsBytes() {
    byte[] data = new byte[300];
    data[1] = 7;
    data[299] = 9;
    byte[] frame = StdinFrames.frame(data, 1, 299);
    assertThat(frame).hasSize(303).startsWith(0, 0, 1, 43, 7);
    assertThat(frame[302]).isEqualTo((byte) 9);
    assertThat(StdinFrames.end()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void anEmptyDataFrameWouldEndTheInputAndIsRefused() {
    assertThatThrownBy(() -> StdinFrames.frame(new byte[1], 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
