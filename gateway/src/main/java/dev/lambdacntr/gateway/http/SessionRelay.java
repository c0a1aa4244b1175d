package dev.lambdacntr.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Relays one session between the API server's WebSocket and the node agent's: every data frame goes
 * on unchanged (type, payload, fragmentation), each direction stops reading while the other side's
 * write queue is full (so nothing is buffered without bound), and either end's close goes on to the
 * other after everything that end sent before it. Ping and pong are answered per hop.
 *
 * <p>The order of the close matters: an agent that ends a session right after its output (a short
 * {@code cp} out of a pod) has sent output, status and close before the relay starts, or while it
 * holds the agent back for a slow client. Vert.x reports a closed connection at once, ahead of the
 * frames still held, and refuses handlers on a WebSocket whose close has arrived. So the agent's
 * side gets its handlers when it is opened ({@link #hold}), and a close is passed on by the end
 * handler, which Vert.x calls in order after the frames that came before the close; the close
 * handler acts only on a connection lost without a close.
 */
public final class SessionRelay {

  /** The v5 channel the gateway's own last word goes on (the kubelet's error channel). */
  static final byte STATUS_CHANNEL = 3;

  /** What Vert.x reports as the close status of a connection that ended without a close frame. */
  private static final short NO_CLOSE_FRAME = 1006;

  private final WebSocketBase agent;
  private WebSocketBase client; // on the event loop only, as everything here
  private Runnable ended = () -> {};
  private Runnable cancelTimer = () -> {};
  private boolean closing;

  private SessionRelay(WebSocketBase agent) {
    this.agent = agent;
  }

  /**
   * Holds the node agent's side from its upgrade on: paused until {@link #start}, with its handlers
   * in place, so that nothing it says is lost and its close does not overtake what it said before.
   * Called where the upgrade completes, before the agent's first frame is read.
   */
  public static SessionRelay hold(WebSocketBase agent) {
    agent.pause();
    SessionRelay relay = new SessionRelay(agent);
    relay.pump(agent, () -> relay.client);
    agent.endHandler(v -> relay.closedAfterItsFrames(agent, relay.client));
    agent.closeHandler(v -> relay.connectionEnded(agent, relay.client));
    agent.exceptionHandler(relay::failed);
    return relay;
  }

  /**
   * Starts relaying to and from {@code client}.
   *
   * @param maxDuration when the gateway ends the session itself (the policy's limit)
   * @param ended called once when the session is over
   */
  public void start(Vertx vertx, WebSocketBase client, Duration maxDuration, Runnable ended) {
    this.client = client;
    this.ended = ended;
    long timer =
        vertx.setTimer(
            Math.max(1, maxDuration.toMillis()),
            id ->
                expire(
                    "the session reached the policy's maximum of "
                        + maxDuration.toSeconds()
                        + " seconds"));
    cancelTimer = () -> vertx.cancelTimer(timer);
    pump(client, () -> agent);
    client.endHandler(v -> closedAfterItsFrames(client, agent));
    client.closeHandler(v -> connectionEnded(client, agent));
    client.exceptionHandler(this::failed);
    agent.resume();
    client.resume();
    if (lostWithoutClose(agent)) {
      connectionEnded(agent, client); // lost before the client came: nothing more will come
    }
  }

  /** Closes the agent's side of a session whose client never came (its upgrade failed). */
  public void abandon(String why) {
    if (!agent.isClosed()) {
      agent.close((short) 1001, why);
    }
  }

  private void pump(WebSocketBase from, Supplier<WebSocketBase> target) {
    from.frameHandler(
        frame -> {
          WebSocketBase to = target.get();
          WebSocketFrame copy = copy(frame);
          if (copy == null || to == null || to.isClosed()) {
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

  /** {@code from}'s close came, after every frame it sent before: it goes on to {@code to}. */
  private void closedAfterItsFrames(WebSocketBase from, WebSocketBase to) {
    if (to != null && !to.isClosed()) {
      to.close(code(from.closeStatusCode()), reason(from));
    }
    end();
  }

  /**
   * {@code from}'s connection is closed. After a close frame its end handler passes the close on,
   * once the frames before it have gone (they may still be held for a slow reader); a connection
   * lost without one ends the other side now.
   */
  private void connectionEnded(WebSocketBase from, WebSocketBase to) {
    if (!lostWithoutClose(from)) {
      return;
    }
    if (to != null && !to.isClosed()) {
      to.close((short) 1011, "connection lost");
    }
    end();
  }

  /** Whether {@code ws}'s connection ended without a close frame (Vert.x reports it as 1006). */
  private static boolean lostWithoutClose(WebSocketBase ws) {
    Short code = ws.closeStatusCode();
    return code != null && code == NO_CLOSE_FRAME;
  }

  private void failed(Throwable e) {
    String why = "session relay failed: " + e.getMessage();
    if (client != null && !client.isClosed()) {
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

  /** The session is over; before {@link #start} it is not begun, and the start ends it. */
  private void end() {
    if (client != null && !closing) {
      closing = true;
      cancelTimer.run();
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
