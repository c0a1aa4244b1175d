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
