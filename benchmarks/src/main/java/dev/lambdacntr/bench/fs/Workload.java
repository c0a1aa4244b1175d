package dev.lambdacntr.bench.fs;

import java.nio.file.Path;

/**
 * One benchmark workload. {@link #prepare} runs untimed and natively on the side's directory before
 * every measured run (laying out files, warming caches), {@link #run} is measured on the side
 * (natively or in a session) and returns its figure, {@link #cleanUp} runs untimed after it.
 */
interface Workload {
  /** Short name for the table. */
  String name();

  /** Unit of {@link #run}'s figure, such as {@code MiB/s} or {@code s}. */
  String unit();

  /** True when a bigger figure is better (throughput), false for times. */
  boolean higherIsBetter();

  /** The thesis's overhead for this kind of workload (cntrfs over native), or NaN. */
  double thesis();

  /** The target overhead of the issue for cntrfs. */
  double target();

  default void prepare(Path dir) throws Exception {}

  double run(Side side) throws Exception;

  default void cleanUp(Path dir) throws Exception {}

  /** Untimed, once after all runs on all sides (shared directories). */
  default void remove(Path dir) throws Exception {}
}
