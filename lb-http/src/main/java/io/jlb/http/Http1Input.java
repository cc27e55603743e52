package io.jlb.http;

import io.jlb.http.internal.BodyDecoder;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.internal.BufferPool;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What an HTTP/1.1 client connection has read: one pooled buffer, held only while bytes are in it, in which request
 * heads are parsed and from which the request body is offered in place ({@link BodySource}), decoded from its framing
 * on demand: [{@link #start()}, position) is not yet consumed, [start, data end) the body data ready. A body that is
 * all here may be held for a retry and read again. Loop-confined.
 */
final class Http1Input implements BodySource {
    private final BufferPool buffers;
    private final long maxBodyBytes;
    private final BodyDecoder.Length lengthBody = BodyDecoder.length(0);
    private final BodyDecoder.Chunked chunkedBody;
    private ByteBuffer in;
    private int start;
    private int dataEnd;
    private int retained = -1;
    private long length;
    private BodyDecoder body;
    private int errorStatus;
    private String error;

    Http1Input(BufferPool buffers, HttpLimits limits, byte[][] droppedTrailers) {
        this.buffers = buffers;
        this.maxBodyBytes = limits.maxBodyBytes();
        this.chunkedBody = BodyDecoder.chunked(limits.maxHeadBytes()).dropTrailers(droppedTrailers);
    }

    // ---- the buffer ----

    /**
     * Reads what the transport has, into a buffer taken when needed (cleared first when everything in it was
     * consumed); returns the bytes read, -1 at the end of the stream, or -2 when the buffer is full.
     */
    int read(Transport transport) throws IOException {
        if (in == null) {
            in = buffers.take();
            start = 0;
            dataEnd = 0;
        } else if (start == in.position() && retained < 0) {
            in.clear();
            start = 0;
            dataEnd = 0;
        }
        if (!in.hasRemaining()) {
            return -2;
        }
        return transport.read(in);
    }

    /** The buffer (parsing reads it), or null when none is held. */
    @Override
    public ByteBuffer buffer() {
        return in;
    }

    /** Where the bytes not yet consumed start. */
    int start() {
        return start;
    }

    /** Consumes up to {@code at} (a PROXY header, a request head). */
    void start(int at) {
        start = at;
        dataEnd = at;
    }

    /** The end of what was read. */
    int end() {
        return in == null ? 0 : in.position();
    }

    /** The size of the buffer. */
    int capacity() {
        return buffers.bufferSize();
    }

    /** Whether bytes read are not yet consumed (a pipelined request, unread body bytes). */
    boolean unread() {
        return in != null && start < in.position();
    }

    /** Whether another read could take bytes (room, or everything consumed). */
    boolean room() {
        return in == null || in.hasRemaining() || start == in.position();
    }

    /**
     * Between requests: gives the buffer back when nothing is left in it, else moves a pipelined request to its
     * start.
     */
    void idle() {
        retained = -1;
        body = null;
        if (in != null && start == in.position()) {
            buffers.give(in);
            in = null;
            start = 0;
        } else if (in != null && start > 0) {
            in.flip().position(start);
            in.compact();
            start = 0;
        }
        dataEnd = start;
    }

    /** Drops what was read (lingering before a close: the client's bytes are read and thrown away). */
    void discard() {
        if (in != null) {
            in.clear();
            start = 0;
            dataEnd = 0;
        }
    }

    /** The bytes not yet consumed, copied into a buffer of the pool (read mode), or null; the buffer is released. */
    ByteBuffer takeUnread() {
        ByteBuffer copy = null;
        if (unread()) {
            int n = in.position() - start;
            copy = buffers.take();
            copy.put(0, in, start, n);
            copy.position(n).flip();
        }
        release();
        return copy;
    }

    /** Gives the buffer back. */
    void release() {
        if (in != null) {
            buffers.give(in);
            in = null;
        }
        start = 0;
        dataEnd = 0;
    }

    // ---- the request body ----

    /** The body of the request with head {@code h} follows the head: framed as the head says. */
    void beginBody(HttpHead h) {
        start(h.end());
        retained = -1;
        errorStatus = 0;
        error = null;
        length = h.contentLength();
        if (h.chunked()) {
            body = chunkedBody.reset();
        } else if (h.contentLength() > 0) {
            body = lengthBody.reset(h.contentLength());
        } else {
            body = null;
        }
    }

    /** No request body (a rejected head). */
    void noBody() {
        body = null;
        error = null;
    }

    /** Whether the request has a body. */
    boolean hasBody() {
        return body != null;
    }

    /** Whether the body has been read to its last byte (or there is none). */
    boolean bodyRead() {
        return body == null || body.done();
    }

    /** Whether the body's data ready so far was all consumed: reading more is wanted. */
    boolean drained() {
        return dataEnd == start && error == null;
    }

    /** Holds the body for a retry when it is all here and at most {@code maxBytes}. */
    void hold(long maxBytes) {
        if (body == lengthBody && length <= maxBytes && start + length <= in.position() && dataEnd == start) {
            retained = start;
        }
    }

    /** Whether the body is held. */
    boolean held() {
        return retained >= 0;
    }

    /** Reads the held body again from its start; false when it is not held. */
    boolean rewind() {
        if (body == null) {
            return true;
        }
        if (retained < 0) {
            return false;
        }
        start = retained;
        dataEnd = retained;
        lengthBody.reset(length);
        return true;
    }

    /** The status to answer a body that failed with (400, 413). */
    int errorStatus() {
        return errorStatus;
    }

    /** Why it failed, or null. */
    String error() {
        return error;
    }

    @Override
    public boolean ready() {
        if (body == null || error != null || in == null) {
            return false;
        }
        while (dataEnd == start && !body.done() && start < in.position()) {
            int n = body.step(in, start, in.position());
            if (body.error() != null) {
                return fail(400, "malformed chunked body: " + body.error());
            }
            if (body.data()) {
                dataEnd = start + n;
            } else {
                start += n;
                dataEnd = start;
            }
            if (maxBodyBytes > 0 && body.dataBytes() > maxBodyBytes) {
                return fail(413, "request body larger than " + maxBodyBytes + " bytes");
            }
        }
        return dataEnd > start;
    }

    private boolean fail(int status, String why) {
        errorStatus = status;
        error = why;
        return false;
    }

    @Override
    public int from() {
        return start;
    }

    @Override
    public int to() {
        return dataEnd;
    }

    @Override
    public void consumed(int n) {
        start += n;
    }

    @Override
    public boolean complete() {
        return body != null && body.done() && dataEnd == start;
    }

    @Override
    public boolean failed() {
        return error != null;
    }

    @Override
    public BodyDecoder decoder() {
        return body;
    }
}
