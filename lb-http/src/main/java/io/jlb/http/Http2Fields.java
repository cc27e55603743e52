package io.jlb.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Response fields for HTTP/2, from the HTTP/1.1 head the proxy wrote: names lower-cased, hop-by-hop ones left out. */
final class Http2Fields {
    private Http2Fields() {}

    /** The fields of an HTTP/1.1 head the proxy wrote ({@code Name: value} lines after the first), HTTP/2-style. */
    static void fromHttp1(ByteBuffer b, int end, List<String[]> out) {
        int p = 0;
        while (p < end && b.get(p) != '\n') {
            p++;
        }
        p++;
        while (p < end) {
            int lineEnd = p;
            while (lineEnd < end && b.get(lineEnd) != '\r') {
                lineEnd++;
            }
            if (lineEnd == p) {
                break; // the empty line
            }
            int colon = p;
            while (colon < lineEnd && b.get(colon) != ':') {
                colon++;
            }
            String name = text(b, p, colon).toLowerCase(Locale.ROOT);
            int v = colon + 1;
            int ve = lineEnd;
            while (v < ve && (b.get(v) == ' ' || b.get(v) == '\t')) {
                v++;
            }
            while (ve > v && (b.get(ve - 1) == ' ' || b.get(ve - 1) == '\t')) {
                ve--;
            }
            switch (name) {
                case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" -> { }
                default -> out.add(new String[] {name, text(b, v, ve)});
            }
            p = lineEnd + 2;
        }
    }

    private static String text(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
