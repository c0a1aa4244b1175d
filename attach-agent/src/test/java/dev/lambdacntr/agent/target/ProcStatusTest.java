package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatusTest {
  private static final String STATUS =
      """
      Name:\tsleep
      State:\tS (sleeping)
      Uid:\t1000\t1001\t1002\t1003
      Gid:\t2000\t2001\t2002\t2003
      Groups:\t10 20 \t
      CapInh:\t0000000000000000
      CapPrm:\t00000000a80425fb
      CapEff:\t00000000a80425fb
      CapBnd:\t000001ffffffffff
      CapAmb:\t0000000000000400
      NoNewPrivs:\t1
      """;

  @Test
  void readsEffectiveIdsGroupsCapabilitiesAndNoNewPrivs() {
    ProcStatus status = ProcStatus.parse(STATUS, 42);
    assertThat(status.uid()).isEqualTo(1001);
    assertThat(status.gid()).isEqualTo(2001);
    assertThat(status.groups()).containsExactly(10L, 20L);
    assertThat(status.capabilities())
        .isEqualTo(new Capabilities(0x1ffffffffffL, 0xa80425fbL, 0xa80425fbL, 0, 0x400));
    assertThat(status.noNewPrivs()).isTrue();
    assertThat(status.state()).isEqualTo('S');
  }

  @Test
  void aMissingLineNamesTheFile() {
    assertThatThrownBy(() -> ProcStatus.parse("Name:\tx\nState:\tR\n", 7))
        .isInstanceOf(CntrException.class)
        .hasMessage("no Uid line in /proc/7/status");
  }

  @Test
  void theHelperGetsTheSetsInItsOrder() {
    assertThat(new Capabilities(1, 2, 3, 4, 5).helperArgument())
        .isEqualTo(
            String.join(
                ",",
                List.of(
                    "0000000000000001",
                    "0000000000000002",
                    "0000000000000003",
                    "0000000000000004",
                    "0000000000000005")));
  }

  @Test
  void theKernelsLastCapabilityIsReadWhole() throws Exception {
    // Files.readString returned "4" of this file's "40\n": the bounding set kept capabilities
    Process cat = new ProcessBuilder("cat", "/proc/sys/kernel/cap_last_cap").start();
    int expected = Integer.parseInt(new String(cat.getInputStream().readAllBytes()).strip());
    assertThat(Capabilities.kernelLastCap()).isEqualTo(expected).isGreaterThanOrEqualTo(36);
  }
}
