package io.jlb.http;

import io.jlb.core.Member;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One loop's idle keep-alive connections to backends, per backend, most recently used first. A connection is kept
 * only after an exchange that ended cleanly, for up to the backend idle timeout, and at most
 * {@code maxIdlePerBackend} per backend. Loop-confined.
 */
final class UpstreamPool {
    private final int maxIdlePerBackend;
    private final Map<Member, ArrayDeque<Http1Upstream>> idle = new IdentityHashMap<>();

    UpstreamPool(int maxIdlePerBackend) {
        this.maxIdlePerBackend = maxIdlePerBackend;
    }

    /** An idle connection to {@code member}, or null. */
    Http1Upstream take(Member member) {
        ArrayDeque<Http1Upstream> q = idle.get(member);
        if (q == null) {
            return null;
        }
        Http1Upstream c = q.pollFirst();
        if (q.isEmpty() && member.removed()) {
            idle.remove(member); // an empty queue is kept for the next offer, unless its backend is gone
        }
        if (c != null && member.removed()) {
            c.close();
            return take(member);
        }
        return c;
    }

    /** Keeps {@code c} for reuse; false when the backend already has enough idle connections (or is gone). */
    boolean offer(Http1Upstream c) {
        if (c.member.removed()) {
            return false;
        }
        ArrayDeque<Http1Upstream> q = idle.computeIfAbsent(c.member, m -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerBackend) {
            return false;
        }
        q.addFirst(c);
        return true;
    }

    /** Forgets {@code c} (it closed while idle). */
    void remove(Http1Upstream c) {
        ArrayDeque<Http1Upstream> q = idle.get(c.member);
        if (q != null) {
            q.remove(c);
            if (q.isEmpty()) {
                idle.remove(c.member);
            }
        }
    }

    /** Closes every idle connection. */
    void closeAll() {
        for (ArrayDeque<Http1Upstream> q : idle.values()) {
            q.forEach(Http1Upstream::close);
        }
        idle.clear();
    }

    /** Idle connections kept now. */
    int size() {
        int n = 0;
        for (ArrayDeque<Http1Upstream> q : idle.values()) {
            n += q.size();
        }
        return n;
    }
}
