package dev.lambdacntr.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients over a real unix socket served by a small HTTP/1.1 server standing in for the Docker
 * engine (there is none on our machines): the Docker client reads its reply, and the gRPC clients
 * say clearly that this socket is not theirs.
 */
class UnixSocketClientsTest {
  @TempDir Path dir;
  private ServerSocketChannel server;
  private Thread serving;

  @BeforeEach
  void serve() throws IOException {
    Path socket = dir.resolve("docker.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    serving =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (server.isOpen()) {
                    try (SocketChannel client = server.accept()) {
                      ByteBuffer request = ByteBuffer.allocate(4096);
                      client.read(request);
                      String head =
                          new String(
                              request.array(), 0, request.position(), StandardCharsets.US_ASCII);
                      String body =
                          head.startsWith("GET /containers/web/json ")
                              ? "{\"State\":{\"Running\":true,\"Pid\":4321}}"
                              : "{\"message\":\"page not found\"}";
                      String status =
                          head.startsWith("GET /containers/web/json ")
                              ? "200 OK"
                              : "400 Bad Request";
                      client.write(
                          ByteBuffer.wrap(
                              ("HTTP/1.1 "
                                      + status
                                      + "\r\nContent-Type: application/json\r\nContent-Length: "
                                      + body.length()
                                      + "\r\n\r\n"
                                      + body)
                                  .getBytes(StandardCharsets.US_ASCII)));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    serving.join(2000);
  }

  private Path socket() {
    return dir.resolve("docker.sock");
  }

  @Test
  void dockerEngineApiGivesThePid() {
    PidSource.Lookup lookup = new DockerEngine(socket(), Duration.ofSeconds(2)).find("web");
    assertThat(lookup.pid()).isEqualTo(OptionalInt.of(4321));
  }

  @Test
  void grpcClientsRecogniseAnHttp1Server() {
    PidSource.Lookup containerd =
        new ContainerdTasks(socket(), List.of("k8s.io"), Duration.ofSeconds(2)).find("web");
    assertThat(containerd.pid()).isEmpty();
    assertThat(containerd.detail())
        .contains(socket() + " does not speak HTTP/2 gRPC (its reply starts with 'HTTP/1.1 ");
    assertThat(new CriRuntime(socket(), Duration.ofSeconds(2)).find("web").detail())
        .contains("does not speak HTTP/2 gRPC");
  }

  @Test
  void aSocketNobodyListensOnIsAMissNamingIt() {
    Path nowhere = dir.resolve("none.sock");
    assertThat(new CriRuntime(nowhere, Duration.ofSeconds(1)).find("x").detail())
        .startsWith("cannot connect to " + nowhere);
    assertThat(new DockerEngine(nowhere, Duration.ofSeconds(1)).find("x").detail())
        .startsWith("GET /containers/x/json: ");
  }
}
