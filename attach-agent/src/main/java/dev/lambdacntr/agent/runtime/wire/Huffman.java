package dev.lambdacntr.agent.runtime.wire;

import java.io.ByteArrayOutputStream;

/**
 * The HPACK Huffman code (RFC 7541, Appendix B), decoding only. The code is canonical: the code
 * lengths of the 257 symbols (256 octets and end-of-string) determine every code, so only those
 * lengths are listed here and the decoding tables are built from them.
 */
final class Huffman {
  private static final int EOS = 256;

  /** Code length in bits of each symbol 0..256, from RFC 7541 Appendix B. */
  private static final int[] LENGTHS = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5,
    6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23,
    23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20,
    22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22,
    22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26,
    27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25,
    25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30
  };

  private static final int MAX_LENGTH = 30;

  /** Symbols ordered by (length, symbol): the canonical order. */
  private static final int[] SORTED = new int[LENGTHS.length];

  /** First code of each length, and the index of its symbol in {@link #SORTED}. */
  private static final long[] FIRST_CODE = new long[MAX_LENGTH + 2];

  private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 2];
  private static final int[] COUNT = new int[MAX_LENGTH + 2];

  static {
    int index = 0;
    long code = 0;
    for (int length = 1; length <= MAX_LENGTH; length++) {
      FIRST_CODE[length] = code;
      FIRST_INDEX[length] = index;
      for (int symbol = 0; symbol < LENGTHS.length; symbol++) {
        if (LENGTHS[symbol] == length) {
          SORTED[index++] = symbol;
          COUNT[length]++;
          code++;
        }
      }
      code <<= 1;
    }
  }

  private Huffman() {}

  /** Decodes a Huffman-coded string literal. */
  static byte[] decode(byte[] data, int offset, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length * 2);
    long code = 0;
    int bits = 0;
    boolean allOnes = true;
    for (int i = offset; i < offset + length; i++) {
      for (int shift = 7; shift >= 0; shift--) {
        int bit = (data[i] >> shift) & 1;
        code = (code << 1) | bit;
        bits++;
        allOnes &= bit == 1;
        if (bits > MAX_LENGTH) {
          throw Wire.error("HPACK: invalid Huffman code");
        }
        long offsetInLength = code - FIRST_CODE[bits];
        if (COUNT[bits] > 0 && offsetInLength >= 0 && offsetInLength < COUNT[bits]) {
          int symbol = SORTED[FIRST_INDEX[bits] + (int) offsetInLength];
          if (symbol == EOS) {
            throw Wire.error("HPACK: end-of-string symbol inside a string");
          }
          out.write(symbol);
          code = 0;
          bits = 0;
          allOnes = true;
        }
      }
    }
    if (bits > 7 || !allOnes) {
      throw Wire.error("HPACK: invalid Huffman padding");
    }
    return out.toByteArray();
  }
}
