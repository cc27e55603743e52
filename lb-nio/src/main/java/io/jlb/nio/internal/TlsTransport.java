package io.jlb.nio.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over a non-blocking socket with an {@link SSLEngine}, on the socket's loop, never blocking it.
 *
 * <ul>
 *   <li>Records are kept in the loop's TLS buffers, taken when bytes are in flight and given back when drained: an
 *   idle connection holds none.</li>
 *   <li>The handshake advances as the socket becomes readable or writable; the engine's delegated tasks (key
 *   exchange, signatures) run on a shared executor off the loop, and the owner is woken on its loop afterwards.</li>
 *   <li>Plaintext already decrypted but not yet taken stays buffered; {@link #interestOps} wakes the owner for it,
 *   since the socket will not signal it again.</li>
 *   <li>{@link #shutdownOutput} sends close_notify, then shuts the TCP output once it is written; a close_notify
 *   received reads as end of stream.</li>
 *   <li>TLS 1.2 renegotiation after the first handshake is refused (the connection fails); TLS 1.3's own
 *   post-handshake messages (tickets, key updates) are handled.</li>
 * </ul>
 */
public final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final EventLoop loop;
    private final SocketChannel channel;
    private final Registration registration = new Registration();
    private final SSLEngine engine;
    private final Executor tasks;
    private Runnable wake = () -> { };
    private final BufferPool pool;
    /** Ciphertext read, not yet decrypted; write mode. */
    private ByteBuffer netIn;
    /** Plaintext decrypted, not yet taken; read mode. */
    private ByteBuffer appIn;
    /** Ciphertext not yet written; read mode. */
    private ByteBuffer netOut;
    private boolean handshaking = true;
    private boolean taskRunning;
    private boolean underflow;
    private boolean inboundDone;
    private boolean eofDelivered;
    private boolean closeRequested;
    private boolean outputShut;
    private boolean wakeScheduled;
    private boolean renegotiationGuard;
    private volatile IOException taskFailure;

    /**
     * A transport for a connected {@code channel}, with {@code engine} set up for its side (server or client) and
     * its handshake begun here.
     */
    public TlsTransport(EventLoop loop, SocketChannel channel, SSLEngine engine, Executor tasks) throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.engine = engine;
        this.tasks = tasks;
        this.pool = loop.tlsBuffers();
        engine.beginHandshake();
    }

    /** Takes bytes already read from the socket (after a PROXY header) as the start of the TLS stream. */
    public void unread(ByteBuffer bytes) throws IOException {
        if (netIn == null) {
            netIn = pool.take();
        }
        if (bytes.remaining() > netIn.remaining()) {
            throw new SSLException("too many bytes before the TLS stream");
        }
        netIn.put(bytes);
        underflow = false;
    }

    /** The engine, for what the handshake settled (protocol, peer certificates, ALPN). */
    public SSLEngine engine() {
        return engine;
    }

    /** The subject of the peer's verified certificate, or null (none asked for, none given, handshake not over). */
    public String peerSubject() {
        if (!handshakeDone()) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = engine.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
                    ? x.getSubjectX500Principal().getName() : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Whether the handshake is over. */
    public boolean handshakeDone() {
        return !handshaking;
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public void register(EventLoop loop, IoHandler handler) throws IOException {
        registration.register(loop, channel, handler);
    }

    @Override
    public void interest(int wanted) {
        registration.set(interestOps(wanted));
    }

    @Override
    public void onWake(Runnable value) {
        wake = value;
    }

    // ---- reading ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkTasks();
        if (handshaking) {
            handshake();
            if (handshaking) {
                return 0;
            }
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        while (true) {
            if (appIn != null) {
                int n = transfer(appIn, dst);
                if (!appIn.hasRemaining()) {
                    pool.give(appIn);
                    appIn = null;
                }
                if (n > 0) {
                    return n;
                }
            }
            if (inboundDone) {
                eofDelivered = true;
                return -1;
            }
            if (hasNetInput() && !underflow) {
                unwrapRecord();
                continue;
            }
            int n = fillNet();
            if (n < 0) {
                inboundDone = true;
                eofDelivered = true;
                return -1;
            }
            if (n == 0) {
                return 0;
            }
        }
    }

    /** Decrypts what {@link #netIn} holds into {@link #appIn}; handles post-handshake messages. */
    private void unwrapRecord() throws IOException {
        SSLEngineResult r = unwrap();
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> underflow = true;
            case CLOSED -> inboundDone = true;
            case BUFFER_OVERFLOW -> throw new SSLException("a TLS record larger than the buffer");
            default -> { }
        }
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED) {
            if (renegotiationGuard && "TLSv1.2".equals(engine.getSession().getProtocol())) {
                throw new SSLException("TLS renegotiation refused");
            }
            postHandshake();
        }
    }

    /** TLS 1.3 post-handshake work (a key update to answer, a task to run) done on the spot. */
    private void postHandshake() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) {
                        t.run();
                    }
                }
                case NEED_WRAP -> {
                    if (netOut != null) {
                        return; // written with the next flush
                    }
                    wrapInto(new ByteBuffer[] {EMPTY});
                    flushNet();
                }
                default -> {
                    return;
                }
            }
        }
    }

    private int fillNet() throws IOException {
        if (netIn == null) {
            netIn = pool.take();
        }
        if (!netIn.hasRemaining()) {
            throw new SSLException("a TLS record larger than the buffer");
        }
        int n = channel.read(netIn);
        if (n > 0) {
            underflow = false;
        } else {
            releaseNetInIfEmpty();
        }
        return n;
    }

    private boolean hasNetInput() {
        return netIn != null && netIn.position() > 0;
    }

    private void releaseNetInIfEmpty() {
        if (netIn != null && netIn.position() == 0) {
            pool.give(netIn);
            netIn = null;
        }
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n > 0) {
            int limit = from.limit();
            from.limit(from.position() + n);
            to.put(from);
            from.limit(limit);
        }
        return n;
    }

    // ---- writing ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src});
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        checkTasks();
        if (handshaking) {
            handshake();
            if (handshaking) {
                return 0;
            }
        }
        if (closeRequested) {
            throw new IOException("TLS output already closed");
        }
        long taken = 0;
        while (netOut == null && remaining(srcs) > 0) {
            taken += wrapInto(srcs);
            flushNet();
        }
        if (netOut != null) {
            flushNet();
        }
        return taken;
    }

    /** Encrypts one record from {@code srcs} into a new {@link #netOut}; returns the plaintext bytes taken. */
    private int wrapInto(ByteBuffer[] srcs) throws IOException {
        ByteBuffer out = pool.take();
        SSLEngineResult r;
        try {
            r = engine.wrap(srcs, out);
        } catch (SSLException e) {
            pool.give(out);
            throw e;
        }
        out.flip();
        if (out.hasRemaining()) {
            netOut = out;
        } else {
            pool.give(out);
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            throw new SSLException("a TLS record larger than the buffer");
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesConsumed() == 0 && remaining(srcs) > 0) {
            throw new SSLException("TLS output closed");
        }
        return r.bytesConsumed();
    }

    private static long remaining(ByteBuffer[] srcs) {
        long n = 0;
        for (ByteBuffer b : srcs) {
            n += b.remaining();
        }
        return n;
    }

    /** Writes what {@link #netOut} holds; shuts the TCP output after a close_notify once everything is out. */
    private void flushNet() throws IOException {
        while (netOut != null) {
            if (channel.write(netOut) == 0) {
                return;
            }
            if (!netOut.hasRemaining()) {
                pool.give(netOut);
                netOut = null;
            }
        }
        if (closeRequested && !outputShut) {
            if (!engine.isOutboundDone()) {
                wrapInto(new ByteBuffer[] {EMPTY});
                if (netOut != null) {
                    flushNet();
                    return;
                }
            }
            outputShut = true;
            channel.shutdownOutput();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        engine.closeOutbound();
        if (!handshaking) {
            flushNet();
        } else {
            outputShut = true;
            channel.shutdownOutput(); // nothing was said yet: no close_notify to owe
        }
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut != null;
    }

    // ---- the handshake ----

    private void handshake() throws IOException {
        while (handshaking && !taskRunning) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> startTasks();
                case NEED_WRAP -> {
                    if (netOut != null) {
                        flushNet();
                        if (netOut != null) {
                            return;
                        }
                    }
                    wrapInto(new ByteBuffer[] {EMPTY});
                    flushNet();
                    if (engine.isOutboundDone()) {
                        throw new SSLException("the TLS handshake failed (alert sent)");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!hasNetInput() || underflow) {
                        int n = fillNet();
                        if (n < 0) {
                            throw new EOFException("the peer closed the connection during the TLS handshake");
                        }
                        if (n == 0) {
                            return;
                        }
                    }
                    unwrapHandshake();
                }
                default -> {
                    handshaking = false;
                    renegotiationGuard = true;
                    if (netOut != null) {
                        flushNet();
                    }
                }
            }
        }
    }

    /** Decrypts what {@link #netIn} holds into {@link #appIn}, giving back whichever buffer ends up empty. */
    private SSLEngineResult unwrap() throws IOException {
        appIn = appIn == null ? pool.take() : appIn.compact();
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
            appIn.flip();
            if (!appIn.hasRemaining()) {
                pool.give(appIn);
                appIn = null;
            }
            releaseNetInIfEmpty();
        }
        return r;
    }

    private void unwrapHandshake() throws IOException {
        SSLEngineResult r = unwrap();
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            underflow = true;
        } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the peer ended the TLS handshake");
        }
    }

    private void startTasks() {
        taskRunning = true;
        try {
            tasks.execute(() -> {
                try {
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) {
                        t.run();
                    }
                } catch (RuntimeException e) {
                    taskFailure = new SSLException("a TLS handshake task failed", e);
                }
                loop.execute(() -> {
                    taskRunning = false;
                    if (channel.isOpen()) {
                        wake.run();
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            taskRunning = false;
            taskFailure = new SSLException("no thread for TLS handshake tasks", e);
        }
    }

    private void checkTasks() throws IOException {
        IOException f = taskFailure;
        if (f != null) {
            throw f;
        }
    }

    // ---- readiness ----

    @Override
    public int onReady(int readyOps) throws IOException {
        checkTasks();
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && netOut != null) {
            flushNet();
        }
        if (handshaking) {
            handshake();
            if (handshaking) {
                return 0;
            }
            readyOps |= SelectionKey.OP_READ; // the last flight may have carried application data
        }
        int ops = readyOps;
        if (netOut != null) {
            ops &= ~SelectionKey.OP_WRITE;
        }
        if (hasBufferedInput()) {
            ops |= SelectionKey.OP_READ;
        }
        return ops;
    }

    @Override
    public int interestOps(int wanted) {
        int ops;
        if (handshaking) {
            if (taskRunning) {
                ops = 0;
            } else {
                ops = switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> SelectionKey.OP_WRITE;
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> SelectionKey.OP_READ;
                    default -> 0;
                };
            }
        } else {
            ops = wanted;
            if ((wanted & SelectionKey.OP_READ) != 0 && hasBufferedInput()) {
                scheduleWake();
            }
        }
        if (netOut != null) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops;
    }

    /** Never: a TLS read gives at most one record, and more may wait in the socket. */
    @Override
    public boolean drainedBy(int n, int room) {
        return false;
    }

    private boolean hasBufferedInput() {
        return appIn != null && appIn.hasRemaining() || hasNetInput() && !underflow || inboundDone && !eofDelivered;
    }

    private void scheduleWake() {
        if (wakeScheduled) {
            return;
        }
        wakeScheduled = true;
        loop.execute(() -> {
            wakeScheduled = false;
            if (channel.isOpen()) {
                wake.run();
            }
        });
    }

    @Override
    public void close(boolean abortive) {
        try {
            if (!abortive && !closeRequested && !handshaking && channel.isOpen()) {
                closeRequested = true;
                engine.closeOutbound();
                if (netOut == null) {
                    wrapInto(new ByteBuffer[] {EMPTY}); // a best-effort close_notify: not waited for
                }
                if (netOut != null) {
                    channel.write(netOut);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
        try {
            if (abortive && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // closing
        }
        pool.give(netIn);
        pool.give(appIn);
        pool.give(netOut);
        netIn = null;
        appIn = null;
        netOut = null;
    }
}
