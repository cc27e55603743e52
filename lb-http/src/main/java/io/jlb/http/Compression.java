package io.jlb.http;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * gzip for responses the client accepts compressed ({@code Accept-Encoding: gzip}) and the backend sent plain:
 * a compressible type ({@link #types()}, prefixes such as {@code text/}), at least {@link #minBytes()} long (or of
 * unknown length), status 200. The body is compressed as it streams, one chunk per read, never buffered whole.
 * Immutable.
 *
 * @param minBytes the smallest Content-Length worth compressing
 * @param types media types or prefixes ending in {@code /}
 * @param level the Deflater level, 1 (fast) to 9 (small)
 */
public record Compression(int minBytes, List<String> types, int level) {
    /** Checks the values. */
    public Compression {
        Objects.requireNonNull(types, "types");
        if (minBytes < 0) {
            throw new IllegalArgumentException("minBytes: " + minBytes + " (expected: >= 0)");
        }
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("level: " + level + " (expected: 1 to 9)");
        }
        types = types.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
    }

    /** Text, JSON, JavaScript, XML and SVG above 1 KiB, at level 5. */
    public static Compression gzip() {
        return new Compression(1024, List.of("text/", "application/json", "application/javascript",
                "application/xml", "application/xhtml+xml", "image/svg+xml", "application/problem+json"), 5);
    }

    /** A copy compressing from {@code bytes} up. */
    public Compression withMinBytes(int bytes) {
        return new Compression(bytes, types, level);
    }

    /** A copy at this level. */
    public Compression withLevel(int value) {
        return new Compression(minBytes, types, value);
    }

    /** Whether a response of this Content-Type is compressed. */
    boolean compressible(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.toLowerCase(Locale.ROOT);
        int semicolon = t.indexOf(';');
        if (semicolon >= 0) {
            t = t.substring(0, semicolon);
        }
        t = t.trim();
        for (String type : types) {
            if (type.endsWith("/") ? t.startsWith(type) : t.equals(type)) {
                return true;
            }
        }
        return false;
    }
}
