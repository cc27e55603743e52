package io.jlb.http;

import io.jlb.http.internal.h2.HpackDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The field list of an HTTP/2 request (RFC 9113 §8.2, §8.3), checked, then written as the HTTP/1.1 request head the
 * exchange works on: {@code METHOD path HTTP/1.1}, Host from {@code :authority}, the fields, and
 * {@code Transfer-Encoding: chunked} when a body of unknown length follows (the upstream gets framing the proxy writes
 * itself). What would make that head ambiguous is refused here: upper-case or connection-specific names, CR, LF or
 * NUL in values, values with surrounding white space, pseudo-fields out of place or repeated, a Host that is not
 * {@code :authority}. The strict HTTP/1.1 parser then checks the head as it would any other. Loop-confined; reused.
 */
final class Http2Request implements HpackDecoder.Sink {
    private final StringBuilder fields = new StringBuilder(512);
    private final StringBuilder cookies = new StringBuilder();
    private String method;
    private String scheme;
    private String path;
    private String authority;
    private String protocol;
    private String host;
    private String contentLength;
    private boolean regularSeen;
    private String error;
    private boolean trailers;

    /** Starts a request's fields; {@code trailerBlock} when the block holds trailers (no pseudo-fields allowed). */
    void begin(boolean trailerBlock) {
        fields.setLength(0);
        cookies.setLength(0);
        method = scheme = path = authority = protocol = host = contentLength = null;
        regularSeen = false;
        error = null;
        trailers = trailerBlock;
    }

    /** Why the field list is malformed, or null. */
    String error() {
        return error;
    }

    String method() {
        return method;
    }

    /** The {@code :protocol} of an extended CONNECT (RFC 8441), or null. */
    String protocol() {
        return protocol;
    }

    /** The declared content-length, or -1. */
    long contentLength() {
        return contentLength == null ? -1 : Long.parseLong(contentLength);
    }

    @Override
    public void field(String name, String value) {
        if (error != null) {
            return;
        }
        if (name.isEmpty()) {
            fail("an empty field name");
            return;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                fail("an upper-case field name: " + printable(name));
                return;
            }
            if (c == ':' && i == 0) {
                continue;
            }
            if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                fail("a field name that is not a token: " + printable(name));
                return;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                fail("CR, LF or NUL in the value of " + name);
                return;
            }
        }
        if (!value.isEmpty() && (isSpace(value.charAt(0)) || isSpace(value.charAt(value.length() - 1)))) {
            fail("white space around the value of " + name);
            return;
        }
        if (name.charAt(0) == ':') {
            pseudo(name, value);
            return;
        }
        regularSeen = true;
        switch (name) {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" -> fail(
                    "a connection-specific field: " + name);
            case "te" -> {
                if (!value.equalsIgnoreCase("trailers")) {
                    fail("te other than trailers");
                } else {
                    append(name, value);
                }
            }
            case "host" -> {
                if (host != null) {
                    fail("two host fields");
                } else {
                    host = value;
                }
            }
            case "sec-websocket-key" -> {
                if (protocol != null) {
                    fail("sec-websocket-key in an extended CONNECT"); // the proxy makes the one the backend gets
                } else {
                    append(name, value);
                }
            }
            case "cookie" -> cookies.append(cookies.length() == 0 ? "" : "; ").append(value);
            case "content-length" -> {
                if (!value.matches("[0-9]{1,18}")) {
                    fail("content-length is not a number: " + printable(value));
                } else if (contentLength != null && !contentLength.equals(value)) {
                    fail("two different content-lengths");
                } else {
                    contentLength = value;
                }
            }
            default -> append(name, value);
        }
    }

    private void pseudo(String name, String value) {
        if (trailers) {
            fail("a pseudo-field in trailers: " + name);
            return;
        }
        if (regularSeen) {
            fail("a pseudo-field after a regular field: " + name);
            return;
        }
        switch (name) {
            case ":method" -> method = once(name, method, value);
            case ":scheme" -> scheme = once(name, scheme, value);
            case ":path" -> path = once(name, path, value);
            case ":authority" -> authority = once(name, authority, value);
            case ":protocol" -> protocol = once(name, protocol, value);
            default -> fail("an unknown pseudo-field: " + printable(name));
        }
    }

    private String once(String name, String was, String value) {
        if (was != null) {
            fail("two " + name + " fields");
        }
        return value;
    }

    private void append(String name, String value) {
        fields.append(name).append(": ").append(value).append("\r\n");
    }

    private void fail(String why) {
        if (error == null) {
            error = why;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x21-\\x7e]", "?");
    }

    /**
     * Checks the request's pseudo-fields as a whole; {@code endStream} when no body follows. Returns why it is
     * malformed, or null.
     */
    String check(boolean endStream) {
        if (error != null) {
            return error;
        }
        if (method == null) {
            return "no :method";
        }
        if (method.equals("CONNECT") && protocol == null) {
            return "CONNECT is not supported by this reverse proxy"; // plain CONNECT: a tunnel to anywhere
        }
        if (protocol != null && !method.equals("CONNECT")) {
            return ":protocol without CONNECT";
        }
        if (protocol != null && !protocol.equals("websocket")) {
            return "an extended CONNECT for " + printable(protocol) + " (only websocket is relayed)";
        }
        if (protocol != null && endStream) {
            return "an extended CONNECT that ends its stream";
        }
        if (protocol != null && contentLength != null) {
            return "content-length on an extended CONNECT";
        }
        if (scheme == null || path == null) {
            return "no :scheme or :path";
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "an unknown :scheme: " + printable(scheme);
        }
        if (path.isEmpty() || !(path.charAt(0) == '/' || path.equals("*") && method.equals("OPTIONS"))) {
            return "a :path that is not absolute: " + printable(path);
        }
        if (authority == null && host == null) {
            return "neither :authority nor host";
        }
        if (authority != null && host != null && !authority.equalsIgnoreCase(host)) {
            return "host differs from :authority";
        }
        if (endStream && contentLength != null && !contentLength.equals("0")) {
            return "content-length " + contentLength + " without a body";
        }
        return null;
    }

    /**
     * Writes the request as an HTTP/1.1 head into {@code out}: {@code chunked} when a body of unknown length follows.
     * An extended CONNECT for {@code websocket} becomes a GET with the upgrade asked for.
     */
    void writeHead(ByteBuffer out, boolean chunked, String websocketKey) {
        StringBuilder sb = new StringBuilder(fields.length() + 128);
        boolean websocket = protocol != null;
        sb.append(websocket ? "GET" : method).append(' ').append(path).append(" HTTP/1.1\r\n");
        sb.append("host: ").append(authority != null ? authority : host).append("\r\n");
        sb.append(fields);
        if (cookies.length() > 0) {
            sb.append("cookie: ").append(cookies).append("\r\n");
        }
        if (contentLength != null) {
            sb.append("content-length: ").append(contentLength).append("\r\n");
        } else if (chunked) {
            sb.append("transfer-encoding: chunked\r\n");
        }
        if (websocket) {
            sb.append("connection: upgrade\r\nupgrade: ").append(protocol.toLowerCase(Locale.ROOT)).append("\r\n");
            sb.append("sec-websocket-key: ").append(websocketKey).append("\r\n");
        }
        sb.append("\r\n");
        out.put(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The trailer fields, as {@code name: value} lines. */
    String trailerLines() {
        return fields.toString();
    }
}
