package io.jlb.http;

import io.jlb.http.internal.BodyEncoder;
import io.jlb.http.internal.BodySource;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes one HTTP/1.1 message to a transport: the head, then body data taken in place from a {@link BodySource},
 * with the framing of a {@link BodyEncoder} before each segment and at the end. Head, framing and data leave in one
 * gathering write where they can. Never writes more data than it framed. One per direction of a connection, reused
 * from message to message; loop-confined.
 */
final class FramedWriter {
    /** What a {@link #write} call got to. */
    enum Progress {
        /** Everything written, the body's end included. */
        DONE,
        /** The transport took all it could: wait until it is writable. */
        BLOCKED,
        /** All that was ready was written: wait for more data. */
        NEED_DATA,
        /** The source's framing was wrong. */
        FAILED
    }

    private final ByteBuffer[][] gathers = {new ByteBuffer[1], new ByteBuffer[2], new ByteBuffer[3]};
    private ByteBuffer small;
    private ByteBuffer framing;
    private ByteBuffer head;
    private BodySource source;
    private BodyEncoder encoder;
    private long framed;
    private boolean ended;
    private long written;

    /**
     * Starts a message: {@code head} (read mode, or null when written already) then the body of {@code source} (null
     * for none) framed by {@code encoder}.
     */
    void begin(ByteBuffer head, BodySource source, BodyEncoder encoder) {
        this.head = head;
        this.source = source;
        this.encoder = encoder;
        encoder.reset();
        framed = 0;
        ended = source == null;
        written = 0;
        if (framing != null) {
            framing.clear().flip();
        }
    }

    /** Bytes written since {@link #begin}. */
    long written() {
        return written;
    }

    /** Whether bytes of the head are still to be written. */
    boolean headPending() {
        return head != null && head.hasRemaining();
    }

    /** Whether anything framed (head, framing, data already framed) waits to be written. */
    boolean pending() {
        return headPending() || (framing != null && framing.hasRemaining()) || framed > 0;
    }

    /** The head buffer (read mode), once {@link #write} has written it; the caller may give it back. */
    ByteBuffer takeHead() {
        ByteBuffer h = head;
        head = null;
        return h;
    }

    /** Writes what it can. */
    Progress write(Transport transport) throws IOException {
        while (true) {
            if (framed == 0 && !framingPending() && !ended) {
                if (source.ready()) {
                    int n = source.to() - source.from();
                    encoder.beforeData(n, framingBuffer(BodyEncoder.MAX_FRAMING));
                    framing.flip();
                    framed = n;
                } else if (source.failed()) {
                    return Progress.FAILED;
                } else if (source.complete()) {
                    encoder.end(source.decoder(), framingBuffer(encoder.endLength(source.decoder())));
                    framing.flip();
                    ended = true;
                } else if (!headPending()) {
                    return Progress.NEED_DATA;
                }
            }
            if (!pending()) {
                return Progress.DONE;
            }
            int dataFrom = framed > 0 ? source.from() : 0;
            int dataTo = framed > 0 ? (int) Math.min(source.to(), dataFrom + framed) : 0;
            int data = gather(transport, framed > 0 ? source.buffer() : null, dataFrom, dataTo);
            if (data > 0) {
                framed -= data;
                source.consumed(data);
            }
            if (headPending() || framingPending() || framed > 0) {
                return Progress.BLOCKED;
            }
        }
    }

    private boolean framingPending() {
        return framing != null && framing.hasRemaining();
    }

    /** A cleared framing buffer of at least {@code capacity} bytes, in write mode. */
    private ByteBuffer framingBuffer(int capacity) {
        if (small == null) {
            small = ByteBuffer.allocate(BodyEncoder.MAX_FRAMING);
        }
        framing = capacity <= small.capacity() ? small : ByteBuffer.allocate(capacity); // trailers: rare
        return framing.clear();
    }

    /** One gathering write of the head, the framing and data [from, to) of {@code data}; returns data bytes written. */
    private int gather(Transport transport, ByteBuffer data, int from, int to) throws IOException {
        boolean withHead = headPending();
        boolean withFraming = framingPending();
        boolean withData = data != null && from < to;
        int count = (withHead ? 1 : 0) + (withFraming ? 1 : 0) + (withData ? 1 : 0);
        if (count == 0) {
            return 0;
        }
        int position = withData ? data.position() : 0;
        int limit = withData ? data.limit() : 0;
        ByteBuffer[] array = gathers[count - 1];
        int k = 0;
        if (withHead) {
            array[k++] = head;
        }
        if (withFraming) {
            array[k++] = framing;
        }
        if (withData) {
            data.limit(to).position(from);
            array[k] = data;
        }
        try {
            while (array[count - 1].hasRemaining()) {
                long n = count == 1 ? transport.write(array[0]) : transport.write(array);
                if (n == 0) {
                    break;
                }
                written += n;
            }
            return withData ? data.position() - from : 0;
        } finally {
            if (withData) {
                data.limit(limit).position(position);
            }
            java.util.Arrays.fill(array, null);
        }
    }
}
