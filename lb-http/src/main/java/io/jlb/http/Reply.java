package io.jlb.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Handler} answers: a status, header fields and a body. Immutable; {@code with*} methods copy.
 * Content-Length is computed; Connection and framing fields are the proxy's business and may not be set.
 *
 * @param status the status code, 100 to 599
 * @param headers header fields in order, as name/value pairs
 * @param body the body
 */
public record Reply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    /** Validates the status and the fields. */
    public Reply {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 200 to 599)");
        }
        Objects.requireNonNull(body, "body");
        headers = List.copyOf(headers);
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                throw new IllegalArgumentException("header name: '" + name + "'");
            }
            if (h.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException("header value of " + name + ": control character");
            }
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding") || lower.equals("connection")) {
                throw new IllegalArgumentException("header " + name + " is set by the proxy");
            }
        }
    }

    /** A {@code text/plain; charset=utf-8} reply. */
    public static Reply text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code application/json} reply. */
    public static Reply json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A reply with a body of the given type. */
    public static Reply of(int status, String contentType, byte[] body) {
        return new Reply(status, List.of(Map.entry("Content-Type", contentType)), body);
    }

    /** A redirect (301, 302, 303, 307 or 308) to {@code location}. */
    public static Reply redirect(int status, String location) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            throw new IllegalArgumentException("redirect status: " + status + " (expected: 301, 302, 303, 307, 308)");
        }
        return new Reply(status, List.of(Map.entry("Location", location)), new byte[0]);
    }

    /** A copy with one more header field. */
    public Reply withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new Reply(status, h, body);
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }
}
