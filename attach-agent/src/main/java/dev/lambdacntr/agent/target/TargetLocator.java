package dev.lambdacntr.agent.target;

import dev.lambdacntr.agent.Trace;
import dev.lambdacntr.agent.runtime.CgroupScan;
import dev.lambdacntr.agent.runtime.CgroupTree;
import dev.lambdacntr.agent.runtime.ContainerdTasks;
import dev.lambdacntr.agent.runtime.CriRuntime;
import dev.lambdacntr.agent.runtime.DockerEngine;
import dev.lambdacntr.agent.runtime.PidSource;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Container ID to PID: the API of the runtime whose socket the agent was given, then the
 * runtime-agnostic cgroup scan. The error, when nothing finds it, lists every attempt.
 */
public final class TargetLocator {
  private static final Duration RUNTIME_TIMEOUT = Duration.ofSeconds(3);

  /** Runtime names on the command line and their usual sockets. */
  static final Map<String, String> DEFAULT_SOCKETS =
      Map.of(
          "containerd", "/run/containerd/containerd.sock",
          "cri-o", "/var/run/crio/crio.sock",
          "docker", "/var/run/docker.sock");

  private TargetLocator() {}

  /** The target of an invocation, alive and pinned. */
  public static TargetProcess locate(AgentInvocation invocation) {
    if (invocation.pid().isPresent()) {
      return TargetProcess.open(invocation.pid().get(), Optional.empty(), Optional.empty());
    }
    String id = invocation.containerId().orElseThrow();
    List<String> tried = new ArrayList<>();
    List<PidSource> sources = sources(invocation.runtime(), invocation.socketPath(), tried);
    if (!"1".equals(System.getenv("LAMBDA_CNTR_BENCH_PROC_SCAN"))) {
      // before the /proc scan; the benchmark's variable leaves it out to measure that scan
      sources.add(sources.size() - 1, CgroupTree.onThisHost(invocation.podUid()));
    }
    for (PidSource source : sources) {
      PidSource.Lookup lookup = source.find(id);
      if (lookup.pid().isPresent()) {
        Trace.step("pid " + lookup.pid().getAsInt() + " via " + source.name());
        return TargetProcess.open(lookup.pid().getAsInt(), Optional.of(id), invocation.podUid());
      }
      tried.add(source.name() + ": " + lookup.detail());
    }
    throw new CntrException(
        ExitCode.AGENT_TARGET_NOT_FOUND,
        "cannot find a running process of container " + id + "; tried " + String.join("; ", tried));
  }

  /** The sources to ask, in order; a socket that does not exist is noted in {@code tried}. */
  static List<PidSource> sources(
      Optional<String> runtime, Optional<String> socketPath, List<String> tried) {
    runtime.ifPresent(
        name -> {
          if (!DEFAULT_SOCKETS.containsKey(name)) {
            throw new CntrException(
                ExitCode.AGENT_USAGE,
                "unknown --runtime '" + name + "': expected containerd, cri-o or docker");
          }
        });
    List<PidSource> sources = new ArrayList<>();
    Optional<Path> socket = socketPath.or(() -> runtime.map(DEFAULT_SOCKETS::get)).map(Path::of);
    if (socket.isPresent() && !Files.exists(socket.get())) {
      tried.add("socket " + socket.get() + ": does not exist");
    } else if (socket.isPresent()) {
      Path s = socket.get();
      String name = runtime.orElse("");
      if (name.isEmpty() || name.equals("containerd")) {
        sources.add(new ContainerdTasks(s, containerdNamespaces(), RUNTIME_TIMEOUT));
      }
      if (name.isEmpty() || name.equals("containerd") || name.equals("cri-o")) {
        sources.add(new CriRuntime(s, RUNTIME_TIMEOUT));
      }
      if (name.isEmpty() || name.equals("docker")) {
        sources.add(new DockerEngine(s, RUNTIME_TIMEOUT));
      }
    }
    sources.add(new CgroupScan(Path.of("/proc")));
    return sources;
  }

  private static List<String> containerdNamespaces() {
    List<String> namespaces = new ArrayList<>();
    String fromEnv = System.getenv("CONTAINERD_NAMESPACE");
    if (fromEnv != null && !fromEnv.isBlank()) {
      namespaces.add(fromEnv);
    }
    namespaces.add("k8s.io");
    return namespaces;
  }
}
