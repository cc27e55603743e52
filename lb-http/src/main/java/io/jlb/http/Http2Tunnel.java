package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * A WebSocket over an HTTP/2 stream (RFC 8441) after the backend's 101: the stream's DATA written to the backend's
 * upgraded HTTP/1.1 connection, and what the backend sends made into DATA within the client's windows. One buffer
 * each way: the backend is not read while what it sent waits for window, and the client's DATA is acknowledged only
 * as the backend takes it, so a slow side holds the other back instead of filling memory. A close on one side is
 * passed on as END_STREAM or a half-close; the tunnel ends when both directions have, or after the tunnel idle
 * timeout. Loop-confined.
 */
final class Http2Tunnel implements IoHandler {
    /** What the tunnel needs of its stream. */
    interface Stream {
        /** The client's DATA not yet written to the backend, in place; consuming it gives window credit back. */
        io.jlb.http.internal.BodySource clientData();

        /** Whether the client ended its side (END_STREAM). */
        boolean clientEnded();

        /** There is backend data to send (or the end of it). */
        void wantsToSend();

        /** The tunnel ended cleanly: both sides closed. */
        void tunnelEnded();

        /** The tunnel failed (the backend failed, or the idle timeout): the stream is reset with {@code code}. */
        void tunnelFailed(int code);
    }

    private final Stream stream;
    private final EventLoop loop;
    private final Transport upstream;
    private final Member backend;
    private final long idleNanos;
    private final Timer timer;
    /** Backend bytes not yet sent as DATA, read mode; null when none. */
    private ByteBuffer toClient;
    private boolean upstreamEnded;
    private boolean endSent;
    private boolean upstreamShut;
    private boolean closed;
    private long deadline;

    Http2Tunnel(Stream stream, EventLoop loop, Transport upstream, Member backend, long idleNanos) {
        this.stream = stream;
        this.loop = loop;
        this.upstream = upstream;
        this.backend = backend;
        this.idleNanos = idleNanos;
        this.timer = loop.timer(this::timedOut);
    }

    /** Takes the backend connection over; {@code first} (read mode, pooled, or null) goes to the client first. */
    void start(ByteBuffer first) {
        toClient = first != null && first.hasRemaining() ? first : null;
        if (first != null && toClient == null) {
            loop.buffers().give(first);
        }
        try {
            upstream.register(loop, this);
        } catch (IOException e) {
            fail();
            return;
        }
        upstream.onWake(() -> ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        touch();
        if (toClient != null) {
            stream.wantsToSend();
        }
        clientData();
    }

    @Override
    public void ready(int readyOps) {
        if (closed) {
            return;
        }
        try {
            readyOps = upstream.onReady(readyOps);
            if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                writeToUpstream();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0 && !closed) {
                readFromUpstream();
            }
        } catch (IOException e) {
            fail();
            return;
        }
        settle();
    }

    @Override
    public void failed(Throwable error) {
        fail();
    }

    private void readFromUpstream() throws IOException {
        if (toClient != null || upstreamEnded) {
            return; // what was read waits for the client's window first
        }
        ByteBuffer b = loop.buffers().take();
        int n = upstream.read(b);
        if (n <= 0) {
            loop.buffers().give(b);
            if (n < 0) {
                upstreamEnded = true;
                stream.wantsToSend(); // END_STREAM, once what was read is sent
            }
            return;
        }
        touch();
        backend.recordTraffic(0, n);
        toClient = b.flip();
        stream.wantsToSend();
    }

    /** The client sent DATA (or ended its side): written to the backend as far as it takes it. */
    void clientData() {
        if (closed) {
            return;
        }
        try {
            writeToUpstream();
        } catch (IOException e) {
            fail();
            return;
        }
        settle();
    }

    private void writeToUpstream() throws IOException {
        io.jlb.http.internal.BodySource in = stream.clientData();
        int from = in.from();
        int to = in.to();
        if (to > from) {
            int n = upstream.write(in.buffer().slice(from, to - from));
            if (n > 0) {
                touch();
                backend.recordTraffic(n, 0);
                in.consumed(n);
            }
        }
        if (stream.clientEnded() && !in.ready() && !upstreamShut
                && !upstream.hasPendingOutput()) {
            upstreamShut = true;
            upstream.shutdownOutput();
            endIfDone();
        }
    }

    /**
     * Puts at most {@code max} of the backend's bytes into a DATA frame of the stream's (through {@code frames});
     * returns whether more could follow at once.
     */
    boolean produce(int max, Frames frames) {
        if (closed || endSent) {
            return false;
        }
        if (toClient != null) {
            int n = Math.min(toClient.remaining(), max);
            if (n <= 0) {
                return false;
            }
            frames.data(n, false).put(toClient.slice(toClient.position(), n));
            toClient.position(toClient.position() + n);
            if (toClient.hasRemaining()) {
                return true;
            }
            loop.buffers().give(toClient);
            toClient = null;
            settle(); // room to read the backend again
        }
        if (upstreamEnded && !endSent) {
            endSent = true;
            frames.data(0, true);
            endIfDone();
        }
        return false;
    }

    /** Where DATA frames are made. */
    interface Frames {
        ByteBuffer data(int n, boolean endStream);
    }

    /** Whether backend data waits to be sent (for a window to open). */
    boolean hasDataToSend() {
        return !closed && (toClient != null || upstreamEnded && !endSent);
    }

    private void settle() {
        if (closed) {
            return;
        }
        boolean read = toClient == null && !upstreamEnded;
        boolean write = stream.clientData().ready() || upstream.hasPendingOutput();
        upstream.interest((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
    }

    private void endIfDone() {
        if (endSent && upstreamShut && !closed) {
            close();
            stream.tunnelEnded();
        }
    }

    private void touch() {
        deadline = loop.now() + idleNanos;
        if (!timer.scheduled()) {
            timer.scheduleAt(deadline);
        }
    }

    private void timedOut() {
        if (closed) {
            return;
        }
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        close();
        stream.tunnelFailed(io.jlb.http.internal.h2.Frames.CANCEL);
    }

    private void fail() {
        if (!closed) {
            close();
            stream.tunnelFailed(io.jlb.http.internal.h2.Frames.CONNECT_ERROR);
        }
    }

    /** Closes the backend connection and gives the buffer back. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.cancel();
        upstream.close(false);
        if (toClient != null) {
            loop.buffers().give(toClient);
            toClient = null;
        }
    }
}
