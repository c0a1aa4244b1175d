package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TtyTest {

  @Test
  void terminalDevicesAreRecognised() {
    assertThat(Tty.isTerminalDevice("/dev/pts/3")).isTrue();
    assertThat(Tty.isTerminalDevice("/dev/tty1")).isTrue();
    assertThat(Tty.isTerminalDevice("/dev/console")).isTrue();
    assertThat(Tty.isTerminalDevice("pipe:[12345]")).isFalse();
    assertThat(Tty.isTerminalDevice("/dev/null")).isFalse();
    assertThat(Tty.isTerminalDevice("/tmp/out.tar")).isFalse();
  }

  @Test
  void surefiresStdinIsNotATerminal() {
    // the forked test JVM reads its stdin from a pipe
    assertThat(Tty.isTerminal(0)).isFalse();
  }
}
