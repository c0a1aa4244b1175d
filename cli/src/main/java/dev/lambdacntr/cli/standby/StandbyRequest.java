package dev.lambdacntr.cli.standby;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an invocation hands to a standby process besides its descriptors 0-2: its arguments, and
 * what the standby checks before it serves (the key, the working directory, the environment).
 * Written as a length and then the fields, so the standby knows how much to read.
 *
 * @param key the invocation's {@link StandbyPlace#key}
 * @param cwd the invocation's working directory
 * @param env the invocation's environment
 * @param args the command line after the launcher
 * @param startNanos {@link System#nanoTime} when the invocation's JVM reached {@code main} (one
 *     clock for all processes of the machine), so progress lines count from there
 */
record StandbyRequest(
    String key, String cwd, Map<String, String> env, List<String> args, long startNanos) {

  /** Longer requests are refused: an environment and command line fit in far less. */
  static final int MAX_BYTES = 4 << 20;

  private static final int MAGIC = 0x4c435342; // "LCSB"

  StandbyRequest {
    env = Map.copyOf(env);
    args = List.copyOf(args);
  }

  /** The request as bytes: its length (4 bytes), then its fields. */
  byte[] encode() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(body)) {
      out.writeInt(MAGIC);
      writeString(out, key);
      writeString(out, cwd);
      out.writeLong(startNanos);
      out.writeInt(env.size());
      for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
      }
      out.writeInt(args.size());
      for (String arg : args) {
        writeString(out, arg);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] bytes = body.toByteArray();
    byte[] framed = new byte[4 + bytes.length];
    framed[0] = (byte) (bytes.length >>> 24);
    framed[1] = (byte) (bytes.length >>> 16);
    framed[2] = (byte) (bytes.length >>> 8);
    framed[3] = (byte) bytes.length;
    System.arraycopy(bytes, 0, framed, 4, bytes.length);
    return framed;
  }

  /** The length in a request's first four bytes. */
  static int length(byte[] header) {
    return ((header[0] & 0xff) << 24)
        | ((header[1] & 0xff) << 16)
        | ((header[2] & 0xff) << 8)
        | (header[3] & 0xff);
  }

  /** The fields after the length; IOException when they are not a request. */
  static StandbyRequest decode(byte[] body) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a lambda-cntr standby request");
    }
    String key = readString(in);
    String cwd = readString(in);
    long startNanos = in.readLong();
    int variables = count(in);
    Map<String, String> env = new TreeMap<>();
    for (int i = 0; i < variables; i++) {
      env.put(readString(in), readString(in));
    }
    int argCount = count(in);
    List<String> args = new ArrayList<>(argCount);
    for (int i = 0; i < argCount; i++) {
      args.add(readString(in));
    }
    if (in.available() != 0) {
      throw new IOException("a standby request with " + in.available() + " bytes after its end");
    }
    return new StandbyRequest(key, cwd, env, args, startNanos);
  }

  private static int count(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_BYTES) {
      throw new IOException("a standby request with a count of " + count);
    }
    return count;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[count(in)];
    in.readFully(bytes);
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }
}
