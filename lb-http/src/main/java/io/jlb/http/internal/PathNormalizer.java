package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Normalizes a request path so that what routing sees is what the backend receives, and the result is a fixed
 * point: normalizing it again changes nothing, so a backend that normalizes too cannot read it otherwise.
 *
 * <p>Two passes over the path's bytes, the second over the output of the first: (1) percent-decoding of unreserved
 * characters, upper-case hex for the other encodings, the listener's choice for {@code %2F} and backslashes,
 * refusal of malformed encodings, {@code %00} and {@code #}; (2) RFC 3986 §5.2.4 dot-segment removal over the
 * {@code /}-separated segments, with runs of slashes merged when configured. A path that needs neither pass is left
 * where it is, without a copy. One per connection; reuses its arrays.
 */
public final class PathNormalizer {
    /** Refuse the character (400). */
    public static final int REJECT = 0;
    /** Keep it percent-encoded, inside a segment. */
    public static final int KEEP = 1;
    /** Turn it into a segment separator. */
    public static final int DECODE = 2;

    private static final byte[] HEX = Ascii.bytes("0123456789ABCDEF");

    private final boolean mergeSlashes;
    private final int encodedSlash;
    private final int backslash;
    private byte[] decoded = new byte[256];
    private byte[] out = new byte[256];
    private int[] segmentStarts = new int[32];
    private int length;
    private boolean changed;
    private String error;

    /** A normalizer; {@code encodedSlash} and {@code backslash} are {@link #REJECT}, {@link #KEEP} or {@link #DECODE}. */
    public PathNormalizer(boolean mergeSlashes, int encodedSlash, int backslash) {
        this.mergeSlashes = mergeSlashes;
        this.encodedSlash = encodedSlash;
        this.backslash = backslash;
    }

    /**
     * Normalizes bytes [from, to) of {@code b}, an origin-form path (empty for {@code /}); false, with
     * {@link #error()}, when the path must be refused.
     */
    public boolean normalize(ByteBuffer b, int from, int to) {
        changed = false;
        error = null;
        length = 0;
        if (from == to || clean(b, from, to)) {
            return true;
        }
        int n = to - from;
        if (decoded.length < 3 * n) {
            decoded = new byte[3 * n];
            out = new byte[3 * n + 1];
        }
        int d = decode(b, from, to);
        if (d < 0) {
            return false;
        }
        removeDotSegments(d);
        changed = true;
        return true;
    }

    /** Whether the last path normalized differs from what arrived (then read {@link #bytes()}). */
    public boolean changed() {
        return changed;
    }

    /** The normalized path (valid up to {@link #length()}) when {@link #changed()}. */
    public byte[] bytes() {
        return out;
    }

    /** The normalized path's length when {@link #changed()}. */
    public int length() {
        return length;
    }

    /** Why the last path was refused. */
    public String error() {
        return error;
    }

    /** The normalized path as text (tests, handlers). */
    public String text() {
        return new String(out, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** Whether the path needs nothing done: no encodings, backslashes, fragments, empty or dot segments. */
    private boolean clean(ByteBuffer b, int from, int to) {
        byte previous = 0;
        for (int i = from; i < to; i++) {
            byte c = b.get(i);
            if (c == '%' || c == '\\' || c == '#') {
                return false;
            }
            if (previous == '/') {
                if (c == '/' && mergeSlashes) {
                    return false;
                }
                if (c == '.' && dotSegment(b, i, to)) {
                    return false;
                }
            }
            previous = c;
        }
        return b.get(from) == '/';
    }

    /** Whether a segment starting at {@code i} is {@code .} or {@code ..}. */
    private static boolean dotSegment(ByteBuffer b, int i, int to) {
        int end = i;
        while (end < to && b.get(end) != '/') {
            end++;
        }
        int len = end - i;
        return len == 1 || (len == 2 && b.get(i + 1) == '.');
    }

    /** Pass 1 into {@link #decoded}; its length, or -1 with {@link #error} set. */
    private int decode(ByteBuffer b, int from, int to) {
        int d = 0;
        if (b.get(from) != '/') {
            decoded[d++] = '/';
        }
        for (int i = from; i < to; i++) {
            byte c = b.get(i);
            if (c == '#') {
                return fail("a fragment in the request target");
            }
            if (c == '\\') {
                d = odd(backslash, (byte) 0x5c, "a backslash in the path", d);
                if (d < 0) {
                    return d;
                }
                continue;
            }
            if (c != '%') {
                decoded[d++] = c;
                continue;
            }
            int hi = i + 2 < to ? hex(b.get(i + 1)) : -1;
            int lo = i + 2 < to ? hex(b.get(i + 2)) : -1;
            if (hi < 0 || lo < 0) {
                return fail("a malformed percent-encoding in the path");
            }
            i += 2;
            int v = hi * 16 + lo;
            if (v == 0) {
                return fail("an encoded NUL in the path");
            } else if (v == '/') {
                d = odd(encodedSlash, (byte) '/', "an encoded slash (%2F) in the path", d);
            } else if (v == '\\') {
                d = odd(backslash, (byte) 0x5c, "an encoded backslash (%5C) in the path", d);
            } else if (unreserved(v)) {
                decoded[d++] = (byte) v;
            } else {
                decoded[d++] = '%';
                decoded[d++] = HEX[hi];
                decoded[d++] = HEX[lo];
            }
            if (d < 0) {
                return d;
            }
        }
        return d;
    }

    /** A slash or backslash the listener treats as {@code action}; the new output length, or -1. */
    private int odd(int action, byte c, String what, int d) {
        switch (action) {
            case KEEP -> {
                decoded[d++] = '%';
                decoded[d++] = HEX[c >> 4];
                decoded[d++] = HEX[c & 0xf];
                return d;
            }
            case DECODE -> {
                decoded[d++] = '/';
                return d;
            }
            default -> {
                return fail(what);
            }
        }
    }

    /** Pass 2: segments of {@link #decoded} into {@link #out}, dot segments resolved, slashes merged if asked. */
    private void removeDotSegments(int end) {
        int segments = 0;
        int o = 0;
        int i = 1; // decoded[0] is '/'
        boolean trailingSlash = true;
        while (i <= end) {
            int s = i;
            while (i < end && decoded[i] != '/') {
                i++;
            }
            int len = i - s;
            boolean last = i >= end;
            i++; // past the slash (or the end)
            if (len == 1 && decoded[s] == '.') {
                trailingSlash = true;
                continue;
            }
            if (len == 2 && decoded[s] == '.' && decoded[s + 1] == '.') {
                if (segments > 0) {
                    o = segmentStarts[--segments];
                }
                trailingSlash = true;
                continue;
            }
            if (len == 0 && (mergeSlashes || last)) {
                trailingSlash = true;
                continue;
            }
            if (segments == segmentStarts.length) {
                segmentStarts = java.util.Arrays.copyOf(segmentStarts, segments * 2);
            }
            segmentStarts[segments++] = o;
            out[o++] = '/';
            System.arraycopy(decoded, s, out, o, len);
            o += len;
            trailingSlash = false;
        }
        if (trailingSlash || o == 0) {
            out[o++] = '/';
        }
        length = o;
    }

    private int fail(String why) {
        error = why;
        return -1;
    }

    private static boolean unreserved(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                || c == '~';
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
