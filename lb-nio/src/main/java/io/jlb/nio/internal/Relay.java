package io.jlb.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Relays bytes both ways between two connected sockets on one loop, exactly, until both directions end.
 *
 * <p>The invariants, per direction (source → destination):
 * <ul>
 *   <li>At most one buffer holds bytes read from the source and not yet written to the destination. While it
 *       does, the source is not read (OP_READ off) and the destination waits for OP_WRITE: memory per connection is
 *       bounded by two buffers, and a slow reader slows its writer down instead of filling memory.</li>
 *   <li>A buffer is taken from the loop's pool for a read and given back as soon as it is drained, so an idle relay
 *       holds none. Reads are written through at once; most never touch OP_WRITE.</li>
 *   <li>End of stream from the source becomes {@code shutdownOutput} on the destination, after the buffered bytes
 *       are written; the other direction keeps flowing. When both directions have ended, both sockets close.</li>
 *   <li>A reset (an I/O error) on one socket closes it; bytes already read from it are still written to the other
 *       socket, which is then closed. Nothing read is dropped before a close is propagated.</li>
 *   <li>A source is read at most {@link #READS_PER_EVENT} times per readiness event, so that one fast connection
 *       cannot starve the loop's others, and not again after a short read, which found the socket drained (one
 *       system call per message each way, as HAProxy makes).</li>
 * </ul>
 */
public final class Relay {
    /** Reads per readiness event before yielding to other connections. */
    static final int READS_PER_EVENT = 4;

    /** How a relay ended. */
    public enum Outcome {
        /** Both directions reached end of stream. */
        COMPLETED,
        /** Side A failed (reset, broken pipe). */
        FAILED_A,
        /** Side B failed (reset, broken pipe). */
        FAILED_B,
        /** Nothing moved for the idle timeout. */
        IDLE_TIMEOUT,
        /** Closed by its owner (shutdown deadline). */
        ABORTED
    }

    /** Hears traffic and the end. Called on the loop thread. */
    public interface Observer {
        /** {@code bytes} were written from A to B ({@code aToB}) or from B to A. */
        void transferred(boolean aToB, int bytes);

        /** The relay ended; both channels are closed. Called once. */
        void closed(Relay relay, Outcome outcome, Throwable cause);
    }

    private final EventLoop loop;
    private final Side a;
    private final Side b;
    private final Direction aToB;
    private final Direction bToA;
    private final Observer observer;
    private final long idleTimeoutNanos;
    private final Timer idleTimer;
    private long lastActivity;
    private boolean finished;
    /** Set when one side failed and the other still receives what was read from it; then the relay ends. */
    private Outcome closingAfterFailure;
    private Throwable closingCause;

    /**
     * A relay between two connected, non-blocking channels, which may already be registered on {@code loop} (their
     * keys are re-attached) or not. Nothing happens until {@link #start}.
     */
    public Relay(EventLoop loop, SocketChannel channelA, SocketChannel channelB, long idleTimeoutNanos, Observer observer) {
        this(loop, Transport.plain(channelA), Transport.plain(channelB), idleTimeoutNanos, observer);
    }

    /** A relay between two transports (plain or TLS) over connected, non-blocking channels. */
    public Relay(EventLoop loop, Transport transportA, Transport transportB, long idleTimeoutNanos, Observer observer) {
        this.loop = loop;
        this.a = new Side(transportA, "A");
        this.b = new Side(transportB, "B");
        this.aToB = new Direction(a, b, true);
        this.bToA = new Direction(b, a, false);
        this.observer = observer;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.idleTimer = idleTimeoutNanos > 0 ? loop.timer(this::idleCheck) : null;
    }

