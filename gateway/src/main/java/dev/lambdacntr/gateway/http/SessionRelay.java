package dev.lambdacntr.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Relays one session between the API server's WebSocket and the node agent's: every data frame goes
 * on unchanged (type, payload, fragmentation), each direction stops reading while the other side's
 * write queue is full (so nothing is buffered without bound), and either end's close or failure
 * closes the other. Ping and pong are answered per hop.
 */
public final class SessionRelay {

  /** The v5 channel the gateway's own last word goes on (the kubelet's error channel). */
  static final byte STATUS_CHANNEL = 3;

  private final WebSocketBase client;
  private final WebSocketBase agent;
  private final Runnable ended;
  private boolean closing;

  private SessionRelay(WebSocketBase client, WebSocketBase agent, Runnable ended) {
    this.client = client;
    this.agent = agent;
    this.ended = ended;
  }

  /**
   * Starts relaying; {@code agent} should be paused until now, so nothing it said is lost.
   *
   * @param maxDuration when the gateway ends the session itself (the policy's limit)
   * @param ended called once when both ends are closed or closing
   */
  public static void start(
      Vertx vertx,
      WebSocketBase client,
      WebSocketBase agent,
      Duration maxDuration,
      Runnable ended) {
    SessionRelay relay = new SessionRelay(client, agent, ended);
    relay.pump(client, agent);
    relay.pump(agent, client);
    long timer =
        vertx.setTimer(
            Math.max(1, maxDuration.toMillis()),
            id ->
                relay.expire(
                    "the session reached the policy's maximum of "
                        + maxDuration.toSeconds()
                        + " seconds"));
    client.closeHandler(v -> relay.closed(client, agent, timer, vertx));
    agent.closeHandler(v -> relay.closed(agent, client, timer, vertx));
    client.exceptionHandler(e -> relay.failed(e));
    agent.exceptionHandler(e -> relay.failed(e));
    agent.resume();
    client.resume();
  }

  private void pump(WebSocketBase from, WebSocketBase to) {
    from.frameHandler(
        frame -> {
          WebSocketFrame copy = copy(frame);
          if (copy == null || to.isClosed()) {
            return;
          }
          to.writeFrame(copy);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
  }

  /** A data frame as it came, or null for control frames (answered by Vert.x on each hop). */
  static WebSocketFrame copy(WebSocketFrame frame) {
    WebSocketFrameType type = frame.type();
    return switch (type) {
      case BINARY -> WebSocketFrame.binaryFrame(frame.binaryData().copy(), frame.isFinal());
      case TEXT -> WebSocketFrame.textFrame(frame.textData(), frame.isFinal());
      case CONTINUATION ->
          WebSocketFrame.continuationFrame(frame.binaryData().copy(), frame.isFinal());
      default -> null;
    };
  }

  private void closed(WebSocketBase from, WebSocketBase to, long timer, Vertx vertx) {
    vertx.cancelTimer(timer);
    if (!to.isClosed()) {
      to.close(code(from.closeStatusCode()), reason(from));
    }
    end();
  }

  private void failed(Throwable e) {
    String why = "session relay failed: " + e.getMessage();
    if (!client.isClosed()) {
      client.close((short) 1011, why);
    }
    if (!agent.isClosed()) {
      agent.close((short) 1011, why);
    }
    end();
  }

  private void expire(String why) {
    if (!client.isClosed()) {
      client.writeFrame(WebSocketFrame.binaryFrame(statusFrame(why), true));
      client.close((short) 1000, why);
    }
    if (!agent.isClosed()) {
      agent.close((short) 1000, why);
    }
    end();
  }

  private void end() {
    if (!closing) {
      closing = true;
      ended.run();
    }
  }

  /** A v1 Status on the status channel, as the kubelet ends a failed session. */
  static Buffer statusFrame(String message) {
    String status =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"reason\":\"Timeout\",\"message\":\""
            + message.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}";
    return Buffer.buffer().appendByte(STATUS_CHANNEL).appendString(status, "UTF-8");
  }

  /** Close codes that may be sent; 1005 (none given) and 1006 (connection lost) may not. */
  static short code(Short received) {
    if (received == null || received == 1005) {
      return 1000;
    }
    if (received == 1006 || received == 1015) {
      return 1011;
    }
    return received;
  }

  private static String reason(WebSocketBase from) {
    String reason = from.closeReason();
    if (reason == null) {
      return "";
    }
    // a close frame's reason is at most 123 bytes
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 123 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8);
  }
}
