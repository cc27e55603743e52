package io.jlb.http;

import io.jlb.http.internal.BodyEncoder;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.internal.BufferPool;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The response half of an HTTP/1.1 client connection: writes interim heads, the final head (the backend's status
 * and fields less what the policies drop, plus what they add, with the framing the proxy chooses for this client:
 * Content-Length, chunks of its own, or the connection's end for an HTTP/1.0 client), then the body in place from the
 * upstream, or compressed; or the proxy's own reply. Counts the bytes written. Loop-confined.
 */
final class Http1Responder {
    /** What a {@link #write} got to. */
    enum Progress {
        /** The response was written whole, with this call. */
        DONE,
        /** The client takes no more for now. */
        BLOCKED,
        /** All the body data ready was written. */
        NEED_DATA,
        /** The body's framing, as read upstream, was wrong. */
        FAILED,
        /** No response is in progress (interim heads, if any, were written). */
        IDLE
    }

    private final BufferPool buffers;
    private final HeadWriter.Options options;
    private final FramedWriter writer = new FramedWriter();
    private final BodyEncoder chunked = BodyEncoder.chunked();
    /** Interim heads, and the proxy's own reply (head and the start of its body), waiting to be written; read mode. */
    private ByteBuffer out;
    /** The rest of a long local reply body. */
    private ByteBuffer tail;
    private GzipEncoder gzip;
    private BodySource gzipSource;
    private boolean gzipEnded;
    private boolean streaming;
    private boolean local;
    private boolean closeDelimited;
    private long bytes;

    Http1Responder(BufferPool buffers, HeadWriter.Options options) {
        this.buffers = buffers;
        this.options = options;
    }

    /** Bytes written for the exchange in progress. */
    long bytes() {
        return bytes;
    }

    /** Starts an exchange: nothing written yet. */
    void begin() {
        bytes = 0;
        streaming = false;
        local = false;
        closeDelimited = false;
    }

    /** Whether the response in progress is delimited by the connection's end (no keep-alive after it). */
    boolean closeDelimited() {
        return closeDelimited;
    }

    /** Whether bytes wait to be written (the client must be written to). */
    boolean pending() {
        return out != null || tail != null || (streaming && writer.pending());
    }

    /** Queues an interim response head (100 Continue), for HTTP/1.1 clients. */
    void interim(HttpHead h) {
        ByteBuffer b = buffers.take();
        HeadWriter.response(h, b, options, null, false, false, HeadWriter.Drop.NONE, HeadWriter.Extra.NONE);
        append(b.flip());
    }

    /**
     * Starts the final response: {@code h} with the exchange's {@code policy}, to a client of HTTP/1.{@code minor}
     * that keeps the connection open when {@code keepAlive}; the body of {@code contentLength} bytes (-1 unknown) comes
     * from {@code body} (null: none), compressed at {@code gzipLevel} unless -1. Returns whether the connection may
     * stay open after it.
     */
    boolean head(HttpHead h, ExchangePolicy policy, int minor, boolean keepAlive, long contentLength, BodySource body,
            int gzipLevel) {
        boolean chunkedIn = h.chunked() || (body != null && contentLength < 0);
        boolean toChunk = body != null && minor >= 1 && (chunkedIn || gzipLevel >= 0);
        closeDelimited = body != null && !toChunk && contentLength < 0;
        boolean reusable = keepAlive && !closeDelimited;
        String connection = reusable ? (minor == 0 ? "keep-alive" : null) : "close";
        ByteBuffer b = buffers.take();
        RoutePolicy rp = policy.policy;
        try {
            HeadWriter.response(h, b, options, connection, toChunk, toChunk || gzipLevel >= 0 ? -1 : contentLength, false,
                    rp.active ? policy.responseDrop : HeadWriter.Drop.NONE,
                    rp.active ? policy.responseExtra : HeadWriter.Extra.NONE);
        } catch (java.nio.BufferOverflowException e) {
            buffers.give(b);
            throw new IllegalStateException("response head too large once rewritten");
        }
        b.flip();
        ByteBuffer head = b;
        if (out != null) { // interim heads first
            head = join(out, b);
            out = null;
        }
        streaming = true;
        if (gzipLevel >= 0 && body != null) {
            gzip = new GzipEncoder(gzipLevel);
            gzipSource = body;
            gzipEnded = false;
            append(head);
            writer.begin(null, null, BodyEncoder.PLAIN);
        } else {
            writer.begin(head, body, toChunk ? chunked : BodyEncoder.PLAIN);
        }
        return reusable;
    }

    /** Starts the proxy's own reply, for a client of HTTP/1.{@code minor}; no body in answer to HEAD. */
    void local(LocalReply reply, int minor, boolean keepAlive, boolean headRequest) {
        StringBuilder sb = new StringBuilder(160).append("HTTP/1.1 ").append(reply.status()).append(' ')
                .append(StatusPhrases.of(reply.status())).append("\r\n");
        for (Map.Entry<String, String> f : reply.fields()) {
            sb.append(f.getKey()).append(": ").append(f.getValue()).append("\r\n");
        }
        byte[] body = reply.body();
        if (reply.status() >= 200 && reply.status() != 204 && reply.status() != 304) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (!keepAlive) {
            sb.append("Connection: close\r\n");
        } else if (minor == 0) {
            sb.append("Connection: keep-alive\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (headRequest || reply.status() == 204 || reply.status() == 304) {
            body = new byte[0];
        }
        ByteBuffer b = buffers.take();
        if (head.length > b.capacity()) {
            buffers.give(b);
            b = ByteBuffer.allocate(head.length);
        }
        b.put(head);
        int inline = Math.min(body.length, b.remaining());
        b.put(body, 0, inline);
        b.flip();
        append(b);
        tail = inline < body.length ? ByteBuffer.wrap(body, inline, body.length - inline) : null;
        local = true;
    }

    /** Writes what it can of what is pending: interim heads, a local reply, the response head and body. */
    Progress write(Transport transport) throws IOException {
        if (out != null && !flush(transport, out)) {
            return Progress.BLOCKED;
        }
        if (out != null) {
            release(out);
            out = null;
        }
        if (local) {
            if (tail != null && !flush(transport, tail)) {
                return Progress.BLOCKED;
            }
            tail = null;
            local = false;
            return Progress.DONE;
        }
        if (!streaming) {
            return Progress.IDLE;
        }
        if (gzip != null) {
            return compress(transport);
        }
        long before = writer.written();
        FramedWriter.Progress p = writer.write(transport);
        bytes += writer.written() - before;
        if (p == FramedWriter.Progress.DONE) {
            streaming = false;
            ByteBuffer head = writer.takeHead();
            if (head != null) {
                release(head);
            }
        }
        return switch (p) {
            case DONE -> Progress.DONE;
            case BLOCKED -> Progress.BLOCKED;
            case NEED_DATA -> Progress.NEED_DATA;
            default -> Progress.FAILED;
        };
    }

    /** The body through gzip: data in, compressed chunks out (copied), with the same backpressure. */
    private Progress compress(Transport transport) throws IOException {
        while (true) {
            if (out != null) {
                if (!flush(transport, out)) {
                    return Progress.BLOCKED;
                }
                release(out);
                out = null;
            }
            boolean ready = gzipSource.ready();
            if (ready || gzip.pending()) {
                ByteBuffer b = buffers.take();
                if (ready) {
                    int taken = gzip.encode(gzipSource.buffer(), gzipSource.from(), gzipSource.to(), b);
                    gzipSource.consumed(taken);
                } else {
                    gzip.encode(gzipSource.buffer(), gzipSource.from(), gzipSource.from(), b);
                }
                queue(b);
                continue;
            }
            if (gzipSource.failed()) {
                return Progress.FAILED;
            }
            if (!gzipSource.complete()) {
                return Progress.NEED_DATA;
            }
            if (!gzipEnded) {
                ByteBuffer b = buffers.take();
                gzipEnded = gzip.finish(b);
                queue(b);
                continue;
            }
            gzip.release();
            gzip = null;
            gzipSource = null;
            streaming = false;
            return Progress.DONE;
        }
    }

    /** Writes {@code b} as far as the transport takes it; true when all of it went. */
    private boolean flush(Transport transport, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            int n = transport.write(b);
            if (n == 0) {
                return false;
            }
            bytes += n;
        }
        return true;
    }

    private void queue(ByteBuffer b) {
        if (b.position() == 0) {
            buffers.give(b);
        } else {
            append(b.flip());
        }
    }

    /** Queues {@code b} (read mode) behind what is pending. */
    private void append(ByteBuffer b) {
        if (out == null) {
            out = b;
            return;
        }
        out = join(out, b);
    }

    private ByteBuffer join(ByteBuffer first, ByteBuffer second) {
        first.compact();
        if (first.remaining() >= second.remaining()) {
            first.put(second).flip();
            release(second);
            return first;
        }
        ByteBuffer joined = ByteBuffer.allocate(first.position() + second.remaining()); // rare: heads near the limit
        joined.put(first.flip()).put(second).flip();
        release(first);
        release(second);
        return joined;
    }

    private void release(ByteBuffer b) {
        if (buffers.owns(b)) {
            buffers.give(b);
        }
    }

    /** Gives back every buffer held (the connection closes, or the exchange was cut). */
    void reset() {
        if (out != null) {
            release(out);
            out = null;
        }
        tail = null;
        ByteBuffer head = writer.takeHead();
        if (head != null) {
            release(head);
        }
        if (gzip != null) {
            gzip.release();
            gzip = null;
        }
        gzipSource = null;
        streaming = false;
        local = false;
    }

    /** Takes what is pending for the client (a tunnel writes it first); null when nothing is. */
    ByteBuffer takePending() {
        ByteBuffer b = out;
        out = null;
        return b;
    }
}
