package dev.lambdacntr.cli.exec;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a file descriptor is a terminal. On Linux the answer is read from {@code /proc/self/fd/N}
 * (cheap at start-up); elsewhere libc's {@code isatty} is called through FFM.
 */
public final class Tty {

  private Tty() {}

  /** Whether {@code fd} refers to a terminal. */
  public static boolean isTerminal(int fd) {
    Path link = Path.of("/proc/self/fd/" + fd);
    try {
      if (Files.isSymbolicLink(link)) {
        return isTerminalDevice(Files.readSymbolicLink(link).toString());
      }
    } catch (IOException e) {
      // fall through to isatty
    }
    return isatty(fd);
  }

  /** Pseudo terminals, virtual consoles, serial lines and the console are terminals. */
  static boolean isTerminalDevice(String path) {
    return path.startsWith("/dev/pts/")
        || path.startsWith("/dev/tty")
        || path.equals("/dev/console");
  }

  @SuppressWarnings("restricted")
  private static boolean isatty(int fd) {
    try {
      Linker linker = Linker.nativeLinker();
      MethodHandle isatty =
          linker.downcallHandle(
              linker.defaultLookup().find("isatty").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      return (int) isatty.invokeExact(fd) == 1;
    } catch (Throwable e) {
      return false;
    }
  }
}
