package dev.lambdacntr.agent.target;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One line of {@code /proc/PID/mountinfo}.
 *
 * @param root the path inside the filesystem that is mounted
 * @param mountPoint where it is mounted, relative to the reader's root
 * @param fsType the filesystem type ({@code cgroup}, {@code cgroup2}, ...)
 * @param superOptions the per-superblock options ({@code rw,cpu,cpuacct})
 */
public record MountInfo(String root, String mountPoint, String fsType, Set<String> superOptions) {

  public MountInfo {
    superOptions = Set.copyOf(superOptions);
  }

  /** Parses a whole mountinfo file, skipping lines it cannot read. */
  public static List<MountInfo> parseAll(String text) {
    List<MountInfo> mounts = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] fields = line.split(" ");
      int separator = Arrays.asList(fields).indexOf("-");
      if (separator < 6 || fields.length <= separator + 3) {
        continue;
      }
      mounts.add(
          new MountInfo(
              unescape(fields[3]),
              unescape(fields[4]),
              fields[separator + 1],
              Set.of(fields[separator + 3].split(","))));
    }
    return mounts;
  }

  /** Undoes the kernel's octal escapes ({@code \040} for a space). */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
