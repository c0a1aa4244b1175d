package dev.lambdacntr.cli.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CopyOperandTest {

  @ParameterizedTest
  @CsvSource({
    "web:/etc/hosts, web, '', /etc, hosts",
    "web:app:/etc/hosts, web, app, /etc, hosts",
    "web:/a:b, web, '', /, a:b",
    "web:app:data/x, web, app, /data, x",
    "web:/, web, '', /, .",
    "web:/../../etc/./passwd, web, '', /etc, passwd",
    "web:/tmp/dir/, web, '', /tmp, dir"
  })
  void readsContainerPaths(
      String argument, String pod, String container, String parent, String name) {
    CopyOperand.Remote remote = (CopyOperand.Remote) CopyOperand.parse(argument);
    assertThat(remote.pod()).isEqualTo(pod);
    assertThat(remote.container())
        .isEqualTo(container.isEmpty() ? Optional.empty() : Optional.of(container));
    assertThat(remote.path().parent()).isEqualTo(parent);
    assertThat(remote.path().name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "./a:b", "/tmp/x:y", "../up", "dir/sub"})
  void readsLocalPaths(String argument) {
    assertThat(CopyOperand.parse(argument)).isEqualTo(new CopyOperand.Local(Path.of(argument)));
  }

  @Test
  void readsTheStream() {
    assertThat(CopyOperand.parse("-")).isInstanceOf(CopyOperand.Stream.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {":/etc", "web:", "web::/x", "web:app:", ""})
  void refusesWhatNamesNothing(String argument) {
    assertThatThrownBy(() -> CopyOperand.parse(argument))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE));
  }

  @Test
  void theRootsFullPathIsSlash() {
    assertThat(TargetPath.of("/..").full()).isEqualTo("/");
    assertThat(TargetPath.of("/..").isRoot()).isTrue();
    assertThat(TargetPath.of("a/b").full()).isEqualTo("/a/b");
  }
}
