package dev.lambdacntr.cli.direct;

import dev.lambdacntr.protocol.Json;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.util.StringJoiner;

/**
 * The audit event ({@code AuditEvents.build}) as JSON for a direct POST. Writes every field the
 * event builder sets; a unit test compares the result with the client library's serialization so
 * that a field added there cannot be dropped here. Pure.
 */
public final class EventJson {

  private EventJson() {}

  public static String of(Event e) {
    Fields root = new Fields();
    root.add("apiVersion", "v1");
    root.add("kind", "Event");
    ObjectMeta m = e.getMetadata();
    Fields meta = new Fields();
    meta.add("name", m.getName());
    meta.add("namespace", m.getNamespace());
    if (m.getAnnotations() != null && !m.getAnnotations().isEmpty()) {
      Fields annotations = new Fields();
      m.getAnnotations().forEach(annotations::add);
      meta.raw("annotations", annotations.toString());
    }
    root.raw("metadata", meta.toString());
    ObjectReference o = e.getInvolvedObject();
    Fields involved = new Fields();
    involved.add("apiVersion", o.getApiVersion());
    involved.add("fieldPath", o.getFieldPath());
    involved.add("kind", o.getKind());
    involved.add("name", o.getName());
    involved.add("namespace", o.getNamespace());
    involved.add("uid", o.getUid());
    root.raw("involvedObject", involved.toString());
    root.add("type", e.getType());
    root.add("reason", e.getReason());
    root.add("action", e.getAction());
    root.add("message", e.getMessage());
    EventSource s = e.getSource();
    if (s != null) {
      Fields source = new Fields();
      source.add("component", s.getComponent());
      source.add("host", s.getHost());
      root.raw("source", source.toString());
    }
    root.add("firstTimestamp", e.getFirstTimestamp());
    root.add("lastTimestamp", e.getLastTimestamp());
    if (e.getCount() != null) {
      root.raw("count", e.getCount().toString());
    }
    return root.toString();
  }

  /** A JSON object's members, null values left out. */
  private static final class Fields {
    private final StringJoiner members = new StringJoiner(",", "{", "}");

    void add(String name, String value) {
      if (value != null) {
        raw(name, Json.quote(value));
      }
    }

    void raw(String name, String json) {
      members.add(Json.quote(name) + ":" + json);
    }

    @Override
    public String toString() {
      return members.toString();
    }
  }
}
