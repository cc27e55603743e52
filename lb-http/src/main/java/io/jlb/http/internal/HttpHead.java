package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One parsed HTTP/1.x request or response head, as offsets into the buffer that holds its bytes: nothing is copied
 * out until asked for, and unchanged header lines are forwarded as the bytes that arrived. Filled by
 * {@link HeadParser}; reused from message to message on one connection.
 */
public final class HttpHead {
    /** Methods with a fast path; anything else is {@link #OTHER}. */
    public enum Method {
        GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT, OTHER;

        /** Whether retrying the method cannot change the outcome (RFC 9110 §9.2.2). */
        public boolean idempotent() {
            return this != POST && this != PATCH && this != CONNECT && this != OTHER;
        }
    }

    ByteBuffer buffer;
    boolean request;
    int start;
    int end;
    int startLineEnd;

    Method method;
    int methodStart;
    int methodEnd;
    int targetStart;
    int targetEnd;
    int pathStart;
    int pathEnd;
    int authorityStart = -1;
    int authorityEnd = -1;
    int minorVersion;

    int status;
    int reasonStart;
    int reasonEnd;

    int count;
    int[] lineStart = new int[16];
    int[] nameEnd = new int[16];
    int[] valueStart = new int[16];
    int[] valueEnd = new int[16];
    int[] lineEnd = new int[16];
    boolean[] hopByHop = new boolean[16];

    long contentLength = -1;
    boolean chunked;
    boolean hasTransferEncoding;
    int hostIndex = -1;
    int hostCount;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    int upgradeIndex = -1;
    boolean expectContinue;
    /** The normalized path when it differs from what arrived (see {@link PathNormalizer}), else null. */
    byte[] normalizedPath;
    int normalizedPathLength;

    HttpHead() {}

    void reset(ByteBuffer buf, boolean isRequest, int at) {
        buffer = buf;
        request = isRequest;
        start = at;
        end = at;
        startLineEnd = at;
        method = null;
        methodStart = methodEnd = targetStart = targetEnd = pathStart = pathEnd = 0;
        authorityStart = authorityEnd = -1;
        minorVersion = 1;
        status = 0;
        reasonStart = reasonEnd = 0;
        count = 0;
        contentLength = -1;
        chunked = false;
        hasTransferEncoding = false;
        hostIndex = -1;
        hostCount = 0;
        connectionClose = connectionKeepAlive = connectionUpgrade = false;
        upgradeIndex = -1;
        expectContinue = false;
        normalizedPath = null;
    }

    int addHeader(int line, int nameStop, int vStart, int vEnd, int lineStop) {
        if (count == lineStart.length) {
            int n = count * 2;
            lineStart = Arrays.copyOf(lineStart, n);
            nameEnd = Arrays.copyOf(nameEnd, n);
            valueStart = Arrays.copyOf(valueStart, n);
            valueEnd = Arrays.copyOf(valueEnd, n);
            lineEnd = Arrays.copyOf(lineEnd, n);
            hopByHop = Arrays.copyOf(hopByHop, n);
        }
        lineStart[count] = line;
        nameEnd[count] = nameStop;
        valueStart[count] = vStart;
        valueEnd[count] = vEnd;
        lineEnd[count] = lineStop;
        hopByHop[count] = false;
        return count++;
    }

    // ---- the start line ----

    /** Whether this is a request head. */
    public boolean isRequest() {
        return request;
    }

    /** The request method. */
    public Method method() {
        return method;
    }

    /** The method as sent. */
    public String methodName() {
        return string(methodStart, methodEnd);
    }

    /** The request target as sent ({@code /path?query}, or absolute form). */
    public String target() {
        return string(targetStart, targetEnd);
    }

    /**
     * The path of the target, without the query, normalized when {@link #normalizePath} changed it; {@code /} for an
     * absolute-form target without a path.
     */
    public String path() {
        if (normalizedPath != null) {
            return new String(normalizedPath, 0, normalizedPathLength, StandardCharsets.ISO_8859_1);
        }
        return pathStart == pathEnd ? "/" : string(pathStart, pathEnd);
    }

    /**
     * Normalizes the path with {@code normalizer}; false when it must be refused. The normalized path is what
     * {@link #path()} answers and what {@link HeadWriter} forwards. Origin and absolute forms only.
     */
    public boolean normalizePath(PathNormalizer normalizer) {
        normalizedPath = null;
        if (!normalizer.normalize(buffer, pathStart, pathEnd)) {
            return false;
        }
        if (normalizer.changed()) {
            normalizedPath = normalizer.bytes();
            normalizedPathLength = normalizer.length();
        }
        return true;
    }

    /** Whether the target is in origin or absolute form (not {@code *}, not CONNECT's authority form). */
    public boolean hasPath() {
        return pathStart < pathEnd ? buffer.get(pathStart) == '/' : authorityStart >= 0;
    }

