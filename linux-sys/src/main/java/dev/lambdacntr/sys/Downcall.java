package dev.lambdacntr.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * The foreign function plumbing of this package: C library functions looked up in the JDK's default
 * lookup, bound with the errno each call leaves captured in a per-thread segment (the JVM itself
 * may change errno between the call and any later read of it).
 *
 * <p>Each distinct function descriptor costs several milliseconds to bind the first time (the JDK
 * generates code for it), and the first one about 20 ms more: that is why {@link Libc} makes every
 * system call through one handle for {@code syscall(2)}.
 */
final class Downcall {
  private Downcall() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final long ERRNO_OFFSET =
      CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> CAPTURED =
      ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

  /**
   * A handle for the C library function {@code name} whose first parameter is the capture segment
   * ({@link #state()}).
   */
  static MethodHandle bindCapturingErrno(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.captureCallState("errno"));
  }

  /** A handle for a C library function that reports failure by its result, not errno. */
  static MethodHandle bind(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(symbol(name), descriptor);
  }

  private static MemorySegment symbol(String name) {
    return LINKER
        .defaultLookup()
        .find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
  }

  /** The calling thread's capture segment. */
  static MemorySegment state() {
    return CAPTURED.get();
  }

  /**
   * The errno a call captured in {@code state}. Copied out rather than read through a VarHandle,
   * which the JDK would build at start-up (milliseconds the agent pays on every attach).
   */
  static int errno(MemorySegment state) {
    int[] errno = new int[1];
    MemorySegment.copy(state, JAVA_INT, ERRNO_OFFSET, errno, 0, 1);
    return errno[0];
  }

  /** Rethrows what a method handle threw without widening every signature to Throwable. */
  static RuntimeException unchecked(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }
}
