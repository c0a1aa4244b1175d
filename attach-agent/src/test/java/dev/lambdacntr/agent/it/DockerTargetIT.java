package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A container that Docker started, outside Kubernetes, entered by the standalone agent with its
 * full ID (as {@code docker inspect} gives it) or its short one (as {@code docker ps} prints it),
 * like cntr's {@code -t docker}: found in the cgroup tree under Docker's name for it, with either
 * backend, and left running and unchanged.
 */
class DockerTargetIT {
  private static final String IMAGE = "lambda-cntr-agent-it/busybox:" + TargetImages.TAG;

  static DockerHarness docker;
  static String id;

  @BeforeAll
  static void start() throws Exception {
    docker = DockerHarness.start();
    Path work = Files.createDirectories(DockerHarness.STATE.resolve("images"));
    docker.load(TargetImages.busybox(work), TargetImages.TAG, IMAGE);
    id =
        DockerHarness.dockerChecked(
            "run", "--detach", "--network", "none", IMAGE, "/bin/sleep", "1000000");
  }

  @AfterAll
  static void stop() {
    if (docker != null) {
      docker.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theAgentEntersADockerContainerByItsId(String fs) {
    Commands.Result result =
        Agent.attach(
            List.of(
                id,
                "--fs",
                fs,
                "--",
                "sh",
                "-c",
                "tr '\\0' ' ' </proc/1/cmdline; echo; id -u; cat /var/lib/cntr/etc/hostname;"
                    + " ls /var/lib/cntr/bin/busybox; command -v strace"),
            "");

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(new String(result.stdout(), StandardCharsets.UTF_8))
        .as(result.err())
        .isEqualTo(
            "/bin/sleep 1000000 \n1000\n"
                + id.substring(0, 12)
                + "\n/var/lib/cntr/bin/busybox\n/usr/bin/strace\n");
  }

  @Test
  void itsShortIdAsDockerPsPrintsItIsEnough() {
    String shortId = DockerHarness.dockerChecked("ps", "--quiet", "--filter", "id=" + id);
    assertThat(shortId).hasSize(12);

    Commands.Result result = Agent.attach(List.of(shortId, "--", "cat", "/proc/1/cmdline"), "");

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(new String(result.stdout(), StandardCharsets.UTF_8))
        .isEqualTo("/bin/sleep\0001000000\0");
  }

  @Test
  void theContainerRunsOnUnchanged() {
    Agent.attach(List.of(id, "--", "true"), "");

    assertThat(
            DockerHarness.dockerChecked(
                "inspect", "--format", "{{.State.Running}} {{.RestartCount}}", id))
        .isEqualTo("true 0");
    assertThat(DockerHarness.dockerChecked("diff", id)).isEmpty();
  }
}
