package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplyTest {
  private static long makedev(long major, long minor) {
    return Posix.makedev(major, minor);
  }

  @Test
  void deviceNumbersSurviveTheKernelEncoding() {
    for (long[] mm : new long[][] {{1, 3}, {8, 17}, {259, 70000}, {4095, 255}, {0, 0}}) {
      long dev = makedev(mm[0], mm[1]);
      assertThat(Reply.decodeDev(Reply.encodeDev(dev))).as("%d:%d", mm[0], mm[1]).isEqualTo(dev);
    }
    // new_encode_dev(MKDEV(8, 17)) as the kernel computes it
    assertThat(Reply.encodeDev(makedev(8, 17))).isEqualTo((17 & 0xff) | (8 << 8));
  }
}
