package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.nio.internal.EventLoop;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One loop's idle keep-alive connections to backends, per backend, most recently used first. A connection is kept
 * only after an exchange that ended cleanly, for up to the backend idle timeout, and at most
 * {@code maxIdlePerBackend} per backend. Loop-confined.
 */
final class BackendConnections {
    private final EventLoop loop;
    private final int maxIdlePerBackend;
    private final long idleTimeoutNanos;
    private final Map<Member, ArrayDeque<BackendConnection>> idle = new IdentityHashMap<>();

    BackendConnections(EventLoop loop, int maxIdlePerBackend, long idleTimeoutNanos) {
        this.loop = loop;
        this.maxIdlePerBackend = maxIdlePerBackend;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** An idle connection to {@code member}, or null. */
    BackendConnection take(Member member) {
        ArrayDeque<BackendConnection> q = idle.get(member);
        while (q != null && !q.isEmpty()) {
            BackendConnection c = q.pollFirst();
            c.timer.cancel();
            c.deadline = 0;
            if (c.channel.isOpen() && !member.removed()) {
                c.reused = true;
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Keeps {@code c} for reuse, or closes it when the backend already has enough idle connections. */
    void offer(BackendConnection c) {
        c.owner = null;
        c.releaseBuffer();
        ArrayDeque<BackendConnection> q = idle.computeIfAbsent(c.member, m -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerBackend || c.member.removed() || !c.channel.isOpen()) {
            c.close();
            return;
        }
        c.interest(SelectionKey.OP_READ);
        c.deadline(loop.now() + idleTimeoutNanos);
        q.addFirst(c);
    }

    void idleEvent(BackendConnection c) {
        remove(c);
        c.close();
    }

    void remove(BackendConnection c) {
        ArrayDeque<BackendConnection> q = idle.get(c.member);
        if (q != null) {
            q.remove(c);
            if (q.isEmpty()) {
                idle.remove(c.member);
            }
        }
    }

    /** Closes every idle connection. */
    void closeAll() {
        for (ArrayDeque<BackendConnection> q : idle.values()) {
            q.forEach(BackendConnection::close);
        }
        idle.clear();
    }

    /** Idle connections kept now. */
    int size() {
        int n = 0;
        for (ArrayDeque<BackendConnection> q : idle.values()) {
            n += q.size();
        }
        return n;
    }
}
