import dev.lambdacntr.protocol.Json;
import dev.lambdacntr.cli.direct.ModelJson;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Pod's JSON into fabric8's model one way, in a fresh JVM: the warm path's hand-written
 * reader (agent-protocol's Json + ModelJson), a plain Jackson 3 JsonMapper, or fabric8's own
 * KubernetesSerialization (Jackson as the full path uses it). Prints the cold time (the reader's
 * set-up and its first read: what one CLI run pays) and the warm time (mean of 200 reads after
 * 300). Run it in the CLI's JVM with its AOT cache, one JVM per reader (benchmarks/cli/README.md):
 *
 * <pre>
 * D=cli/target/dist; CP=$(ls $D/lib/*.jar | tr '\n' :)
 * javac -cp "$CP" -d /tmp/json-read benchmarks/cli/JsonRead.java
 * java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
 *   -XX:AOTCache=$D/lib/lambda-cntr.aot -cp $D/lib/lambda-cntr-cli.jar:/tmp/json-read \
 *   JsonRead handwritten|jackson|fabric8 \
 *   cli/src/test/resources/dev/lambdacntr/cli/direct/coredns-pod.json
 * </pre>
 */
public final class JsonRead {

  private JsonRead() {}

  public static void main(String[] args) throws Exception {
    String text = Files.readString(Path.of(args[1]));
    long start = System.nanoTime();
    Function<String, Pod> read =
        switch (args[0]) {
          case "handwritten" -> s -> ModelJson.pod(Json.parse(s));
          case "jackson" -> {
            JsonMapper mapper = JsonMapper.builder().build();
            yield s -> mapper.readValue(s, Pod.class);
          }
          case "fabric8" -> {
            KubernetesSerialization serialization = new KubernetesSerialization();
            yield s -> serialization.unmarshal(s, Pod.class);
          }
          default -> throw new IllegalArgumentException("handwritten, jackson or fabric8: " + args[0]);
        };
    Pod pod = read.apply(text);
    long cold = System.nanoTime() - start;
    for (int i = 0; i < 300; i++) {
      read.apply(text);
    }
    long warmStart = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      pod = read.apply(text);
    }
    long warm = System.nanoTime() - warmStart;
    System.out.printf(
        "%s cold %.2f ms warm %.1f us (pod %s)%n",
        args[0], cold / 1e6, warm / 200e3, pod.getMetadata().getName());
  }
}
