package dev.lambdacntr.agent.target;

import java.util.HexFormat;

/**
 * A process's capability sets as 64-bit masks (bit N is capability N).
 *
 * @param bounding the bounding set
 * @param permitted the permitted set
 * @param effective the effective set
 * @param inheritable the inheritable set
 * @param ambient the ambient set
 */
public record Capabilities(
    long bounding, long permitted, long effective, long inheritable, long ambient) {

  /**
   * The kernel's highest capability number, from {@code /proc/sys/kernel/cap_last_cap} of the
   * calling thread's procfs: call it before entering the target, whose procfs is its own to mount
   * over.
   */
  public static int kernelLastCap() {
    String file = "/proc/sys/kernel/cap_last_cap";
    // a stream, not Files.readString: on this sysctl file that returned "4" of "40\n" (JDK 25,
    // Linux 6.18), and the bounding set kept every capability above 4
    try (java.io.FileInputStream in = new java.io.FileInputStream(file)) {
      int last =
          Integer.parseInt(
              new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip());
      if (last < 0 || last > 63) {
        throw new NumberFormatException("out of range: " + last);
      }
      return last;
    } catch (java.io.IOException | NumberFormatException e) {
      throw new dev.lambdacntr.protocol.CntrException(
          dev.lambdacntr.protocol.ExitCode.AGENT_INTERNAL,
          "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The helper's {@code --caps} value: BND,PRM,EFF,INH,AMB in hexadecimal. */
  public String helperArgument() {
    HexFormat hex = HexFormat.of();
    return String.join(
        ",",
        hex.toHexDigits(bounding),
        hex.toHexDigits(permitted),
        hex.toHexDigits(effective),
        hex.toHexDigits(inheritable),
        hex.toHexDigits(ambient));
  }
}
