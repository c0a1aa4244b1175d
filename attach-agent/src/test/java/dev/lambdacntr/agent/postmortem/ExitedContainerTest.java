package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A CRI status reply written field by field as the runtime encodes it ({@code runtime.v1}: status
 * 1, info 2; in the status metadata 2, state 3, finished_at 6, exit_code 7, reason 10, message 11,
 * log_path 15), read back.
 */
class ExitedContainerTest {

  private static final String INFO =
      """
      {"sandboxID":"sandbox1","pid":0,"snapshotKey":"key1","snapshotter":"overlayfs",
       "runtimeSpec":{"process":{"user":{"uid":1000,"gid":1000,"additionalGids":[1000,10]},
         "env":["PATH=/bin","APP=1"],"cwd":"/app","noNewPrivileges":true,
         "capabilities":{"bounding":["CAP_CHOWN","CAP_NET_BIND_SERVICE","CAP_NEW_IN_2030"],
           "effective":["CAP_NET_BIND_SERVICE"],"permitted":["CAP_NET_BIND_SERVICE"]}},
        "mounts":[{"destination":"/data","type":"bind","source":"/var/lib/kubelet/pods/u/volumes/d",
           "options":["rbind","rprivate","rw"]},
          {"destination":"/proc","type":"proc","source":"proc","options":["nosuid"]}]}}
      """;

  private static byte[] reply(long state) throws IOException {
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    CodedOutputStream m = CodedOutputStream.newInstance(metadata);
    m.writeString(1, "app");
    m.writeUInt32(2, 4);
    m.flush();
    ByteArrayOutputStream status = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(status);
    s.writeString(1, "c1");
    s.writeByteArray(2, metadata.toByteArray());
    s.writeEnum(3, (int) state);
    s.writeInt64(6, 1_765_000_000_000_000_000L);
    s.writeInt32(7, 3);
    s.writeString(10, "Error");
    s.writeString(15, "/var/log/pods/ns_p_u/app/4.log");
    s.flush();
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    CodedOutputStream e = CodedOutputStream.newInstance(entry);
    e.writeString(1, "info");
    e.writeString(2, INFO);
    e.flush();
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(response);
    r.writeByteArray(1, status.toByteArray());
    r.writeByteArray(2, entry.toByteArray());
    r.flush();
    return response.toByteArray();
  }

  private static ExitedContainer read(long state) throws IOException {
    WireMessage response = WireMessage.parse(reply(state));
    return ExitedContainer.from("c1", response.message(1), response.stringMap(2));
  }

  @Test
  void anExitedContainersStatusAndSpecAreRead() throws IOException {
    ExitedContainer c = read(2);
    assertThat(c.name()).isEqualTo("app");
    assertThat(c.attempt()).isEqualTo(4);
    assertThat(c.exitCode()).isEqualTo(3);
    assertThat(c.reason()).isEqualTo("Error");
    assertThat(c.message()).isEmpty();
    assertThat(c.logPath()).isEqualTo("/var/log/pods/ns_p_u/app/4.log");
    assertThat(c.sandboxId()).isEqualTo("sandbox1");
    assertThat(c.snapshotter()).isEqualTo("overlayfs");
    assertThat(c.snapshotKey()).isEqualTo("key1");
    RuntimeSpec spec = c.spec();
    assertThat(spec.environment()).containsExactly("PATH=/bin", "APP=1");
    assertThat(spec.uid()).isEqualTo(1000);
    assertThat(spec.groups()).containsExactly(1000L, 10L);
    assertThat(spec.workingDirectory()).isEqualTo("/app");
    assertThat(spec.noNewPrivs()).isTrue();
    // CHOWN is 0, NET_BIND_SERVICE 10; a name this agent does not know is left out
    assertThat(spec.capabilities().bounding()).isEqualTo(1L | 1L << 10);
    assertThat(spec.capabilities().effective()).isEqualTo(1L << 10);
    assertThat(spec.capabilities().ambient()).isZero();
    assertThat(spec.mounts()).hasSize(2);
    assertThat(spec.mounts().get(0).isBind()).isTrue();
    assertThat(spec.mounts().get(0).recursive()).isTrue();
    assertThat(spec.mounts().get(1).isBind()).isFalse();
  }

  @Test
  void aRunningContainerIsNoPostMortem() {
    assertThatThrownBy(() -> read(1))
        .isInstanceOf(CntrException.class)
        .hasMessage(
            "container c1 has not exited (runtime state running): a post-mortem session is for a"
                + " container that has ended")
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(ExitCode.AGENT_TARGET_NOT_FOUND);
  }

  @Test
  void withoutVerboseInformationTheRuntimeIsNamed() throws IOException {
    WireMessage response = WireMessage.parse(reply(2));
    assertThatThrownBy(() -> ExitedContainer.from("c1", response.message(1), Map.of()))
        .hasMessageContaining("gave no verbose information on container c1");
  }
}
