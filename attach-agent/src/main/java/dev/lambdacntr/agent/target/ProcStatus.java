package dev.lambdacntr.agent.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The parts of {@code /proc/PID/status} a session adopts: who the process is and what it may do.
 * Ids are as the agent sees them (its own user namespace); {@link IdMap} translates them.
 *
 * @param uid the effective user id
 * @param gid the effective group id
 * @param groups the supplementary groups
 * @param capabilities the capability sets
 * @param noNewPrivs whether no_new_privs is set
 * @param state the one-letter process state ({@code R}, {@code S}, {@code Z}...)
 */
public record ProcStatus(
    long uid,
    long gid,
    List<Long> groups,
    Capabilities capabilities,
    boolean noNewPrivs,
    char state) {

  public ProcStatus {
    groups = List.copyOf(groups);
  }

  /** Parses the text of a status file; {@code pid} only names it in errors. */
  public static ProcStatus parse(String text, int pid) {
    Map<String, String> fields = new HashMap<>();
    for (String line : text.split("\n", -1)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
    return new ProcStatus(
        idField(fields, "Uid", pid),
        idField(fields, "Gid", pid),
        groups(fields.getOrDefault("Groups", "")),
        new Capabilities(
            mask(fields, "CapBnd", pid),
            mask(fields, "CapPrm", pid),
            mask(fields, "CapEff", pid),
            mask(fields, "CapInh", pid),
            fields.containsKey("CapAmb") ? mask(fields, "CapAmb", pid) : 0),
        "1".equals(fields.get("NoNewPrivs")),
        required(fields, "State", pid).charAt(0));
  }

  private static String required(Map<String, String> fields, String key, int pid) {
    String value = fields.get(key);
    if (value == null || value.isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND, "no " + key + " line in /proc/" + pid + "/status");
    }
    return value;
  }

  /** The second column (effective id) of an id line: real, effective, saved, filesystem. */
  private static long idField(Map<String, String> fields, String key, int pid) {
    String[] ids = required(fields, key, pid).split("\\s+");
    if (ids.length < 2) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "malformed " + key + " line in /proc/" + pid + "/status: '" + fields.get(key) + "'");
    }
    return Long.parseLong(ids[1]);
  }

  private static List<Long> groups(String value) {
    List<Long> groups = new ArrayList<>();
    for (String group : value.split("\\s+")) {
      if (!group.isEmpty()) {
        groups.add(Long.parseLong(group));
      }
    }
    return groups;
  }

  private static long mask(Map<String, String> fields, String key, int pid) {
    return HexFormat.fromHexDigitsToLong(required(fields, key, pid));
  }
}
