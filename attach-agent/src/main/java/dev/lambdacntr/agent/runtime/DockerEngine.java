package dev.lambdacntr.agent.runtime;

import dev.lambdacntr.agent.runtime.wire.Wire;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The Docker Engine API over its unix socket: {@code GET /containers/ID/json} (HTTP/1.1, {@code
 * Connection: close}) gives {@code State.Pid} and {@code State.Running}.
 */
public final class DockerEngine implements PidSource {
  private final Path socket;
  private final Duration timeout;

  public DockerEngine(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "Docker Engine API on " + socket;
  }

  @Override
  public Lookup find(String containerId) {
    byte[] response;
    try {
      response = get("/containers/" + containerId + "/json");
    } catch (IOException e) {
      return Lookup.missed("GET /containers/" + containerId + "/json: " + e.getMessage());
    }
    try {
      return fromResponse(response);
    } catch (CntrException e) {
      return Lookup.missed(e.getMessage());
    }
  }

  static Lookup fromResponse(byte[] response) {
    String head = new String(response, StandardCharsets.ISO_8859_1);
    int headerEnd = head.indexOf("\r\n\r\n");
    String statusLine = head.lines().findFirst().orElse("");
    if (!statusLine.startsWith("HTTP/1.") || headerEnd < 0) {
      return Lookup.missed("not an HTTP reply: '" + statusLine + "'");
    }
    String[] status = statusLine.split(" ", 3);
    String headers = head.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT);
    byte[] raw = java.util.Arrays.copyOfRange(response, headerEnd + 4, response.length);
    String body =
        new String(
            headers.contains("transfer-encoding: chunked") ? unchunk(raw) : raw,
            StandardCharsets.UTF_8);
    if (status.length < 2 || !status[1].equals("200")) {
      return Lookup.missed("HTTP " + (status.length > 1 ? status[1] : "?") + ": " + body.strip());
    }
    Object json = Wire.json(body);
    Optional<Object> running = Json.path(json, "State", "Running");
    Optional<Object> pid = Json.path(json, "State", "Pid");
    if (!running.equals(Optional.of(Boolean.TRUE))) {
      return Lookup.missed("container not running");
    }
    if (pid.isPresent() && pid.get() instanceof Long p && p > 0) {
      return Lookup.found(p.intValue());
    }
    return Lookup.missed("no State.Pid in the reply");
  }

  private byte[] get(String path) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      Thread watchdog = Thread.ofPlatform().daemon().start(() -> closeAfter(channel));
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
        String request =
            "GET "
                + path
                + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: lambda-cntr-agent\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
          channel.write(out);
        }
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        while (channel.read(in.clear()) >= 0) {
          reply.write(in.array(), 0, in.position());
        }
        return reply.toByteArray();
      } finally {
        watchdog.interrupt();
      }
    }
  }

  private void closeAfter(SocketChannel channel) {
    try {
      Thread.sleep(timeout);
      channel.close();
    } catch (InterruptedException | IOException e) {
      // finished in time
    }
  }

  private static byte[] unchunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String latin = new String(body, StandardCharsets.ISO_8859_1);
    int pos = 0;
    while (pos < body.length) {
      int lineEnd = latin.indexOf("\r\n", pos);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(latin.substring(pos, lineEnd).split(";")[0].strip(), 16);
      if (size == 0) {
        break;
      }
      int start = lineEnd + 2;
      out.write(body, start, Math.min(body.length - start, size));
      pos = start + size + 2;
    }
    return out.toByteArray();
  }
}
