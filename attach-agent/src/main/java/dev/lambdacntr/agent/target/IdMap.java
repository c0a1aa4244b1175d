package dev.lambdacntr.agent.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.List;

/**
 * A user namespace's uid or gid map ({@code /proc/PID/uid_map}) as read from the agent's user
 * namespace: each range maps ids inside the target's namespace to ids outside (the agent's).
 *
 * @param ranges the mapped ranges
 */
public record IdMap(List<Range> ranges) {

  /**
   * One line of a map.
   *
   * @param inside the first id inside the namespace
   * @param outside the first id outside, as the reader sees it
   * @param count how many consecutive ids
   */
  public record Range(long inside, long outside, long count) {}

  public IdMap {
    ranges = List.copyOf(ranges);
  }

  public static IdMap parse(String text) {
    List<Range> ranges = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] parts = line.strip().split("\\s+");
      if (parts.length == 3) {
        ranges.add(
            new Range(
                Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])));
      }
    }
    return new IdMap(ranges);
  }

  /** The id inside the namespace for an id the agent sees; {@code kind} names it in errors. */
  public long inside(long outsideId, String kind) {
    for (Range range : ranges) {
      if (outsideId >= range.outside() && outsideId - range.outside() < range.count()) {
        return range.inside() + (outsideId - range.outside());
      }
    }
    throw new CntrException(
        ExitCode.AGENT_ENTER_FAILED,
        "cannot map "
            + kind
            + " "
            + outsideId
            + " into the target's user namespace: not in its map "
            + ranges);
  }
}
