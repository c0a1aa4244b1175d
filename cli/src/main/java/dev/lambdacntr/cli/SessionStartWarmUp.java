package dev.lambdacntr.cli;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The first TLS handshake's key pairs, made once on a second thread while the main thread parses
 * the command line and the kubeconfig (about 130 ms): one ClientHello that goes nowhere.
 *
 * <p>Why: the JDK's TLS client sends two key shares in every ClientHello, one X25519 and one P-256
 * ({@code sun.security.ssl.KeyShareExtension}: the first group of each kind), and the first P-256
 * key pair in a JVM builds a table of the curve generator's multiples in a static initializer
 * ({@code ECOperations.Secp256R1GeneratorMontgomeryMultiplier}). In the CLI's C1-only JVM that
 * initializer was the largest single cost of the first handshake: 71 of 240 samples of a JFR
 * recording of {@code execute} (1 ms period), on the thread about to send the ClientHello. A Go API
 * server takes the X25519 share, but the JDK makes both before it sends anything. Server-mode
 * {@code execute -- true} 425 against 456 ms median, {@code attach} to its prompt 561 against 620
 * (benchmarks/cli/README.md, sixth round). Linking the terminal's native calls here as well made
 * {@code attach} slower (600 ms in the same rounds): not done.
 */
final class SessionStartWarmUp {

  /** The commands that open a session, so a TLS connection. */
  private static final Set<String> SESSION_COMMANDS =
      Set.of("attach", "execute", "debug", "cp", "port-forward");

  private SessionStartWarmUp() {}

  /**
   * Starts the warm-up on a daemon thread when {@code args} name a session command. Its failure is
   * ignored: the handshake does the same work again.
   */
  static void startFor(String[] args) {
    if (args.length > 0 && SESSION_COMMANDS.contains(args[0])) {
      Thread.ofPlatform().daemon().name("lambda-cntr-warm-up").start(SessionStartWarmUp::run);
    }
  }

  /** The warm-up itself: whether it made a ClientHello. */
  static boolean run() {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[0], new TrustManager[0], null);
      SSLEngine engine = tls.createSSLEngine("warm-up.invalid", 443);
      engine.setUseClientMode(true);
      ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), hello);
      return hello.position() > 0;
    } catch (GeneralSecurityException | SSLException | RuntimeException e) {
      return false;
    }
  }
}
