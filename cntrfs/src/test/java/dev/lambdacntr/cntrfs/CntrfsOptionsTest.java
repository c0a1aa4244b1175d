package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CntrfsOptionsTest {
  @Test
  void parsesEveryOption() {
    CntrfsOptions o =
        CntrfsOptions.defaults()
            .with(
                "threads=3,timeout=2.5,passthrough=off,writeback=no,max_inodes=77,clone_fd=off,debug");
    assertThat(o.threads()).isEqualTo(3);
    assertThat(o.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(o.passthrough()).isEqualTo(CntrfsOptions.Passthrough.OFF);
    assertThat(o.writebackCache()).isFalse();
    assertThat(o.maxInodes()).isEqualTo(77);
    assertThat(o.cloneDevice()).isFalse();
    assertThat(o.debug()).isTrue();
  }

  @Test
  void namesTheBadOption() {
    assertThatThrownBy(() -> CntrfsOptions.defaults().with("colour=blue"))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("'colour'")
        .satisfies(e -> assertThat(((CntrException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    assertThatThrownBy(() -> CntrfsOptions.defaults().with("threads=many"))
        .hasMessageContaining("threads")
        .hasMessageContaining("'many'");
    assertThatThrownBy(() -> CntrfsOptions.defaults().with("threads=0"))
        .hasMessageContaining("between 1 and 256");
    assertThatThrownBy(() -> CntrfsOptions.defaults().with("passthrough=maybe"))
        .hasMessageContaining("auto, on or off");
  }
}
