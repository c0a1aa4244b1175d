package dev.lambdacntr.cli.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a file descriptor is a terminal: libc's {@code isatty}, through the FFM API. */
public final class Tty {

  private Tty() {}

  /** {@code isatty(fd) == 1}; false where libc cannot be called. */
  public static boolean isTerminal(int fd) {
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
