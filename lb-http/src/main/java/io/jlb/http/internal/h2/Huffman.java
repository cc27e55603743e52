package io.jlb.http.internal.h2;

import java.nio.ByteBuffer;

/**
 * The static Huffman code of HPACK (RFC 7541 §5.2, Appendix B). The code is canonical: symbols sorted by code length,
 * then by value, take consecutive codes. So the appendix is written here as each symbol's length alone, and the codes
 * are derived from the lengths; RFC 7541 Appendix C's examples check the derivation.
 *
 * <p>Decoding reads a byte at a time through a table for codes up to 8 bits (the letters, digits and most punctuation
 * of header values), and walks the canonical code bit by bit beyond it. Padding must be the most significant bits of
 * EOS, shorter than a byte; EOS itself is an error. Thread-safe (stateless).
 */
public final class Huffman {
    /** Code length of symbols 0 to 255 and EOS (256), from RFC 7541 Appendix B. */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
        28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15,
        6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22,
        20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23,
        23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22,
        22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26,
        27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27,
        26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30
    };
    private static final int EOS = 256;
    private static final int MAX_LENGTH = 30;

    /** The code of each symbol, right-aligned in its length. */
    private static final int[] CODES = new int[257];
    /** Symbols in code order (by length, then value). */
    private static final int[] ORDERED = new int[257];
    /** For each length: the first code of that length, and where its symbols start in {@link #ORDERED}. */
    private static final int[] FIRST_CODE = new int[MAX_LENGTH + 2];
    private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 2];
    private static final int[] COUNT = new int[MAX_LENGTH + 2];
    /**
     * For each byte value: when the byte begins with a whole code of at most 8 bits, {@code symbol | bits << 16};
     * else -1.
     */
    private static final int[] BYTE_TABLE = new int[256];

    static {
        for (byte l : LENGTHS) {
            COUNT[l]++;
        }
        int code = 0;
        int index = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            FIRST_CODE[len] = code;
            FIRST_INDEX[len] = index;
            for (int s = 0; s < 257; s++) {
                if (LENGTHS[s] == len) {
                    CODES[s] = code++;
                    ORDERED[index++] = s;
                }
            }
            code <<= 1;
        }
        java.util.Arrays.fill(BYTE_TABLE, -1);
        for (int s = 0; s < 256; s++) {
            int len = LENGTHS[s];
            if (len <= 8) {
                int prefix = CODES[s] << (8 - len);
                for (int rest = 0; rest < 1 << (8 - len); rest++) {
                    BYTE_TABLE[prefix | rest] = s | len << 16;
                }
            }
        }
    }

    private Huffman() {}

    /** How many bytes {@code s} takes Huffman-coded (ISO-8859-1 characters), padding included. */
    public static int encodedLength(CharSequence s) {
        long bits = 0;
        for (int i = 0; i < s.length(); i++) {
            bits += LENGTHS[s.charAt(i) & 0xff];
        }
        return (int) ((bits + 7) >>> 3);
    }

    /** Writes {@code s} (ISO-8859-1 characters) Huffman-coded to {@code out}, padded with ones to a byte. */
    public static void encode(CharSequence s, ByteBuffer out) {
        long acc = 0;
        int bits = 0;
        for (int i = 0; i < s.length(); i++) {
            int sym = s.charAt(i) & 0xff;
            int len = LENGTHS[sym];
            acc = acc << len | CODES[sym];
            bits += len;
            while (bits >= 8) {
                bits -= 8;
                out.put((byte) (acc >>> bits));
            }
        }
        if (bits > 0) {
            out.put((byte) (acc << (8 - bits) | 0xff >>> bits));
        }
    }

    /**
     * Decodes {@code length} bytes of {@code in} from {@code from} into {@code out} (from its position), at most
     * {@code out}'s remaining bytes; returns the bytes decoded, or -1 when the code is invalid (EOS, bad padding) and
     * -2 when the result would not fit.
     */
    public static int decode(ByteBuffer in, int from, int length, byte[] out, int outFrom, int outMax) {
        int o = outFrom;
        int end = from + length;
        long acc = 0;
        int bits = 0;
        int i = from;
        while (true) {
            while (bits <= 56 && i < end) {
                acc = acc << 8 | (in.get(i++) & 0xff);
                bits += 8;
            }
            if (bits == 0) {
                break;
            }
            if (bits >= 8) {
                int entry = BYTE_TABLE[(int) (acc >>> (bits - 8)) & 0xff];
                if (entry >= 0) {
                    if (o >= outMax) {
                        return -2;
                    }
                    out[o++] = (byte) entry;
                    bits -= entry >>> 16;
                    continue;
                }
            }
            // a longer code, or the last few bits: walk the canonical code
            int code = 0;
            int len = 0;
            int sym = -1;
            while (len < bits && len < MAX_LENGTH) {
                code = code << 1 | (int) (acc >>> (bits - len - 1)) & 1;
                len++;
                int offset = code - FIRST_CODE[len];
                if (offset >= 0 && offset < COUNT[len]) {
                    sym = ORDERED[FIRST_INDEX[len] + offset];
                    break;
                }
            }
            if (sym < 0) {
                // what is left must be padding: fewer than 8 bits, all ones, and only at the end
                if (i < end || bits >= 8 || (acc & ((1L << bits) - 1)) != (1L << bits) - 1) {
                    return -1;
                }
                break;
            }
            if (sym == EOS) {
                return -1;
            }
            if (o >= outMax) {
                return -2;
            }
            out[o++] = (byte) sym;
            bits -= len;
        }
        return o - outFrom;
    }
}