    /**
     * Starts relaying. {@code pendingAtoB} and {@code pendingBtoA} (flipped, taken from this loop's pool, or null)
     * are bytes already read that must be written first. Loop thread only.
     */
    public void start(ByteBuffer pendingAtoB, ByteBuffer pendingBtoA) throws IOException {
        loop.assertInLoop();
        a.key = attach(a);
        b.key = attach(b);
        a.transport.onWake(() -> a.ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        b.transport.onWake(() -> b.ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        lastActivity = loop.now();
        if (idleTimer != null) {
            idleTimer.schedule(idleTimeoutNanos);
        }
        aToB.pending = nonEmpty(pendingAtoB);
        bToA.pending = nonEmpty(pendingBtoA);
        if (aToB.pending != null) {
            flush(aToB);
        }
        if (!finished && bToA.pending != null) {
            flush(bToA);
        }
        if (!finished) {
            refresh();
        }
    }

    private ByteBuffer nonEmpty(ByteBuffer buffer) {
        if (buffer != null && !buffer.hasRemaining()) {
            loop.buffers().give(buffer);
            return null;
        }
        return buffer;
    }

    private SelectionKey attach(Side side) throws IOException {
        SelectionKey key = side.transport.channel().keyFor(loop.selector());
        if (key != null) {
            key.attach(side);
            key.interestOps(0);
            side.interest = 0;
            return key;
        }
        side.interest = 0;
        return loop.register(side.transport.channel(), 0, side);
    }

    /** Closes both channels at once (for a shutdown deadline). Loop thread only. */
    public void abort() {
        finish(Outcome.ABORTED, null);
    }

    /** Whether the relay has ended. */
    public boolean finished() {
        return finished;
    }

    // ---- events ----

    private void readable(Direction d) {
        ByteBuffer buffer = loop.buffers().take();
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                buffer.clear();
                int n;
                try {
                    n = d.from.transport.read(buffer);
                } catch (IOException e) {
                    loop.buffers().give(buffer);
                    buffer = null;
                    sideFailed(d.from, e);
                    return;
                }
                if (n < 0) {
                    d.ended = true;
                    break;
                }
                if (n == 0) {
                    break;
                }
                lastActivity = loop.now();
                buffer.flip();
                try {
                    write(d, buffer);
                } catch (IOException e) {
                    loop.buffers().give(buffer); // the destination is gone: these bytes have nowhere to go
                    buffer = null;
                    sideFailed(d.to, e);
                    return;
                }
                if (buffer.hasRemaining()) {
                    d.pending = buffer; // the destination is full: stop reading the source until it drains
                    buffer = null;
                    break;
                }
                if (d.from.transport.drainedBy(n, buffer.capacity())) {
                    break; // a read now would find nothing: save the system call
                }
            }
        } finally {
            if (buffer != null) {
                loop.buffers().give(buffer);
            }
        }
        afterProgress(d);
    }

    private void writable(Direction d) {
        if (d.pending != null) {
            flush(d);
        }
        refresh();
    }

    private void flush(Direction d) {
        ByteBuffer buffer = d.pending;
        try {
            write(d, buffer);
        } catch (IOException e) {
            sideFailed(d.to, e); // gives back d.pending
            return;
        }
        if (!buffer.hasRemaining()) {
            loop.buffers().give(buffer);
            d.pending = null;
        }
        afterProgress(d);
    }

    /** Writes what the destination takes without blocking. */
    private void write(Direction d, ByteBuffer buffer) throws IOException {
        int before = buffer.remaining();
        try {
            while (buffer.hasRemaining()) {
                if (d.to.transport.write(buffer) == 0) {
                    break;
                }
            }
        } finally {
            int written = before - buffer.remaining();
            if (written > 0) {
                lastActivity = loop.now();
                observer.transferred(d.aToB, written);
            }
        }
    }

    /** After bytes moved in {@code d}: propagate its end of stream once drained, finish when both ended. */
    private void afterProgress(Direction d) {
        if (finished) {
            return;
        }
        if (d.ended && d.pending == null && !d.shut) {
            d.shut = true;
            if (!d.to.failed && closingAfterFailure == null) {
                try {
                    d.to.transport.shutdownOutput();
                } catch (IOException e) {
                    sideFailed(d.to, e);
                    return;
                }
            }
        }
        if (closingAfterFailure != null && d.pending == null) {
            finish(closingAfterFailure, closingCause);
            return;
        }
        if (aToB.shut && bToA.shut && !a.transport.hasPendingOutput() && !b.transport.hasPendingOutput()) {
            finish(Outcome.COMPLETED, null); // both ended, and a TLS side has written its last records
            return;
        }
        refresh();
    }

