package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connection to a backend, kept on one loop: lent to a client connection for an exchange, then returned to
 * its loop's {@link BackendConnections} when the exchange ended cleanly, or closed. While idle in the pool it holds
 * no buffer and watches for the backend closing it.
 */
final class BackendConnection implements IoHandler {
    final EventLoop loop;
    final BackendConnections pool;
    final Member member;
    final SocketChannel channel;
    /** Plain TCP, or TLS to the backend (set once connected). */
    Transport transport;
    final Timer timer;
    SelectionKey key;
    ClientConnection owner;
    ByteBuffer in;
    int inStart;
    boolean connected;
    boolean reused;
    int interest;
    long lastActivity;
    long deadline;
    long connectStart;

    BackendConnection(EventLoop loop, BackendConnections pool, Member member, SocketChannel channel) {
        this.loop = loop;
        this.pool = pool;
        this.member = member;
        this.channel = channel;
        this.transport = Transport.plain(channel);
        this.timer = loop.timer(this::timedOut);
    }

    @Override
    public void ready(int readyOps) {
        if (owner != null) {
            owner.backendReady(this, readyOps);
        } else {
            pool.idleEvent(this); // an idle pooled connection is readable: the backend closed it (or misbehaved)
        }
    }

    @Override
    public void failed(Throwable error) {
        if (owner != null) {
            owner.backendFailed(this, error);
        } else {
            close();
        }
    }

    void interest(int ops) {
        if (connected) {
            ops = transport.interestOps(ops);
        }
        if (ops != interest && key != null && key.isValid()) {
            interest = ops;
            key.interestOps(ops);
        }
    }

    /** Sets a lazy deadline: the timer fires at it, and checks it again then, as activity may have moved it. */
    void deadline(long at) {
        deadline = at;
        if (!timer.scheduled() || timer.deadline() - at > 0) {
            timer.scheduleAt(at);
        }
    }

    private void timedOut() {
        if (deadline == 0) {
            return;
        }
        long now = loop.now();
        if (now - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        if (owner != null) {
            owner.backendTimedOut(this);
        } else {
            pool.remove(this);
            close();
        }
    }

    void releaseBuffer() {
        if (in != null) {
            loop.buffers().give(in);
            in = null;
            inStart = 0;
        }
    }

    void close() {
        timer.cancel();
        deadline = 0;
        releaseBuffer();
        transport.close(false);
    }

    @Override
    public String toString() {
        return "backend connection to " + member.backend();
    }
}
