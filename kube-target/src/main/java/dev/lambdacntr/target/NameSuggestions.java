package dev.lambdacntr.target;

import java.util.Comparator;
import java.util.List;

/** Close names for a "not found" message: same prefix or a small edit distance. */
public final class NameSuggestions {

  private NameSuggestions() {}

  /** Up to {@code max} names close to {@code wanted}, closest first. */
  public static List<String> closest(String wanted, List<String> names, int max) {
    return names.stream()
        .filter(n -> !n.equals(wanted))
        .filter(n -> isClose(wanted, n))
        .sorted(Comparator.comparingInt((String n) -> distance(wanted, n)).thenComparing(n -> n))
        .limit(max)
        .toList();
  }

  private static boolean isClose(String wanted, String name) {
    return name.startsWith(wanted)
        || wanted.startsWith(name)
        || distance(wanted, name) <= Math.max(2, wanted.length() / 3);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
