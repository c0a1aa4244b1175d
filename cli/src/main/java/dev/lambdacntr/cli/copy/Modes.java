package dev.lambdacntr.cli.copy;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Permission bits between tar's octal modes and Java's permission sets. */
final class Modes {

  private static final PosixFilePermission[] ORDER = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ
  };

  private Modes() {}

  static int bits(Set<PosixFilePermission> permissions) {
    int bits = 0;
    for (int i = 0; i < ORDER.length; i++) {
      if (permissions.contains(ORDER[i])) {
        bits |= 1 << i;
      }
    }
    return bits;
  }

  /** The rwx bits of {@code mode}; setuid, setgid and sticky are not carried to this machine. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < ORDER.length; i++) {
      if ((mode & (1 << i)) != 0) {
        permissions.add(ORDER[i]);
      }
    }
    return permissions;
  }
}
