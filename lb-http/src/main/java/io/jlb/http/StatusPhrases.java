package io.jlb.http;

/** The reason phrases the proxy writes in the status lines of its own answers (RFC 9110 §15). */
final class StatusPhrases {
    private static final String[] PHRASES = new String[600];

    static {
        put(100, "Continue");
        put(101, "Switching Protocols");
        put(200, "OK");
        put(201, "Created");
        put(202, "Accepted");
        put(204, "No Content");
        put(206, "Partial Content");
        put(301, "Moved Permanently");
        put(302, "Found");
        put(303, "See Other");
        put(304, "Not Modified");
        put(307, "Temporary Redirect");
        put(308, "Permanent Redirect");
        put(400, "Bad Request");
        put(401, "Unauthorized");
        put(403, "Forbidden");
        put(404, "Not Found");
        put(405, "Method Not Allowed");
        put(408, "Request Timeout");
        put(409, "Conflict");
        put(413, "Content Too Large");
        put(414, "URI Too Long");
        put(415, "Unsupported Media Type");
        put(417, "Expectation Failed");
        put(421, "Misdirected Request");
        put(429, "Too Many Requests");
        put(431, "Request Header Fields Too Large");
        put(500, "Internal Server Error");
        put(501, "Not Implemented");
        put(502, "Bad Gateway");
        put(503, "Service Unavailable");
        put(504, "Gateway Timeout");
        put(505, "HTTP Version Not Supported");
    }

    private StatusPhrases() {}

    private static void put(int status, String phrase) {
        PHRASES[status] = phrase;
    }

    /** The phrase of {@code status}; for a status without one, a phrase naming its class. */
    static String of(int status) {
        String p = status >= 0 && status < PHRASES.length ? PHRASES[status] : null;
        if (p != null) {
            return p;
        }
        return switch (status / 100) {
            case 1 -> "Informational";
            case 2 -> "OK";
            case 3 -> "Redirection";
            case 4 -> "Client Error";
            default -> "Server Error";
        };
    }
}
