package dev.lambdacntr.protocol;

import java.util.Locale;

/** How the agent brings the tools root into the target's nested mount namespace. */
public enum FsBackend {
  /**
   * MOUNT where the kernel's mount API is usable; elsewhere a failure naming the missing call, as
   * FUSE needs the mount API too.
   */
  AUTO,
  /** open_tree + move_mount: native speed. */
  MOUNT,
  /** cntrfs, served by the agent's JVM. */
  FUSE;

  /** The spelling used on command lines: {@code auto}, {@code mount}, {@code fuse}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a command-line spelling, naming the accepted values when it is unknown. */
  public static FsBackend parse(String value) {
    for (FsBackend backend : values()) {
      if (backend.flagValue().equals(value)) {
        return backend;
      }
    }
    throw new CntrException(
        ExitCode.AGENT_USAGE, "unknown --fs value '" + value + "': expected auto, mount or fuse");
  }
}