    /**
     * One side failed: close it now, drop what was meant for it, and deliver to the other side what was read
     * from the failed one before closing that too.
     */
    private void sideFailed(Side failed, IOException cause) {
        if (finished || failed.failed) {
            return;
        }
        failed.failed = true;
        Outcome outcome = failed == a ? Outcome.FAILED_A : Outcome.FAILED_B;
        Direction toFailed = failed == a ? bToA : aToB;
        Direction toSurvivor = failed == a ? aToB : bToA;
        close(failed);
        if (toFailed.pending != null) {
            loop.buffers().give(toFailed.pending);
            toFailed.pending = null;
        }
        toFailed.shut = true;
        toFailed.ended = true;
        if (toSurvivor.pending == null || toSurvivor.to.failed) {
            finish(outcome, cause);
            return;
        }
        closingAfterFailure = outcome;
        closingCause = cause;
        toSurvivor.ended = true;
        refresh();
    }

    private void idleCheck() {
        if (finished) {
            return;
        }
        long idle = loop.now() - lastActivity;
        if (idle >= idleTimeoutNanos) {
            finish(Outcome.IDLE_TIMEOUT, null);
        } else {
            idleTimer.scheduleAt(lastActivity + idleTimeoutNanos);
        }
    }

    // ---- interest and teardown ----

    private void refresh() {
        if (finished) {
            return;
        }
        interest(a, wantsRead(aToB), bToA.pending != null);
        interest(b, wantsRead(bToA), aToB.pending != null);
    }

    private boolean wantsRead(Direction d) {
        return closingAfterFailure == null && !d.from.failed && !d.ended && d.pending == null;
    }

    private static void interest(Side side, boolean read, boolean write) {
        if (side.failed || side.key == null || !side.key.isValid()) {
            return;
        }
        int ops = side.transport.interestOps((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
        if (ops != side.interest) {
            side.interest = ops;
            side.key.interestOps(ops);
        }
    }

    private void finish(Outcome outcome, Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        for (Direction d : new Direction[] {aToB, bToA}) {
            if (d.pending != null) {
                loop.buffers().give(d.pending);
                d.pending = null;
            }
        }
        close(a);
        close(b);
        observer.closed(this, outcome, cause);
    }

    private static void close(Side side) {
        if (side.transport.channel().isOpen()) {
            side.transport.close(side.failed);
        }
    }

    private final class Side implements IoHandler {
        final Transport transport;
        final String label;
        SelectionKey key;
        int interest;
        boolean failed;

        Side(Transport transport, String label) {
            this.transport = transport;
            this.label = label;
        }

        @Override
        public void ready(int readyOps) {
            if (finished || failed) {
                return;
            }
            Direction out = this == a ? aToB : bToA;
            Direction in = this == a ? bToA : aToB;
            int ops;
            try {
                ops = transport.onReady(readyOps);
            } catch (IOException e) {
                sideFailed(this, e);
                return;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && !finished) {
                writable(in);
            }
            if ((ops & SelectionKey.OP_READ) != 0 && !finished && wantsRead(out)) {
                readable(out);
            }
            if (!finished) {
                afterProgress(in); // a TLS side may just have written its last records
            }
        }

        @Override
        public void failed(Throwable error) {
            if (error instanceof IOException io) {
                sideFailed(this, io);
            } else {
                finish(this == a ? Outcome.FAILED_A : Outcome.FAILED_B, error);
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final class Direction {
        final Side from;
        final Side to;
        final boolean aToB;
        ByteBuffer pending;
        boolean ended;
        boolean shut;

        Direction(Side from, Side to, boolean aToB) {
            this.from = from;
            this.to = to;
            this.aToB = aToB;
        }
    }
}
