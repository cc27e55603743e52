package io.jlb.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class HeadParserProperties {

    /** What a parse yields, for comparing parses: head text fields and the dechunked or counted body. */
    record Parsed(String method, String target, List<String> fields, long contentLength, boolean chunked,
            byte[] body, int consumed) {}

    /** Feeds {@code bytes} in the given pieces, as a connection would receive them. */
    static Parsed parse(byte[] bytes, List<int[]> pieces) {
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length + 1);
        HeadParser parser = Heads.parser(true);
        parser.begin(buf, 0);
        HeadParser.Result r = HeadParser.Result.NEED_MORE;
        int piece = 0;
        while (r == HeadParser.Result.NEED_MORE) {
            int[] p = pieces.get(piece++);
            buf.put(bytes, p[0], p[1] - p[0]);
            r = parser.parse(buf.position());
        }
        assertEquals(HeadParser.Result.COMPLETE, r, parser.errorReason());
        HttpHead h = parser.head();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < h.headerCount(); i++) {
            fields.add(h.name(i) + "=" + h.value(i));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = h.end();
        if (h.chunked()) {
            ChunkedFramer f = new ChunkedFramer(4096);
            while (!f.done()) {
                while (at == buf.position()) {
                    int[] p = pieces.get(piece++);
                    buf.put(bytes, p[0], p[1] - p[0]);
                }
                int n = f.step(buf, at, buf.position());
                assertEquals(null, f.error());
                if (f.data()) {
                    for (int k = at; k < at + n; k++) {
                        body.write(buf.get(k));
                    }
                }
                at += n;
            }
        } else {
            while (piece < pieces.size()) {
                int[] p = pieces.get(piece++);
                buf.put(bytes, p[0], p[1] - p[0]);
            }
            for (int k = at; k < at + h.contentLength(); k++) {
                body.write(buf.get(k));
            }
            at += (int) h.contentLength();
        }
        return new Parsed(h.methodName(), h.target(), fields, h.contentLength(), h.chunked(), body.toByteArray(), at);
    }

    @Provide
    Arbitrary<HttpMessages.Request> requests() {
        return HttpMessages.requests();
    }

    @Property(tries = 300)
    void anyValidMessageParsesTheSameFromAnySplitOfItsBytes(@ForAll("requests") HttpMessages.Request request,
            @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 5000) Integer> cuts) {
        byte[] bytes = request.bytes();
        Parsed whole = parse(bytes, List.of(new int[] {0, bytes.length}));
        Parsed split = parse(bytes, HttpMessages.pieces(bytes.length, cuts));
        assertEquals(whole.method(), split.method());
        assertEquals(whole.target(), split.target());
        assertEquals(whole.fields(), split.fields());
        assertEquals(whole.contentLength(), split.contentLength());
        assertArrayEquals(whole.body(), split.body());
        assertEquals(bytes.length, split.consumed(), "the message ends exactly where it does");
        assertArrayEquals(request.body(), whole.body());
        assertEquals(request.method(), whole.method());
        assertEquals(request.fields().size() + 2, whole.fields().size());
    }

    @Property(tries = 2000)
    void garbageIsAnErrorOrIncompleteNeverAnExceptionOrAHang(@ForAll @Size(max = 400) byte[] garbage,
            @ForAll boolean request) {
        ByteBuffer buf = ByteBuffer.allocateDirect(garbage.length + 8);
        HeadParser parser = new HeadParser(request, 200, 300, 10);
        parser.begin(buf, 0);
        HeadParser.Result r = HeadParser.Result.NEED_MORE;
        for (byte b : garbage) {
            buf.put(b);
            r = parser.parse(buf.position());
            if (r != HeadParser.Result.NEED_MORE) {
                break;
            }
        }
        if (r == HeadParser.Result.ERROR) {
            assertTrue(parser.errorStatus() >= 400, "an error carries a status");
            assertNotEquals(null, parser.errorReason());
        }
    }

    @Property(tries = 2000)
    void garbageChunkedBodiesFailCleanly(@ForAll @Size(max = 300) byte[] garbage) {
        ByteBuffer buf = ByteBuffer.allocateDirect(garbage.length + 1);
        buf.put(garbage);
        ChunkedFramer f = new ChunkedFramer(100);
        int at = 0;
        int steps = 0;
        while (at < garbage.length && !f.done() && f.error() == null) {
            int n = f.step(buf, at, garbage.length);
            assertTrue(n > 0 || f.error() != null || f.done(), "progress or an end");
            at += n;
            assertTrue(++steps <= garbage.length + 1, "no hang");
        }
    }
}
