package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.Relay;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection after a 101 Switching Protocols (a WebSocket): bytes relayed both ways between the client and the
 * backend, with the idle timeout of tunnels, the backend's traffic counted; the exchange ends when it closes.
 */
final class Tunnel implements Relay.Observer {
    private final Member backend;
    private final Runnable onClose;
    private final Relay relay;
    private long toClient;

    private Tunnel(EventLoop loop, Transport client, Transport upstream, long idleNanos, Member backend, Runnable onClose) {
        this.backend = backend;
        this.onClose = onClose;
        this.relay = new Relay(loop, client, upstream, idleNanos, this);
    }

    /**
     * Starts relaying: {@code toUpstream} and {@code toClientFirst} (read mode, from the loop's pool, or null) are
     * bytes already read that go first: the client's beyond its request, the 101 head and what followed it.
     */
    static Tunnel start(EventLoop loop, Transport client, Transport upstream, long idleNanos, Member backend,
            ByteBuffer toUpstream, ByteBuffer toClientFirst, Runnable onClose) {
        Tunnel t = new Tunnel(loop, client, upstream, idleNanos, backend, onClose);
        try {
            t.relay.start(toUpstream, toClientFirst);
        } catch (IOException e) {
            t.relay.abort();
        }
        return t;
    }

    /** Bytes sent to the client so far. */
    long bytesToClient() {
        return toClient;
    }

    /** Whether the tunnel has ended. */
    boolean finished() {
        return relay.finished();
    }

    /** Cuts both sides now. */
    void abort() {
        relay.abort();
    }

    @Override
    public void transferred(boolean aToB, int bytes) {
        backend.recordTraffic(aToB ? bytes : 0, aToB ? 0 : bytes);
        if (!aToB) {
            toClient += bytes;
        }
    }

    @Override
    public void closed(Relay r, Relay.Outcome outcome, Throwable cause) {
        onClose.run();
    }
}
