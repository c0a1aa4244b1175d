package dev.lambdacntr.agent.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CntrLayoutTest {
  @Test
  void targetPathsMoveBelowVarLibCntr() {
    assertThat(CntrLayout.underTargetRoot("/")).isEqualTo("/var/lib/cntr");
    assertThat(CntrLayout.underTargetRoot("")).isEqualTo("/var/lib/cntr");
    assertThat(CntrLayout.underTargetRoot("/srv/app")).isEqualTo("/var/lib/cntr/srv/app");
    assertThat(CntrLayout.underTargetRoot("srv")).isEqualTo("/var/lib/cntr/srv");
  }
}
