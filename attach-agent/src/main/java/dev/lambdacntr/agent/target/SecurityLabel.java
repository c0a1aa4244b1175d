package dev.lambdacntr.agent.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The target's Linux security module label, as the session applies it on exec: the text to write to
 * {@code /proc/thread-self/ATTRIBUTE} right before the exec.
 *
 * @param attribute the attribute file under {@code /proc/thread-self} ({@code attr/exec} or {@code
 *     attr/apparmor/exec})
 * @param value what to write: {@code exec PROFILE} for AppArmor, the context for SELinux
 */
public record SecurityLabel(String attribute, String value) {

  /** The label of the target, when the node runs AppArmor or SELinux and the target is confined. */
  public static Optional<SecurityLabel> of(TargetProcess target) {
    if (appArmorEnabled()) {
      boolean stacked = Files.exists(Path.of("/proc/self/attr/apparmor/exec"));
      String current =
          readOrEmpty(
              Path.of(
                  "/proc",
                  Integer.toString(target.pid()),
                  stacked ? "attr/apparmor/current" : "attr/current"));
      return fromAppArmor(current, stacked ? "attr/apparmor/exec" : "attr/exec");
    }
    if (Files.exists(Path.of("/sys/fs/selinux/enforce"))) {
      String current =
          readOrEmpty(Path.of("/proc", Integer.toString(target.pid()), "attr/current"));
      return fromSelinux(current);
    }
    return Optional.empty();
  }

  /** From AppArmor's {@code PROFILE (MODE)}; unconfined targets need nothing. */
  static Optional<SecurityLabel> fromAppArmor(String current, String attribute) {
    String profile = current.replace("\0", "").strip();
    int mode = profile.lastIndexOf(" (");
    if (mode > 0 && profile.endsWith(")")) {
      profile = profile.substring(0, mode);
    }
    if (profile.isEmpty() || profile.equals("unconfined")) {
      return Optional.empty();
    }
    return Optional.of(new SecurityLabel(attribute, "exec " + profile));
  }

  static Optional<SecurityLabel> fromSelinux(String current) {
    String context = current.replace("\0", "").strip();
    if (context.isEmpty() || context.equals("kernel") || context.equals("unconfined")) {
      return Optional.empty();
    }
    return Optional.of(new SecurityLabel("attr/exec", context));
  }

  private static boolean appArmorEnabled() {
    return readOrEmpty(Path.of("/sys/module/apparmor/parameters/enabled")).strip().equals("Y");
  }

  private static String readOrEmpty(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
