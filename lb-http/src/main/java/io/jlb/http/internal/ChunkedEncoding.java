package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * The chunk framing the proxy writes itself around data it forwards (RFC 9112 §7.1): sizes in lower-case hex
 * without leading zeros or extensions, lines ending in CRLF, the last chunk followed by kept trailer fields.
 */
public final class ChunkedEncoding {
    /** Room enough for a chunk's CRLF and the next chunk's size line. */
    public static final int MAX_FRAMING = 2 + 16 + 2;
    private static final byte[] HEX = Ascii.bytes("0123456789abcdef");

    private ChunkedEncoding() {}

    /** Writes a chunk-size line for {@code size} (> 0) data bytes. */
    public static void size(ByteBuffer out, long size) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(size) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            out.put(HEX[(int) (size >>> (4 * i)) & 0xf]);
        }
        crlf(out);
    }

    /** Writes the CRLF that ends a chunk's data. */
    public static void crlf(ByteBuffer out) {
        out.put((byte) '\r').put((byte) '\n');
    }

    /** How many bytes {@link #last} writes with {@code trailerBytes} of trailer fields. */
    public static int lastLength(int trailerBytes) {
        return 3 + trailerBytes + 2;
    }

    /** Writes the last chunk, the trailer fields {@code decoded} kept ({@code name: value\r\n} lines), the final CRLF. */
    public static void last(ByteBuffer out, ChunkedFramer decoded) {
        out.put((byte) '0');
        crlf(out);
        decoded.writeTrailers(out);
        crlf(out);
    }
}
