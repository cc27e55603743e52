package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * How an HTTP/1.1 message body is delimited on the wire (RFC 9112 §6.3), read as it streams through: by a length,
 * by chunks, by the end of the connection, or not at all. {@link #step} consumes the next segment of the buffered
 * bytes — data, which is forwarded as it is, or framing, which never is — so that the forwarding side can write the
 * framing it chooses itself. One decoder per direction of a connection, reset per message; loop-confined.
 */
public abstract class BodyDecoder {
    private boolean data;
    private long dataBytes;

    BodyDecoder() {}

    /** Whether the bytes the last {@link #step} consumed were data (as opposed to framing). */
    public final boolean data() {
        return data;
    }

    /** Data bytes read so far in this message. */
    public final long dataBytes() {
        return dataBytes;
    }

    /** Whether the body has ended (all its framing consumed); false while bytes are due. */
    public abstract boolean done();

    /** What was wrong with the framing, or null. */
    public String error() {
        return null;
    }

    /**
     * Consumes bytes from {@code from} up to {@code to} of {@code b}, stopping at the end of a segment; returns how
     * many (0 only when done or on an error). {@link #data()} tells whether they were data.
     */
    public final int step(ByteBuffer b, int from, int to) {
        int n = consume(b, from, to);
        data = lastWasData();
        if (data) {
            dataBytes += n;
        }
        return n;
    }

    /** The connection ended: a body delimited by it is complete; any other is cut short. */
    public void endOfStream() {
    }

    /** Writes the trailer fields kept ({@code name: value\r\n} lines); none unless chunked. */
    public void writeTrailers(ByteBuffer out) {
    }

    /** How many bytes {@link #writeTrailers} writes. */
    public int trailersLength() {
        return 0;
    }

    /** Starts the next message. */
    void restart() {
        data = false;
        dataBytes = 0;
    }

    abstract int consume(ByteBuffer b, int from, int to);

    abstract boolean lastWasData();

    // ---- the four kinds ----

    /** No body at all: a GET, a 204, a response to HEAD. */
    public static BodyDecoder none() {
        return new Length(0);
    }

    /** A body of {@code length} bytes (Content-Length). */
    public static Length length(long length) {
        return new Length(length);
    }

    /** A chunked body, with trailer sections up to {@code maxTrailerBytes}. */
    public static Chunked chunked(int maxTrailerBytes) {
        return new Chunked(maxTrailerBytes);
    }

    /** A response body that ends with the connection (neither length nor chunks). */
    public static UntilClose untilClose() {
        return new UntilClose();
    }

    /** Counts down a length. Reusable: {@link #reset(long)}. */
    public static final class Length extends BodyDecoder {
        private long remaining;

        Length(long length) {
            reset(length);
        }

        /** Starts a body of {@code length} bytes. */
        public Length reset(long length) {
            restart();
            remaining = length;
            return this;
        }

        /** Bytes still due. */
        public long remaining() {
            return remaining;
        }

        @Override
        public boolean done() {
            return remaining == 0;
        }

        @Override
        int consume(ByteBuffer b, int from, int to) {
            int n = (int) Math.min(remaining, to - from);
            remaining -= n;
            return n;
        }

        @Override
        boolean lastWasData() {
            return true;
        }
    }

    /** Follows chunks with a {@link ChunkedFramer}. Reusable: {@link #reset()}. */
    public static final class Chunked extends BodyDecoder {
        private final ChunkedFramer framer;

        Chunked(int maxTrailerBytes) {
            framer = new ChunkedFramer(maxTrailerBytes);
        }

        /** Also drops trailer fields with these lower-case names. */
        public Chunked dropTrailers(byte[][] lowerCaseNames) {
            framer.dropTrailers(lowerCaseNames);
            return this;
        }

        /** Starts a new chunked body. */
        public Chunked reset() {
            restart();
            framer.reset();
            return this;
        }

        @Override
        public boolean done() {
            return framer.done();
        }

        @Override
        public String error() {
            return framer.error();
        }

        @Override
        int consume(ByteBuffer b, int from, int to) {
            return framer.step(b, from, to);
        }

        @Override
        boolean lastWasData() {
            return framer.data();
        }

        @Override
        public void writeTrailers(ByteBuffer out) {
            framer.writeTrailers(out);
        }

        @Override
        public int trailersLength() {
            return framer.trailersLength();
        }
    }

    /** Everything until the connection ends. */
    public static final class UntilClose extends BodyDecoder {
        private boolean ended;

        UntilClose() {}

        /** Starts a new body. */
        public UntilClose reset() {
            restart();
            ended = false;
            return this;
        }

        @Override
        public boolean done() {
            return ended;
        }

        @Override
        public void endOfStream() {
            ended = true;
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
}
