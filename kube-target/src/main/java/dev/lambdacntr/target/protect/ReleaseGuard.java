package dev.lambdacntr.target.protect;

/**
 * Someone who releases a session's marks if its holder dies before doing it (the CLI's guardian
 * process); told when the holder released them itself.
 */
public interface ReleaseGuard {

  /** The holder released the marks: nothing is left to do. */
  void released();
}
