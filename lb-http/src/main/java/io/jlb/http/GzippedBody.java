package io.jlb.http;

import io.jlb.http.internal.BodyDecoder;
import io.jlb.http.internal.BodySource;
import io.jlb.nio.internal.BufferPool;
import java.nio.ByteBuffer;

/**
 * A response body gzip-compressed on its way to an HTTP/2 client: offered in place like the body it reads, from a
 * buffer of compressed bytes that is refilled, from what the backend sent, only once the client side has taken it
 * all (the same backpressure as the body itself). Its trailers, if any, are dropped with the compression.
 * Loop-confined.
 */
final class GzippedBody implements BodySource {
    private final BodySource source;
    private final GzipEncoder gzip;
    private final BufferPool buffers;
    private ByteBuffer out;
    private int read;
    private boolean ended;

    GzippedBody(BodySource source, int level, BufferPool buffers) {
        this.source = source;
        this.gzip = new GzipEncoder(level, false);
        this.buffers = buffers;
    }

    /** Compresses more when what was compressed has all been taken; false when nothing is available yet. */
    @Override
    public boolean ready() {
        if (out != null && read < out.position()) {
            return true;
        }
        if (ended) {
            return false;
        }
        boolean input = source.ready();
        if (!input && !gzip.pending() && !source.complete()) {
            return false;
        }
        if (out == null) {
            out = buffers.take();
        }
        out.clear();
        read = 0;
        if (input) {
            source.consumed(gzip.encode(source.buffer(), source.from(), source.to(), out));
        } else if (gzip.pending()) {
            gzip.encode(source.buffer(), source.from(), source.from(), out);
        } else if (!source.failed()) {
            ended = gzip.finish(out);
        }
        return read < out.position();
    }

    @Override
    public ByteBuffer buffer() {
        return out;
    }

    @Override
    public int from() {
        return read;
    }

    @Override
    public int to() {
        return out.position();
    }

    @Override
    public void consumed(int n) {
        read += n;
    }

    @Override
    public boolean complete() {
        return ended && (out == null || read == out.position());
    }

    @Override
    public boolean failed() {
        return source.failed();
    }

    @Override
    public BodyDecoder decoder() {
        return null;
    }

    /** Gives the buffer and the deflater back. */
    void release() {
        gzip.release();
        if (out != null) {
            buffers.give(out);
            out = null;
        }
    }
}
