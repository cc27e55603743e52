package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Test helper: parse a whole head from text. */
final class Heads {
    private Heads() {}

    static HeadParser parser(boolean request) {
        return new HeadParser(request, 8192, 32768, 100);
    }

    static ByteBuffer bytes(String text) {
        ByteBuffer b = ByteBuffer.allocateDirect(text.length() + 16);
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b;
    }

    /** Parses {@code text} fed in one go; returns the parser (check its result with {@link #result}). */
    static HeadParser.Result parse(HeadParser p, String text) {
        ByteBuffer b = bytes(text);
        p.begin(b, 0);
        return p.parse(b.position());
    }
}
