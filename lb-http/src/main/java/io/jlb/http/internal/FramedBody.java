package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A body whose framing another protocol has already removed (HTTP/2 DATA frames): every byte is data, it ends when
 * its side says so, and its trailer fields are those that side gives, as {@code name: value\r\n} lines checked there.
 * Loop-confined; reset per message.
 */
public final class FramedBody extends BodyDecoder {
    private boolean ended;
    private byte[] trailers = new byte[0];

    /** A body in progress. */
    public FramedBody() {}

    /** Starts the next body. */
    public FramedBody reset() {
        restart();
        ended = false;
        trailers = new byte[0];
        return this;
    }

    /** All the body's data has been read; {@code trailerLines} ({@code name: value\r\n} each, or "") follow it. */
    public void end(String trailerLines) {
        ended = true;
        trailers = trailerLines.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean done() {
        return ended;
    }

    @Override
    public void writeTrailers(ByteBuffer out) {
        out.put(trailers);
    }

    @Override
    public int trailersLength() {
        return trailers.length;
    }

    @Override
    int consume(ByteBuffer b, int from, int to) {
        return to - from;
    }

    @Override
    boolean lastWasData() {
        return true;
    }
}
