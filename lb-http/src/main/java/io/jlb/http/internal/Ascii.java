package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Byte-level helpers over buffers holding HTTP text: character classes of RFC 9110 and ASCII case folding. */
public final class Ascii {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VCHAR = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0x21; c <= 0x7e; c++) {
            FIELD_VCHAR[c] = true;
            TARGET[c] = true;
        }
        for (int c = 0x80; c <= 0xff; c++) {
            FIELD_VCHAR[c] = true; // obs-text
        }
        FIELD_VCHAR[' '] = true;
        FIELD_VCHAR['\t'] = true;
    }

    private Ascii() {}

    /** A token character (RFC 9110 §5.6.2). */
    static boolean tchar(int b) {
        return TCHAR[b & 0xff];
    }

    /** A character allowed inside a field value: VCHAR, obs-text, SP, HTAB. */
    static boolean fieldChar(int b) {
        return FIELD_VCHAR[b & 0xff];
    }

    /** A character allowed in a request target: visible ASCII. */
    static boolean targetChar(int b) {
        return TARGET[b & 0xff];
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Whether bytes [from, to) equal {@code lower} ignoring ASCII case. */
    public static boolean equalsIgnoreCase(ByteBuffer buf, int from, int to, byte[] lower) {
        if (to - from != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if (lower(buf.get(from + i)) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether bytes [from, to) start with {@code lower} ignoring ASCII case. */
    static boolean startsWithIgnoreCase(ByteBuffer buf, int from, int to, byte[] lower) {
        return to - from >= lower.length && equalsIgnoreCase(buf, from, from + lower.length, lower);
    }

    /** The index of {@code b} in [from, to), or -1. */
    static int indexOf(ByteBuffer buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes [from, to) as ISO-8859-1 text. */
    public static String string(ByteBuffer buf, int from, int to) {
        byte[] b = new byte[to - from];
        buf.get(from, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Bytes [from, to) as lower-case ISO-8859-1 text. */
    static String lowerString(ByteBuffer buf, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) lower(buf.get(from + i));
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The bytes of lower-case ASCII text. */
    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