    /** The query without the {@code ?}, or null when the target has none. */
    public String query() {
        return pathEnd < targetEnd ? string(pathEnd + 1, targetEnd) : null;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    /** The response status code. */
    public int status() {
        return status;
    }

    /** The response reason phrase. */
    public String reason() {
        return string(reasonStart, reasonEnd);
    }

    // ---- headers ----

    /** How many header fields there are. */
    public int headerCount() {
        return count;
    }

    /** The name of field {@code i}, as sent. */
    public String name(int i) {
        return string(lineStart[i], nameEnd[i]);
    }

    /** The value of field {@code i}, without surrounding whitespace. */
    public String value(int i) {
        return string(valueStart[i], valueEnd[i]);
    }

    /** Whether field {@code i} is named {@code lowerCaseName} (ASCII, case-insensitive). */
    public boolean nameIs(int i, byte[] lowerCaseName) {
        return Ascii.equalsIgnoreCase(buffer, lineStart[i], nameEnd[i], lowerCaseName);
    }

    /** The index of the first field named {@code lowerCaseName}, or -1. */
    public int indexOf(byte[] lowerCaseName) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, lowerCaseName)) {
                return i;
            }
        }
        return -1;
    }

    /** The value of the first field named {@code name} (case-insensitive), or null. */
    public String header(String name) {
        int i = indexOf(name.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        return i < 0 ? null : value(i);
    }

    /** The values of every field named {@code lowerCaseName}, joined by {@code ", "}; null when there is none. */
    public String headerValues(String lowerCaseName) {
        byte[] name = lowerCaseName.getBytes(StandardCharsets.US_ASCII);
        StringBuilder joined = null;
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                if (joined == null) {
                    joined = new StringBuilder();
                } else {
                    joined.append(", ");
                }
                joined.append(value(i));
            }
        }
        return joined == null ? null : joined.toString();
    }

    /**
     * Whether field {@code i} is not forwarded as it arrived: hop-by-hop (RFC 9110 §7.6.1), or a field the proxy
     * writes itself (Content-Length, a request's Host).
     */
    public boolean hopByHop(int i) {
        return hopByHop[i];
    }

    /**
     * The authority the request names, as forwarded: the absolute-form target's authority, else the Host field;
     * lower-cased, without a trailing dot after the host name; null when absent.
     */
    public String host() {
        int from = authorityFrom();
        if (from < 0) {
            return null;
        }
        int to = authorityTo();
        int dot = trailingDot(buffer, from, to);
        if (dot < 0) {
            return Ascii.lowerString(buffer, from, to);
        }
        return Ascii.lowerString(buffer, from, dot) + Ascii.lowerString(buffer, dot + 1, to);
    }

    /** Where the authority the request names starts in the buffer (absolute form first), or -1. */
    int authorityFrom() {
        return authorityStart >= 0 ? authorityStart : hostIndex >= 0 ? valueStart[hostIndex] : -1;
    }

    int authorityTo() {
        return authorityStart >= 0 ? authorityEnd : hostIndex >= 0 ? valueEnd[hostIndex] : -1;
    }

    /** The index of a host name's trailing dot (before the port, if any) in [from, to), or -1. */
    static int trailingDot(ByteBuffer b, int from, int to) {
        if (from < to && b.get(from) == '[') {
            return -1;
        }
        int end = to;
        for (int i = from; i < to; i++) {
            if (b.get(i) == ':') {
                end = i;
                break;
            }
        }
        return end - 1 > from && b.get(end - 1) == '.' ? end - 1 : -1;
    }

    /** The declared Content-Length, or -1. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the body is chunked. */
    public boolean chunked() {
        return chunked;
    }

    /** Whether the sender asked to close the connection after this message. */
    public boolean connectionClose() {
        return connectionClose;
    }

    /** Whether the sender offered keep-alive (meaningful for HTTP/1.0). */
    public boolean connectionKeepAlive() {
        return connectionKeepAlive;
    }

    /** Whether the request asks for a protocol upgrade (Connection: upgrade with an Upgrade field). */
    public boolean upgradeRequested() {
        return connectionUpgrade && upgradeIndex >= 0;
    }

    /** Whether the request carries {@code Expect: 100-continue}. */
    public boolean expectContinue() {
        return expectContinue;
    }

    /** Whether the connection may carry another message after this one, by this head's version and fields. */
    public boolean keepAlive() {
        return minorVersion >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /** The head's length in bytes, including the final empty line. */
    public int length() {
        return end - start;
    }

    /** Where the head starts in its buffer. */
    public int start() {
        return start;
    }

    /** Where the head ends (exclusive) in its buffer: the first body byte. */
    public int end() {
        return end;
    }

    String string(int from, int to) {
        return Ascii.string(buffer, from, to);
    }

    @Override
    public String toString() {
        return start < end ? string(start, end) : "(empty)";
    }
}
