package dev.lambdacntr.target.protect;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The marks that keep a debugged pod alive while sessions are attached, computed purely from the
 * pod's metadata: the highest {@code controller.kubernetes.io/pod-deletion-cost} (its ReplicaSet
 * removes it last on a scale-down), {@code cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}
 * (the cluster autoscaler leaves its node), and the label a PodDisruptionBudget of its own selects
 * (evictions, such as a drain, are refused).
 *
 * <p>The annotation {@code lambda-cntr.dev/protection} holds the sessions holding the marks, each
 * with an expiry that its CLI renews, and the pod's own values of the two annotations, so that the
 * last session out puts them back exactly; expired sessions are dropped by whoever touches the
 * marks next.
 */
public final class ProtectionMarks {

  public static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
  public static final String SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
  public static final String STATE = "lambda-cntr.dev/protection";
  public static final String LABEL = "lambda-cntr.dev/protected";

  /** int32's maximum: the ReplicaSet controller compares costs as int32. */
  public static final String HIGHEST_COST = Integer.toString(Integer.MAX_VALUE);

  static final List<String> MARKED = List.of(DELETION_COST, SAFE_TO_EVICT);

  /**
   * What to write to the pod's metadata: keys to set, and keys mapped to empty to remove.
   *
   * @param annotations the annotation changes (empty value: remove)
   * @param labels the label changes (empty value: remove)
   * @param protectedAfter whether any session still holds the marks afterwards
   */
  public record Change(
      Map<String, Optional<String>> annotations,
      Map<String, Optional<String>> labels,
      boolean protectedAfter) {}

  private final KubernetesSerialization json;

  public ProtectionMarks(KubernetesSerialization json) {
    this.json = json;
  }

  /** Adds (or renews) {@code session} until {@code expires}, marking the pod if it is not yet. */
  public Change hold(
      Map<String, String> annotations,
      String podUid,
      String session,
      Instant expires,
      Instant now) {
    State state = read(annotations).orElseGet(() -> State.saving(annotations));
    state.dropExpired(now);
    state.sessions.put(session, expires.toString());
    Map<String, Optional<String>> set = new LinkedHashMap<>();
    set.put(DELETION_COST, Optional.of(HIGHEST_COST));
    set.put(SAFE_TO_EVICT, Optional.of("false"));
    set.put(STATE, Optional.of(write(state)));
    return new Change(set, Map.of(LABEL, Optional.of(podUid)), true);
  }

  /**
   * Removes {@code session} (and every expired one); when none is left, restores the pod's own
   * values and removes the state and the label.
   */
  public Change release(Map<String, String> annotations, String session, Instant now) {
    Optional<State> found = read(annotations);
    if (found.isEmpty()) {
      return new Change(Map.of(), Map.of(), false);
    }
    State state = found.get();
    state.sessions.remove(session);
    state.dropExpired(now);
    if (!state.sessions.isEmpty()) {
      return new Change(Map.of(STATE, Optional.of(write(state))), Map.of(), true);
    }
    Map<String, Optional<String>> restore = new LinkedHashMap<>();
    for (String key : MARKED) {
      restore.put(key, Optional.ofNullable(state.saved.get(key)));
    }
    restore.put(STATE, Optional.empty());
    return new Change(restore, Map.of(LABEL, Optional.empty()), false);
  }

  /** Whether the pod carries marks whose every session has expired (or an unreadable state). */
  public boolean expired(Map<String, String> annotations, Instant now) {
    Optional<State> found = read(annotations);
    if (found.isEmpty()) {
      return annotations != null && annotations.containsKey(STATE);
    }
    found.get().dropExpired(now);
    return found.get().sessions.isEmpty();
  }

  /** The sessions holding the marks, with their expiry. */
  public Map<String, String> sessions(Map<String, String> annotations) {
    return read(annotations).map(s -> Map.copyOf(s.sessions)).orElse(Map.of());
  }

  private Optional<State> read(Map<String, String> annotations) {
    String text = annotations == null ? null : annotations.get(STATE);
    if (text == null) {
      return Optional.empty();
    }
    try {
      Map<?, ?> raw = json.unmarshal(text, Map.class);
      State state = new State();
      copyStrings(raw.get("sessions"), state.sessions);
      copyStrings(raw.get("saved"), state.saved);
      return Optional.of(state);
    } catch (RuntimeException e) {
      // unreadable: treat as expired state whose saved values are lost
      State state = new State();
      return Optional.of(state);
    }
  }

  /** Copies a JSON object of strings (or nulls); anything else is left out. */
  private static void copyStrings(Object object, Map<String, String> into) {
    if (object instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) -> {
            if (k instanceof String key && (v == null || v instanceof String)) {
              into.put(key, (String) v);
            }
          });
    }
  }

  private String write(State state) {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("sessions", state.sessions);
    raw.put("saved", state.saved);
    return json.asJson(raw);
  }

  /** The sessions and the saved values; a null saved value means the pod had no such annotation. */
  private static final class State {
    final Map<String, String> sessions = new LinkedHashMap<>();
    final Map<String, String> saved = new HashMap<>();

    static State saving(Map<String, String> annotations) {
      State state = new State();
      for (String key : MARKED) {
        state.saved.put(key, annotations == null ? null : annotations.get(key));
      }
      return state;
    }

    void dropExpired(Instant now) {
      sessions
          .entrySet()
          .removeIf(
              e -> {
                try {
                  return !Instant.parse(e.getValue()).isAfter(now);
                } catch (DateTimeParseException bad) {
                  return true;
                }
              });
    }
  }
}
