package io.jlb.http;

import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * An in-memory connection for driving codecs without sockets: the test is the peer. Bytes the peer sends wait in an
 * inbound buffer; bytes written are captured, up to a window the test opens (0 makes the socket full). Readiness is
 * level-triggered, as epoll's: while the owner asks for OP_READ and bytes (or the end) are there, or for OP_WRITE and
 * the window is open, or for OP_CONNECT and the connection completed, a readiness event is dispatched on the loop.
 * Thread-safe where the test calls it; the owner's calls come from the loop.
 */
final class FakeTransport implements Transport {
    private final EventLoop loop;
    private final ByteArrayOutputStream inbound = new ByteArrayOutputStream();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private int readOffset;
    private long window = Long.MAX_VALUE;
    private boolean peerClosed;
    private boolean peerReset;
    private boolean connecting;
    private boolean refused;
    private boolean closed;
    private boolean abortive;
    private boolean outputShut;
    private int interest;
    private IoHandler handler;
    private boolean dispatchPending;

    FakeTransport(EventLoop loop, boolean connecting) {
        this.loop = loop;
        this.connecting = connecting;
    }

    // ---- the peer (the test) ----

    /** The peer sends {@code text} (ISO-8859-1). */
    FakeTransport send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    synchronized FakeTransport send(byte[] bytes) {
        inbound.write(bytes, 0, bytes.length);
        poke();
        return this;
    }

    /** The peer closes its side (FIN). */
    synchronized void finish() {
        peerClosed = true;
        poke();
    }

    /** The peer resets the connection. */
    synchronized void reset() {
        peerReset = true;
        poke();
    }

    /** The connection being made completes. */
    synchronized void accept() {
        connecting = false;
        poke();
    }

    /** The connection being made is refused. */
    synchronized void refuse() {
        refused = true;
        poke();
    }

    /** Lets {@code bytes} more be written (0 keeps the socket full). */
    synchronized void window(long bytes) {
        window = bytes;
        poke();
    }

    /** Everything written so far, as text. */
    synchronized String written() {
        return written.toString(StandardCharsets.ISO_8859_1);
    }

    /** Takes what was written so far, as text. */
    synchronized String take() {
        String s = written.toString(StandardCharsets.ISO_8859_1);
        written.reset();
        return s;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized boolean closedAbortively() {
        return closed && abortive;
    }

    synchronized boolean outputShut() {
        return outputShut;
    }

    synchronized int interest() {
        return interest;
    }

    /** Dispatches a readiness event when the owner asks for one that holds; level-triggered. */
    private void poke() {
        int ready = readyOps();
        if (ready != 0 && handler != null && !dispatchPending && !closed) {
            dispatchPending = true;
            loop.execute(this::dispatch);
        }
    }

    private void dispatch() {
        int ready;
        synchronized (this) {
            dispatchPending = false;
            ready = readyOps();
        }
        if (ready != 0 && !closed) {
            handler.ready(ready);
        }
    }

    private synchronized int readyOps() {
        int ops = 0;
        if ((interest & SelectionKey.OP_READ) != 0 && (readOffset < inbound.size() || peerClosed || peerReset)) {
            ops |= SelectionKey.OP_READ;
        }
        if ((interest & SelectionKey.OP_WRITE) != 0 && window > 0) {
            ops |= SelectionKey.OP_WRITE;
        }
        if ((interest & SelectionKey.OP_CONNECT) != 0 && (!connecting || refused)) {
            ops |= SelectionKey.OP_CONNECT;
        }
        return ops;
    }

    // ---- the owner (the codec) ----

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (peerReset) {
            throw new IOException("Connection reset by peer");
        }
        int available = inbound.size() - readOffset;
        if (available == 0) {
            return peerClosed ? -1 : 0;
        }
        int n = Math.min(available, dst.remaining());
        dst.put(inbound.toByteArray(), readOffset, n);
        readOffset += n;
        return n;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (peerReset) {
            throw new IOException("Broken pipe");
        }
        int n = (int) Math.min(src.remaining(), window);
        byte[] b = new byte[n];
        src.get(b);
        written.write(b, 0, n);
        if (window != Long.MAX_VALUE) {
            window -= n;
        }
        return n;
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs) throws IOException {
        long total = 0;
        for (ByteBuffer b : srcs) {
            int n = write(b);
            total += n;
            if (b.hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public synchronized void shutdownOutput() {
        outputShut = true;
    }

    @Override
    public synchronized void close(boolean abortively) {
        if (!closed) {
            closed = true;
            abortive = abortively;
        }
    }

    @Override
    public SocketChannel channel() {
        return null;
    }

    @Override
    public synchronized void register(EventLoop l, IoHandler h) {
        handler = h;
    }

    @Override
    public synchronized void interest(int wanted) {
        interest = wanted;
        poke();
    }

    @Override
    public synchronized boolean finishConnect() throws IOException {
        if (refused) {
            throw new ConnectException("Connection refused");
        }
        return !connecting;
    }

    @Override
    public int onReady(int readyOps) {
        return readyOps;
    }

    @Override
    public int interestOps(int wanted) {
        return wanted;
    }

    @Override
    public boolean hasPendingOutput() {
        return false;
    }
}
