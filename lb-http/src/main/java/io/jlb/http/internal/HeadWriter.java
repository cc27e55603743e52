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

    /** Which proxy headers to add; see {@code io.jlb.http.ForwardedHeaders}. */
    public record Options(boolean xForwardedFor, boolean xForwardedProto, boolean xForwardedHost, boolean forwarded,
            boolean via, byte[] viaValue) {
        /** {@code viaPseudonym} becomes the Via element {@code 1.1 viaPseudonym}. */
        public static Options of(boolean xff, boolean xfp, boolean xfh, boolean fwd, boolean via, String viaPseudonym) {
            return new Options(xff, xfp, xfh, fwd, via, Ascii.bytes("1.1 " + viaPseudonym));
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
     * Writes a request head for a backend.
     *
     * @param h the parsed request
     * @param out where to write
     * @param stripPrefix a path prefix to remove, or null
     * @param clientIp the client's address as text (no brackets)
     * @param proto {@code http} or {@code https}
     * @param chunked whether the body follows chunked (re-adds Transfer-Encoding)
     * @param upgrade whether to forward an upgrade (keeps Upgrade, sends Connection: upgrade)
     * @param defaultHost the Host to add when the request had none (HTTP/1.0), e.g. the backend's authority
     */
    public static void request(HttpHead h, ByteBuffer out, Options o, String stripPrefix, String clientIp, String proto,
            boolean chunked, boolean upgrade, String defaultHost, Drop drop, Extra extra) {
        ByteBuffer in = h.buffer;
        copy(in, h.methodStart, h.methodEnd, out);
        out.put((byte) ' ');
        int target = h.targetStart;
        if (h.authorityStart >= 0) {
            target = h.pathStart; // absolute form: send origin form
            if (h.pathStart == h.pathEnd) {
                out.put((byte) '/');
            }
        }
        if (stripPrefix != null && h.pathEnd - h.pathStart >= stripPrefix.length()
                && startsWith(in, h.pathStart, stripPrefix)) {
            int after = h.pathStart + stripPrefix.length();
            if (after == h.pathEnd || in.get(after) != '/') {
                out.put((byte) '/');
            }
            target = after;
        }
        copy(in, target, h.targetEnd, out);
        out.put(HTTP11);
        if (h.hostIndex < 0 && defaultHost != null) {
            put(out, "Host: ");
            put(out, defaultHost);
            out.put(CRLF);
        }
        int xff = -1;
        int fwd = -1;
        int via = -1;
        for (int i = 0; i < h.count; i++) {
            if (h.hopByHop[i] && !(upgrade && i == h.upgradeIndex)) {
                continue;
            }
            if (o.xForwardedFor && h.nameIs(i, X_FORWARDED_FOR)) {
                xff = merge(xff, i);
                continue;
            }
            if ((o.xForwardedProto && h.nameIs(i, X_FORWARDED_PROTO)) || (o.xForwardedHost && h.nameIs(i, X_FORWARDED_HOST))) {
                continue;
            }
            if (o.forwarded && h.nameIs(i, FORWARDED)) {
                fwd = merge(fwd, i);
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
        }
        if (upgrade) {
            put(out, "Connection: upgrade\r\n");
        }
        if (o.xForwardedFor) {
            put(out, "X-Forwarded-For: ");
            appendAll(h, X_FORWARDED_FOR, xff, out);
            put(out, clientIp);
            out.put(CRLF);
        }
        if (o.xForwardedProto) {
            put(out, "X-Forwarded-Proto: ");
            put(out, proto);
            out.put(CRLF);
        }
        int hostStart = h.authorityStart >= 0 ? h.authorityStart : h.hostIndex >= 0 ? h.valueStart[h.hostIndex] : -1;
        int hostEnd = h.authorityStart >= 0 ? h.authorityEnd : h.hostIndex >= 0 ? h.valueEnd[h.hostIndex] : -1;
        if (o.xForwardedHost && hostStart >= 0) {
            put(out, "X-Forwarded-Host: ");
            copy(in, hostStart, hostEnd, out);
            out.put(CRLF);
        }
        if (o.forwarded) {
            put(out, "Forwarded: ");
            appendAll(h, FORWARDED, fwd, out);
            put(out, "for=");
            put(out, clientIp.indexOf(':') >= 0 ? "\"[" + clientIp + "]\"" : clientIp);
            if (hostStart >= 0) {
                put(out, ";host=");
                boolean quote = !allTchar(in, hostStart, hostEnd);
                if (quote) {
                    out.put((byte) '"');
                }
                copy(in, hostStart, hostEnd, out);
                if (quote) {
                    out.put((byte) '"');
                }
            }
            put(out, ";proto=");
            put(out, proto);
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

    /**
     * Writes a response head for a client.
     *
     * @param connection the Connection value to send ({@code close}, {@code keep-alive}, {@code upgrade}) or null
     * @param chunked whether to send the body chunked (re-adds Transfer-Encoding)
     */
    public static void response(HttpHead h, ByteBuffer out, Options o, String connection, boolean chunked,
            boolean upgrade, Drop drop, Extra extra) {
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

    static void put(ByteBuffer out, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out.put((byte) ascii.charAt(i));
        }
    }

    /** A complete small response with a text body, for errors the proxy answers itself. */
    public static byte[] localResponse(int status, String reason, String body, boolean close, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        if (status != 204 && status != 304 && status >= 200) {
            sb.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(bodyBytes.length).append("\r\n");
        }
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
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
