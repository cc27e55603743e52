package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the heads the proxy forwards: the request line (possibly with a path rewritten) or the status line, then
 * every header field that is not hop-by-hop and not managed here, copied as the bytes that arrived, then the fields
 * the proxy adds. Managed fields (X-Forwarded-*, Forwarded, Via) are merged with what arrived when appending.
 */
public final class HeadWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HTTP11 = Ascii.bytes(" HTTP/1.1\r\n");
    private static final byte[] STATUS_PREFIX = Ascii.bytes("HTTP/1.1 ");
    static final byte[] X_FORWARDED_FOR = Ascii.bytes("x-forwarded-for");
    static final byte[] X_FORWARDED_PROTO = Ascii.bytes("x-forwarded-proto");
    static final byte[] X_FORWARDED_HOST = Ascii.bytes("x-forwarded-host");
    static final byte[] FORWARDED = Ascii.bytes("forwarded");
    static final byte[] VIA = Ascii.bytes("via");
    static final byte[] X_REAL_IP = Ascii.bytes("x-real-ip");

    /** Which proxy headers to add; see {@code io.jlb.http.ForwardedHeaders}. */
    public record Options(boolean xForwardedFor, boolean xForwardedProto, boolean xForwardedHost, boolean forwarded,
            boolean via, byte[] viaValue, boolean xRealIp) {
        /** {@code viaPseudonym} becomes the Via element {@code 1.1 viaPseudonym}. */
        public static Options of(boolean xff, boolean xfp, boolean xfh, boolean fwd, boolean via, String viaPseudonym,
                boolean xRealIp) {
            return new Options(xff, xfp, xfh, fwd, via, Ascii.bytes("1.1 " + viaPseudonym), xRealIp);
        }
    }

    /** Extra fields to add to a head (a header rule, a request id); may be empty. */
    public interface Extra {
        Extra NONE = out -> { };

        /** Appends complete {@code Name: value\r\n} lines. */
        void write(ByteBuffer out);
    }

    /** Which arrived fields to leave out (removed or replaced by a header rule); checked per field. */
    public interface Drop {
        Drop NONE = (h, i) -> false;

        /** Whether field {@code i} of {@code h} is left out. */
        boolean drops(HttpHead h, int i);
    }

    private HeadWriter() {}

    /**
     * Writes a request head for a backend: the request line in origin form with the normalized path (and a prefix
     * stripped), the Host the request was routed on (the absolute-form target's authority wins over a Host field),
     * the fields that arrived except those the proxy manages, then the framing the proxy forwards (Content-Length or
     * chunked), the upgrade it passes on, the proxy headers and {@code extra}. X-Forwarded-For, Forwarded and
     * X-Real-IP from a peer that is not a trusted proxy are dropped, never extended.
     */
    public static void request(HttpHead h, ByteBuffer out, Options o, Forwarding f, Drop drop, Extra extra) {
        ByteBuffer in = h.buffer;
        copy(in, h.methodStart, h.methodEnd, out);
        out.put((byte) ' ');
        writeTarget(h, f.stripPrefix, out);
        out.put(HTTP11);
        put(out, "Host: ");
        if (h.authorityFrom() >= 0) {
            writeAuthority(h, out);
        } else {
            put(out, f.defaultHost);
        }
        out.put(CRLF);
        int xff = -1;
        int fwd = -1;
        int via = -1;
        for (int i = 0; i < h.count; i++) {
            if (h.hopByHop[i]) {
                continue;
            }
            if (h.nameIs(i, X_FORWARDED_FOR)) {
                if (f.trustedPeer) {
                    xff = merge(xff, i);
                }
                if (o.xForwardedFor || !f.trustedPeer) {
                    continue;
                }
            } else if (h.nameIs(i, FORWARDED)) {
                if (f.trustedPeer) {
                    fwd = merge(fwd, i);
                }
                if (o.forwarded || !f.trustedPeer) {
                    continue;
                }
            } else if (h.nameIs(i, X_REAL_IP)) {
                if (o.xRealIp || !f.trustedPeer) {
                    continue;
                }
            } else if ((o.xForwardedProto && h.nameIs(i, X_FORWARDED_PROTO)) || (o.xForwardedHost && h.nameIs(i, X_FORWARDED_HOST))) {
                continue;
            } else if (o.via && h.nameIs(i, VIA)) {
                via = merge(via, i);
                continue;
            }
            if (drop.drops(h, i)) {
                continue;
            }
            copy(in, h.lineStart[i], h.lineEnd[i], out);
        }
        if (f.chunked) {
            put(out, "Transfer-Encoding: chunked\r\n");
        } else if (h.contentLength >= 0) {
            put(out, "Content-Length: ");
            putLong(out, h.contentLength);
            out.put(CRLF);
        }
        if (f.upgrade != null) {
            put(out, "Upgrade: ");
            put(out, f.upgrade);
            put(out, "\r\nConnection: upgrade\r\n");
        }
        if (o.xForwardedFor) {
            put(out, "X-Forwarded-For: ");
            appendAll(h, X_FORWARDED_FOR, xff, out);
            put(out, f.peerIp);
            out.put(CRLF);
        }
        if (o.xRealIp) {
            put(out, "X-Real-IP: ");
            put(out, f.clientIp);
            out.put(CRLF);
        }
        if (o.xForwardedProto) {
            put(out, "X-Forwarded-Proto: ");
            put(out, f.proto);
            out.put(CRLF);
        }
        boolean hasHost = h.authorityFrom() >= 0;
        if (o.xForwardedHost && hasHost) {
            put(out, "X-Forwarded-Host: ");
            writeAuthority(h, out);
            out.put(CRLF);
        }
        if (o.forwarded) {
            put(out, "Forwarded: ");
            appendAll(h, FORWARDED, fwd, out);
            put(out, "for=");
            put(out, f.peerIp.indexOf(':') >= 0 ? "\"[" + f.peerIp + "]\"" : f.peerIp);
            if (hasHost) {
                put(out, ";host=");
                boolean quote = !allTchar(in, h.authorityFrom(), h.authorityTo());
                if (quote) {
                    out.put((byte) '"');
                }
                writeAuthority(h, out);
                if (quote) {
                    out.put((byte) '"');
                }
            }
            put(out, ";proto=");
            put(out, f.proto);
            out.put(CRLF);
        }
        if (o.via) {
            put(out, "Via: ");
            appendAll(h, VIA, via, out);
            out.put(o.viaValue);
            out.put(CRLF);
        }
        extra.write(out);
        out.put(CRLF);
    }

    /** The target in origin form: the normalized path, less a stripped prefix, then the query as it arrived. */
    private static void writeTarget(HttpHead h, String stripPrefix, ByteBuffer out) {
        ByteBuffer in = h.buffer;
        int queryFrom = h.pathEnd;
        if (h.normalizedPath != null) {
            int skip = strippable(h.normalizedPath, h.normalizedPathLength, stripPrefix);
            if (skip > 0 && (skip == h.normalizedPathLength || h.normalizedPath[skip] != '/')) {
                out.put((byte) '/');
            }
            out.put(h.normalizedPath, skip, h.normalizedPathLength - skip);
        } else if (h.pathStart == h.pathEnd) {
            out.put((byte) '/');
        } else {
            int from = h.pathStart;
            if (stripPrefix != null && h.pathEnd - h.pathStart >= stripPrefix.length()
                    && startsWith(in, h.pathStart, stripPrefix)) {
                from = h.pathStart + stripPrefix.length();
                if (from == h.pathEnd || in.get(from) != '/') {
                    out.put((byte) '/');
                }
            }
            copy(in, from, h.pathEnd, out);
        }
        copy(in, queryFrom, h.targetEnd, out);
    }

    private static int strippable(byte[] path, int length, String prefix) {
        if (prefix == null || length < prefix.length()) {
            return 0;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (path[i] != prefix.charAt(i)) {
                return 0;
            }
        }
        return prefix.length();
    }

    /** The authority the request was routed on: lower-cased, without a trailing dot after the host name. */
    private static void writeAuthority(HttpHead h, ByteBuffer out) {
        ByteBuffer in = h.buffer;
        int from = h.authorityFrom();
        int to = h.authorityTo();
        int dot = HttpHead.trailingDot(in, from, to);
        for (int i = from; i < to; i++) {
            if (i != dot) {
                out.put((byte) Ascii.lower(in.get(i)));
            }
        }
    }

    /**
     * Writes a response head for a client.
     *
     * @param connection the Connection value to send ({@code close}, {@code keep-alive}, {@code upgrade}) or null
     * @param chunked whether to send the body chunked (re-adds Transfer-Encoding)
     */
    public static void response(HttpHead h, ByteBuffer out, Options o, String connection, boolean chunked,
            boolean upgrade, Drop drop, Extra extra) {
        response(h, out, o, connection, chunked, chunked ? -1 : h.contentLength, upgrade, drop, extra);
    }

    /**
     * Writes a response head for a client, framed by {@code chunked} or by {@code contentLength} (-1: neither, the
     * body ends with the connection or there is none); the backend's own framing fields are never copied.
     */
    public static void response(HttpHead h, ByteBuffer out, Options o, String connection, boolean chunked,
            long contentLength, boolean upgrade, Drop drop, Extra extra) {
        ByteBuffer in = h.buffer;
        out.put(STATUS_PREFIX);
        int s = h.status;
        out.put((byte) ('0' + s / 100)).put((byte) ('0' + s / 10 % 10)).put((byte) ('0' + s % 10));
        out.put((byte) ' ');
        copy(in, h.reasonStart, h.reasonEnd, out);
        out.put(CRLF);
        int via = -1;
        for (int i = 0; i < h.count; i++) {
            if (h.hopByHop[i] && !(upgrade && i == h.upgradeIndex)) {
                continue;
            }
            if (o.via && h.nameIs(i, VIA)) {
                via = merge(via, i);
                continue;
            }
            if (drop.drops(h, i)) {
                continue;
            }
            copy(in, h.lineStart[i], h.lineEnd[i], out);
        }
        if (chunked) {
            put(out, "Transfer-Encoding: chunked\r\n");
        } else if (contentLength >= 0 && h.status >= 200 && h.status != 204) {
            put(out, "Content-Length: ");
            putLong(out, contentLength);
            out.put(CRLF);
        }
        if (connection != null) {
            put(out, "Connection: ");
            put(out, connection);
            out.put(CRLF);
        }
        if (o.via) {
            put(out, "Via: ");
            appendAll(h, VIA, via, out);
            out.put(o.viaValue);
            out.put(CRLF);
        }
        extra.write(out);
        out.put(CRLF);
    }

    /** Remembers the first occurrence of a merged field; later ones are found again when writing. */
    private static int merge(int first, int i) {
        return first < 0 ? i : first;
    }

    /** Writes the values of every field named {@code name}, starting at {@code first}, each followed by ", ". */
    private static void appendAll(HttpHead h, byte[] name, int first, ByteBuffer out) {
        if (first < 0) {
            return;
        }
        for (int i = first; i < h.count; i++) {
            if (h.nameIs(i, name) && h.valueEnd[i] > h.valueStart[i]) {
                copy(h.buffer, h.valueStart[i], h.valueEnd[i], out);
                out.put((byte) ',').put((byte) ' ');
            }
        }
    }

    private static boolean startsWith(ByteBuffer b, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (b.get(at + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allTchar(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Ascii.tchar(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static void copy(ByteBuffer from, int start, int end, ByteBuffer out) {
        int n = end - start;
        out.put(out.position(), from, start, n);
        out.position(out.position() + n);
    }

    static void putLong(ByteBuffer out, long value) {
        if (value >= 10) {
            putLong(out, value / 10);
        }
        out.put((byte) ('0' + value % 10));
    }

    static void put(ByteBuffer out, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out.put((byte) ascii.charAt(i));
        }
    }

    /**
     * Whether {@code line} is one well-formed {@code Name: value} field: a token name, a value without control
     * characters. What the proxy writes itself is checked too: a CR or LF in a value (from a token, a template, a
     * handler) would split the response.
     */
    public static boolean safeFieldLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (i < colon ? c > 0x7e || !Ascii.tchar(c) : c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** A complete small response with a text body, for errors the proxy answers itself. */
    public static byte[] localResponse(int status, String reason, String body, boolean close, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        if (status != 204 && status != 304 && status >= 200) {
            sb.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(bodyBytes.length).append("\r\n");
        }
        for (String h : extraHeaders) {
            if (safeFieldLine(h)) {
                sb.append(h).append("\r\n");
            }
        }
        if (close) {
            sb.append("Connection: close\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + bodyBytes.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bodyBytes, 0, all, head.length, bodyBytes.length);
        return all;
    }
}
