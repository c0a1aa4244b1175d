package dev.lambdacntr.agent.postmortem;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.lambdacntr.agent.target.Capabilities;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an exited container's OCI runtime spec a post-mortem session adopts: the process's
 * environment, user, capabilities, no_new_privs and working directory, and the mounts that put its
 * volumes into its root.
 *
 * @param environment {@code NAME=value} entries
 * @param uid the user, as the container's user namespace numbers it
 * @param gid the group, likewise
 * @param groups the additional groups
 * @param capabilities the capability sets
 * @param noNewPrivs whether no_new_privs was set
 * @param workingDirectory the working directory in its root
 * @param mounts the spec's mounts, in order
 */
public record RuntimeSpec(
    List<String> environment,
    long uid,
    long gid,
    List<Long> groups,
    Capabilities capabilities,
    boolean noNewPrivs,
    String workingDirectory,
    List<SpecMount> mounts) {

  /**
   * The kernel's capability names, by number (capability.h); the OCI spec names them with a {@code
   * CAP_} prefix.
   */
  private static final List<String> CAPABILITY_NAMES =
      List.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "DAC_READ_SEARCH",
          "FOWNER",
          "FSETID",
          "KILL",
          "SETGID",
          "SETUID",
          "SETPCAP",
          "LINUX_IMMUTABLE",
          "NET_BIND_SERVICE",
          "NET_BROADCAST",
          "NET_ADMIN",
          "NET_RAW",
          "IPC_LOCK",
          "IPC_OWNER",
          "SYS_MODULE",
          "SYS_RAWIO",
          "SYS_CHROOT",
          "SYS_PTRACE",
          "SYS_PACCT",
          "SYS_ADMIN",
          "SYS_BOOT",
          "SYS_NICE",
          "SYS_RESOURCE",
          "SYS_TIME",
          "SYS_TTY_CONFIG",
          "MKNOD",
          "LEASE",
          "AUDIT_WRITE",
          "AUDIT_CONTROL",
          "SETFCAP",
          "MAC_OVERRIDE",
          "MAC_ADMIN",
          "SYSLOG",
          "WAKE_ALARM",
          "BLOCK_SUSPEND",
          "AUDIT_READ",
          "PERFMON",
          "BPF",
          "CHECKPOINT_RESTORE");

  public RuntimeSpec {
    environment = List.copyOf(environment);
    groups = List.copyOf(groups);
    mounts = List.copyOf(mounts);
  }

  /**
   * One of the spec's mounts.
   *
   * @param destination where it was in the container
   * @param type its file system type ({@code bind} for volumes), possibly empty
   * @param source the node's path (for a bind) or the file system's source
   * @param options its options ({@code rbind}, {@code ro}, ...)
   */
  public record SpecMount(String destination, String type, String source, List<String> options) {
    public SpecMount {
      options = List.copyOf(options);
    }

    /** Whether it binds a path of the node (a volume, the kubelet's files, ...). */
    public boolean isBind() {
      return type.equals("bind") || options.contains("bind") || options.contains("rbind");
    }

    /** Whether the bind took the mounts below its source along. */
    public boolean recursive() {
      return options.contains("rbind");
    }
  }

  static RuntimeSpec from(JsonObject spec, String id) {
    if (spec == null) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "the runtime's verbose information on container " + id + " has no runtimeSpec");
    }
    JsonObject process = object(spec, "process");
    JsonObject user = object(process, "user");
    JsonObject caps = object(process, "capabilities");
    List<SpecMount> mounts = new ArrayList<>();
    for (JsonElement element : array(spec, "mounts")) {
      if (element.isJsonObject()) {
        JsonObject mount = element.getAsJsonObject();
        mounts.add(
            new SpecMount(
                string(mount, "destination"),
                string(mount, "type"),
                string(mount, "source"),
                strings(array(mount, "options"))));
      }
    }
    List<Long> groups = new ArrayList<>();
    for (JsonElement group : array(user, "additionalGids")) {
      groups.add(group.getAsLong());
    }
    return new RuntimeSpec(
        strings(array(process, "env")),
        number(user, "uid"),
        number(user, "gid"),
        groups,
        new Capabilities(
            capabilityMask(array(caps, "bounding")),
            capabilityMask(array(caps, "permitted")),
            capabilityMask(array(caps, "effective")),
            capabilityMask(array(caps, "inheritable")),
            capabilityMask(array(caps, "ambient"))),
        process.has("noNewPrivileges") && process.get("noNewPrivileges").getAsBoolean(),
        string(process, "cwd").isEmpty() ? "/" : string(process, "cwd"),
        mounts);
  }

  /** A capability set's mask from its names; names this agent does not know are left out. */
  static long capabilityMask(JsonArray names) {
    long mask = 0;
    for (JsonElement name : names) {
      String text = name.getAsString();
      int number = CAPABILITY_NAMES.indexOf(text.startsWith("CAP_") ? text.substring(4) : text);
      if (number >= 0) {
        mask |= 1L << number;
      }
    }
    return mask;
  }

  private static JsonObject object(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
  }

  private static JsonArray array(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    return value != null && value.isJsonArray() ? value.getAsJsonArray() : new JsonArray();
  }

  private static String string(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
  }

  private static long number(JsonObject parent, String key) {
    JsonElement value = parent.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsLong() : 0;
  }

  private static List<String> strings(JsonArray values) {
    List<String> strings = new ArrayList<>();
    values.forEach(v -> strings.add(v.getAsString()));
    return strings;
  }
}
