package dev.lambdacntr.gateway.session;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.SessionReason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session request, {@code /apis/cntr.lambda-cntr.dev/v1alpha1/namespaces/NS/pods/POD/SUB} with
 * the query parameters {@code container}, {@code command} (repeated), {@code tty}, {@code fs},
 * {@code image}, {@code protect}, {@code reason} and {@code postMortem}. Pure.
 *
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param subresource {@code attach}, {@code execute} or {@code portforward}
 * @param container the container, if named
 * @param command the command; empty for attach's shell
 * @param tty whether the session has a terminal
 * @param fs the view's file system backend, {@code mount} or {@code fuse}
 * @param image the debug image, if named
 * @param protect whether the gateway holds the pod's protection marks while the session lives
 *     (default: for attach and protect, as the CLI's default; not for execute)
 * @param reason why the user opens the session, if they said ({@link SessionReason})
 * @param postMortem whether the session is in what the container's last ended run left (attach and
 *     exec only)
 */
public record SessionQuery(
    String namespace,
    String pod,
    String subresource,
    Optional<String> container,
    List<String> command,
    boolean tty,
    String fs,
    Optional<String> image,
    boolean protect,
    Optional<String> reason,
    boolean postMortem) {

  private static final Pattern PATH =
      Pattern.compile(
          Pattern.quote(ApiGroup.PREFIX)
              + "/namespaces/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/pods/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)/([a-z]+)");

  public SessionQuery {
    command = List.copyOf(command);
  }

  /** Whether {@code path} names one of our subresources at all (else: 404). */
  public static boolean matches(String path) {
    Matcher m = PATH.matcher(path);
    return m.matches() && ApiGroup.SUBRESOURCES.contains(m.group(5));
  }

  /**
   * Parses a request.
   *
   * @param path the request's path
   * @param params its query parameters, each with all its values in order
   */
  public static SessionQuery parse(String path, Map<String, List<String>> params) {
    Matcher m = PATH.matcher(path);
    if (!m.matches() || !ApiGroup.SUBRESOURCES.contains(m.group(5))) {
      throw usage("no such resource: " + path);
    }
    String subresource = m.group(5);
    List<String> command = params.getOrDefault("command", List.of());
    if (subresource.equals(ApiGroup.EXECUTE) && command.isEmpty()) {
      throw usage("execute needs a command (query parameter command, once per argument)");
    }
    String fs = one(params, "fs").orElse("auto");
    if (fs.equals("auto")) {
      fs = "mount"; // what the agent's auto is (docs/design.md, --fs)
    }
    if (!fs.equals("mount") && !fs.equals("fuse")) {
      throw usage("fs must be auto, mount or fuse, not '" + fs + "'");
    }
    String tty = one(params, "tty").orElse("false");
    if (!tty.equals("true") && !tty.equals("false")) {
      throw usage("tty must be true or false, not '" + tty + "'");
    }
    boolean byDefault = subresource.equals(ApiGroup.ATTACH) || subresource.equals(ApiGroup.PROTECT);
    String protect = one(params, "protect").orElse(Boolean.toString(byDefault));
    if (!protect.equals("true") && !protect.equals("false")) {
      throw usage("protect must be true or false, not '" + protect + "'");
    }
    if (subresource.equals(ApiGroup.PROTECT) && protect.equals("false")) {
      throw usage("protect=false on the protect subresource asks for nothing");
    }
    String postMortem = one(params, "postMortem").orElse("false");
    if (!postMortem.equals("true") && !postMortem.equals("false")) {
      throw usage("postMortem must be true or false, not '" + postMortem + "'");
    }
    if (postMortem.equals("true")
        && !subresource.equals(ApiGroup.ATTACH)
        && !subresource.equals(ApiGroup.EXECUTE)) {
      throw usage("postMortem is for attach and exec, not " + subresource);
    }
    return new SessionQuery(
        m.group(1),
        m.group(3),
        subresource,
        one(params, "container").filter(s -> !s.isEmpty()),
        command,
        tty.equals("true"),
        fs,
        one(params, "image").filter(s -> !s.isEmpty()),
        protect.equals("true"),
        SessionReason.check(one(params, "reason"), "query parameter reason"),
        postMortem.equals("true"));
  }

  private static Optional<String> one(Map<String, List<String>> params, String name) {
    List<String> values = params.getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw usage("query parameter " + name + " given " + values.size() + " times");
    }
    return values.stream().findFirst();
  }

  private static CntrException usage(String message) {
    return new CntrException(ExitCode.USAGE, message);
  }
}
