package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeApiTest {

  @Test
  void theListFilterAsksForExitedContainersWithBothLabels() throws IOException {
    WireMessage filter =
        WireMessage.parse(
            RuntimeApi.listFilter(
                Map.of(
                    RuntimeApi.POD_UID_LABEL, "uid-1", RuntimeApi.CONTAINER_NAME_LABEL, "main")));
    assertThat(filter.message(2).varint(1)).isEqualTo(RuntimeApi.EXITED);
    assertThat(filter.stringMap(4))
        .containsExactly(
            Map.entry(RuntimeApi.CONTAINER_NAME_LABEL, "main"),
            Map.entry(RuntimeApi.POD_UID_LABEL, "uid-1"));
    assertThat(filter.string(1)).as("no container ID").isEmpty();
    assertThat(filter.string(3)).as("no sandbox").isEmpty();
  }

  @Test
  void theNewestRunIsTheHighestAttemptThenTheLatestCreated() throws IOException {
    List<WireMessage> runs = new ArrayList<>();
    runs.add(container("a", 3, 100));
    runs.add(container("b", 5, 50));
    runs.add(container("c", 5, 70));
    runs.add(container("d", 4, 900));
    assertThat(RuntimeApi.newestOf(runs)).contains("c");
  }

  @Test
  void noRunsMeansNone() throws IOException {
    assertThat(RuntimeApi.newestOf(List.of())).isEmpty();
  }

  /** A {@code runtime.v1.Container}: ID, metadata (name, attempt) and creation time. */
  private static WireMessage container(String id, long attempt, long createdAt) throws IOException {
    return WireMessage.parse(
        RuntimeApi.encode(
            out -> {
              out.writeString(1, id);
              out.writeByteArray(
                  3,
                  RuntimeApi.encode(
                      metadata -> {
                        metadata.writeString(1, "main");
                        metadata.writeUInt32(2, (int) attempt);
                      }));
              out.writeInt64(7, createdAt);
            }));
  }
}
