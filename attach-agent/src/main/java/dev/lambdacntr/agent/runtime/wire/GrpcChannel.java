package dev.lambdacntr.agent.runtime.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A minimal gRPC client for unary calls over a unix socket: HTTP/2 with prior knowledge, one stream
 * per call, literal HPACK headers. Enough for the few calls the agent makes to containerd and CRI
 * runtimes, and quick to start (no gRPC library, no Netty). Not thread-safe.
 */
public final class GrpcChannel implements AutoCloseable {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int CONTINUATION = 9;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY = 0x20;
  private static final int MAX_FRAME = 1 << 20;

  /**
   * The outcome of a call.
   *
   * @param status the gRPC status code (0 is OK, 5 NOT_FOUND, 12 UNIMPLEMENTED...)
   * @param message the gRPC status message, empty when none
   * @param body the response message (empty unless the status is OK)
   */
  public record Reply(int status, String message, byte[] body) {
    public static final int OK = 0;
    public static final int NOT_FOUND = 5;
    public static final int UNIMPLEMENTED = 12;
  }

  private final SocketChannel channel;
  private final Path socket;
  private final Hpack hpack = new Hpack();
  private final ByteBuffer header = ByteBuffer.allocate(9);
  private int nextStream = 1;

  private GrpcChannel(SocketChannel channel, Path socket) {
    this.channel = channel;
    this.socket = socket;
  }

