package dev.lambdacntr.gateway.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One line per event on stdout, which the container's log keeps. */
public final class GatewayLog {

  private GatewayLog() {}

  /** Logs {@code message} with the time. */
  public static void info(String message) {
    System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
  }
}
