package io.jlb.http;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one pool waiting for a backend below its circuit-breaker cap, first come first served, bounded.
 * Shared by the listener's loops: a request ending on one loop wakes a waiter on another through that loop's task
 * queue.
 */
final class Waiters {
    private final ConcurrentLinkedDeque<Exchange> queue = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    /** Queues {@code c} unless {@code max} already wait. */
    boolean offer(Exchange c, int max) {
        while (true) {
            int n = size.get();
            if (n >= max) {
                return false;
            }
            if (size.compareAndSet(n, n + 1)) {
                queue.addLast(c);
                return true;
            }
        }
    }

    /** The longest-waiting request, or null. */
    Exchange poll() {
        Exchange c = queue.pollFirst();
        if (c != null) {
            size.decrementAndGet();
        }
        return c;
    }

    /** Takes {@code c} out (it timed out, or went away). */
    void remove(Exchange c) {
        if (queue.removeFirstOccurrence(c)) {
            size.decrementAndGet();
        }
    }

    int size() {
        return size.get();
    }
}