  /** Connects and sends the HTTP/2 preface; fails with a message naming the socket. */
  public static GrpcChannel connect(Path socket) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      GrpcChannel grpc = new GrpcChannel(channel, socket);
      ByteBuffer start = ByteBuffer.allocate(PREFACE.length + 9 + 6);
      start.put(PREFACE);
      grpc.putFrameHeader(start, 6, SETTINGS, 0, 0);
      start.putShort((short) 2).putInt(0); // SETTINGS_ENABLE_PUSH = 0
      grpc.write(start.flip());
      return grpc;
    } catch (IOException e) {
      closeQuietly(channel);
      throw Wire.error("cannot connect to " + socket + ": " + describe(e));
    }
  }

  /**
   * Makes one unary call, giving up after {@code timeout}.
   *
   * @param method the full method name, {@code /package.Service/Method}
   * @param metadata extra request headers (lower-case names)
   * @param request the encoded request message
   */
  public Reply call(String method, Map<String, String> metadata, byte[] request, Duration timeout) {
    int stream = nextStream;
    nextStream += 2;
    Thread watchdog = Thread.ofPlatform().daemon().unstarted(() -> closeAfter(timeout));
    watchdog.start();
    try {
      try {
        sendRequest(stream, method, metadata, request);
      } catch (IOException refused) {
        // A server of another protocol may have answered the preface and hung up: its answer
        // says more than the broken pipe.
        throw alienReply().orElseThrow(() -> refused);
      }
      return receive(stream, method);
    } catch (IOException e) {
      if (!channel.isOpen()) {
        throw Wire.error(
            method + " on " + socket + " timed out after " + timeout.toMillis() + " ms");
      }
      throw Wire.error(method + " on " + socket + " failed: " + describe(e));
    } finally {
      watchdog.interrupt();
    }
  }

  private java.util.Optional<RuntimeException> alienReply() {
    ByteBuffer start = ByteBuffer.allocate(9);
    try {
      while (start.hasRemaining() && channel.read(start) > 0) {
        // read what the server sent before it closed
      }
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
    if (start.position() == 0) {
      return java.util.Optional.empty();
    }
    String text = new String(start.array(), 0, start.position(), StandardCharsets.ISO_8859_1);
    return java.util.Optional.of(notHttp2(text));
  }

  private RuntimeException notHttp2(String start) {
    return Wire.error(
        socket + " does not speak HTTP/2 gRPC (its reply starts with '" + printable(start) + "')");
  }

  private void closeAfter(Duration timeout) {
    try {
      Thread.sleep(timeout);
      channel.close();
    } catch (InterruptedException | IOException e) {
      // the call finished first, or the channel is gone anyway
    }
  }

  private void sendRequest(int stream, String method, Map<String, String> metadata, byte[] request)
      throws IOException {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry(":method", "POST"));
    fields.add(Map.entry(":scheme", "http"));
    fields.add(Map.entry(":path", method));
    fields.add(Map.entry(":authority", "localhost"));
    fields.add(Map.entry("content-type", "application/grpc"));
    fields.add(Map.entry("te", "trailers"));
    fields.add(Map.entry("user-agent", "lambda-cntr-agent"));
    fields.addAll(metadata.entrySet());
    byte[] block = Hpack.encode(fields);
    ByteBuffer out = ByteBuffer.allocate(9 + block.length + 9 + 5 + request.length);
    putFrameHeader(out, block.length, HEADERS, END_HEADERS, stream);
    out.put(block);
    putFrameHeader(out, 5 + request.length, DATA, END_STREAM, stream);
    out.put((byte) 0).putInt(request.length).put(request);
    write(out.flip());
  }

  private Reply receive(int stream, String method) throws IOException {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    List<Hpack.Field> fields = new ArrayList<>();
    boolean ended = false;
    while (!ended) {
      readFully(header.clear());
      header.flip();
      int length =
          ((header.get() & 0xff) << 16) | ((header.get() & 0xff) << 8) | (header.get() & 0xff);
      int type = header.get() & 0xff;
      int flags = header.get() & 0xff;
      int frameStream = header.getInt() & 0x7fffffff;
      if (length > MAX_FRAME) {
        String start = new String(header.array(), 0, 9, StandardCharsets.ISO_8859_1);
        throw Wire.error(
            socket
                + " does not speak HTTP/2 gRPC (its reply starts with '"
                + printable(start)
                + "')");
      }
      byte[] payload = new byte[length];
      readFully(ByteBuffer.wrap(payload));
      switch (type) {
        case SETTINGS -> {
          if ((flags & ACK) == 0) {
            ByteBuffer ack = ByteBuffer.allocate(9);
            putFrameHeader(ack, 0, SETTINGS, ACK, 0);
            write(ack.flip());
          }
        }
        case PING -> {
          if ((flags & ACK) == 0) {
            ByteBuffer pong = ByteBuffer.allocate(9 + length);
            putFrameHeader(pong, length, PING, ACK, 0);
            write(pong.put(payload).flip());
          }
        }
        case HEADERS -> {
          byte[] block = headerBlock(payload, flags);
          while ((flags & END_HEADERS) == 0) {
            readFully(header.clear());
            header.flip();
            int more =
                ((header.get() & 0xff) << 16)
                    | ((header.get() & 0xff) << 8)
                    | (header.get() & 0xff);
            int moreType = header.get() & 0xff;
            flags = (flags & ~END_HEADERS) | (header.get() & END_HEADERS);
            header.getInt();
            if (moreType != CONTINUATION || more > MAX_FRAME) {
              throw Wire.error(method + ": expected a CONTINUATION frame from " + socket);
            }
            byte[] fragment = new byte[more];
            readFully(ByteBuffer.wrap(fragment));
            block = concat(block, fragment);
          }
          List<Hpack.Field> decoded = hpack.decode(block);
          if (frameStream == stream) {
            fields.addAll(decoded);
            ended = (flags & END_STREAM) != 0;
          }
        }
        case DATA -> {
          if (frameStream == stream) {
            int pad = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
            int from = (flags & PADDED) != 0 ? 1 : 0;
            data.write(payload, from, length - from - pad);
            ended = (flags & END_STREAM) != 0;
          }
          if (length > 0) {
            windowUpdate(0, length);
            if (!ended && frameStream == stream) {
              windowUpdate(stream, length);
            }
          }
        }
        case RST_STREAM -> {
          if (frameStream == stream) {
            throw Wire.error(
                method
                    + ": "
                    + socket
                    + " reset the stream (HTTP/2 error "
                    + errorCode(payload)
                    + ")");
          }
        }
        case GOAWAY ->
            throw Wire.error(
                method
                    + ": "
                    + socket
                    + " closed the connection (HTTP/2 GOAWAY "
                    + goawayCode(payload)
                    + ")");
        default -> {
          // WINDOW_UPDATE, PRIORITY and unknown frames need no answer
        }
      }
    }
    return reply(method, fields, data.toByteArray());
  }

  private Reply reply(String method, List<Hpack.Field> fields, byte[] body) {
    String httpStatus = "";
    String contentType = "";
    int grpcStatus = -1;
    String grpcMessage = "";
    for (Hpack.Field field : fields) {
      switch (field.name()) {
        case ":status" -> httpStatus = field.value();
        case "content-type" -> contentType = field.value();
        case "grpc-status" -> grpcStatus = Integer.parseInt(field.value().strip());
        case "grpc-message" ->
            grpcMessage =
                URLDecoder.decode(field.value().replace("+", "%2B"), StandardCharsets.UTF_8);
        default -> {}
      }
    }
    if (!httpStatus.equals("200") || !contentType.startsWith("application/grpc")) {
      throw Wire.error(
          method
              + ": "
              + socket
              + " answered HTTP "
              + httpStatus
              + " '"
              + contentType
              + "', not gRPC");
    }
    if (grpcStatus < 0) {
      throw Wire.error(method + ": " + socket + " sent no grpc-status");
    }
    if (grpcStatus != Reply.OK) {
      return new Reply(grpcStatus, grpcMessage, new byte[0]);
    }
    if (body.length < 5 || body[0] != 0) {
      throw Wire.error(method + ": " + socket + " sent no (uncompressed) response message");
    }
    int length = ByteBuffer.wrap(body, 1, 4).getInt();
    if (length < 0 || 5 + length > body.length) {
      throw Wire.error(method + ": truncated response message from " + socket);
    }
    return new Reply(Reply.OK, "", java.util.Arrays.copyOfRange(body, 5, 5 + length));
  }

  private static byte[] headerBlock(byte[] payload, int flags) {
    int from = 0;
    int pad = 0;
    if ((flags & PADDED) != 0) {
      pad = payload[0] & 0xff;
      from = 1;
    }
    if ((flags & PRIORITY) != 0) {
      from += 5;
    }
    return java.util.Arrays.copyOfRange(payload, from, payload.length - pad);
  }

  private void windowUpdate(int stream, int increment) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(13);
    putFrameHeader(frame, 4, WINDOW_UPDATE, 0, stream);
    write(frame.putInt(increment).flip());
  }

  private void putFrameHeader(ByteBuffer out, int length, int type, int flags, int stream) {
    out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    out.put((byte) type).put((byte) flags).putInt(stream);
  }

  private void write(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private void readFully(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("connection closed by the runtime");
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static long errorCode(byte[] payload) {
    return payload.length >= 4 ? ByteBuffer.wrap(payload).getInt() & 0xffffffffL : -1;
  }

  private static long goawayCode(byte[] payload) {
    return payload.length >= 8 ? ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffffffffL : -1;
  }

  private static String printable(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
