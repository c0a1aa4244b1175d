package dev.lambdacntr.agent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the shared {@link TestBed}. Runtime tests need root, containerd, runc and umoci:
 * where one is missing they are skipped on a developer's machine and fail when {@code CI=true}.
 */
public final class TestBedExtension implements BeforeAllCallback, ParameterResolver {
  @Override
  public void beforeAll(ExtensionContext context) {
    requirePrerequisites();
  }

  static void requirePrerequisites() {
    String missing = "";
    if (!"root".equals(System.getProperty("user.name"))) {
      missing = "root";
    } else {
      for (String tool :
          new String[] {"containerd", "runc", "ctr", "umoci", "gcc", "script", "strace", "gdb"}) {
        if (!onPath(tool)) {
          missing = tool;
          break;
        }
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "the agent's runtime tests need " + missing + " (scripts/install-deps, run as root)";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool))
        || Files.isExecutable(Path.of("/sbin", tool));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestBed.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return TestBed.get(context);
  }
}
