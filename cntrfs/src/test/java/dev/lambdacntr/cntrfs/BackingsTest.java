package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How open files of one inode share their way to the data, without a kernel: the kernel fails an
 * open without the backing while another open file of the inode uses it.
 */
class BackingsTest {
  private final Backings backings = new Backings(true, false, m -> {});
  private final Inode inode = new Inode(2, 1, 1, -1, 0100000);

  @Test
  void anInodeWithABackingKeepsItForEveryOpenEvenUnwanted() {
    inode.backingId = 7;
    assertThat(backings.attach(inode, -1, -1, false)).isEqualTo(7);
    assertThat(backings.attach(inode, -1, -1, true)).isEqualTo(7);
    assertThat(inode.opens).isEqualTo(2);
  }
}
