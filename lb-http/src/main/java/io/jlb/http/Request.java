package io.jlb.http;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request as a {@link Handler} sees it: read in full, immutable. */
public final class Request {
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final InetSocketAddress client;

    Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
            InetSocketAddress client) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.client = client;
    }

    /** The method, as sent. */
    public String method() {
        return method;
    }

    /** The path, without the query. */
    public String path() {
        return path;
    }

    /** The raw query, or null. */
    public String query() {
        return query;
    }

    /** The first value of query parameter {@code name}, percent-decoded; null when absent. */
    public String queryParameter(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Every header, by lower-case name. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The body's bytes (empty when there is none). */
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The client's address. */
    public InetSocketAddress client() {
        return client;
    }

    @Override
    public String toString() {
        return method + " " + path + (query != null ? "?" + query : "");
    }

    static Builder builder(io.jlb.http.internal.HttpHead head, InetSocketAddress client) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < head.headerCount(); i++) {
            headers.computeIfAbsent(head.name(i).toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>()).add(head.value(i));
        }
        return new Builder(head.methodName(), head.path(), head.query(), headers, client);
    }

    /** The head of a request, captured before its body arrives. */
    static final class Builder {
        private final String method;
        private final String path;
        private final String query;
        private final Map<String, List<String>> headers;
        private final InetSocketAddress client;
        private byte[] body = new byte[0];

        Builder(String method, String path, String query, Map<String, List<String>> headers, InetSocketAddress client) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.client = client;
        }

        Builder body(byte[] bytes) {
            body = bytes;
            return this;
        }

        Request build() {
            return new Request(method, path, query, java.util.Collections.unmodifiableMap(headers), body, client);
        }
    }
}
