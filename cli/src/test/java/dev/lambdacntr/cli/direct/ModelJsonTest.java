package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.agent.AgentHealth;
import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.Json;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Direct requests read API objects with its own JSON reader: every rule must decide exactly as it
 * does on the client library's own reading of the same JSON.
 */
class ModelJsonTest {

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final String ID = "ab12".repeat(16);

  static PodBuilder running(String... containers) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName("cart")
            .withUid("uid-1")
            .withCreationTimestamp("2026-11-24T01:00:00Z")
            .addToLabels("app.kubernetes.io/name", "lambda-cntr-agent")
            .addToAnnotations("lambda-cntr.dev/runtime-socket", "/run/containerd/containerd.sock")
            .addNewOwnerReference()
            .withKind("Job")
            .withName("lambda-cntr-agent-n1")
            .withUid("job-uid")
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .withNodeName("n1")
            .addNewInitContainer()
            .withName("init")
            .endInitContainer()
            .addNewEphemeralContainer()
            .withName("debugger")
            .endEphemeralContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus();
    for (String c : containers) {
      b.editSpec().addNewContainer().withName(c).withImage("img/" + c).endContainer().endSpec();
      b.editStatus()
          .addToContainerStatuses(
              new ContainerStatusBuilder()
                  .withName(c)
                  .withReady(true)
                  .withRestartCount(2)
                  .withContainerID("containerd://" + ID)
                  .withNewState()
                  .withNewRunning()
                  .withStartedAt("2026-11-24T01:00:01Z")
                  .endRunning()
                  .endState()
                  .build())
          .endStatus();
    }
    return b;
  }

  static List<Pod> variants() throws IOException {
    List<Pod> pods = new ArrayList<>();
    pods.add(running("app").build());
    pods.add(running("agent").build());
    pods.add(running("app", "sidecar").build());
    pods.add(
        running("app", "sidecar")
            .editMetadata()
            .addToAnnotations(TargetResolver.DEFAULT_CONTAINER_ANNOTATION, "sidecar")
            .endMetadata()
            .build());
    pods.add(
        running("app")
            .editMetadata()
            .withDeletionTimestamp("2026-11-24T02:00:00Z")
            .endMetadata()
            .build());
    pods.add(
        running("app")
            .editStatus()
            .withPhase("Pending")
            .withReason("Unschedulable")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/2 nodes")
            .endCondition()
            .endStatus()
            .build());
    pods.add(
        running("agent")
            .editStatus()
            .editFirstContainerStatus()
            .withReady(false)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 10s")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(3)
            .withReason("Error")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build());
    pods.add(
        running("agent")
            .editStatus()
            .editFirstContainerStatus()
            .withNewState()
            .withNewTerminated()
            .withExitCode(137)
            .withReason("OOMKilled")
            .withMessage("out of memory")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build());
    pods.add(
        running("app")
            .editStatus()
            .editFirstContainerStatus()
            .withContainerID(null)
            .endContainerStatus()
            .endStatus()
            .build());
    pods.add(
        running("agent")
            .editStatus()
            .editFirstContainerStatus()
            .withReady(false)
            .endContainerStatus()
            .endStatus()
            .build());
    pods.add(
        running("agent")
            .editStatus()
            .withPhase("Succeeded")
            .withMessage("done")
            .endStatus()
            .build());
    try (InputStream in = ModelJsonTest.class.getResourceAsStream("coredns-pod.json")) {
      pods.add(
          SERIALIZATION.unmarshal(
              new String(in.readAllBytes(), StandardCharsets.UTF_8), Pod.class));
    }
    return pods;
  }

  static String select(Pod pod, Optional<String> container) {
    try {
      Target t = TargetResolver.select(pod, container);
      return t.toString();
    } catch (CntrException e) {
      return e.exitCode() + ": " + e.getMessage();
    }
  }

  @Test
  void podRulesDecideAlikeOnBothReadings() throws IOException {
    for (Pod original : variants()) {
      String json = SERIALIZATION.asJson(original);
      Pod library = SERIALIZATION.unmarshal(json, Pod.class);
      Pod own = ModelJson.pod(Json.parse(json));
      for (Optional<String> c :
          List.of(
              Optional.<String>empty(),
              Optional.of("app"),
              Optional.of("sidecar"),
              Optional.of("init"),
              Optional.of("debugger"),
              Optional.of("nope"),
              Optional.of("coredns"))) {
        assertThat(select(own, c)).as(json + " " + c).isEqualTo(select(library, c));
      }
      assertThat(AgentHealth.of(own, Optional.empty()))
          .as(json)
          .isEqualTo(AgentHealth.of(library, Optional.empty()));
      assertThat(own.getMetadata().getOwnerReferences())
          .extracting(o -> o.getKind() + "/" + o.getName() + "/" + o.getUid())
          .isEqualTo(
              library.getMetadata().getOwnerReferences().stream()
                  .map(o -> o.getKind() + "/" + o.getName() + "/" + o.getUid())
                  .toList());
      assertThat(own.getMetadata().getAnnotations())
          .isEqualTo(library.getMetadata().getAnnotations());
      assertThat(own.getMetadata().getLabels()).isEqualTo(library.getMetadata().getLabels());
      assertThat(own.getSpec().getContainers())
          .isEqualTo(
              library.getSpec().getContainers().stream()
                  .map(
                      x ->
                          new io.fabric8.kubernetes.api.model.ContainerBuilder()
                              .withName(x.getName())
                              .withImage(x.getImage())
                              .build())
                  .toList());
    }
  }

  @Test
  void aPodListsItems() {
    String json =
        SERIALIZATION.asJson(
            new io.fabric8.kubernetes.api.model.PodListBuilder()
                .addToItems(running("agent").build(), running("agent").build())
                .build());
    assertThat(ModelJson.pods(Json.parse(json))).hasSize(2);
    assertThat(ModelJson.pods(Json.parse("{\"items\":null}"))).isEmpty();
  }

  @Test
  void execStatusReadsAlike() {
    List<Status> statuses =
        List.of(
            new StatusBuilder().withStatus("Success").build(),
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("NonZeroExitCode")
                .withMessage("command terminated with non-zero exit code")
                .withNewDetails()
                .addNewCause()
                .withReason("ExitCode")
                .withMessage("42")
                .endCause()
                .endDetails()
                .build(),
            new StatusBuilder().withStatus("Failure").withMessage("exec: not found").build());
    for (Status s : statuses) {
      String json = SERIALIZATION.asJson(s);
      assertThat(ExecOutcome.of(ModelJson.status(Json.parse(json))))
          .isEqualTo(ExecOutcome.of(SERIALIZATION.unmarshal(json, Status.class)));
    }
  }

  @Test
  void auditEventIsWrittenAsTheClientLibraryWritesIt() {
    Target target =
        new Target(
            "shop",
            "cart",
            "uid-1",
            "app",
            "n1",
            ID,
            "containerd",
            false,
            TargetResolver.Run.CURRENT);
    for (List<String> command : List.of(List.<String>of(), List.of("sh", "-c", "echo \"hi\"\n"))) {
      for (Optional<String> reason : List.of(Optional.<String>empty(), Optional.of("INC \"7\""))) {
        var event =
            AuditEvents.build(
                target,
                "alice",
                "img:1",
                "lambda-cntr/agent-x",
                command,
                reason,
                Instant.parse("2026-11-24T01:02:03.456Z"));
        assertThat(Json.parse(EventJson.of(event)))
            .isEqualTo(Json.parse(SERIALIZATION.asJson(event)));
      }
    }
  }
}
