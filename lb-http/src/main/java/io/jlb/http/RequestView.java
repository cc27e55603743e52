package io.jlb.http;

import io.jlb.http.internal.HttpHead;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The parts of a request that routing and policies look at, computed on first use and kept for the rest of the
 * request: host (lower-case, without port), path, query parameters, headers, the client's address. One per
 * connection, reset for every request; used on the connection's loop only.
 */
public final class RequestView {
    private HttpHead head;
    private InetSocketAddress client;
    private String host;
    private String path;
    private boolean queryParsed;
    private String query;

    RequestView() {}

    void reset(HttpHead h, InetSocketAddress clientAddress) {
        head = h;
        client = clientAddress;
        host = null;
        path = null;
        queryParsed = false;
        query = null;
    }

    /** The request method as sent. */
    public String method() {
        return head.methodName();
    }

    /** The host the request names, lower-case, without a port; empty when absent. */
    public String host() {
        if (host == null) {
            String h = head.host();
            if (h == null) {
                host = "";
            } else if (h.startsWith("[")) {
                int close = h.indexOf(']');
                host = close > 0 ? h.substring(0, close + 1) : h;
            } else {
                int colon = h.indexOf(':');
                host = colon >= 0 ? h.substring(0, colon) : h;
            }
        }
        return host;
    }

    /** The path, without the query. */
    public String path() {
        if (path == null) {
            path = head.path();
        }
        return path;
    }

    /** The raw query string, or null. */
    public String query() {
        if (!queryParsed) {
            query = head.query();
            queryParsed = true;
        }
        return query;
    }

    /** The first value of query parameter {@code name} (not percent-decoded), or null. */
    public String queryParameter(String name) {
        String q = query();
        if (q == null) {
            return null;
        }
        int i = 0;
        while (i <= q.length()) {
            int amp = q.indexOf('&', i);
            int end = amp < 0 ? q.length() : amp;
            int eq = q.indexOf('=', i);
            int nameEnd = eq >= 0 && eq < end ? eq : end;
            if (nameEnd - i == name.length() && q.regionMatches(i, name, 0, name.length())) {
                return nameEnd < end ? q.substring(nameEnd + 1, end) : "";
            }
            if (amp < 0) {
                break;
            }
            i = amp + 1;
        }
        return null;
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        return head.header(name);
    }

    /** The value of cookie {@code name} in the Cookie header(s), or null. */
    public String cookie(String name) {
        for (int i = 0; i < head.headerCount(); i++) {
            if (!head.name(i).equalsIgnoreCase("cookie")) {
                continue;
            }
            for (String pair : head.value(i).split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).equals(name)) {
                    return p.substring(eq + 1);
                }
            }
        }
        return null;
    }

    /** The client's address (from the PROXY protocol when the listener accepts it). */
    public InetSocketAddress client() {
        return client;
    }

    HttpHead head() {
        return head;
    }

    @Override
    public String toString() {
        return method() + " " + host() + path();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
