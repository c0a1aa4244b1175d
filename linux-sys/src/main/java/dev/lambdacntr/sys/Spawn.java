package dev.lambdacntr.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * glibc's posix_spawn with file actions: the one way in this package to start a child, which no
 * single system call does. Each function returns 0 or an errno (not a negated one: posix_spawn
 * reports errors by its result, as POSIX has it). Bound when first used: only the agent's fuse
 * backend and the resident node agent start children.
 */
public final class Spawn {
  private Spawn() {}

  /** Room for a {@code posix_spawn_file_actions_t} (80 bytes on x86_64 glibc). */
  public static final long FILE_ACTIONS_SIZE = 256;

  private static final MethodHandle SPAWN =
      Downcall.bind(
          "posix_spawn",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle ACTIONS_INIT =
      Downcall.bind("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle ACTIONS_DESTROY =
      Downcall.bind("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle ACTIONS_ADD_FCHDIR =
      Downcall.bind(
          "posix_spawn_file_actions_addfchdir_np",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle ACTIONS_ADD_DUP2 =
      Downcall.bind(
          "posix_spawn_file_actions_adddup2",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

  /**
   * posix_spawn(pid, path, actions, NULL, argv, envp): {@code pid} is a 4-byte cell, {@code argv}
   * and {@code envp} NULL-terminated pointer arrays.
   */
  public static int spawn(
      MemorySegment pid,
      MemorySegment path,
      MemorySegment actions,
      MemorySegment argv,
      MemorySegment envp) {
    try {
      return (int) SPAWN.invokeExact(pid, path, actions, MemorySegment.NULL, argv, envp);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
  }

  public static int fileActionsInit(MemorySegment actions) {
    try {
      return (int) ACTIONS_INIT.invokeExact(actions);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
  }

  public static int fileActionsDestroy(MemorySegment actions) {
    try {
      return (int) ACTIONS_DESTROY.invokeExact(actions);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
  }

  /** Makes the child change its working directory to {@code dirfd} before it executes. */
  public static int fileActionsAddFchdir(MemorySegment actions, int dirfd) {
    try {
      return (int) ACTIONS_ADD_FCHDIR.invokeExact(actions, dirfd);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
  }

  /**
   * Makes the child duplicate {@code fd} onto {@code target} before it executes; the duplicate is
   * not closed on exec, whatever {@code fd}'s flag (also when the two are equal: glibc 2.29).
   */
  public static int fileActionsAddDup2(MemorySegment actions, int fd, int target) {
    try {
      return (int) ACTIONS_ADD_DUP2.invokeExact(actions, fd, target);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
  }
}
