package dev.lambdacntr.target.protect;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A session's hold on its target pod's protection marks, for as long as the session lives: taken
 * when the session starts, renewed under its {@link ProtectionLease} while it runs, released when
 * it ends. If the holder dies without releasing, its {@link ReleaseGuard} (the CLI's guardian
 * process) releases; if that goes too (the user's machine, a gateway replica), the hold expires and
 * whoever sweeps expired marks ({@link ExpiredMarks}: the gateway, {@code lambda-cntr cleanup}, the
 * next session on the pod) removes it.
 *
 * <p>The CLI takes the hold in the background ({@link #start}: the session does not wait for it);
 * the gateway takes it before the session opens ({@link #take}).
 */
public final class TargetProtection implements AutoCloseable {

  /**
   * How a session marks its pod.
   *
   * @param podRef the pod, as messages name it
   * @param lease how long a hold lasts and how often it is renewed
   * @param warn where failures to protect or release are told (the session goes on)
   * @param unreleased what happens to marks this holder could not release, for the warning
   */
  public record Plan(
      String podRef, ProtectionLease lease, Consumer<String> warn, String unreleased) {}

  private final Plan plan;
  private final String session;
  private final CompletableFuture<Boolean> held = new CompletableFuture<>();
  private volatile PodMarksWriter writer;
  private volatile Optional<ReleaseGuard> guard = Optional.empty();
  private volatile Thread renewer;
  private volatile boolean closed;

  private TargetProtection(Plan plan) {
    this.plan = plan;
    this.session = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
  }

  /**
   * Starts holding the marks in the background.
   *
   * @param writers makes the writer, in the background (it may open the client library)
   * @param guards starts the guard of a session ID, before the marks exist; empty for none
   */
  public static TargetProtection start(
      Supplier<PodMarksWriter> writers,
      Plan plan,
      Function<String, Optional<? extends ReleaseGuard>> guards) {
    TargetProtection p = new TargetProtection(plan);
    Thread.ofVirtual()
        .name("lambda-cntr-protect")
        .start(
            () -> {
              try {
                // the guard first: from the moment the marks exist, someone must remove them
                p.guard = guards.apply(p.session).map(ReleaseGuard.class::cast);
                p.writer = writers.get();
                if (p.firstHold()) {
                  p.renew();
                }
              } catch (CntrException | IllegalStateException e) {
                p.cannotProtect(e);
              }
            });
    return p;
  }

  /**
   * Marks the pod now and renews the hold in the background; throws {@link CntrException} when the
   * marks cannot be set (the pod gone or replaced: {@link ExitCode#POD_NOT_FOUND}).
   */
  public static TargetProtection take(PodMarksWriter writer, Plan plan) {
    TargetProtection p = new TargetProtection(plan);
    p.writer = writer;
    try {
      if (!p.firstHold()) {
        throw new CntrException(
            ExitCode.POD_NOT_FOUND, "cannot protect " + plan.podRef() + ": it is gone");
      }
    } catch (CntrException e) {
      p.held.complete(false);
      throw e;
    }
    Thread.ofVirtual().name("lambda-cntr-protect").start(p::renew);
    return p;
  }

  /** The session's ID in the pod's protection state. */
  public String session() {
    return session;
  }

  /** Completes with whether the marks were taken. */
  public CompletableFuture<Boolean> held() {
    return held;
  }

  private boolean firstHold() {
    boolean marked = writer.hold(session, Instant.now().plus(plan.lease().ttl()));
    held.complete(marked);
    return marked;
  }

  private void cannotProtect(Exception e) {
    plan.warn()
        .accept(
            "cannot protect " + plan.podRef() + " from scale-down and eviction: " + e.getMessage());
    held.complete(false);
  }

  private void renew() {
    renewer = Thread.currentThread();
    while (!closed) {
      try {
        Thread.sleep(plan.lease().renewEvery());
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (!closed && !writer.hold(session, Instant.now().plus(plan.lease().ttl()))) {
          return; // the pod is gone: nothing left to hold
        }
      } catch (CntrException e) {
        // the next renewal tries again; the hold lasts its TTL
      }
    }
  }

  /** Releases the hold (waiting for it to be taken first); the guard is told it is done. */
  @Override
  public void close() {
    closed = true;
    Thread r = renewer;
    if (r != null) {
      r.interrupt();
    }
    boolean marked;
    try {
      marked = held.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // the guard releases
    } catch (ExecutionException e) {
      marked = false;
    }
    try {
      if (marked) {
        writer.release(session);
      }
      guard.ifPresent(ReleaseGuard::released);
    } catch (CntrException e) {
      plan.warn()
          .accept(
              "cannot remove the protection of "
                  + plan.podRef()
                  + " now: "
                  + e.getMessage()
                  + " ("
                  + plan.unreleased()
                  + ")");
    }
  }
}
