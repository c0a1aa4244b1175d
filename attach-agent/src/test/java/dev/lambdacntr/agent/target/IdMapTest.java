package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import org.junit.jupiter.api.Test;

class IdMapTest {
  private final IdMap map =
      IdMap.parse("         0     100000      65536\n     65536     300000         10\n");

  @Test
  void mapsOutsideIdsIntoTheNamespace() {
    assertThat(map.inside(100000, "uid")).isZero();
    assertThat(map.inside(101000, "uid")).isEqualTo(1000);
    assertThat(map.inside(300005, "uid")).isEqualTo(65541);
  }

  @Test
  void anUnmappedIdIsAnEntryFailure() {
    assertThatThrownBy(() -> map.inside(5, "gid"))
        .isInstanceOfSatisfying(
            CntrException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_ENTER_FAILED))
        .hasMessageStartingWith("cannot map gid 5 into the target's user namespace");
  }
}
