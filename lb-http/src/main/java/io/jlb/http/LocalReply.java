package io.jlb.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An answer the proxy makes itself — an error, a refusal, a handler's reply, a redirect — as a protocol-neutral
 * message: a status, header fields (already checked: token names, no control characters in values), a body, and
 * whether the connection must close after it. The client side writes it in its own protocol.
 *
 * @param status the status code
 * @param fields header fields, without framing fields (Content-Length, Transfer-Encoding, Connection)
 * @param body the body (not sent in answer to HEAD)
 * @param close whether the connection closes after the answer (an error that leaves the request unread)
 */
record LocalReply(int status, List<Map.Entry<String, String>> fields, byte[] body, boolean close) {
    /** Makes the fields immutable. */
    LocalReply {
        fields = List.copyOf(fields);
    }

    /** A {@code text/plain} answer with {@code text} and a line break as its body. */
    static LocalReply text(int status, String text, boolean close) {
        List<Map.Entry<String, String>> f = new ArrayList<>(2);
        f.add(Map.entry("Content-Type", "text/plain; charset=utf-8"));
        return new LocalReply(status, f, (text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), close);
    }

    /** Whether a field of this name (case-insensitive) is among the fields. */
    boolean has(String name) {
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** A copy with more fields; a field that is not a well-formed {@code Name: value} line is left out. */
    LocalReply with(List<String> lines) {
        if (lines.isEmpty()) {
            return this;
        }
        List<Map.Entry<String, String>> f = new ArrayList<>(fields);
        for (String line : lines) {
            if (io.jlb.http.internal.HeadWriter.safeFieldLine(line)) {
                int colon = line.indexOf(':');
                f.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
            }
        }
        return new LocalReply(status, f, body, close);
    }
}
