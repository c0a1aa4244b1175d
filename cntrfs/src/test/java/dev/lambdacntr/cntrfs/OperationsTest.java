package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cntrfs.fuse.Opcode;
import dev.lambdacntr.sys.Errno;
import org.junit.jupiter.api.Test;

/** The dispatcher's contract, without a kernel: unknown operations answer ENOSYS. */
class OperationsTest {
  private final Operations ops =
      new Operations(
          new InodeTable(-1, 0, 0, 0040000, 1000),
          -1,
          CntrfsOptions.defaults(),
          new Backings(false, false, m -> {}));
  private final Worker worker = new Worker(null, ops, -1, 8192);

  @Test
  void unknownAndUnsupportedOperationsAnswerEnosys() {
    for (int opcode :
        new int[] {
          Opcode.ACCESS,
          Opcode.FLUSH,
          Opcode.GETLK,
          Opcode.SETLK,
          Opcode.BMAP,
          Opcode.IOCTL,
          Opcode.POLL,
          Opcode.TMPFILE,
          Opcode.STATX,
          Opcode.COPY_FILE_RANGE_64,
          99,
          4096
        }) {
      assertThat(ops.dispatch(opcode, worker)).as("opcode %d", opcode).isEqualTo(-Errno.ENOSYS);
    }
  }

  @Test
  void requestsForUnknownNodesAreStaleNotCrashes() {
    worker.request.reset(40 + 64);
    for (int opcode : new int[] {Opcode.GETATTR, Opcode.LOOKUP, Opcode.OPEN, Opcode.MKDIR}) {
      assertThat(ops.dispatch(opcode, worker)).as("opcode %d", opcode).isEqualTo(-Errno.ESTALE);
    }
  }

  @Test
  void interruptsAndForgetsGetNoReply() {
    worker.request.reset(40 + 16);
    assertThat(ops.dispatch(Opcode.INTERRUPT, worker)).isEqualTo(Operations.NO_REPLY);
    assertThat(ops.dispatch(Opcode.FORGET, worker)).isEqualTo(Operations.NO_REPLY);
    assertThat(ops.dispatch(Opcode.BATCH_FORGET, worker)).isEqualTo(Operations.NO_REPLY);
  }
}
