package dev.lambdacntr.cli.protect;

import dev.lambdacntr.protocol.CntrException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A session's hold on its target pod's protection marks, for as long as the session lives: taken in
 * the background when the session starts (the session does not wait for it), renewed while it runs,
 * released when it ends. If the CLI dies without releasing, its {@link ProtectionGuardian}
 * releases; if the whole machine goes, the hold expires and the next lambda-cntr that touches the
 * pod (or {@code lambda-cntr cleanup}) removes it.
 */
public final class TargetProtection implements AutoCloseable {

  /** How long a hold lasts without renewal. */
  public static final Duration TTL = Duration.ofMinutes(3);

  private static final Duration RENEW_EVERY = Duration.ofSeconds(60);

  private final Supplier<PodMarksWriter> writers;
  private volatile PodMarksWriter writer;
  private final String session;
  private final String podRef;
  private final Consumer<String> warn;
  private final Optional<ProtectionGuardian.Spec> guardianSpec;
  private final CompletableFuture<Boolean> held;
  private volatile Optional<ProtectionGuardian> guardian = Optional.empty();
  private volatile Thread renewer;
  private volatile boolean closed;

  private TargetProtection(
      Supplier<PodMarksWriter> writers,
      String podRef,
      Consumer<String> warn,
      Optional<ProtectionGuardian.Spec> guardianSpec) {
    this.writers = writers;
    this.session = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
    this.podRef = podRef;
    this.warn = warn;
    this.guardianSpec = guardianSpec;
    this.held = new CompletableFuture<>();
  }

  /**
   * Starts holding the marks in the background.
   *
   * @param writers makes the writer, in the background (it may open the client library)
   * @param warn where a failure to protect is told (the session goes on unprotected)
   * @param guardian how to start the process that releases if this one dies; empty for none
   */
  public static TargetProtection start(
      Supplier<PodMarksWriter> writers,
      String podRef,
      Consumer<String> warn,
      Optional<ProtectionGuardian.Spec> guardian) {
    TargetProtection p = new TargetProtection(writers, podRef, warn, guardian);
    Thread.ofVirtual().name("lambda-cntr-protect").start(p::holdAndRenew);
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

  private void holdAndRenew() {
    try {
      // the guardian first: from the moment the marks exist, someone must be there to remove them
      guardian = guardianSpec.map(spec -> ProtectionGuardian.start(spec, session));
      writer = writers.get();
      boolean marked = writer.hold(session, Instant.now().plus(TTL));
      held.complete(marked);
      if (!marked) {
        return;
      }
    } catch (CntrException | IllegalStateException e) {
      warn.accept("cannot protect " + podRef + " from scale-down and eviction: " + e.getMessage());
      held.complete(false);
      return;
    }
    renewer = Thread.currentThread();
    while (!closed) {
      try {
        Thread.sleep(RENEW_EVERY);
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (!closed) {
          writer.hold(session, Instant.now().plus(TTL));
        }
      } catch (CntrException e) {
        // the next renewal tries again; the hold lasts TTL
      }
    }
  }

  /** Releases the hold (waiting for it to be taken first); the guardian is told it is done. */
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
      return; // the guardian releases
    } catch (java.util.concurrent.ExecutionException e) {
      marked = false;
    }
    try {
      if (marked) {
        writer.release(session);
      }
      guardian.ifPresent(ProtectionGuardian::released);
    } catch (CntrException e) {
      warn.accept(
          "cannot remove the protection of "
              + podRef
              + " now: "
              + e.getMessage()
              + " (a background process retries; the marks expire within "
              + TTL.toMinutes()
              + " minutes and lambda-cntr cleanup removes expired ones)");
    }
  }
}
