package dev.lambdacntr.cli.fanout;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code execute -l} reports when every target is done: the exit status (0 when the command
 * succeeded everywhere, else the status of the first failed target in name order) and, when some
 * failed, one line naming each of them.
 *
 * @param status the status to exit with
 * @param message the line for stderr, empty when everything succeeded
 */
public record FanoutSummary(int status, Optional<String> message) {

  /** Aggregates the results, in any order. */
  public static FanoutSummary of(List<FanoutResult> results) {
    List<FanoutResult> failed =
        results.stream()
            .filter(r -> !r.succeeded())
            .sorted(Comparator.comparing(FanoutResult::label))
            .toList();
    if (failed.isEmpty()) {
      return new FanoutSummary(0, Optional.empty());
    }
    String message =
        failed.size()
            + " of "
            + results.size()
            + " failed: "
            + failed.stream().map(FanoutResult::describe).collect(Collectors.joining(", "));
    return new FanoutSummary(failed.get(0).status(), Optional.of(message));
  }
}
