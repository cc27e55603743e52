package io.jlb.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Caps concurrent requests per backend. A request finding every eligible backend at the cap waits in a bounded
 * queue (first come, first served) for one to free up, at most {@link #queueTimeout()}; beyond the queue, or past
 * the timeout, it is answered 503. Immutable.
 *
 * @param maxRequestsPerBackend requests in flight to one backend at most
 * @param maxQueued requests waiting at most (per pool and listener); 0 answers 503 at once
 * @param queueTimeout how long a request may wait
 */
public record CircuitBreaker(int maxRequestsPerBackend, int maxQueued, Duration queueTimeout) {
    /** Checks the values. */
    public CircuitBreaker {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (maxRequestsPerBackend < 1) {
            throw new IllegalArgumentException("maxRequestsPerBackend: " + maxRequestsPerBackend + " (expected: >= 1)");
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 0)");
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: >= 0)");
        }
    }

    /** At most {@code max} requests per backend, no queue. */
    public static CircuitBreaker maxRequestsPerBackend(int max) {
        return new CircuitBreaker(max, 0, Duration.ZERO);
    }

    /** A copy queueing up to {@code max} requests for up to {@code timeout}. */
    public CircuitBreaker withQueue(int max, Duration timeout) {
        return new CircuitBreaker(maxRequestsPerBackend, max, timeout);
    }
}
