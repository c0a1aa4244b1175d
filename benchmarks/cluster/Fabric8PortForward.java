import dev.lambdacntr.cli.Environment;
import dev.lambdacntr.cli.kube.ClusterConnection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * fabric8's own {@code LocalPortForward} as a forwarder for {@code port-forward-throughput
 * --fabric8}: takes the arguments the benchmark gives {@code lambda-cntr port-forward} ({@code -n
 * NAMESPACE POD :REMOTE...}), listens on 127.0.0.1, prints the line lambda-cntr prints, then once a
 * second the throwables fabric8 collected (its only way to tell an error), until killed. The
 * client is the CLI's own (its kubeconfig reading: fabric8 alone cannot load the test bed's keys).
 */
public final class Fabric8PortForward {

  public static void main(String[] args) throws Exception {
    String namespace = "default";
    String pod = null;
    List<Integer> remotes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-n")) {
        namespace = args[++i];
      } else if (args[i].startsWith(":")) {
        remotes.add(Integer.parseInt(args[i].substring(1)));
      } else if (!args[i].startsWith("-") && !args[i].equals("port-forward")) {
        pod = args[i];
      }
    }
    try (ClusterConnection connection =
        ClusterConnection.open(Optional.empty(), Optional.empty(), Environment.system())) {
      KubernetesClient client = connection.client();
      List<LocalPortForward> forwards = new ArrayList<>();
      for (int remote : remotes) {
        LocalPortForward forward =
            client
                .pods()
                .inNamespace(namespace)
                .withName(pod)
                .portForward(remote, InetAddress.getByName("127.0.0.1"), 0);
        forwards.add(forward);
        System.out.println(
            "forwarding 127.0.0.1:"
                + forward.getLocalPort()
                + " -> "
                + remote
                + " in pod "
                + namespace
                + "/"
                + pod);
      }
      int told = 0;
      while (true) {
        Thread.sleep(1000);
        List<Throwable> all = new ArrayList<>();
        for (LocalPortForward forward : forwards) {
          all.addAll(forward.getServerThrowables());
          all.addAll(forward.getClientThrowables());
        }
        for (; told < all.size(); told++) {
          System.out.println("fabric8 error: " + all.get(told));
        }
      }
    }
  }
}
