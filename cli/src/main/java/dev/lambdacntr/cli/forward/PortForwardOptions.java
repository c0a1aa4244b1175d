package dev.lambdacntr.cli.forward;

import dev.lambdacntr.protocol.CntrException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --port-forward} and {@code --address}, for attach, execute and debug. */
public final class PortForwardOptions {

  @Option(
      names = "--port-forward",
      paramLabel = "LOCAL:REMOTE",
      converter = MappingConverter.class,
      description =
          "forward a local port to a port in the pod's network namespace while the session"
              + " lasts (repeatable; PORT for the same number, :REMOTE for any free local port)")
  List<PortMapping> mappings = new ArrayList<>();

  @Option(
      names = "--address",
      paramLabel = "ADDRESS",
      split = ",",
      description = "local addresses the forwarded ports listen on (default: localhost)")
  List<String> addresses = new ArrayList<>();

  public List<PortMapping> mappings() {
    return List.copyOf(mappings);
  }

  /** The listen addresses: localhost unless given. */
  public List<String> addresses() {
    return addresses.isEmpty() ? List.of("localhost") : List.copyOf(addresses);
  }

  /** Parses one {@code --port-forward}. */
  public static final class MappingConverter implements ITypeConverter<PortMapping> {
    @Override
    public PortMapping convert(String value) {
      try {
        return PortMapping.parse(value);
      } catch (CntrException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
