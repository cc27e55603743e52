package io.jlb.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ChunkedFramerTest {
    /** Runs the framer over all of {@code text}; returns the dechunked data, or null on error; -end in consumed[0]. */
    static String run(ChunkedFramer f, String text, int[] consumed) {
        ByteBuffer b = Heads.bytes(text);
        int end = b.position();
        int i = 0;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (i < end && !f.done() && f.error() == null) {
            int n = f.step(b, i, end);
            if (f.data()) {
                for (int k = i; k < i + n; k++) {
                    data.write(b.get(k));
                }
            }
            i += n;
        }
        consumed[0] = i;
        return f.error() == null ? data.toString() : null;
    }

    @Test
    void followsChunksExtensionsAndTrailers() {
        ChunkedFramer f = new ChunkedFramer(1024);
        String body = "5;ext=1;q=\"x y\"\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\n";
        int[] consumed = new int[1];
        assertEquals("hello0123456789", run(f, body + "NEXT", consumed));
        assertTrue(f.done());
        assertEquals(body.length(), consumed[0], "stops exactly at the end of the body");
        assertEquals(15, f.dataBytes());
    }

    @Test
    void anIncompleteBodyIsNotDone() {
        ChunkedFramer f = new ChunkedFramer(1024);
        assertEquals("hel", run(f, "5\r\nhel", new int[1]));
        assertFalse(f.done());
        assertNull(f.error());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "5\r\nhelloX\r\n0\r\n\r\n",
        "5\nhello\r\n0\r\n\r\n",
        "5\r\nhello\n0\r\n\r\n",
        "g\r\n",
        " 5\r\nhello\r\n0\r\n\r\n",
        "\r\n",
        "10000000000000000\r\n",
        "5;\u0000\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n",
        "5\t\r\nhello\r\n0\r\n\r\n",
        "5 x\r\nhello\r\n0\r\n\r\n",
        "5;=v\r\nhello\r\n0\r\n\r\n",
        "5;a=\r\nhello\r\n0\r\n\r\n",
        "5;a=\"open\r\nhello\r\n0\r\n\r\n",
        "5;a b\r\nhello\r\n0\r\n\r\n",
        "0\r\nX : y\r\n\r\n",
        "0\r\nX: y\n\r\n",
        "0\r\n\rx",
        "-1\r\n",
    })
    void rejectsMalformedFraming(String body) {
        ChunkedFramer f = new ChunkedFramer(1024);
        run(f, body, new int[1]);
        assertNotNull(f.error(), body);
        assertFalse(f.done());
    }

    @Test
    void limitsTrailers() {
        ChunkedFramer f = new ChunkedFramer(16);
        run(f, "0\r\nX-Long: " + "a".repeat(40) + "\r\n\r\n", new int[1]);
        assertEquals("trailer section too large", f.error());
    }

    @Test
    void extensionsFollowTheirGrammarWithWhitespaceOnlyAroundThem() {
        for (String ok : new String[] {"5 ;a\r\nhello\r\n0\r\n\r\n", "5;a=b;c=\"d e\\\"f\" \r\nhello\r\n0\r\n\r\n",
            "5 ; a = b\r\nhello\r\n0\r\n\r\n"}) {
            ChunkedFramer f = new ChunkedFramer(1024);
            assertEquals("hello", run(f, ok, new int[1]), ok);
            assertTrue(f.done(), ok);
        }
    }

    @Test
    void tellsTheChunkBoundariesItReadSoThatTheyCanBeWrittenAgain() {
        ChunkedFramer f = new ChunkedFramer(1024);
        ByteBuffer b = Heads.bytes("0A;x=1\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\n");
        int end = b.position();
        int n = f.step(b, 0, end);
        assertTrue(f.chunkStarted());
        assertEquals(10, f.chunkSize());
        assertFalse(f.chunkEnded());
        int at = n + f.step(b, n, end);
        assertTrue(f.data());
        at += f.step(b, at, end);
        assertTrue(f.chunkEnded() && f.chunkStarted(), "the end of one chunk and the start of the next");
        assertEquals(3, f.chunkSize());
        at += f.step(b, at, end);
        at += f.step(b, at, end);
        assertTrue(f.chunkEnded() && f.done());
        assertEquals(end, at);
    }

    @Test
    void keepsTrailersThatFrameNothingAndDropsTheRest() {
        ChunkedFramer f = new ChunkedFramer(1024);
        f.dropTrailers(new byte[][] {"x-user".getBytes(java.nio.charset.StandardCharsets.US_ASCII)});
        run(f, "0\r\nX-Checksum:  abc  \r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-User: root\r\n"
                + "Authorization: Basic x\r\nX-Empty:\r\n\r\n", new int[1]);
        assertTrue(f.done());
        assertEquals("X-Checksum: abc\r\nX-Empty: \r\n", new String(f.trailers(), java.nio.charset.StandardCharsets.US_ASCII));
    }
}
