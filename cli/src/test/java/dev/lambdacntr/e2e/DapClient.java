package dev.lambdacntr.e2e;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A minimal Debug Adapter Protocol client, as an IDE speaks it to debugpy: {@code Content-Length}
 * framed JSON requests, and every response and event read into a queue the test waits on.
 */
final class DapClient implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final KubernetesSerialization json = new KubernetesSerialization();
  private final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
  private final StringBuilder log = new StringBuilder();
  private int sequence;

  DapClient(String host, int port) throws IOException {
    this.socket = new Socket(host, port);
    this.out = socket.getOutputStream();
    Thread.ofPlatform().daemon().name("dap-reader").start(this::readAll);
  }

  /** Sends a request; returns its sequence number. */
  synchronized int request(String command, Map<String, Object> arguments) throws IOException {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("seq", ++sequence);
    message.put("type", "request");
    message.put("command", command);
    message.put("arguments", arguments);
    byte[] body = json.asJson(message).getBytes(StandardCharsets.UTF_8);
    out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    log.append("-> ").append(command).append(' ').append(json.asJson(arguments)).append('\n');
    return sequence;
  }

  /** The response to request {@code seq}; fails if it does not come or reports a failure. */
  Map<String, Object> response(int seq, Duration timeout) throws InterruptedException {
    Map<String, Object> r =
        await(
            "the response to request " + seq,
            m ->
                "response".equals(m.get("type"))
                    && Integer.valueOf(seq).equals(m.get("request_seq")),
            timeout);
    if (!Boolean.TRUE.equals(r.get("success"))) {
      throw new AssertionError("request " + seq + " failed: " + r + "\n" + log);
    }
    return r;
  }

  /** The next event named {@code name}. */
  Map<String, Object> event(String name, Duration timeout) throws InterruptedException {
    return await(
        "event " + name,
        m -> "event".equals(m.get("type")) && name.equals(m.get("event")),
        timeout);
  }

  private Map<String, Object> await(
      String what, Predicate<Map<String, Object>> match, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Map<String, Object>> skipped = new java.util.ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Map<String, Object> m = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
        if (m == null) {
          throw new AssertionError(
              "no " + what + " within " + timeout.toSeconds() + "s; conversation:\n" + log);
        }
        if (match.test(m)) {
          return m;
        }
        skipped.add(m);
      }
    } finally {
      // what was not waited for stays for later waits, in order
      List<Map<String, Object>> rest = new java.util.ArrayList<>(skipped);
      received.drainTo(rest);
      received.addAll(rest);
    }
  }

  private void readAll() {
    try (InputStream in = new BufferedInputStream(socket.getInputStream())) {
      while (true) {
        int length = -1;
        String header;
        while (!(header = line(in)).isEmpty()) {
          if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(header.substring(15).strip());
          }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
          return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        synchronized (this) {
          log.append("<- ").append(text).append('\n');
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> message = json.unmarshal(text, Map.class);
        received.add(message);
      }
    } catch (IOException | RuntimeException e) {
      // closed
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0) {
      throw new IOException("end of stream");
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  synchronized String conversation() {
    return log.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
