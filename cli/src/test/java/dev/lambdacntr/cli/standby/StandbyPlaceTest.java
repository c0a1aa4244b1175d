package dev.lambdacntr.cli.standby;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandbyPlaceTest {

  private static final Map<String, String> ENV =
      Map.of("HOME", "/home/dev", "KUBECONFIG", "/home/dev/.kube/config", "_", "/usr/bin/x");

  @Test
  void theKeyNamesTheJarTheNameTheDirectoryAndTheEnvironmentButNotUnderscore() {
    String key = StandbyPlace.key("jar\0" + 1 + "\0" + 2, "lambda-cntr", "/work", ENV);

    assertThat(key).matches("[0-9a-f]{16}");
    assertThat(StandbyPlace.key("jar\0" + 1 + "\0" + 2, "lambda-cntr", "/work", ENV))
        .isEqualTo(key);
    assertThat(
            StandbyPlace.key(
                "jar\0" + 1 + "\0" + 2,
                "lambda-cntr",
                "/work",
                Map.of("HOME", "/home/dev", "KUBECONFIG", "/home/dev/.kube/config", "_", "/b")))
        .isEqualTo(key);
    assertThat(StandbyPlace.key("jar\0" + 1 + "\0" + 3, "lambda-cntr", "/work", ENV))
        .isNotEqualTo(key);
    assertThat(StandbyPlace.key("jar\0" + 1 + "\0" + 2, "kubectl cntr", "/work", ENV))
        .isNotEqualTo(key);
    assertThat(StandbyPlace.key("jar\0" + 1 + "\0" + 2, "lambda-cntr", "/work/sub", ENV))
        .isNotEqualTo(key);
    assertThat(
            StandbyPlace.key(
                "jar\0" + 1 + "\0" + 2,
                "lambda-cntr",
                "/work",
                Map.of("HOME", "/home/dev", "KUBECONFIG", "/other", "_", "/usr/bin/x")))
        .isNotEqualTo(key);
  }

  @Test
  void theDirectoryIsInTheRuntimeDirectoryElseInTmpByUserId(@TempDir Path runtime) {
    assertThat(StandbyPlace.directory(Map.of("XDG_RUNTIME_DIR", runtime.toString()), 1000))
        .isEqualTo(runtime.resolve("lambda-cntr"));
    assertThat(StandbyPlace.directory(Map.of("XDG_RUNTIME_DIR", "relative"), 1000))
        .isEqualTo(Path.of("/tmp/lambda-cntr-1000"));
    assertThat(StandbyPlace.directory(Map.of(), 1000)).isEqualTo(Path.of("/tmp/lambda-cntr-1000"));
  }

  @Test
  void onlyADirectoryOfTheUserAloneIsPrivate(@TempDir Path runtime) throws IOException {
    int uid = (Integer) Files.getAttribute(runtime, "unix:uid");
    StandbyPlace place = new StandbyPlace(runtime.resolve("lambda-cntr"), "0123456789abcdef");

    assertThat(place.isPrivate(uid)).isFalse(); // not there yet
    assertThat(place.makePrivate(uid)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(place.directory())))
        .isEqualTo("rwx------");
    assertThat(place.isPrivate(uid + 1)).isFalse();

    Files.setPosixFilePermissions(place.directory(), PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(place.isPrivate(uid)).isFalse();
    assertThat(place.makePrivate(uid)).isFalse();

    Path elsewhere = Files.createDirectory(runtime.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
    Files.delete(place.directory());
    Files.createSymbolicLink(place.directory(), elsewhere);
    assertThat(place.isPrivate(uid)).as("a link to a private directory").isFalse();
  }
}
