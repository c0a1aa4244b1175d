package dev.lambdacntr.target;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project version, written into the jar by the build. */
public final class Version {

  /** The debug image's repository; the tag is the project version. */
  public static final String IMAGE_REPOSITORY = "ghcr.io/lambda-cntr/debug";

  private static final String VERSION = load();

  /** The project version, such as {@code 0.1.0}. */
  public static String version() {
    return VERSION;
  }

  /** What {@code --version} prints: {@code lambda-cntr VERSION}. */
  public static String line() {
    return "lambda-cntr " + VERSION;
  }

  /** {@code ghcr.io/lambda-cntr/debug:VERSION}. */
  public static String defaultImage() {
    return IMAGE_REPOSITORY + ":" + VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the version resource", e);
    }
  }
}
