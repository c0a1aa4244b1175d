package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.Environment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {

  @TempDir Path dir;

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  static final String CERT_USER =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: c1
        cluster:
          server: https://10.0.0.1:6443
          certificate-authority-data: %s
      users:
      - name: admin
        user:
          client-certificate-data: %s
          client-key-data: %s
      contexts:
      - name: ctx1
        context:
          cluster: c1
          user: admin
          namespace: shop
      current-context: ctx1
      """
          .formatted(b64("CA"), b64("CERT"), b64("KEY"));

  Kubeconfig.Result read(Path file, Optional<String> context, Map<String, String> env) {
    return Kubeconfig.read(Optional.of(file), context, new Environment(env));
  }

  @Test
  void embeddedClientCertificate() throws IOException {
    Path file = write("config", CERT_USER);
    DirectConfig c = read(file, Optional.empty(), Map.of()).connection().get();
    assertThat(c.server()).isEqualTo("https://10.0.0.1:6443");
    assertThat(c.context()).isEqualTo("ctx1");
    assertThat(c.user()).isEqualTo("admin");
    assertThat(c.namespace()).contains("shop");
    assertThat(new String(c.caPem().get(), StandardCharsets.UTF_8)).isEqualTo("CA");
    assertThat(new String(c.certPem().get(), StandardCharsets.UTF_8)).isEqualTo("CERT");
    assertThat(new String(c.keyPem().get(), StandardCharsets.UTF_8)).isEqualTo("KEY");
    assertThat(c.keySource()).isEqualTo("client-key-data of admin in " + file);
    assertThat(c.token()).isEmpty();
    assertThat(c.insecure()).isFalse();
  }

  @Test
  void filesRelativeToTheKubeconfigAndTokenFile() throws IOException {
    write("conf/pki/ca.crt", "CA-FILE");
    write("conf/token", "tok-123\n");
    Path file =
        write(
            "conf/config",
            """
            clusters:
            - name: c
              cluster: {server: "https://api.example:443", certificate-authority: pki/ca.crt}
            users:
            - name: u
              user: {tokenFile: token}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """);
    DirectConfig c = read(file, Optional.empty(), Map.of()).connection().get();
    assertThat(new String(c.caPem().get(), StandardCharsets.UTF_8)).isEqualTo("CA-FILE");
    assertThat(c.token()).contains("tok-123");
    assertThat(c.namespace()).isEmpty();
    assertThat(c.certPem()).isEmpty();
    assertThat(c.keySource()).isEmpty();
  }

  @Test
  void clientKeyFileIsTheKeySource() throws IOException {
    write("conf/pki/client.crt", "CERT-FILE");
    write("conf/pki/client.key", "KEY-FILE");
    Path file =
        write(
            "conf/config",
            """
            clusters:
            - name: c
              cluster: {server: "https://api.example:443"}
            users:
            - name: u
              user: {client-certificate: pki/client.crt, client-key: pki/client.key}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """);
    DirectConfig c = read(file, Optional.empty(), Map.of()).connection().get();
    assertThat(new String(c.keyPem().get(), StandardCharsets.UTF_8)).isEqualTo("KEY-FILE");
    assertThat(c.keySource()).isEqualTo(dir.resolve("conf/pki/client.key").toString());
  }

  @Test
  void kubeconfigVariableMergesFirstDefinitionWins() throws IOException {
    Path first =
        write(
            "a",
            """
            clusters:
            - name: c
              cluster: {server: "https://first:1", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: first-token}
            contexts:
            - name: x
              context: {cluster: c, user: u, namespace: ns-a}
            """);
    Path second =
        write(
            "b",
            """
            clusters:
            - name: c
              cluster: {server: "https://second:2"}
            - name: d
              cluster: {server: "https://d:3"}
            users:
            - name: u
              user: {token: second-token}
            contexts:
            - name: x
              context: {cluster: d, user: u}
            - name: y
              context: {cluster: d, user: u}
            current-context: x
            """);
    Map<String, String> env = Map.of("KUBECONFIG", first + ":" + second);
    DirectConfig x =
        Kubeconfig.read(Optional.empty(), Optional.empty(), new Environment(env))
            .connection()
            .get();
    assertThat(x.server()).isEqualTo("https://first:1");
    assertThat(x.insecure()).isTrue();
    assertThat(x.token()).contains("first-token");
    assertThat(x.namespace()).contains("ns-a");
    DirectConfig y =
        Kubeconfig.read(Optional.empty(), Optional.of("y"), new Environment(env))
            .connection()
            .get();
    assertThat(y.server()).isEqualTo("https://d:3");
    assertThat(y.context()).isEqualTo("y");
  }

  @Test
  void homeConfigWhenNothingElseIsSet() throws IOException {
    write(".kube/config", CERT_USER);
    Kubeconfig.Result r =
        Kubeconfig.read(
            Optional.empty(), Optional.empty(), new Environment(Map.of("HOME", dir.toString())));
    assertThat(r.connection()).isPresent();
  }

  @Test
  void whatOnlyTheClientLibraryDoesIsLeftToIt() throws IOException {
    String exec =
        """
        clusters:
        - name: c
          cluster: {server: "https://a:1"}
        users:
        - name: u
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """;
    assertThat(read(write("exec", exec), Optional.empty(), Map.of()).unsupported())
        .isEqualTo("user field exec");
    assertThat(
            read(
                    write("ap", exec.replace("exec: {", "auth-provider: {name: oidc, ")),
                    Optional.empty(),
                    Map.of())
                .unsupported())
        .isEqualTo("user field auth-provider");
    assertThat(
            read(
                    write(
                        "basic",
                        exec.replace(
                            "exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}",
                            "{username: a, password: b}")),
                    Optional.empty(),
                    Map.of())
                .unsupported())
        .isEqualTo("user field username");
    assertThat(
            read(
                    write(
                        "proxy",
                        CERT_USER.replace(
                            "    server:", "    proxy-url: http://p:3128\n    server:")),
                    Optional.empty(),
                    Map.of())
                .unsupported())
        .isEqualTo("cluster field proxy-url");
    Path ok = write("config", CERT_USER);
    assertThat(read(ok, Optional.empty(), Map.of("KUBERNETES_NAMESPACE", "x")).unsupported())
        .isEqualTo("environment variable KUBERNETES_NAMESPACE is set");
    assertThat(read(ok, Optional.empty(), Map.of("https_proxy", "http://p")).connection())
        .isEmpty();
    assertThat(read(ok, Optional.of("nope"), Map.of()).unsupported())
        .isEqualTo("context nope not found");
    assertThat(read(dir.resolve("missing"), Optional.empty(), Map.of()).connection()).isEmpty();
    assertThat(
            read(
                    write("http", CERT_USER.replace("https://", "http://")),
                    Optional.empty(),
                    Map.of())
                .unsupported())
        .isEqualTo("server is not an https:// URL");
    assertThat(
            read(
                    write("nokey", CERT_USER.replaceAll("client-key-data: .*", "")),
                    Optional.empty(),
                    Map.of())
                .connection())
        .isEmpty();
    assertThat(read(write("garbage", "- a\n- b\n"), Optional.empty(), Map.of()).connection())
        .isEmpty();
  }
}
