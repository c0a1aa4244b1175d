package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {

  static Map<String, Object> profile(String json) {
    return Json.asMap(Json.parse(json));
  }

  @Test
  void encodesAnOciProfileForTheHelper() {
    String encoded =
        SeccompProfile.encode(
            profile(
                """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                 "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"],
                 "syscalls": [
                   {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                   {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": 2114060288, "valueTwo": 0,
                              "op": "SCMP_CMP_MASKED_EQ"}]},
                   {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                """),
            "pid 7");
    assertThat(encoded)
        .isEqualTo(
            """
            default ERRNO 38
            arch x86_64
            arch x86
            flag LOG
            rule read ALLOW 1
            rule write ALLOW 1
            rule personality ALLOW 1 0:EQ:8:0
            rule clone ALLOW 1 0:MASKED_EQ:2114060288:0
            rule keyctl ERRNO 1
            """);
  }

  @Test
  void refusesWhatTheSessionCannotReproduce() {
    assertThatThrownBy(
            () ->
                SeccompProfile.encode(
                    profile(
                        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/s.sock\"}"),
                    "pid 7"))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("cannot give the session the seccomp filter of pid 7")
        .hasMessageContaining("listenerPath")
        .hasMessageContaining("--no-seccomp");
    assertThatThrownBy(
            () ->
                SeccompProfile.encode(
                    profile(
                        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                            + " [\"x\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"),
                    "pid 7"))
        .hasMessageContaining("the action 'SCMP_ACT_NOTIFY'");
    assertThatThrownBy(
            () ->
                SeccompProfile.encode(
                    profile(
                        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                            + " [\"read\\nrule x\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"),
                    "pid 7"))
        .hasMessageContaining("names a system call");
  }

  @Test
  void findsTheBundleBesideOrAtEachRuntimesShim() {
    String id = "a8049b140449255872c94c929ef5e5ff0a88465b7953e66ecba66c27aa070f90";
    Path cwd = Path.of("/proc/1824/cwd");
    // CRI-O's conmon, as on the test bed's CRI-O node: the bundle is ID/userdata
    assertThat(
            SeccompProfile.bundle(
                cwd,
                Path.of("/var/lib/crio/runroot/overlay-containers/" + id + "/userdata"),
                Optional.of(id)))
        .isEqualTo(cwd);
    // a shim per container (Docker): the bundle is named after the container
    assertThat(
            SeccompProfile.bundle(
                cwd, Path.of("/run/docker/containerd/daemon/moby/" + id), Optional.of(id)))
        .isEqualTo(cwd);
    // containerd's pod shim sits in the sandbox's bundle: the container's is beside it
    assertThat(
            SeccompProfile.bundle(
                cwd,
                Path.of("/run/containerd/io.containerd.runtime.v2.task/k8s.io/c0ffee"),
                Optional.of(id)))
        .isEqualTo(cwd.resolve("..").resolve(id));
    // another container's userdata is not this one's
    assertThat(
            SeccompProfile.bundle(
                cwd,
                Path.of("/var/lib/crio/runroot/overlay-containers/c0ffee/userdata"),
                Optional.of(id)))
        .isEqualTo(cwd.resolve("..").resolve(id));
    assertThat(SeccompProfile.bundle(cwd, Path.of("/"), Optional.empty())).isEqualTo(cwd);
  }

  @Test
  void readsTheModeFromProcStatus() {
    assertThat(SeccompProfile.filtered("Name:\tx\nSeccomp:\t2\nSeccomp_filters:\t1\n")).isTrue();
    assertThat(SeccompProfile.filtered("Name:\tx\nSeccomp:\t0\nSeccomp_filters:\t0\n")).isFalse();
  }
}
