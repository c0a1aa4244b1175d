package dev.lambdacntr.cli.testing;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The server side of one {@code pods/exec} on the mock API server, standing in for the agent in the
 * CLI's own tests (the real agent is tested on a real kernel elsewhere). It speaks the channel
 * protocol and interprets the command after {@code --} in the agent's argv:
 *
 * <ul>
 *   <li>{@code exit N}: exits with N at once;
 *   <li>{@code cat}: echoes stdin to stdout until stdin's end, then exits 0;
 *   <li>{@code echo WORDS}: prints them; {@code stderr WORDS}: prints them on stderr;
 *   <li>{@code fail MESSAGE}: the runtime could not start the command (a Failure status);
 *   <li>no command (attach): a "shell" that answers each stdin line {@code exit N} by exiting N and
 *       echoes every other line.
 * </ul>
 *
 * Called as the CLI calls the agent ({@code --framed-stdin}), it reads stdin in {@code
 * StdinFrames}, as the agent's helper does: an empty frame is the end of the input.
 */
final class FakeAgentExec extends WebSocketListener {

  private final List<String> argv;
  private final boolean tty;
  private final MockCluster.ExecLog log;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final ByteArrayOutputStream frames = new ByteArrayOutputStream();
  private final Runnable onOpen;
  private boolean done;

  FakeAgentExec(String query, MockCluster.ExecLog log, Runnable onOpen) {
    this.onOpen = onOpen;
    List<String> command = new ArrayList<>();
    boolean tty = false;
    for (String part : java.util.regex.Pattern.compile("&").splitAsStream(query).toList()) {
      int eq = part.indexOf('=');
      String key = part.substring(0, eq);
      String value = URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      if (key.equals("command")) {
        command.add(value);
      } else if (key.equals("tty")) {
        tty = Boolean.parseBoolean(value);
      }
    }
    this.argv = List.copyOf(command);
    this.tty = tty;
    this.log = log;
    log.argv().add(argv);
    log.tty().add(tty);
  }

  /** The command after the agent's {@code --}; a plain exec (kubectl's) runs its argv as is. */
  private List<String> userCommand() {
    if (argv.isEmpty() || !argv.get(0).equals("lambda-cntr-agent")) {
      return argv;
    }
    int dashes = argv.indexOf("--");
    return dashes < 0 ? List.of() : argv.subList(dashes + 1, argv.size());
  }

  @Override
  public void onOpen(WebSocket ws, Response response) {
    // off the server's event loop: the action may itself call the mock server
    Thread.ofVirtual()
        .start(
            () -> {
              onOpen.run();
              run(ws);
            });
  }

  private void run(WebSocket ws) {
    List<String> cmd = userCommand();
    if (cmd.isEmpty() || cmd.get(0).equals("cat")) {
      return;
    }
    String rest = String.join(" ", cmd.subList(1, cmd.size()));
    switch (cmd.get(0)) {
      case "exit" -> exit(ws, Integer.parseInt(cmd.get(1)));
      case "echo" -> {
        send(ws, 1, (rest + "\n").getBytes(StandardCharsets.UTF_8));
        exit(ws, 0);
      }
      case "stderr" -> {
        send(ws, 2, (rest + "\n").getBytes(StandardCharsets.UTF_8));
        exit(ws, 0);
      }
      case "fail" ->
          finish(
              ws,
              "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\""
                  + rest
                  + "\",\"reason\":\"InternalError\"}");
      default -> exit(ws, 127);
    }
  }

  @Override
  public void onMessage(WebSocket ws, byte[] bytes) {
    if (bytes.length == 0 || done) {
      return;
    }
    int channel = bytes[0] & 0xff;
    byte[] payload = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    List<String> cmd = userCommand();
    switch (channel) {
      case 0 -> {
        if (argv.contains("--framed-stdin")) {
          unframe(ws, payload);
        } else {
          input(ws, payload);
        }
      }
      case 4 -> log.resizes().add(new String(payload, StandardCharsets.UTF_8));
      case 255 -> endOfInput(ws);
      default -> {}
    }
  }

  @Override
  @SuppressWarnings("deprecation")
  public void onMessage(WebSocket ws, io.fabric8.mockwebserver.http.ByteString bytes) {
    onMessage(ws, bytes.toByteArray());
  }

  private void input(WebSocket ws, byte[] payload) {
    if (!userCommand().isEmpty()) {
      send(ws, 1, payload);
    } else {
      shell(ws, payload);
    }
  }

  private void endOfInput(WebSocket ws) {
    log.stdinClosed().add(true);
    List<String> cmd = userCommand();
    if (!cmd.isEmpty() && cmd.get(0).equals("cat")) {
      exit(ws, 0);
    }
  }

  /** Decodes StdinFrames (4-byte big-endian length, then the bytes; 0 ends the input). */
  private void unframe(WebSocket ws, byte[] payload) {
    frames.write(payload, 0, payload.length);
    byte[] all = frames.toByteArray();
    int at = 0;
    while (all.length - at >= 4 && !done) {
      int length = java.nio.ByteBuffer.wrap(all, at, 4).getInt();
      if (length == 0) {
        at += 4;
        endOfInput(ws);
        continue;
      }
      if (all.length - at - 4 < length) {
        break;
      }
      input(ws, java.util.Arrays.copyOfRange(all, at + 4, at + 4 + length));
      at += 4 + length;
    }
    frames.reset();
    frames.write(all, at, all.length - at);
  }

  private void shell(WebSocket ws, byte[] payload) {
    for (byte b : payload) {
      if (b == '\n' || b == '\r') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.startsWith("exit")) {
          String code = text.substring(4).trim();
          exit(ws, code.isEmpty() ? 0 : Integer.parseInt(code));
          return;
        }
        send(ws, 1, (text + "\n").getBytes(StandardCharsets.UTF_8));
      } else {
        line.write(b);
      }
    }
  }

  private void exit(WebSocket ws, int code) {
    finish(
        ws,
        code == 0
            ? "{\"kind\":\"Status\",\"status\":\"Success\"}"
            : "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"command terminated with"
                + " non-zero exit code: exit status "
                + code
                + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + code
                + "\"}]}}");
  }

  private synchronized void finish(WebSocket ws, String status) {
    if (done) {
      return;
    }
    done = true;
    send(ws, 3, status.getBytes(StandardCharsets.UTF_8));
    ws.close(1000, "");
  }

  private static void send(WebSocket ws, int channel, byte[] payload) {
    byte[] frame = new byte[payload.length + 1];
    frame[0] = (byte) channel;
    System.arraycopy(payload, 0, frame, 1, payload.length);
    ws.send(frame);
  }

  /** Unused by tests; keeps the tty flag visible for debugging. */
  @Override
  public String toString() {
    return "exec " + argv + (tty ? " (tty)" : "");
  }

  static List<List<String>> newArgvLog() {
    return new CopyOnWriteArrayList<>();
  }
}
